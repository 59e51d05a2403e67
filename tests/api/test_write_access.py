"""Who may write (README, "Who may write"): every mutation by every kind of caller gives exactly the outcome the
rules say, on both backends; a refused mutation writes nothing (no node, version, relationship or audit change).

The rules, read off the table below: a local association edits the places it coordinates; a district also those
its local associations coordinate, its local associations and its agreements; a family centre the places in
its network; `admin` everything, and each only with the scope the mutation needs. A caller who proves nothing is
UNAUTHENTICATED; anyone else is FORBIDDEN, and the error names the node, before anything tells of the node's state
(its version, its withdrawal). Each case writes to a node of its own, made for it before the module's tests run.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from graph_api.settings import Settings
from graph_api.store.base import ChangeQuery, GraphStore
from tests.api.edits import (
    CREATE_AGREEMENT,
    CREATE_ASSOCIATION,
    CREATE_PLACE,
    END_AGREEMENT,
    ESPOO,
    SET_OPENING_HOURS,
    SETTINGS,
    UPDATE_ASSOCIATION,
    UPDATE_PLACE,
    WITHDRAW_PLACE,
    Editor,
    Setup,
    bearer,
    key_id,
    snapshot,
    token_for,
)
from tests.auth.oidc_issuer import AUDIENCE, ISSUER, Jwks, SigningKey, serving_jwks
from tests.conftest import client_for

pytestmark = pytest.mark.anyio

UUSIMAA = "District:uusimaa"
ITS_ASSOCIATION = "LocalAssociation:la-049-1"
"""A local association of Uusimaa's, active in Espoo; the places made here are its."""
ESPOO_CENTRE = "FamilyCentre:fc-049"
ELSEWHERE = "LocalAssociation:la-837-1"
"""A local association of another district (Häme's, in Tampere)."""
PLACES, AGREEMENTS, ADMIN = "places:write", "agreements:write", "admin"
WITHOUT_THE_SCOPE = "the right organisation without the scope"


@dataclass(frozen=True)
class Rule:
    """Who may make a mutation on the node a case makes for it (besides admin), and one who may not."""

    mutation: str
    node: str
    """What the mutation writes, as the cases make it (`place`, `network place`, `association`, `agreement`) or
    `new ...` for what it creates."""
    may: str
    may_not: str
    scope: str


RULES = [
    #    mutation                  the node it writes          who may              who may not (same scope)
    Rule("createMeetingPlace", "new place, its association's", ITS_ASSOCIATION, "LocalAssociation:la-091-27", PLACES),
    Rule("updateMeetingPlace", "place, its association's", UUSIMAA, "District:pohjanmaa", PLACES),
    Rule("withdrawMeetingPlace", "network place", ESPOO_CENTRE, "FamilyCentre:fc-hki", PLACES),
    Rule("setOpeningHours", "place, its association's", ITS_ASSOCIATION, "LocalAssociation:la-049-2", PLACES),
    Rule("createAgreement", "new agreement of Uusimaa", UUSIMAA, "District:pohjanmaa", AGREEMENTS),
    Rule("endAgreement", "agreement of Uusimaa", UUSIMAA, ITS_ASSOCIATION, AGREEMENTS),
    Rule("createLocalAssociation", "new association of Uusimaa", UUSIMAA, "District:hame", PLACES),
    Rule("updateLocalAssociation", "association of Uusimaa", UUSIMAA, ESPOO_CENTRE, PLACES),
]
"""The cases' nodes: a place coordinated by la-049-1 (a member of Uusimaa), a network place also PART_OF
Espoo's family centre, a local association of Uusimaa active in Espoo, an agreement of Uusimaa with Espoo."""

CALLERS = {
    "no token": "UNAUTHENTICATED",
    "malformed token": "UNAUTHENTICATED",
    "expired key": "UNAUTHENTICATED",
    "revoked key": "UNAUTHENTICATED",
    "another organisation": "FORBIDDEN",
    WITHOUT_THE_SCOPE: "FORBIDDEN",
    "the right organisation": "OK",
    "admin": "OK",
}
"""Each caller's outcome, whatever the mutation: an expired or revoked key is one of the right organisation, and
the key without the scope has the other write scope."""


