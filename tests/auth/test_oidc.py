"""OpenID Connect tokens: verified against the issuer's keys on a local JWKS server, with PyJWT.

Each test signs its own tokens with keys made here; what the issuer publishes changes mid-test for rotation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from graph_api.auth.authenticate import Authenticator
from graph_api.auth.caller import Caller
from graph_api.errors import Unauthenticated
from graph_api.models import NodeRef
from graph_api.settings import Settings
from graph_api.store.memory import MemoryStore
from tests.auth.oidc_issuer import AUDIENCE, ISSUER, Jwks, SigningKey, serving_jwks, unsigned

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def rsa_key() -> SigningKey:
    return SigningKey.rsa("rsa-1")


@pytest.fixture(scope="module")
def ec_key() -> SigningKey:
    return SigningKey.ec("ec-1")


@pytest.fixture
def jwks(rsa_key: SigningKey, ec_key: SigningKey) -> Jwks:
    return Jwks([rsa_key, ec_key])


@pytest.fixture
def jwks_url(jwks: Jwks) -> Iterator[str]:
    with serving_jwks(jwks) as url:
        yield url


def authenticator(jwks_url: str, **settings: Any) -> Authenticator:
    configured = {"OIDC_ISSUER": ISSUER, "OIDC_AUDIENCE": AUDIENCE, "OIDC_JWKS_URL": jwks_url} | settings
    return Authenticator(MemoryStore(), Settings(_env_file=None, **configured))


async def caller(jwks_url: str, token: str, **settings: Any) -> Caller:
    return await authenticator(jwks_url, **settings).caller(f"Bearer {token}")


async def refused(jwks_url: str, token: str, **settings: Any) -> str:
    with pytest.raises(Unauthenticated) as refusal:
        await caller(jwks_url, token, **settings)
    return str(refusal.value)


async def test_a_valid_token_makes_a_caller_of_its_organisation_and_scopes(jwks_url: str, rsa_key: SigningKey) -> None:
    found = await caller(jwks_url, rsa_key.sign(scope="places:write agreements:write"))
    assert found == Caller("alice", NodeRef("District", "uusimaa"), frozenset({"places:write", "agreements:write"}))
    assert found.actor == "oidc:alice"
    assert not found.is_admin


async def test_an_ec_signed_token_verifies_too(jwks_url: str, ec_key: SigningKey) -> None:
    assert (await caller(jwks_url, ec_key.sign(scope="admin"))).is_admin


async def test_scopes_may_be_a_list_and_unknown_ones_are_dropped(jwks_url: str, rsa_key: SigningKey) -> None:
    found = await caller(jwks_url, rsa_key.sign(scope=["places:write", "openid", "profile"]))
    assert found.scopes == {"places:write"}


async def test_the_claims_read_are_named_by_settings(jwks_url: str, rsa_key: SigningKey) -> None:
    token = rsa_key.sign(org=None, scope=None, **{"https://mll.fi/org": "FamilyCentre:fc-ep", "roles": ["admin"]})
    found = await caller(jwks_url, token, OIDC_ORGANISATION_CLAIM="https://mll.fi/org", OIDC_SCOPE_CLAIM="roles")
    assert (found.organisation, found.scopes) == (NodeRef("FamilyCentre", "fc-ep"), {"admin"})


async def test_a_token_without_scopes_is_a_caller_who_may_do_nothing(jwks_url: str, rsa_key: SigningKey) -> None:
    assert (await caller(jwks_url, rsa_key.sign(scope=None))).scopes == frozenset()


@pytest.mark.parametrize(
    ("org", "why"),
    [
        pytest.param(None, "None", id="missing"),
        pytest.param("uusimaa", "'uusimaa'", id="not-a-global-id"),
        pytest.param("Municipality:091", "'Municipality:091'", id="not-an-organisation"),
        pytest.param(["District:uusimaa"], "['District:uusimaa']", id="not-a-string"),
    ],
)
async def test_the_organisation_claim_must_name_an_organisation(
    jwks_url: str, rsa_key: SigningKey, org: object, why: str
) -> None:
    message = await refused(jwks_url, rsa_key.sign(org=org))
    assert message.startswith("the token's 'org' claim must be an organisation's global id")
    assert message.endswith(f"it is {why}")


async def test_an_expired_token_is_refused_beyond_the_leeway(jwks_url: str, rsa_key: SigningKey) -> None:
    just_expired = rsa_key.sign(exp=int(time.time()) - 10)
    assert (await caller(jwks_url, just_expired)).subject == "alice"  # within the default 30 s of skew
    assert await refused(jwks_url, just_expired, OIDC_LEEWAY=0) == "the token has expired"
    assert await refused(jwks_url, rsa_key.sign(exp=int(time.time()) - 3600)) == "the token has expired"


async def test_a_token_for_another_audience_is_refused(jwks_url: str, rsa_key: SigningKey) -> None:
    assert "audience" in await refused(jwks_url, rsa_key.sign(aud="another-api"))


async def test_a_token_from_another_issuer_is_refused(jwks_url: str, rsa_key: SigningKey) -> None:
    assert await refused(jwks_url, rsa_key.sign(iss="https://evil.example")) == (
        "the token is not from the configured issuer"
    )


@pytest.mark.parametrize("claim", ["exp", "sub", "aud", "iss"])
async def test_a_token_lacking_a_required_claim_is_refused(jwks_url: str, rsa_key: SigningKey, claim: str) -> None:
    assert await refused(jwks_url, rsa_key.sign(**{claim: None})) == f"the token lacks the {claim!r} claim"


async def test_a_token_signed_by_a_key_not_in_the_jwks_is_refused(jwks_url: str, rsa_key: SigningKey) -> None:
    impostor = SigningKey.rsa("rsa-1")  # claims the published kid, signs with its own private key
    assert await refused(jwks_url, impostor.sign()) == "the token's signature does not verify"
    assert await refused(jwks_url, impostor.sign(kid="stranger")) == (
        "the token is signed with a key the issuer does not publish (kid 'stranger')"
    )


async def test_an_unsigned_token_alg_none_is_refused_before_any_key_is_fetched(jwks_url: str, jwks: Jwks) -> None:
    token = unsigned({"alg": "none", "kid": "rsa-1"}, {"iss": ISSUER, "aud": AUDIENCE, "sub": "mallory"})
    assert "algorithm 'none' is not accepted" in await refused(jwks_url, token)
    assert jwks.fetches == 0


async def test_hs256_signed_with_the_public_key_is_refused(jwks_url: str, rsa_key: SigningKey) -> None:
    """The classic confusion: a verifier that let the token choose HMAC would check it with the public key."""
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "mallory",
        "exp": int(time.time()) + 300,
        "org": "District:uusimaa",
    }
    token = unsigned({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, claims, key=rsa_key.public_pem)
    assert "algorithm 'HS256' is not accepted" in await refused(jwks_url, token)


async def test_a_token_claiming_another_asymmetric_algorithm_than_its_key_is_refused(
    jwks_url: str, rsa_key: SigningKey, ec_key: SigningKey
) -> None:
    """An EC signature presented under the RSA key's kid does not pass as RSA."""
    assert await refused(jwks_url, ec_key.sign(kid="rsa-1")) in {
        "the token's algorithm does not match its key",
        "the token's signature does not verify",
    }


