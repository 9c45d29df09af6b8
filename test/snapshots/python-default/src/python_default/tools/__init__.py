"""The server's tools: one module each, with a `register(server)`."""