def case_id(rule: Rule, caller: str) -> str:
    return f"{rule.mutation}-{caller.replace(' ', '-')}"


MATRIX = [
    pytest.param(rule, caller, outcome, id=case_id(rule, caller))
    for rule, (caller, outcome) in itertools.product(RULES, CALLERS.items())
]

DOCUMENTS = {
    "createMeetingPlace": CREATE_PLACE,
    "updateMeetingPlace": UPDATE_PLACE,
    "withdrawMeetingPlace": WITHDRAW_PLACE,
    "setOpeningHours": SET_OPENING_HOURS,
    "createAgreement": CREATE_AGREEMENT,
    "endAgreement": END_AGREEMENT,
    "createLocalAssociation": CREATE_ASSOCIATION,
    "updateLocalAssociation": UPDATE_ASSOCIATION,
}
PAYLOADS = {"agreement": "agreement", "association": "localAssociation"}


# the nodes the cases write: made in one load before the module's tests, each case its own


@dataclass
class Nodes(Setup):
    """The cases' nodes: places run by la-049-1, associations of Uusimaa, agreements of Uusimaa with Espoo."""

    days: Iterator[int] = field(default_factory=itertools.count)

    def since(self) -> datetime.date:
        """A start no other agreement of Uusimaa's with Espoo has."""
        return datetime.date(2040, 1, 1) + datetime.timedelta(days=next(self.days))

    def running(self) -> datetime.date:
        """An agreement of Uusimaa's with Espoo running on; its start."""
        since = self.since()
        self.agreement(UUSIMAA, "Municipality:049", since)
        return since


@dataclass(frozen=True)
class Case:
    """One mutation to make: its input, and the nodes it writes (what a refusal must leave alone)."""

    mutation: str
    variables: dict[str, Any]
    writes: list[str]
    """The nodes whose relationships, versions and data a refusal leaves alone."""
    node: str
    """The node it writes, which its audit entry and a FORBIDDEN name; `Label:` for a new one (a new id each time)."""


def case_of(nodes: Nodes, rule: Rule, name: str, *, version: int = 1, withdrawn: bool = False) -> Case:
    """The rule's mutation on a node made for this case alone (`name` tells them apart), at `version` and withdrawn
    if asked; the mutation expects version 1."""
    key = f"access-{name}"
    if rule.mutation == "createMeetingPlace":
        given = {"name": f"Perhekahvila {key}", "kind": "FAMILY_CAFE", "location": ESPOO, "organiserId": rule.may}
        return Case(rule.mutation, given, [], "MeetingPlace:")
    if rule.mutation in {"updateMeetingPlace", "withdrawMeetingPlace", "setOpeningHours"}:
        network = ESPOO_CENTRE if rule.node.startswith("network") else None
        place = nodes.place(
            key, coordinator=ITS_ASSOCIATION, family_centre=network, version=version, withdrawn=withdrawn
        )
        fields = {
            "updateMeetingPlace": {"id": place, "name": "Perhekahvila, uusi nimi"},
            "withdrawMeetingPlace": {"id": place},
            "setOpeningHours": {
                "placeId": place,
                "hours": [{"weekdays": ["TU"], "opensAt": "09:00", "closesAt": "11:00"}],
            },
        }[rule.mutation]
        return Case(rule.mutation, fields | {"expectedVersion": 1}, [place], place)
    if rule.mutation == "createAgreement":
        given = {"districtId": UUSIMAA, "partyId": "Municipality:049", "since": nodes.since().isoformat()}
        return Case(rule.mutation, given | {"kind": "COOPERATION"}, [UUSIMAA], UUSIMAA)
    if rule.mutation == "endAgreement":
        since = nodes.running()
        given = {"districtId": UUSIMAA, "partyId": "Municipality:049", "since": since.isoformat()}
        return Case(rule.mutation, given | {"until": f"{since.year}-12-31"}, [UUSIMAA], UUSIMAA)
    if rule.mutation == "createLocalAssociation":
        given = {"districtId": UUSIMAA, "nameFi": f"MLL:n yhdistys {key}", "municipalityIds": ["Municipality:049"]}
        return Case(rule.mutation, given, [UUSIMAA], "LocalAssociation:")
    association = nodes.association(key, version=version)
    given = {"id": association, "expectedVersion": 1, "nameFi": "Uusi nimi", "municipalityIds": ["Municipality:091"]}
    return Case(rule.mutation, given, [association], association)


