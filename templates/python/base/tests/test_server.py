"""The server's contract (README, "What the server answers"), over real HTTP against the running app."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import socket
import time
from urllib.parse import urlsplit

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .helpers.app import RunningApp, serve
from .helpers.issuer import LocalIssuer
from .helpers.mcp import RESOURCE_PATH, call_tool, mcp_request, tool_call_request


def challenge(response: httpx2.Response) -> dict[str, str]:
    header = response.headers.get("www-authenticate", "")
    assert header.startswith("Bearer "), header
    return {name: value for name, value in re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', header)}


def metadata_url(resource: str) -> str:
    parts = urlsplit(resource)
    return f"{parts.scheme}://{parts.netloc}/.well-known/oauth-protected-resource{parts.path}"


def b64(data: bytes) -> str:
    return jwt.utils.base64url_encode(data).decode()


def token(issuer: LocalIssuer, app: RunningApp, **claims: object) -> str:
    return issuer.sign({"aud": app.resource, **claims})


def test_healthz_needs_no_token(app: RunningApp) -> None:
    response = httpx2.get(f"{app.base_url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("which", ["path-inserted", "root"])
def test_metadata_at_both_urls_with_open_cors(app: RunningApp, issuer: LocalIssuer, which: str) -> None:
    url = (
        metadata_url(app.resource)
        if which == "path-inserted"
        else f"{app.base_url}/.well-known/oauth-protected-resource"
    )
    response = httpx2.get(url, headers={"Origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.json() == {
        "resource": app.resource,
        "authorization_servers": [issuer.issuer],
        "scopes_supported": ["openid", "profile", "email", "greet:write"],
        "bearer_methods_supported": ["header"],
        "resource_name": app.config.name,
    }
    preflight = httpx2.options(
        url, headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"


def test_no_token_401_with_resource_metadata_and_scope(app: RunningApp) -> None:
    response = mcp_request(app.resource)
    assert response.status_code == 401
    params = challenge(response)
    assert "error" not in params  # RFC 6750 §3.1: no error code without credentials
    assert params["resource_metadata"] == metadata_url(app.resource)
    assert params["scope"] == "openid profile email"
    assert "www-authenticate" in response.headers["access-control-expose-headers"].lower()


def test_non_bearer_authorization_401(app: RunningApp) -> None:
    response = mcp_request(app.resource, {"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 401
    assert challenge(response)["resource_metadata"] == metadata_url(app.resource)


def forged_tokens(issuer: LocalIssuer, app: RunningApp) -> dict[str, str]:
    other_key = ec.generate_private_key(ec.SECP384R1())
    good = token(issuer, app)
    header, payload, signature = good.split(".")
    now = int(time.time())
    public_pem = issuer.private_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    tampered = b64(json.dumps({"sub": "someone-else"}).encode())

    def unsigned(head: dict[str, str]) -> str:
        return f"{b64(json.dumps(head).encode())}.{payload}."

    def hs256(secret: bytes) -> str:  # by hand: PyJWT itself refuses to sign with a public key as HMAC secret
        signing_input = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'at+jwt', 'kid': issuer.kid}).encode())}.{payload}"
        return f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"

    return {
        "bad signature (another key, same kid)": issuer.sign({"aud": app.resource}, key=other_key),
        "alg none": unsigned({"alg": "none", "typ": "at+jwt", "kid": issuer.kid}),
        "alg none with the real signature": unsigned({"alg": "none", "typ": "at+jwt", "kid": issuer.kid}) + signature,
        "HS256 keyed with the public key": hs256(public_pem),
        "HS256 keyed with the public JWK": hs256(json.dumps(issuer.public_jwk).encode()),
        "unknown kid": issuer.sign({"aud": app.resource}, header={"kid": "unknown"}, key=other_key),
        "wrong iss": token(issuer, app, iss="http://127.0.0.1:9/oidc"),
        "iss with a trailing slash": token(issuer, app, iss=issuer.issuer + "/"),
        "wrong aud": issuer.sign({"aud": app.resource + "/other"}),
        "aud with another host spelling": issuer.sign({"aud": app.resource.replace("127.0.0.1", "localhost")}),
        "no aud": issuer.sign(),
        "aud naming another audience too": issuer.sign({"aud": ["https://other.example/api", app.resource]}),
        "expired": token(issuer, app, iat=now - 7200, exp=now - 3600),
        "not yet valid": token(issuer, app, nbf=now + 3600),
        "issued in the future": token(issuer, app, iat=now + 3600, exp=now + 4000),
        "issued more than 24 hours ago": token(issuer, app, iat=now - 90_000, exp=now + 600),
        "living longer than 24 hours": token(issuer, app, exp=now + 90_000),
        "no sub": token(issuer, app, sub=None),
        "no client_id": token(issuer, app, client_id=None),
        "no iat": token(issuer, app, iat=None),
        "not an access token (typ JWT)": issuer.sign({"aud": app.resource}, header={"typ": "JWT"}),
        "crit naming an extension the server does not know": issuer.sign(
            {"aud": app.resource}, header={"crit": ["exp-ext"], "exp-ext": 1}
        ),
        "malformed: not a JWT": "not-a-jwt",
        "malformed: three garbage segments": "abc.def.ghi",
        "malformed: payload tampered": f"{header}.{tampered}.{signature}",
        "malformed: header only": header,
    }


def test_every_forged_or_misdirected_token_401_invalid_token(app: RunningApp, issuer: LocalIssuer) -> None:
    failures = []
    for name, bad in forged_tokens(issuer, app).items():
        response = mcp_request(app.resource, {"Authorization": f"Bearer {bad}"})
        params = challenge(response) if response.status_code == 401 else {}
        if response.status_code != 401 or params.get("error") != "invalid_token" or "Traceback" in response.text:
            failures.append(
                f"{name}: {response.status_code} {response.headers.get('www-authenticate')} {response.text[:200]}"
            )
    assert failures == []
    assert mcp_request(app.resource, {"Authorization": f"Bearer {token(issuer, app)}"}).status_code == 200


def test_machine_token_refused(app: RunningApp, issuer: LocalIssuer) -> None:
    machine = token(issuer, app, sub=issuer.client_id)
    response = mcp_request(app.resource, {"Authorization": f"Bearer {machine}"})
    assert response.status_code == 401
    assert challenge(response)["error"] == "insufficient_user_authentication"


@pytest.mark.anyio
async def test_machine_token_served_with_mcp_allow_machine_tokens(issuer: LocalIssuer) -> None:
    with serve(issuer, RESOURCE_PATH, MCP_ALLOW_MACHINE_TOKENS="true") as machines:
        machine = issuer.sign({"aud": machines.resource, "sub": issuer.client_id})
        identity = (await call_tool(machines.resource, machine, "whoami")).structured_content
    assert identity["subjectType"] == "machine"
    assert "missingProfileClaims" not in identity


def test_disallowed_origin_403_even_with_a_valid_token(app: RunningApp, issuer: LocalIssuer) -> None:
    headers = {"Authorization": f"Bearer {token(issuer, app)}"}
    assert mcp_request(app.resource, {**headers, "Origin": "http://evil.example"}).status_code == 403
    same_origin = mcp_request(app.resource, {**headers, "Origin": app.base_url})
    assert same_origin.status_code == 200
    assert same_origin.headers["access-control-allow-origin"] == app.base_url


def test_another_method_405_with_allow(app: RunningApp) -> None:
    response = httpx2.request("TRACE", app.resource)
    assert response.status_code == 405
    assert "OPTIONS" in response.headers["allow"]


def test_two_host_headers_400(app: RunningApp) -> None:
    port = urlsplit(app.resource).port
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: rebound.invalid\r\nConnection: close\r\n\r\n"
        )
        assert connection.recv(100).startswith(b"HTTP/1.1 400")


def test_two_authorization_headers_400_invalid_request(app: RunningApp, issuer: LocalIssuer) -> None:
    port = urlsplit(app.resource).port
    valid = f"Authorization: Bearer {token(issuer, app)}".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\nAuthorization: Bearer forged\r\n"
            b"Connection: close\r\n\r\n" % valid
        )
        answer = connection.recv(1000)
    assert answer.startswith(b"HTTP/1.1 400")
    assert b'\r\nwww-authenticate: Bearer error="invalid_request"' in answer


def test_unknown_path_json_404(app: RunningApp) -> None:
    response = httpx2.get(f"{app.base_url}/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found"}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("POST", "/nothing-here", 404), ("POST", "/healthz", 405), ("GET", "/healthz", 200), ("GET", "", 401)],
)
def test_an_answer_before_the_body_arrives_closes_the_connection(
    app: RunningApp, method: str, path: str, status: int
) -> None:
    """Else the server would wait for the rest of the body (HTTP_LIMITS' request_timeout, 30 s), as for the next
    request on the connection. The body announced is never sent here, as by a client waiting for `100 Continue`."""
    target = path or urlsplit(app.resource).path
    with socket.create_connection(("127.0.0.1", urlsplit(app.resource).port), timeout=5) as connection:
        connection.sendall(f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{{".encode())
        received = b""
        while chunk := connection.recv(65536):  # until the server closes (or the timeout fails the test)
            received += chunk
    head = received.split(b"\r\n\r\n")[0].lower()
    assert head.startswith(f"http/1.1 {status} ".encode()), received
    assert b"\r\nconnection: close" in head


def test_an_answer_to_a_request_without_a_body_keeps_the_connection(app: RunningApp) -> None:
    with socket.create_connection(("127.0.0.1", urlsplit(app.resource).port), timeout=5) as connection:
        request = b"GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        connection.sendall(request + request)
        received = b""
        while received.count(b"HTTP/1.1 404") < 2:
            chunk = connection.recv(65536)
            assert chunk, f"the connection was closed after {received!r}"
            received += chunk
    assert b"connection: close" not in received.lower()


@pytest.mark.anyio
async def test_whoami_returns_the_callers_claims(app: RunningApp, issuer: LocalIssuer) -> None:
    result = await call_tool(app.resource, token(issuer, app), "whoami")
    identity = result.structured_content
    assert identity["sub"] == issuer.user_sub
    assert identity["aud"] == app.resource
    assert identity["subjectType"] == "user"
    assert identity["missingProfileClaims"] == ["username", "name", "email"]


@pytest.mark.anyio
async def test_whoami_returns_profile_claims_when_the_token_has_them(app: RunningApp, issuer: LocalIssuer) -> None:
    profile = {"username": "ada", "name": "Ada Lovelace", "email": "ada@example.com"}
    identity = (await call_tool(app.resource, token(issuer, app, **profile), "whoami")).structured_content
    assert identity | profile == identity
    assert "missingProfileClaims" not in identity


@pytest.mark.anyio
async def test_greet_needs_its_scope(app: RunningApp, issuer: LocalIssuer) -> None:
    result = await call_tool(app.resource, token(issuer, app, scope="greet:write", name="Ada"), "greet")
    assert result.content[0].text == "Hello, Ada!"
    # Without it, the POST carrying the call gets the step-up challenge, naming everything to request.
    refused = tool_call_request(app.resource, token(issuer, app), "greet")
    assert refused.status_code == 403
    params = challenge(refused)
    assert params["error"] == "insufficient_scope"
    assert params["scope"] == "openid profile email greet:write"
    assert params["resource_metadata"] == metadata_url(app.resource)
    # whoami needs no scope of its own
    assert tool_call_request(app.resource, token(issuer, app), "whoami").status_code in (200, 202, 404)
