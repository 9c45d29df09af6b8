"""Verifies Logto access tokens (JWTs) locally against the issuer's signing keys."""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from typing import Any

import anyio
import httpx2
import jwt

from .auth import InvalidToken, VerifiedToken
from .config import Config

#: Logto signs with ES384 by default, RS256 on RSA tenants. Never HMAC or `none`.
ALGORITHMS = ["ES256", "ES384", "ES512", "RS256"]
CLOCK_TOLERANCE_SECONDS = 5
#: Logto's access tokens live 3600 s by default and at most 86400 s (set per API resource): a token issued longer
#: ago, or meant to live longer, is not one Logto issued as configured.
MAX_LIFETIME_SECONDS = 86_400
#: Verifying an ES384 signature costs about as much as serving the MCP request, so verified tokens are remembered:
#: at most CACHE_SIZE of them, each until it expires but no longer than CACHE_SECONDS, so a key Logto has withdrawn
#: stops being trusted soon.
CACHE_SIZE = 1000
CACHE_SECONDS = 300
#: After the issuer could not be reached, wait this long before asking again; and refetch the keys for an unknown
#: `kid` at most this often, so forged tokens cannot make the server hammer the issuer.
DISCOVERY_RETRY_SECONDS = 5
KEYS_REFETCH_SECONDS = 30
HTTP_TIMEOUT_SECONDS = 10

CLAIM_ERRORS = {
    "aud": "was not issued for MCP_RESOURCE (aud)",
    "iss": "was not issued by LOGTO_ISSUER (iss)",
    "exp": "has no valid expiry (exp)",
    "iat": "has no valid issue time (iat)",
    "sub": "names no subject (sub)",
    "client_id": "names no client (client_id)",
}


class JwtVerifier:
    def __init__(self, config: Config, *, cache_size: int = CACHE_SIZE) -> None:
        self._config = config
        self._cache_size = cache_size
        self._verified: OrderedDict[str, tuple[VerifiedToken, float]] = OrderedDict()  # key: SHA-256 of the token
        self._jwks_uri: str | None = None
        self._keys: dict[str, jwt.PyJWK] = {}
        self._keys_fetched_at = 0.0
        self._failure: tuple[float, Exception] | None = None
        self._lock = anyio.Lock()

    async def ready(self) -> None:
        await self._load_keys(older_than=0)

    async def verify(self, token: str) -> VerifiedToken:
        key = hashlib.sha256(token.encode()).hexdigest()
        now = time.time()
        cached = self._verified.get(key)
        if cached and cached[1] > now:
            return cached[0]
        self._verified.pop(key, None)

        # A token that cannot be one of ours is refused without asking the issuer anything.
        header = _header(token)
        signing_key = await self._key_for(str(header.get("kid", "")))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                signing_key,
                algorithms=[header["alg"]],
                audience=self._config.resource,
                issuer=self._config.issuer,
                leeway=CLOCK_TOLERANCE_SECONDS,
                options={"require": ["exp", "iat", "sub", "client_id"], "strict_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("The token has expired") from None
        except jwt.ImmatureSignatureError:
            raise InvalidToken("The token is not valid yet (nbf, iat)") from None
        except jwt.MissingRequiredClaimError as error:
            raise InvalidToken(f"The token {CLAIM_ERRORS.get(error.claim, f'lacks {error.claim}')}") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken(f"The token {CLAIM_ERRORS['aud']}") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken(f"The token {CLAIM_ERRORS['iss']}") from None
        except jwt.InvalidTokenError:
            raise InvalidToken("The token is invalid") from None

        for claim in ("sub", "client_id"):
            if not isinstance(claims[claim], str) or not claims[claim]:
                raise InvalidToken(f"The token {CLAIM_ERRORS[claim]}")
        if now - claims["iat"] > MAX_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS:
            raise InvalidToken("The token was issued more than 24 hours ago (iat)")
        if claims["exp"] - claims["iat"] > MAX_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS:
            raise InvalidToken("The token lives longer than 24 hours (exp - iat)")
        # Logto issues one audience per token; one naming other audiences too could be replayed by them.
        if isinstance(claims["aud"], list) and len(claims["aud"]) != 1:
            raise InvalidToken("The token names other audiences besides MCP_RESOURCE (aud)")

        scope = claims.get("scope")
        verified = VerifiedToken(
            claims=claims,
            scopes=tuple(scope.split()) if isinstance(scope, str) else (),
            client_id=claims["client_id"],
        )
        if self._cache_size > 0:
            if len(self._verified) >= self._cache_size:
                self._verified.popitem(last=False)
            self._verified[key] = (verified, min(float(claims["exp"]), now + CACHE_SECONDS))
        return verified

    async def _key_for(self, kid: str) -> jwt.PyJWK:
        await self._load_keys()
        if kid not in self._keys:
            # Logto may have rotated its keys: fetch them again, at most once per KEYS_REFETCH_SECONDS.
            await self._load_keys(older_than=KEYS_REFETCH_SECONDS)
        if kid not in self._keys:
            raise InvalidToken("The token is invalid (unknown key)")
        return self._keys[kid]

    async def _load_keys(self, *, older_than: float | None = None) -> None:
        """Fetches the keys when there are none, or when they were fetched more than `older_than` seconds ago: checked
        under the lock, so that requests waiting for the same refetch (a flood of unknown `kid`s) make one."""
        async with self._lock:
            if self._keys and (older_than is None or time.monotonic() - self._keys_fetched_at < older_than):
                return
            if self._failure and time.monotonic() - self._failure[0] < DISCOVERY_RETRY_SECONDS:
                raise self._failure[1]
            try:
                async with httpx2.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False) as client:
                    if self._jwks_uri is None:
                        self._jwks_uri = await _discover_jwks_uri(client, self._config.issuer)
                    self._keys = await _fetch_keys(client, self._jwks_uri)
                self._keys_fetched_at = time.monotonic()
                self._failure = None
            except Exception as error:
                self._failure = (time.monotonic(), error)
                raise


