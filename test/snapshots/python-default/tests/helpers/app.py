"""Serves the app on a free loopback port in a thread, as the server runs it (uvicorn, h11), for the tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from python_default.app import create_app
from python_default.config import Config, load_config
from python_default.verifier import create_verifier

from .issuer import LocalIssuer


@dataclass(frozen=True)
class RunningApp:
    config: Config
    base_url: str
    #: The MCP endpoint's URL: the resource.
    resource: str


def config_for(issuer: LocalIssuer, **env: str) -> Config:
    return load_config({"LOGTO_ISSUER": issuer.issuer, "MCP_RESOURCE": "http://127.0.0.1:1/mcp", **env})


@contextmanager
def serve(issuer: LocalIssuer, resource_path: str, **env: str) -> Iterator[RunningApp]:
    """Starts the app on a free port (port 0: the resource names the port it got), and stops it afterwards."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    resource = f"http://127.0.0.1:{port}{resource_path}"
    config = config_for(issuer, MCP_RESOURCE=resource, PORT=str(port), **env)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, create_verifier(config)), host="127.0.0.1", port=port, http="h11", log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.02)
    try:
        yield RunningApp(config, f"http://127.0.0.1:{port}", resource)
    finally:
        server.should_exit = True
        thread.join(10)
