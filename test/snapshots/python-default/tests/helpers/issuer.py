"""A local OpenID issuer with its own keys, configured like Logto (issuer path /oidc, ES384 `at+jwt` access tokens):
its discovery document and JWKS on loopback, and tokens signed with its key. No tenant, no network."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec


class LocalIssuer:
    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP384R1())
        self.kid = uuid.uuid4().hex
        self.public_jwk = {
            **json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private_key.public_key())),
            "kid": self.kid,
        }
        self.public_jwk.update({"alg": "ES384", "use": "sig"})
        self.user_sub = "user-" + uuid.uuid4().hex[:8]
        self.client_id = "client-" + uuid.uuid4().hex[:8]
        self.requests: list[str] = []
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                issuer.requests.append(self.path)
                documents = {
                    "/oidc/.well-known/openid-configuration": {
                        "issuer": issuer.issuer,
                        "jwks_uri": f"{issuer.issuer}/jwks",
                    },
                    "/oidc/jwks": {"keys": [issuer.public_jwk]},
                }
                body = json.dumps(documents.get(self.path, {"error": "not_found"})).encode()
                self.send_response(200 if self.path in documents else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}/oidc"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def sign(
        self, claims: dict[str, Any] | None = None, *, header: dict[str, Any] | None = None, key: Any = None
    ) -> str:
        """A token as Logto issues it for a resource, with `claims` replacing or adding to the usual ones (a value
        of None leaves that claim out)."""
        now = int(time.time())
        payload = {
            "jti": uuid.uuid4().hex,
            "sub": self.user_sub,
            "client_id": self.client_id,
            "iss": self.issuer,
            "scope": "",
            "iat": now,
            "exp": now + 600,
            **(claims or {}),
        }
        payload = {name: value for name, value in payload.items() if value is not None}
        headers = {"typ": "at+jwt", "kid": self.kid, **(header or {})}
        return jwt.encode(payload, key or self.private_key, algorithm=headers.pop("alg", "ES384"), headers=headers)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