UPDATE, END = RULES[1], RULES[5]
FURTHER = ["association-agreement", "moved-out-place", "moved-in-place"]
"""Further cases beyond the matrix (`test_rules_beyond_the_matrix`): a place as the matrix's, or an agreement."""


@pytest.fixture(scope="module")
async def cases(editable_store: GraphStore) -> dict[str, Case]:
    """Every case of the matrix by its id, and the further ones by name, their nodes made in one load."""
    nodes = Nodes()
    made = {case_id(rule, caller): case_of(nodes, rule, case_id(rule, caller)) for rule in RULES for caller in CALLERS}
    made |= {name: case_of(nodes, END if name.endswith("agreement") else UPDATE, name) for name in FURTHER}
    made |= {
        hidden_id(rule, state): case_of(nodes, rule, hidden_id(rule, state), **STATES[state]) for rule, state in HIDDEN
    }
    made |= {f"oidc-{param.id}": case_of(nodes, UPDATE, f"oidc-{param.id}") for param in OIDC}  # type: ignore[attr-defined]
    partners = nodes.place("access-partner-place", coordinator=ELSEWHERE, partner=UUSIMAA)  # Uusimaa: partner
    made["partner-place"] = Case(
        "updateMeetingPlace", {"id": partners, "expectedVersion": 1, "name": "Uusi"}, [partners], partners
    )
    await editable_store.load(nodes.dataset)
    return made


# who calls


@dataclass
class Keyring:
    """API keys of the module's organisations, made once each and kept in the store."""

    store: GraphStore
    made: dict[tuple[str, tuple[str, ...], str], str] = field(default_factory=dict)

    async def token(self, organisation: str, *scopes: str, state: str = "valid") -> str:
        """A token of the organisation: `valid`, `expired` (yesterday) or `revoked`."""
        found = self.made.get((organisation, scopes, state))
        if found is None:
            yesterday = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
            found = await token_for(
                self.store, organisation, *scopes, expires_at=yesterday if state == "expired" else None
            )
            if state == "revoked":
                await self.store.revoke_key(key_id(found), yesterday)
            self.made[(organisation, scopes, state)] = found
        return found


@pytest.fixture(scope="module")
def keyring(editable_store: GraphStore) -> Keyring:
    return Keyring(editable_store)


async def authorization(keyring: Keyring, rule: Rule, caller: str) -> str | None:
    """The Authorization header the caller sends; every key has the scope the rule needs."""
    if caller == "no token":
        return None
    if caller == "malformed token":
        return "Bearer gak_not-a-key"
    state = {"expired key": "expired", "revoked key": "revoked"}.get(caller, "valid")
    organisation = {"another organisation": rule.may_not, "admin": "Organization:mll"}.get(caller, rule.may)
    scope = {"admin": ADMIN, WITHOUT_THE_SCOPE: AGREEMENTS if rule.scope == PLACES else PLACES}.get(caller, rule.scope)
    return bearer(await keyring.token(organisation, scope, state=state))


