"""OpenID Connect: a JWT from the configured issuer, verified with PyJWT against the issuer's published keys.

Only asymmetric algorithms are accepted, named here and never read from the token, so that `alg: none` and an
HS256 token "signed" with the public key are refused. The key set (JWKS) is cached by PyJWT's `PyJWKClient`;
a token whose `kid` is not in the cached set has it fetched again (the issuer rotated its keys), at most once
per `refetch_s`. The client fetches with urllib, synchronously, so it runs in a worker thread, with a timeout.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import anyio
import jwt

from graph_api.auth.caller import ORGANISATION_LABELS, SCOPES, Caller
from graph_api.errors import Unauthenticated
from graph_api.models import NodeRef
from graph_api.settings import Settings

logger = logging.getLogger("graph_api.auth")

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
"""Signatures made with a private key that only the issuer holds."""
REQUIRED_CLAIMS = ("exp", "iss", "aud", "sub")

_REASONS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet"),
    (jwt.InvalidAudienceError, "the token is not meant for this API (its audience is another)"),
    (jwt.InvalidIssuerError, "the token is not from the configured issuer"),
    (jwt.InvalidSignatureError, "the token's signature does not verify"),
    (jwt.InvalidAlgorithmError, "the token's algorithm does not match its key"),
)
"""PyJWT's errors, said for the client (first match wins: some are subclasses of others)."""


class OidcVerifier:
    """Turns a JWT of one issuer into a `Caller`; its claims name the organisation and the scopes.

    - `issuer`, `audience`: what `iss` and `aud` must be.
    - `jwks_url`: the issuer's JSON Web Key Set.
    - `organisation_claim`: the claim holding a global id such as `District:uusimaa`.
    - `scope_claim`: the claim holding scopes, space-separated or a list; unknown scopes are dropped.
    - `leeway_s`: clock skew allowed on `exp` and `nbf`; `timeout_s`: how long a JWKS fetch may take;
      `cache_s`: how long the JWKS is kept; `refetch_s`: the least time between fetches for unknown key ids.
    """

    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_url: str,
        *,
        organisation_claim: str = "org",
        scope_claim: str = "scope",
        leeway_s: float = 30,
        timeout_s: float = 3,
        cache_s: float = 300,
        refetch_s: float = 30,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.organisation_claim = organisation_claim
        self.scope_claim = scope_claim
        self.leeway_s = leeway_s
        self.timeout_s = timeout_s
        self.jwks = jwt.PyJWKClient(jwks_url, lifespan=cache_s, timeout=timeout_s, cooldown_duration=refetch_s)

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcVerifier:
        assert settings.oidc_issuer and settings.oidc_audience and settings.oidc_jwks_url, "OIDC is not configured"
        return cls(
            settings.oidc_issuer,
            settings.oidc_audience,
            settings.oidc_jwks_url,
            organisation_claim=settings.oidc_organisation_claim,
            scope_claim=settings.oidc_scope_claim,
            leeway_s=settings.oidc_leeway_s,
            timeout_s=settings.oidc_timeout_s,
            cache_s=settings.oidc_jwks_cache_s,
            refetch_s=settings.oidc_jwks_refetch_s,
        )

    async def caller(self, token: str) -> Caller:
        """The caller the token proves, or `Unauthenticated` saying what is wrong with it."""
        kid = signing_key_id(token)
        key = await self.signing_key(kid)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=list(ALGORITHMS),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": list(REQUIRED_CLAIMS)},
            )
        except jwt.PyJWTError as exc:
            raise Unauthenticated(token_error(exc)) from exc
        return self.caller_of(claims)

    async def signing_key(self, kid: str) -> jwt.PyJWK:
        """The issuer's public key with this id, from the cached JWKS or, for an unknown id, a fresh one."""
        try:
            with anyio.fail_after(self.timeout_s + 1):
                return await anyio.to_thread.run_sync(self.jwks.get_signing_key, kid, abandon_on_cancel=True)
        except TimeoutError as exc:
            logger.warning("the JWKS at %s did not answer within %s s", self.jwks.uri, self.timeout_s)
            raise Unauthenticated("the token cannot be verified now: the issuer's keys did not arrive in time") from exc
        except jwt.PyJWKClientConnectionError as exc:
            logger.warning("the JWKS at %s could not be fetched: %s", self.jwks.uri, exc)
            raise Unauthenticated("the token cannot be verified now: the issuer's keys could not be fetched") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"the token is signed with a key the issuer does not publish (kid {kid!r})") from exc

    def caller_of(self, claims: Mapping[str, object]) -> Caller:
        """The caller verified claims describe: `sub`, the organisation claim, the known scopes."""
        value = claims.get(self.organisation_claim)
        organisation = NodeRef.parse(value) if isinstance(value, str) else None
        if organisation is None or organisation.label not in ORGANISATION_LABELS:
            raise Unauthenticated(
                f"the token's {self.organisation_claim!r} claim must be an organisation's global id "
                f"({', '.join(ORGANISATION_LABELS)}), e.g. District:uusimaa; it is {value!r}"
            )
        return Caller(str(claims["sub"]), organisation, scopes_of(claims.get(self.scope_claim)))


def signing_key_id(token: str) -> str:
    """The `kid` of a token whose header names an accepted algorithm; checked before any key is fetched."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise Unauthenticated("malformed token: neither an API key (gak_…) nor a JWT") from exc
    if header.get("alg") not in ALGORITHMS:
        raise Unauthenticated(f"the token's algorithm {header.get('alg')!r} is not accepted: {', '.join(ALGORITHMS)}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise Unauthenticated("the token names no signing key (kid)")
    return kid


def scopes_of(value: object) -> frozenset[str]:
    """Scopes from a claim: `"places:write admin"` or `["places:write", "admin"]`; only known scopes count."""
    names = value.split() if isinstance(value, str) else value if isinstance(value, list) else []
    return frozenset(name for name in names if name in SCOPES)


def token_error(exc: jwt.PyJWTError) -> str:
    """What a client is told about a token PyJWT refused."""
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"the token lacks the {exc.claim!r} claim"
    return next((reason for kind, reason in _REASONS if isinstance(exc, kind)), f"invalid token: {exc}")