def _header(token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError:
        raise InvalidToken("The token is not a JWT") from None
    except jwt.InvalidTokenError:
        # PyJWT refuses here a header it cannot honour, e.g. a `crit` extension it does not know (RFC 7515 §4.1.11).
        raise InvalidToken("The token's header is not acceptable") from None
    if "crit" in header:
        raise InvalidToken("The token names critical header extensions this server does not understand (crit)")
    if header.get("alg") not in ALGORITHMS:
        raise InvalidToken(f"The token's algorithm {header.get('alg')} is not accepted")
    # RFC 9068: an ID token signed by the same keys is not an access token.
    if str(header.get("typ", "")).lower().removeprefix("application/") != "at+jwt":
        raise InvalidToken("The token is not an access token (typ must be at+jwt)")
    return header


async def _discover_jwks_uri(client: httpx2.AsyncClient, issuer: str) -> str:
    """Reads `jwks_uri` from the issuer's discovery document, whose `issuer` must be LOGTO_ISSUER exactly."""
    url = f"{issuer.removesuffix('/')}/.well-known/openid-configuration"
    discovery = await _get_json(client, url)
    if discovery.get("issuer") != issuer:
        raise RuntimeError(
            f"{url} names the issuer {json.dumps(discovery.get('issuer'))}, but LOGTO_ISSUER is {json.dumps(issuer)}: "
            "they must be equal"
        )
    if not isinstance(discovery.get("jwks_uri"), str):
        raise RuntimeError(f"{url} has no jwks_uri")
    return discovery["jwks_uri"]


async def _fetch_keys(client: httpx2.AsyncClient, jwks_uri: str) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    for jwk in (await _get_json(client, jwks_uri)).get("keys") or []:
        if not isinstance(jwk, dict) or jwk.get("use", "sig") != "sig" or not isinstance(jwk.get("kid"), str):
            continue
        try:
            keys[jwk["kid"]] = jwt.PyJWK(jwk)
        except jwt.PyJWTError:
            continue  # a key of a type this server never accepts
    if not keys:
        raise RuntimeError(f"{jwks_uri} lists no usable signing key")
    return keys


async def _get_json(client: httpx2.AsyncClient, url: str) -> dict[str, Any]:
    try:
        response = await client.get(url)
    except httpx2.HTTPError as error:
        raise RuntimeError(f"Cannot reach {url}: {error}") from None
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    value = response.json()
    if not isinstance(value, dict):
        raise RuntimeError(f"{url} is not a JSON object")
    return value


def create_verifier(config: Config) -> JwtVerifier:
    return JwtVerifier(config)
