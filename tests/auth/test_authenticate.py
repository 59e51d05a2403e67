"""From an Authorization header to a caller: API keys kept in the store, in each backend."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from graph_api.auth import keys
from graph_api.auth.authenticate import Authenticator, bearer_token
from graph_api.auth.caller import Caller
from graph_api.errors import Unauthenticated
from graph_api.models import ApiKey, NodeRef
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore

pytestmark = pytest.mark.anyio

NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)


async def stored_key(store: GraphStore, *scopes: str, **fields: object) -> tuple[ApiKey, str]:
    key, token = keys.new_key("District:uusimaa", scopes or ("places:write",), NOW - datetime.timedelta(days=1))
    key = dataclasses.replace(key, **fields)  # type: ignore[arg-type]
    await store.add_key(key)
    return key, token


async def refusal(store: GraphStore, authorization: str | None) -> str:
    with pytest.raises(Unauthenticated) as refused:
        await Authenticator(store, Settings(_env_file=None)).caller(authorization)
    return str(refused.value)


async def test_a_stored_key_makes_a_caller_of_its_organisation_and_scopes(new_store: GraphStore) -> None:
    key, token = await stored_key(new_store, "places:write", "agreements:write")
    caller = await Authenticator(new_store, Settings(_env_file=None)).caller(f"Bearer {token}")
    assert caller == Caller(key.id, NodeRef("District", "uusimaa"), frozenset(key.scopes), key_id=key.id)
    assert caller.actor == f"key:{key.id}"


async def test_a_revoked_key_is_refused_from_the_next_request_on(new_store: GraphStore) -> None:
    key, token = await stored_key(new_store)
    authenticator = Authenticator(new_store, Settings(_env_file=None))
    await authenticator.caller(f"Bearer {token}")
    await new_store.revoke_key(key.id, NOW)
    with pytest.raises(Unauthenticated, match=f"API key {key.id} was revoked at"):
        await authenticator.caller(f"Bearer {token}")


async def test_an_expired_key_is_refused(new_store: GraphStore) -> None:
    key, token = await stored_key(new_store, expires_at=NOW - datetime.timedelta(minutes=1))
    assert (await refusal(new_store, f"Bearer {token}")).startswith(f"API key {key.id} expired at")


async def test_an_unknown_key_and_a_wrong_secret_are_refused_alike(new_store: GraphStore) -> None:
    _, token = await stored_key(new_store)
    _, unknown = keys.new_key("District:uusimaa", ["places:write"], NOW)
    assert await refusal(new_store, f"Bearer {unknown}") == "unknown or wrong API key"
    assert await refusal(new_store, f"Bearer {token[:-3]}abc") == "unknown or wrong API key"


async def test_scopes_this_version_does_not_know_give_no_right(new_store: GraphStore) -> None:
    _, token = await stored_key(new_store, "places:write", "places:delete")
    caller = await Authenticator(new_store, Settings(_env_file=None)).caller(f"Bearer {token}")
    assert caller.scopes == {"places:write"}


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        pytest.param(None, "this needs an Authorization: Bearer TOKEN header", id="none"),
        pytest.param("  ", "this needs an Authorization: Bearer TOKEN header", id="blank"),
        pytest.param("Basic dXNlcjpwYXNz", "the Authorization header must be 'Bearer TOKEN'", id="basic"),
        pytest.param("Bearer", "the Authorization header must be 'Bearer TOKEN'", id="no-token"),
        pytest.param("Bearer gak_nothex_x", "malformed API key: expected gak_<key id>_<secret>", id="malformed-key"),
        pytest.param(
            "Bearer eyJ.x.y",
            "not an API key (gak_…), and this service is configured for no other tokens",
            id="jwt-without-oidc",
        ),
    ],
)
async def test_a_missing_or_malformed_header_is_refused(authorization: str | None, message: str) -> None:
    assert (await refusal(MemoryStore(), authorization)).startswith(message)


def test_the_bearer_scheme_is_case_insensitive() -> None:
    assert bearer_token("bearer  gak_ab_cd ") == "gak_ab_cd"
