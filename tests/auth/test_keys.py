"""API key tokens: made once, kept only as a hash, and refused with a reason when they do not hold."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from graph_api.auth import keys
from graph_api.errors import Unauthenticated

NOW = datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def test_new_key_token_names_the_key_and_verifies_against_it() -> None:
    key, token = keys.new_key("District:uusimaa", ["places:write"], NOW, name="Uusimaa's map editor")
    prefix, key_id, secret = token.split("_", 2)
    assert (prefix, key_id) == ("gak", key.id)
    assert len(secret) >= 43  # 32 random bytes, url-safe base64
    assert (key.organisation, key.scopes, key.name, key.created_at) == (
        "District:uusimaa",
        ("places:write",),
        "Uusimaa's map editor",
        NOW,
    )
    assert keys.verify(token, key, NOW) == key


def test_the_key_keeps_a_hash_of_the_secret_never_the_secret() -> None:
    key, token = keys.new_key("District:uusimaa", ["places:write"], NOW)
    secret = token.split("_", 2)[2]
    assert secret not in repr(key)
    assert key.secret_hash == keys.hash_secret(secret) != secret
    assert len(key.secret_hash) == 64


def test_every_new_key_is_different() -> None:
    made = [keys.new_key("District:uusimaa", ["admin"], NOW) for _ in range(50)]
    assert len({key.id for key, _ in made}) == len({token for _, token in made}) == 50


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("gak_", id="empty"),
        pytest.param("gak_abc", id="no-secret"),
        pytest.param("gak__secret", id="no-id"),
        pytest.param("gak_NOT-HEX_secret", id="id-not-hex"),
        pytest.param("gax_abc_secret", id="other-prefix"),
    ],
)
def test_a_malformed_token_is_refused_as_malformed(token: str) -> None:
    with pytest.raises(Unauthenticated, match="malformed API key"):
        keys.verify(token, None, NOW)


def test_an_unknown_key_and_a_wrong_secret_get_the_same_answer() -> None:
    key, token = keys.new_key("District:uusimaa", ["places:write"], NOW)
    with pytest.raises(Unauthenticated) as unknown:
        keys.verify(token, None, NOW)
    with pytest.raises(Unauthenticated) as wrong:
        keys.verify(token[:-2] + "xx", key, NOW)
    assert str(unknown.value) == str(wrong.value) == "unknown or wrong API key"


def test_a_token_is_not_checked_against_another_keys_hash() -> None:
    key, _ = keys.new_key("District:uusimaa", ["places:write"], NOW)
    _, other = keys.new_key("District:uusimaa", ["places:write"], NOW)
    with pytest.raises(Unauthenticated, match="unknown or wrong"):
        keys.verify(other, key, NOW)


def test_an_expired_key_is_refused_from_its_expiry_on() -> None:
    key, token = keys.new_key("District:uusimaa", ["places:write"], NOW - 30 * DAY, expires_at=NOW)
    assert keys.verify(token, key, NOW - datetime.timedelta(seconds=1)) == key
    with pytest.raises(Unauthenticated, match=f"API key {key.id} expired at 2025-03-01T12:00:00"):
        keys.verify(token, key, NOW)


def test_a_revoked_key_is_refused() -> None:
    key, token = keys.new_key("District:uusimaa", ["places:write"], NOW - DAY)
    revoked = dataclasses.replace(key, revoked_at=NOW - datetime.timedelta(hours=1))
    with pytest.raises(Unauthenticated, match=f"API key {key.id} was revoked at 2025-03-01T11:00:00"):
        keys.verify(token, revoked, NOW)


def test_expiry_and_revocation_are_told_only_to_the_holder_of_the_secret() -> None:
    key, token = keys.new_key("District:uusimaa", ["places:write"], NOW - DAY, expires_at=NOW - DAY)
    with pytest.raises(Unauthenticated, match="unknown or wrong API key"):
        keys.verify(token[:-2] + "xx", dataclasses.replace(key, revoked_at=NOW), NOW)


def test_is_api_key_tells_keys_from_jwts() -> None:
    assert keys.is_api_key("gak_abc_def")
    assert not keys.is_api_key("eyJhbGciOiJSUzI1NiJ9.e30.sig")