async def test_garbage_is_refused_as_malformed(jwks_url: str) -> None:
    assert await refused(jwks_url, "not.a.jwt") == "malformed token: neither an API key (gak_…) nor a JWT"


async def test_the_key_set_is_fetched_once_and_cached(jwks_url: str, jwks: Jwks, rsa_key: SigningKey) -> None:
    verifier = authenticator(jwks_url)
    for subject in ("alice", "bob", "carol"):
        assert (await verifier.caller(f"Bearer {rsa_key.sign(sub=subject)}")).subject == subject
    assert jwks.fetches == 1


async def test_a_rotated_key_is_fetched_when_a_token_names_it(jwks_url: str, jwks: Jwks, rsa_key: SigningKey) -> None:
    verifier = authenticator(jwks_url, OIDC_JWKS_REFETCH_INTERVAL=0)
    assert (await verifier.caller(f"Bearer {rsa_key.sign()}")).subject == "alice"
    new_key = SigningKey.rsa("rsa-2")
    jwks.keys = [new_key]  # the issuer rotates: the old key is gone, the new one published
    assert (await verifier.caller(f"Bearer {new_key.sign(sub='bob')}")).subject == "bob"
    assert jwks.fetches == 2
    with pytest.raises(Unauthenticated, match="does not publish"):
        await verifier.caller(f"Bearer {rsa_key.sign()}")


async def test_unknown_key_ids_do_not_refetch_the_key_set_within_the_interval(
    jwks_url: str, jwks: Jwks, rsa_key: SigningKey
) -> None:
    verifier = authenticator(jwks_url)  # 30 s between fetches for unknown key ids
    await verifier.caller(f"Bearer {rsa_key.sign()}")
    for kid in ("made-up-1", "made-up-2", "made-up-3"):
        with pytest.raises(Unauthenticated, match="does not publish"):
            await verifier.caller(f"Bearer {rsa_key.sign(kid=kid)}")
    assert jwks.fetches == 1


async def test_an_unreachable_key_set_refuses_the_token_and_says_why(rsa_key: SigningKey) -> None:
    with serving_jwks(Jwks([rsa_key])) as url:
        pass  # the server is gone once the block ends
    assert await refused(url, rsa_key.sign()) == (
        "the token cannot be verified now: the issuer's keys could not be fetched"
    )


async def test_a_slow_key_set_is_given_up_on_after_the_timeout(jwks_url: str, jwks: Jwks, rsa_key: SigningKey) -> None:
    jwks.delay_s = 3
    started = time.monotonic()
    message = await refused(jwks_url, rsa_key.sign(), OIDC_TIMEOUT=0.3)
    assert message.startswith("the token cannot be verified now")
    assert time.monotonic() - started < 2


async def test_without_oidc_settings_only_api_keys_are_accepted(rsa_key: SigningKey) -> None:
    with pytest.raises(Unauthenticated, match="configured for no other tokens"):
        await Authenticator(MemoryStore(), Settings(_env_file=None)).caller(f"Bearer {rsa_key.sign()}")


def test_oidc_settings_come_all_three_or_none() -> None:
    with pytest.raises(ValueError, match="OpenID Connect needs OIDC_AUDIENCE, OIDC_JWKS_URL"):
        Settings(_env_file=None, OIDC_ISSUER=ISSUER)
