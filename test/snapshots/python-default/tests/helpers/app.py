"""Serves the app on a free loopback port in a thread, as the server runs it (uvicorn, h11, its limits), for the
tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp

from python_default.__main__ import HTTP_LIMITS, create_server
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(
    issuer: LocalIssuer, resource_path: str, limits: dict[str, Any] | None = None, **env: str
) -> Iterator[RunningApp]:
    """Starts the app on a free port, with HTTP_LIMITS or `limits` replacing some of them, and stops it afterwards."""
    port = free_port()
    resource = f"http://127.0.0.1:{port}{resource_path}"
    config = config_for(issuer, MCP_RESOURCE=resource, PORT=str(port), **env)
    with running(create_app(config, create_verifier(config)), port, limits):
        yield RunningApp(config, f"http://127.0.0.1:{port}", resource)


@contextmanager
def running(app: ASGIApp, port: int, limits: dict[str, Any] | None = None) -> Iterator[None]:
    """Serves an ASGI app on 127.0.0.1:`port` in a thread, as `__main__` does (create_server), until the block ends."""
    server = create_server(app, "127.0.0.1", port, {**HTTP_LIMITS, **(limits or {})}, log_level="warning")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)
