from __future__ import annotations

from collections.abc import Iterator

import pytest

from .helpers.app import RunningApp, serve
from .helpers.issuer import LocalIssuer
from .helpers.mcp import RESOURCE_PATH


@pytest.fixture(scope="session")
def issuer() -> Iterator[LocalIssuer]:
    issuer = LocalIssuer()
    yield issuer
    issuer.close()


@pytest.fixture(scope="session")
def app(issuer: LocalIssuer) -> Iterator[RunningApp]:
    with serve(issuer, RESOURCE_PATH) as running:
        yield running


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
