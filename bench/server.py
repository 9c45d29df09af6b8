"""The Python counterpart of bench/server.ts, run by `npm run bench` with the generated project's own interpreter
(.venv/bin/python) and the project as working directory: `python bench/server.py <package>`.

It serves the project's own app (`create_app(config, verifier)`, the seam its tests use) on three loopback ports, each
with its own uvicorn server configured as the project's __main__.py configures it:
  - `jwt`: with the generated verifier, as __main__.py does;
  - `off`: with a verifier that accepts any token without crypto (the claims are read unverified, so `whoami`
    answers the same bytes as with auth on);
  - `control`: the same as `off`, on a third port: comparing it with `off` shows the measurement's own noise.
Prints one JSON line `{"jwt":<port>,"off":<port>,"control":<port>}` when all listen and the signing keys are loaded.
Then each line `stats` on stdin is answered with a JSON line `{"rss":..,"heapUsed":..,"cpuMicros":..}` (after a full
collection; `heapUsed` is the size of the objects Python tracks, not a byte count, so it is reported as null).
Exits when its stdin closes, so it cannot outlive the benchmark.
"""

from __future__ import annotations

import base64
import gc
import importlib
import json
import os
import socket
import sys
import threading
import time
from typing import Any

import anyio
import uvicorn

package = sys.argv[1]
app_module = importlib.import_module(f"{package}.app")
auth = importlib.import_module(f"{package}.auth")
config_module = importlib.import_module(f"{package}.config")
main_module = importlib.import_module(f"{package}.__main__")
verifier_module = importlib.import_module(f"{package}.verifier")


class AcceptAnyToken:
    """Accepts any token, reading its claims unverified; the benchmark sends one token to this port: decoded once."""

    def __init__(self) -> None:
        self._last: tuple[str, Any] | None = None

    async def ready(self) -> None:
        pass

    async def verify(self, token: str) -> Any:
        if self._last and self._last[0] == token:
            return self._last[1]
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        scope = claims.get("scope")
        verified = auth.VerifiedToken(
            claims=claims,
            scopes=tuple(scope.split()) if isinstance(scope, str) else (),
            client_id=claims.get("client_id", ""),
        )
        self._last = (token, verified)
        return verified


def listening_socket(port: int) -> socket.socket:
    # IPPROTO_TCP, as uvicorn's own sockets have: asyncio sets TCP_NODELAY only on connections whose socket says so,
    # and without it the response body waits behind its head for the client's delayed ACK (~40 ms a call).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(2048)
    return sock


def answer_stats() -> None:
    for line in sys.stdin:
        if line.strip() == "stats":
            gc.collect()
            with open("/proc/self/statm") as statm:
                rss = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            cpu_micros = int(time.process_time() * 1_000_000)
            print(json.dumps({"rss": rss, "heapUsed": None, "cpuMicros": cpu_micros}), flush=True)
    os._exit(0)  # stdin closed: the benchmark is done (or gone)


async def main() -> None:
    config = config_module.load_config(dict(os.environ))
    verifier = verifier_module.create_verifier(config)
    await verifier.ready()
    apps = {
        "jwt": (app_module.create_app(config, verifier), config.port),
        "off": (app_module.create_app(config, AcceptAnyToken()), 0),
        "control": (app_module.create_app(config, AcceptAnyToken()), 0),
    }
    servers: list[tuple[uvicorn.Server, socket.socket]] = []
    ports: dict[str, int] = {}
    for mode, (app, port) in apps.items():
        sock = listening_socket(port)
        ports[mode] = sock.getsockname()[1]
        server = main_module.create_server(app, "127.0.0.1", ports[mode], log_level="warning")
        servers.append((server, sock))
    async with anyio.create_task_group() as tasks:
        for server, sock in servers:
            tasks.start_soon(lambda s=server, k=sock: s.serve(sockets=[k]))
        while not all(server.started for server, _ in servers):
            await anyio.sleep(0.05)
        print(json.dumps(ports), flush=True)
        threading.Thread(target=answer_stats, daemon=True).start()


anyio.run(main)
