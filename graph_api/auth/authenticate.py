"""From an `Authorization` header to a `Caller`: an API key looked up in the store, or an OpenID Connect JWT."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from graph_api.auth import keys
from graph_api.auth.caller import SCOPES, Caller
from graph_api.errors import Unauthenticated
from graph_api.models import NodeRef
from graph_api.settings import Settings
from graph_api.store.base import GraphStore

if TYPE_CHECKING:
    from graph_api.auth.oidc import OidcVerifier


class Authenticator:
    """Verifies bearer tokens: `gak_` API keys against the store, other tokens as JWTs when OIDC is configured."""

    def __init__(self, store: GraphStore, settings: Settings) -> None:
        self.store = store
        self.oidc: OidcVerifier | None = None
        if settings.oidc_enabled:  # PyJWT and its cryptography are imported only for a service that takes JWTs
            from graph_api.auth.oidc import OidcVerifier

            self.oidc = OidcVerifier.from_settings(settings)

    async def caller(self, authorization: str | None) -> Caller:
        """Who the header proves the caller is, or `Unauthenticated` saying why not."""
        token = bearer_token(authorization)
        if keys.is_api_key(token):
            return await self.key_caller(token)
        if self.oidc is None:
            raise Unauthenticated("not an API key (gak_…), and this service is configured for no other tokens")
        return await self.oidc.caller(token)

    async def key_caller(self, token: str) -> Caller:
        """The caller an API key speaks for. The key is read on every request, so a revocation, made by any
        process sharing the store, refuses it from the next request on."""
        key_id, _ = keys.parse_token(token)
        key = keys.verify(token, await self.store.api_key(key_id), datetime.datetime.now(datetime.UTC))
        organisation = NodeRef.parse(key.organisation)
        if organisation is None:
            raise Unauthenticated(f"API key {key.id} names no organisation")
        scopes = frozenset(scope for scope in key.scopes if scope in SCOPES)
        return Caller(subject=key.id, organisation=organisation, scopes=scopes, key_id=key.id)


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer TOKEN` header."""
    if not authorization or not authorization.strip():
        raise Unauthenticated("this needs an Authorization: Bearer TOKEN header (an API key or an OpenID Connect JWT)")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer TOKEN'")
    return token.strip()
