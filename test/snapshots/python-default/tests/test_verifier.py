"""The JWT verifier's own cases: the issuer's keys, unreachable issuers, and key refetching."""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from types import SimpleNamespace

import anyio
import pytest

from python_default import verifier as verifier_module
from python_default.auth import InvalidToken, authenticate
from python_default.http import Answer
from python_default.verifier import KEYS_REFETCH_SECONDS, JwtVerifier

from .helpers.app import config_for
from .helpers.issuer import LocalIssuer


def dead_issuer() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/oidc"  # nothing listens there once closed


@pytest.mark.anyio
async def test_loads_the_keys_named_by_discovery_and_verifies(issuer: LocalIssuer) -> None:
    config = config_for(issuer)
    verifier = JwtVerifier(config)
    await verifier.ready()
    verified = await verifier.verify(issuer.sign({"aud": config.resource, "scope": "a b"}))
    assert verified.scopes == ("a", "b")
    assert verified.claims["sub"] == issuer.user_sub


@pytest.mark.anyio
async def test_an_unreachable_issuer_is_answered_503_not_401(issuer: LocalIssuer) -> None:
    config = config_for(issuer)
    unreachable = replace(config, issuer=dead_issuer())
    token = issuer.sign({"aud": config.resource})
    answer = await authenticate(f"Bearer {token}", JwtVerifier(unreachable), unreachable)
    assert isinstance(answer, Answer)
    assert (answer.status, answer.headers) == (503, {"Retry-After": "5"})


@pytest.mark.anyio
async def test_discovery_naming_another_issuer_is_refused(issuer: LocalIssuer) -> None:
    config = config_for(issuer)
    other = replace(config, issuer=issuer.issuer + "/")
    with pytest.raises(RuntimeError, match="they must be equal"):
        await JwtVerifier(other).ready()


@pytest.mark.anyio
async def test_unknown_keys_refetch_the_jwks_at_most_once_per_cooldown(issuer: LocalIssuer) -> None:
    config = config_for(issuer)
    verifier = JwtVerifier(config)
    await verifier.ready()
    before = issuer.requests.count("/oidc/jwks")
    for attempt in range(5):
        with pytest.raises(InvalidToken):
            await verifier.verify(issuer.sign({"aud": config.resource}, header={"kid": f"rotated-{attempt}"}))
    assert issuer.requests.count("/oidc/jwks") - before <= 1


@pytest.mark.anyio
async def test_a_flood_of_unknown_keys_past_the_cooldown_makes_one_refetch(
    issuer: LocalIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_for(issuer)
    verifier = JwtVerifier(config)
    await verifier.ready()
    before = issuer.requests.count("/oidc/jwks")
    # The verifier's clock, moved past the cooldown since the keys were loaded.
    later = SimpleNamespace(time=time.time, monotonic=lambda: time.monotonic() + KEYS_REFETCH_SECONDS + 1)
    monkeypatch.setattr(verifier_module, "time", later)
    refused: list[int] = []

    async def verify(attempt: int) -> None:
        with pytest.raises(InvalidToken):
            await verifier.verify(issuer.sign({"aud": config.resource}, header={"kid": f"unknown-{attempt}"}))
        refused.append(attempt)

    async with anyio.create_task_group() as tasks:
        for attempt in range(20):
            tasks.start_soon(verify, attempt)
    assert len(refused) == 20
    assert issuer.requests.count("/oidc/jwks") - before == 1