@pytest.fixture
async def http(editable_store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(editable_store, SETTINGS) as client:
        yield client


# what happens


async def attempt(
    store: GraphStore, editor: Editor, case: Case
) -> tuple[dict[str, Any], tuple[object, ...], tuple[object, ...]]:
    """The answer to the case's mutation, and the store's snapshot before and after it."""
    before = await snapshot(store, case.writes)
    body = await editor.execute(DOCUMENTS[case.mutation], input=case.variables)
    return body, before, await snapshot(store, case.writes)


def refused(body: dict[str, Any], before: object, after: object) -> dict[str, Any]:
    """The one error of a refused mutation, which wrote nothing."""
    assert body.get("data") is None, body
    assert len(body["errors"]) == 1, body
    assert after == before
    return body["errors"][0]  # type: ignore[no-any-return]


def names(error: dict[str, Any], node: str) -> bool:
    """Whether a FORBIDDEN error names the node (a new node: one of that label)."""
    named = str(error["extensions"].get("node", ""))
    return named.startswith(node) if node.endswith(":") else named == node


async def assert_made(store: GraphStore, body: dict[str, Any], case: Case, before: Any, authorization: str) -> None:
    """The mutation was made, by this caller, and the audit has it once: one change for the one node written."""
    assert "errors" not in body, body["errors"]
    newest = (await store.changes(ChangeQuery(first=1))).items[0]
    assert newest.number == before[0] + 1
    assert (newest.operation, newest.actor) == (case.mutation, f"key:{key_id(authorization.split()[1])}")
    assert names({"extensions": {"node": newest.node}}, case.node)


@pytest.mark.parametrize(("rule", "caller", "outcome"), MATRIX)
async def test_every_mutation_by_every_caller_gives_the_outcome_the_rules_say(
    editable_store: GraphStore,
    http: httpx.AsyncClient,
    keyring: Keyring,
    cases: dict[str, Case],
    rule: Rule,
    caller: str,
    outcome: str,
) -> None:
    case = cases[case_id(rule, caller)]
    header = await authorization(keyring, rule, caller)
    body, before, after = await attempt(editable_store, Editor(http, header), case)
    if outcome == "OK":
        assert header is not None
        await assert_made(editable_store, body, case, before, header)
        return
    error = refused(body, before, after)
    assert error["extensions"]["code"] == outcome, error
    if outcome == "FORBIDDEN":
        assert names(error, case.node), error
        assert (rule.scope if caller == WITHOUT_THE_SCOPE else rule.may_not) in error["message"]


STATES: dict[str, dict[str, Any]] = {"stale-version": {"version": 2}, "withdrawn": {"withdrawn": True}}
"""What a node's state may tell a caller: it changed since the version the mutation expects (1), or was withdrawn."""
HIDDEN = [
    (rule, state)
    for rule in RULES
    if rule.mutation in {"updateMeetingPlace", "withdrawMeetingPlace", "setOpeningHours", "updateLocalAssociation"}
    for state in STATES
    if state == "stale-version" or rule.mutation != "updateLocalAssociation"  # an association is never withdrawn
]


def hidden_id(rule: Rule, state: str) -> str:
    return f"{rule.mutation}-{state}"


@pytest.mark.parametrize(("rule", "state"), HIDDEN, ids=[hidden_id(*hidden) for hidden in HIDDEN])
async def test_another_organisation_is_forbidden_before_it_learns_the_state_of_the_node(
    editable_store: GraphStore,
    http: httpx.AsyncClient,
    keyring: Keyring,
    cases: dict[str, Case],
    rule: Rule,
    state: str,
) -> None:
    case = cases[hidden_id(rule, state)]
    editor = Editor(http, await authorization(keyring, rule, "another organisation"))
    error = refused(*await attempt(editable_store, editor, case))
    assert error["extensions"] == {"code": "FORBIDDEN", "node": case.node}
    assert rule.may_not in error["message"]


# rules beyond the matrix


@dataclass(frozen=True)
class Beyond:
    """A further rule: who calls with which scopes, the mutation (on the case's node) and what changes in it."""

    organisation: str
    scopes: tuple[str, ...]
    case: str
    change: dict[str, Any] = field(default_factory=dict)


BEYOND = [
    pytest.param(
        Beyond(ITS_ASSOCIATION, (PLACES, AGREEMENTS), "association-agreement"),
        id="a-local-association-may-not-end-its-district-s-agreements",
    ),
    pytest.param(
        Beyond(UUSIMAA, (PLACES,), "partner-place"),
        id="a-partner-of-a-place-may-not-edit-it",
    ),
    pytest.param(
        Beyond(UUSIMAA, (PLACES,), "moved-out-place", {"organiserId": ELSEWHERE}),
        id="a-district-may-not-hand-its-place-to-another-district-s-association",
    ),
    pytest.param(
        Beyond(ELSEWHERE, (PLACES,), "moved-in-place", {"organiserId": ELSEWHERE}),
        id="an-association-may-not-take-another-s-place",
    ),
]


@pytest.mark.parametrize("beyond", BEYOND)
async def test_rules_beyond_the_matrix(
    editable_store: GraphStore, http: httpx.AsyncClient, keyring: Keyring, cases: dict[str, Case], beyond: Beyond
) -> None:
    case = cases[beyond.case]
    case = Case(case.mutation, case.variables | beyond.change, case.writes, case.node)
    editor = Editor(http, bearer(await keyring.token(beyond.organisation, *beyond.scopes)))
    body, before, after = await attempt(editable_store, editor, case)
    error = refused(body, before, after)
    assert error["extensions"] == {"code": "FORBIDDEN", "node": case.node}


async def test_a_district_may_hand_its_place_to_another_of_its_associations(
    editable_store: GraphStore, http: httpx.AsyncClient, keyring: Keyring
) -> None:
    editor = Editor(http, bearer(await keyring.token(UUSIMAA, PLACES)))
    place = await editor.place(organiserId=ITS_ASSOCIATION)
    given = {"id": place["id"], "expectedVersion": 1, "organiserId": "LocalAssociation:la-049-2"}
    moved = (await editor.data(UPDATE_PLACE, input=given))["updateMeetingPlace"]["place"]
    assert moved["runBy"] == [{"role": "COORDINATOR", "organiser": {"id": "LocalAssociation:la-049-2"}}]


# OpenID Connect


@pytest.fixture(scope="module")
def signing_key() -> SigningKey:
    return SigningKey.rsa("access-1")


@pytest.fixture(scope="module")
def oidc_settings(signing_key: SigningKey) -> Iterator[Settings]:
    """The app's settings trusting a local issuer, whose key set a local JWKS server publishes."""
    with serving_jwks(Jwks([signing_key])) as url:
        trusting = {"OIDC_ISSUER": ISSUER, "OIDC_AUDIENCE": AUDIENCE, "OIDC_JWKS_URL": url}
        yield Settings(_env_file=None, GRAPH_API_REQUEST_TIMEOUT=SETTINGS.request_timeout_s, **trusting)


def signed(key: SigningKey, **claims: Any) -> str:
    return key.sign(**({"sub": "alice@uusimaa", "org": UUSIMAA, "scope": PLACES} | claims))


OIDC = [
    pytest.param({}, "OK", id="valid"),
    pytest.param(
        {"exp": int(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC).timestamp())}, "UNAUTHENTICATED", id="expired"
    ),
    pytest.param({"aud": "another-api"}, "UNAUTHENTICATED", id="wrong-audience"),
    pytest.param({"iss": "https://login.example.com/evil"}, "UNAUTHENTICATED", id="wrong-issuer"),
    pytest.param({"org": "District:pohjanmaa"}, "FORBIDDEN", id="another-organisation"),
    pytest.param({"scope": AGREEMENTS}, "FORBIDDEN", id="without-the-scope"),
]
OIDC_IDS = {repr(param.values[0]): param.id for param in OIDC}


@pytest.mark.parametrize(("claims", "outcome"), OIDC)
async def test_an_openid_connect_token_is_judged_as_a_key(
    editable_store: GraphStore,
    cases: dict[str, Case],
    oidc_settings: Settings,
    signing_key: SigningKey,
    claims: dict[str, Any],
    outcome: str,
) -> None:
    case = cases[f"oidc-{OIDC_IDS[repr(claims)]}"]
    async with client_for(editable_store, oidc_settings) as http:
        editor = Editor(http, bearer(signed(signing_key, **claims)))
        body, before, after = await attempt(editable_store, editor, case)
    if outcome != "OK":
        assert refused(body, before, after)["extensions"]["code"] == outcome
        return
    assert "errors" not in body, body["errors"]
    newest = (await editable_store.changes(ChangeQuery(first=1))).items[0]
    assert (newest.actor, newest.organisation, newest.node) == ("oidc:alice@uusimaa", UUSIMAA, case.writes[0])
