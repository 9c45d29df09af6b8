"""The HTTP app: Starlette, with the MCP SDK's transport mounted behind the checks of middleware.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .auth import TokenVerifier, metadata_paths, protected_resource_metadata
from .config import Config
from .http import Answer
from .middleware import ExactPath, McpGate, RequestChecks
from .origins import open_cors
from .transport import mcp_transport


def create_app(config: Config, verifier: TokenVerifier) -> Starlette:
    """Serves `GET /healthz`, the protected-resource metadata (open CORS) and every MCP endpoint of the transport
    behind McpGate; anything else is a JSON 404, and errors are JSON without stack traces."""
    transport = mcp_transport(config)
    metadata = protected_resource_metadata(config)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    # Public metadata: browser-based clients read it from other origins.
    async def protected_resource(request: Request) -> Response:
        cors = open_cors(request.method, request.headers.get("access-control-request-headers"))
        if cors.answer:
            return _response(cors.answer, cors.headers)
        return JSONResponse(metadata, headers=cors.headers)

    routes: list[BaseRoute] = [Route("/healthz", healthz, methods=["GET"])]
    routes += [
        ExactPath(path, Route(path, protected_resource, methods=["GET", "OPTIONS"])) for path in metadata_paths(config)
    ]
    routes += [ExactPath(endpoint.path, McpGate(endpoint, config, verifier)) for endpoint in transport.endpoints]

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with transport.lifespan():
            yield

    return Starlette(
        routes=routes,
        middleware=[Middleware(RequestChecks)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        lifespan=lifespan,
    )


def _response(answer: Answer, headers: dict[str, str]) -> Response:
    if answer.body is None:
        return Response(status_code=answer.status, headers={**headers, **answer.headers})
    return JSONResponse(answer.body, answer.status, {**headers, **answer.headers})


async def _http_error(_: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    return JSONResponse({"error": codes.get(error.status_code, "invalid_request")}, error.status_code, error.headers)


async def _server_error(_: Request, error: Exception) -> Response:
    return JSONResponse({"error": "server_error"}, 500)
