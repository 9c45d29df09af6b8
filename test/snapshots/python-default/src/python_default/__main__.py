"""Start-up and shutdown: `<project>` (the `[project.scripts]` entry) or `python -m <package>`."""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType
from typing import Any

import anyio
import uvicorn
from starlette.types import ASGIApp

from .app import create_app
from .config import Config, ConfigError, load_config, load_env_file
from .http_protocol import LimitedH11Protocol
from .transport import endpoint_urls
from .verifier import create_verifier

logger = logging.getLogger(__name__)

#: Limits that keep slow, oversized or too many requests from holding the server (the tests lower them).
HTTP_LIMITS: dict[str, Any] = {
    "headers_timeout": 10,  # s to send the request headers (then 408 and the connection closed)
    "request_timeout": 30,  # s to send the whole request (the same)
    "timeout_keep_alive": 5,  # s an idle connection is kept open
    "limit_concurrency": 1000,  # connections and tasks at once; more are answered 503
    "h11_max_incomplete_event_size": 16 * 1024,  # larger request heads are refused
    "timeout_graceful_shutdown": 5,  # s open requests get to finish on SIGTERM
}


class Server(uvicorn.Server):
    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if not self.should_exit:
            logger.info("%s received, shutting down", signal.Signals(sig).name)
        super().handle_exit(sig, frame)


def create_server(app: ASGIApp, host: str, port: int, limits: dict[str, Any] = HTTP_LIMITS, **options: Any) -> Server:
    """uvicorn on h11 with these limits; `options` are more of uvicorn's settings (`log_level`, say)."""
    uvicorn_limits = dict(limits)
    timeouts = {name: uvicorn_limits.pop(name) for name in ("headers_timeout", "request_timeout")}
    protocol = type("Protocol", (LimitedH11Protocol,), timeouts)
    config = uvicorn.Config(app, host=host, port=port, http=protocol, server_header=False, **uvicorn_limits, **options)
    return Server(config)


def read_config() -> Config:
    load_env_file()
    try:
        return load_config()
    except ConfigError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        sys.exit(1)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = read_config()
    verifier = create_verifier(config)
    try:
        app = create_app(config, verifier)
    except ConfigError as error:  # a tool missing from tool-scopes.json, say
        print(f"Configuration error: {error}", file=sys.stderr)
        sys.exit(1)
    server = create_server(app, config.host, config.port, log_level="info")

    async def load_keys() -> None:
        # Fail loudly but keep serving: verification retries on the next request once the issuer is reachable.
        try:
            await verifier.ready()
            logger.info("Signing keys loaded from the issuer.")
        except Exception as error:
            logger.error(
                "Cannot load the issuer's signing keys (LOGTO_ISSUER=%s): %s\nRequests with a token will answer 503 "
                "until this succeeds.",
                config.issuer,
                error,
            )

    async def serve() -> None:
        logger.info("Tokens come from %s, for %s (MCP_RESOURCE)", config.issuer, config.resource)
        urls = endpoint_urls(config)
        if urls.streamable_http:
            logger.info("Streamable HTTP clients connect to %s", urls.streamable_http)
        if urls.sse:
            logger.info("HTTP+SSE clients (deprecated transport) connect to %s", urls.sse)
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(load_keys)
            await server.serve()  # until SIGTERM or SIGINT: then open requests get timeout_graceful_shutdown to finish
            tasks.cancel_scope.cancel()
        if not server.started:
            sys.exit(1)  # could not listen (uvicorn said why)

    # uvicorn raises the signal again once it has shut down; a shutdown that finished is exit code 0.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    anyio.run(serve)


if __name__ == "__main__":
    main()
