"""The installed command starts the server from `.env`, and SIGTERM stops it gracefully."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx2

from .helpers.app import free_port
from .helpers.issuer import LocalIssuer
from .helpers.mcp import RESOURCE_PATH


def test_sigterm_stops_the_server_with_exit_code_0(issuer: LocalIssuer, tmp_path: object) -> None:
    port = free_port()
    env = {
        **os.environ,
        "LOGTO_ISSUER": issuer.issuer,
        "MCP_RESOURCE": f"http://127.0.0.1:{port}{RESOURCE_PATH}",
        "PORT": str(port),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "python_default"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            except httpx2.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=15)
    finally:
        server.kill()
    assert server.returncode == 0, output
    assert "Signing keys loaded from the issuer." in output
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_configuration_error_is_one_line_and_exit_code_1(tmp_path: object) -> None:
    env = {key: value for key, value in os.environ.items() if key != "LOGTO_ISSUER"}
    result = subprocess.run(
        [sys.executable, "-m", "python_default"],
        env={**env, "MCP_RESOURCE": "http://127.0.0.1:1/mcp"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "Configuration error: LOGTO_ISSUER is required (see .env.example)"
