"""The MCP Python SDK's own client through the whole OAuth flow, headlessly: run with a generated project's Python.

argv: <transport: streamable-http|sse> <server url> <client id> <redirect uri> <tool>
Prints one JSON line: {"ok": true, "result": <the tool's structured content or text>, "requests": [...]} or
{"ok": false, "error": "...", "requests": [...]}; "requests" lists each answer as "<status> <method> <url> <challenge>". Only loopback is ever contacted. The "browser" follows the authorization server's
redirects (with cookies) until the loopback redirect URI, where it stops and hands the query to the SDK.
"""

import json
import sys
from urllib.parse import parse_qs, urljoin, urlsplit

import anyio
import httpx2
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

transport, server_url, client_id, redirect_uri, tool = sys.argv[1:6]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
requests: list[str] = []


async def loopback_only(request: httpx2.Request) -> None:
    if request.url.host not in LOOPBACK:
        raise RuntimeError(f"refusing a non-loopback request: {request.url}")


async def record(response: httpx2.Response) -> None:
    challenge = response.headers.get("www-authenticate", "")
    requests.append(f"{response.status_code} {response.request.method} {response.request.url} {challenge}".strip())


HOOKS = {"request": [loopback_only], "response": [record]}


class Memory:
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull:
        # Pre-registered, as with Logto (no dynamic client registration).
        return OAuthClientInformationFull(client_id=client_id, redirect_uris=[redirect_uri], token_endpoint_auth_method="none")

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        pass


callback: dict[str, str] = {}


async def browser(authorization_url: str) -> None:
    url = authorization_url
    async with httpx2.AsyncClient(event_hooks=HOOKS) as client:
        for _ in range(20):
            if url.startswith(redirect_uri):
                callback.update({name: values[0] for name, values in parse_qs(urlsplit(url).query).items()})
                return
            response = await client.get(url)
            if response.status_code not in (301, 302, 303, 307, 308):
                raise RuntimeError(f"the authorization server answered {response.status_code} at {url}: {response.text[:300]}")
            url = urljoin(url, response.headers["location"])
    raise RuntimeError("too many redirects")


async def callback_handler() -> AuthorizationCodeResult:
    if "code" not in callback:
        raise RuntimeError(f"no code in the redirect: {callback}")
    return AuthorizationCodeResult(code=callback["code"], state=callback.get("state"), iss=callback.get("iss"))


async def main() -> dict:
    # The SDK's SSE client waits on the stream for the answer to a refused POST: give up in time.
    with anyio.fail_after(60):
        return await call()


async def call() -> dict:
    metadata = OAuthClientMetadata(redirect_uris=[redirect_uri], client_name="python-driver", token_endpoint_auth_method="none")
    auth = OAuthClientProvider(server_url, metadata, Memory(), browser, callback_handler)
    if transport == "sse":
        connection = sse_client(server_url, auth=auth, httpx_client_factory=lambda **kw: httpx2.AsyncClient(event_hooks=HOOKS, **kw))
    else:
        http = httpx2.AsyncClient(auth=auth, event_hooks=HOOKS, timeout=30)
        connection = streamable_http_client(server_url, http_client=http)
    async with connection as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        result = await session.call_tool(tool, {})
        if result.is_error:
            raise RuntimeError(f"{tool} failed: {result.content}")
        return result.structured_content or {"text": result.content[0].text}


try:
    print(json.dumps({"ok": True, "result": anyio.run(main), "requests": requests}))
except BaseException as error:  # noqa: BLE001 (reported to the test, which fails on it)
    print(json.dumps({"ok": False, "error": repr(error), "requests": requests}))
