"""Hostile text in every text input of every mutation is data, never run: quotes, Cypher and SQL fragments,
markup, emoji and right-to-left text are stored and given back verbatim, and again by the memory store restarted on
its data folder; a NUL or a 10,000-character string is refused by the length or control-character rule,
BAD_USER_INPUT naming the field; on both backends, and the store holds as many nodes as before plus what was made.

Ids are text too: a hostile key in any id is refused as an unknown node, naming the id's field.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from graph_api.cli import load_seeds
from graph_api.models import ImportRecord
from graph_api.store.base import GraphStore
from graph_api.store.datafolder import DataFolder
from graph_api.store.memory import MemoryStore
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
    counts,
    snapshot,
    token_for,
)
from tests.conftest import SEEDS, client_for

pytestmark = pytest.mark.anyio

KEPT = {
    "quotes": "Perhekahvila \"Tupu\" & Lupu's 'kahvila' `x` \\ \\\\'",
    "cypher": "'}) MATCH (n) DETACH DELETE n //",
    "cypher-in-braces": '"}) WITH 1 AS x MATCH (n) SET n.name = "pwned" RETURN x //',
    "sql": "'); DROP TABLE imports; --",
    "html": "<script>alert('x')</script><img src=x onerror=alert(1)>&amp;",
    "emoji-and-rtl": "Perhekahvila \U0001f476\U0001f3fd\U0001f468\u200d\U0001f469\u200d\U0001f467 "
    "\u202e\u0645\u0631\u062d\u0628\u0627\u202c \u05e9\u05dc\u05d5\u05dd \u200f!",  # RTL override, Arabic, Hebrew
}
"""Texts that break no rule: each is stored and returned exactly as sent."""
REFUSED = {
    "nul": "Perhekahvila\x00Kaiku",
    "line-break": "Perhekahvila\nKaiku",
    "10,000-characters": "Perhekahvila " + "ä" * 9_987,
}
"""Texts that break the length or the control-character rule."""

UUSIMAA = "District:uusimaa"


@dataclass(frozen=True)
class Mutation:
    """A mutation with the text inputs it takes, and where its answer shows them."""

    name: str
    document: str
    texts: tuple[str, ...]
    """Its text inputs, as the errors name them (`input.` + the field)."""
    payload: str


MUTATIONS = [
    Mutation("createMeetingPlace", CREATE_PLACE, ("name", "nameSv", "streetAddress"), "place"),
    Mutation("updateMeetingPlace", UPDATE_PLACE, ("name", "nameSv", "streetAddress"), "place"),
    Mutation("setOpeningHours", SET_OPENING_HOURS, ("closures[0].reason",), "place"),
    Mutation("createAgreement", CREATE_AGREEMENT, ("kind",), "agreement"),
    Mutation("createLocalAssociation", CREATE_ASSOCIATION, ("nameFi", "nameSv"), "localAssociation"),
    Mutation("updateLocalAssociation", UPDATE_ASSOCIATION, ("nameFi", "nameSv"), "localAssociation"),
]
"""Every mutation with a free text input (`endAgreement` and `withdrawMeetingPlace` take ids and dates only)."""
CHECKED_TEXTS = [("createMeetingPlace", "postalCode"), ("createMeetingPlace", "address")]
CHECKED_TEXTS += [("updateMeetingPlace", "postalCode"), ("updateMeetingPlace", "address")]
"""Texts with a form of their own (five digits; an address the geocoder places): no hostile text passes."""


# each test's nodes, made in one load before the module's tests

REFUSED_CASES = [(mutation, field, value) for mutation in MUTATIONS for field in mutation.texts for value in REFUSED]
REFUSED_CASES += [
    (mutation, field, value)
    for mutation in MUTATIONS
    for name, field in CHECKED_TEXTS
    if name == mutation.name
    for value in [*KEPT, *REFUSED]
]


def kept_id(mutation: Mutation, value: str) -> str:
    return f"{mutation.name}-{value}"


def refused_id(mutation: Mutation, field: str, value: str) -> str:
    return f"{mutation.name}-{field}-{value}"


@dataclass
class Made:
    """The place and the local association each test writes to, by the test's id."""

    places: dict[str, str]
    associations: dict[str, str]
    years: Iterator[int]

    def since(self) -> str:
        """A start of an agreement of Uusimaa's with Espoo that no other test takes."""
        return f"{next(self.years)}-01-01"


@pytest.fixture(scope="module")
async def made(editable_store: GraphStore) -> Made:
    ids = [kept_id(mutation, value) for mutation in MUTATIONS for value in KEPT]
    ids += [refused_id(*case) for case in REFUSED_CASES]
    setup = Setup()
    for id_ in ids:
        setup.place(f"hostile-{id_}")
        setup.association(f"hostile-{id_}")
    # kept as an import is, so that the memory store restarted on its data folder has them too
    await editable_store.load(
        setup.dataset, record=ImportRecord(datetime.datetime.now(datetime.UTC), "tests", "tests", {})
    )
    return Made(
        {id_: f"MeetingPlace:hostile-{id_}" for id_ in ids},
        {id_: f"LocalAssociation:hostile-{id_}" for id_ in ids},
        itertools.count(2100 - len(ids) - 1),
    )


@pytest.fixture(scope="module")
async def token(editable_store: GraphStore) -> str:
    return await token_for(editable_store, "Organization:mll", "admin")


@pytest.fixture
async def editor(editable_store: GraphStore, token: str) -> AsyncIterator[Editor]:
    async with client_for(editable_store, SETTINGS) as http:
        yield Editor(http, bearer(token))


def with_texts(mutation: Mutation, made: Made, id_: str, texts: dict[str, str]) -> dict[str, Any]:
    """The mutation's input for the test `id_`, on the test's own nodes, with these text fields."""
    place, association = made.places[id_], made.associations[id_]
    given: dict[str, Any] = {
        "createMeetingPlace": {"name": "Kahvila", "kind": "FAMILY_CAFE", "location": ESPOO, "organiserId": UUSIMAA},
        "updateMeetingPlace": {"id": place, "expectedVersion": 1},
        "setOpeningHours": {"placeId": place, "expectedVersion": 1, "hours": []},
        "createAgreement": {"districtId": UUSIMAA, "partyId": "Municipality:049", "since": made.since(), "kind": "X"},
        "createLocalAssociation": {"districtId": UUSIMAA, "nameFi": "Yhdistys", "municipalityIds": []},
        "updateLocalAssociation": {"id": association, "expectedVersion": 1},
    }[mutation.name]
    for field, text in texts.items():
        if field == "closures[0].reason":
            given["closures"] = [{"from": "2026-12-24", "to": "2026-12-26", "reason": text}]
        else:
            given[field] = text
    if "address" in texts:
        given.pop("location", None)
    return given


def shown(answer: dict[str, Any], field: str) -> Any:
    """A text field as an answer shows it."""
    return answer["closures"][0]["reason"] if field == "closures[0].reason" else answer[field]


async def read_back(editor: Editor, mutation: Mutation, answer: dict[str, Any]) -> dict[str, Any]:
    """The mutation's text inputs as a fresh read of what it wrote shows them (an agreement: among its district's)."""
    if mutation.payload == "agreement":
        district = await editor.node(answer["district"]["id"])
        same = ("since", "party")
        answer = next(a for a in district["agreements"] if all(a[key] == answer[key] for key in same))
    else:
        answer = await editor.node(answer["id"])
    return {field: shown(answer, field) for field in mutation.texts}


@pytest.mark.parametrize("value", KEPT)
async def test_hostile_text_is_kept_verbatim_in_every_text_input_even_after_a_restart(
    editable_store: GraphStore, editable_folder: Path, editor: Editor, made: Made, value: str
) -> None:
    before = await counts(editable_store)
    sent = {mutation.name: dict.fromkeys(mutation.texts, KEPT[value]) for mutation in MUTATIONS}
    answers, written = {}, {}
    for mutation in MUTATIONS:
        given = with_texts(mutation, made, kept_id(mutation, value), sent[mutation.name])
        written[mutation] = (await editor.data(mutation.document, input=given))[mutation.name][mutation.payload]
        answers[mutation.name] = {field: shown(written[mutation], field) for field in mutation.texts}
    assert answers == sent
    assert {mutation.name: await read_back(editor, mutation, answer) for mutation, answer in written.items()} == sent
    assert await counts(editable_store) == {label: n + 1 for label, n in before.items()}  # a place, an association
    if isinstance(editable_store, MemoryStore):  # a restart: the seeds, then the data folder's writes over them
        restarted = MemoryStore(DataFolder(editable_folder))
        await load_seeds(restarted, SEEDS)
        async with client_for(restarted, SETTINGS) as http:
            again = Editor(http, None)
            assert {mutation.name: await read_back(again, mutation, a) for mutation, a in written.items()} == sent


@pytest.mark.parametrize(
    ("mutation", "field", "value"), [pytest.param(*case, id=refused_id(*case)) for case in REFUSED_CASES]
)
async def test_a_text_breaking_a_rule_is_refused_naming_its_field_and_nothing_is_written(
    editable_store: GraphStore, editor: Editor, made: Made, mutation: Mutation, field: str, value: str
) -> None:
    id_ = refused_id(mutation, field, value)
    given = with_texts(mutation, made, id_, {field: (KEPT | REFUSED)[value]})
    nodes = [made.places[id_], made.associations[id_], UUSIMAA]
    before = await snapshot(editable_store, nodes)
    error = await editor.error(mutation.document, input=given)
    assert (error["extensions"]["code"], error["extensions"].get("argument")) == ("BAD_USER_INPUT", f"input.{field}")
    assert await snapshot(editable_store, nodes) == before


IDS = [
    (CREATE_PLACE, "organiserId", "District"),
    (CREATE_PLACE, "familyCentreId", "FamilyCentre"),
    (CREATE_PLACE, "activityIds", "Activity"),
    (UPDATE_PLACE, "id", "MeetingPlace"),
    (WITHDRAW_PLACE, "id", "MeetingPlace"),
    (SET_OPENING_HOURS, "placeId", "MeetingPlace"),
    (CREATE_AGREEMENT, "districtId", "District"),
    (CREATE_AGREEMENT, "partyId", "Municipality"),
    (END_AGREEMENT, "partyId", "WelfareArea"),
    (CREATE_ASSOCIATION, "municipalityIds", "Municipality"),
    (UPDATE_ASSOCIATION, "id", "LocalAssociation"),
]
"""An id field of each kind, and the label its ids have."""


@pytest.mark.parametrize("text", [pytest.param(text, id=name) for name, text in (KEPT | REFUSED).items()])
async def test_a_hostile_key_in_any_id_is_an_unknown_node(
    editable_store: GraphStore, editor: Editor, made: Made, text: str
) -> None:
    before = await snapshot(editable_store, [UUSIMAA])
    for document, field, label in IDS:
        valid = {
            CREATE_PLACE: {"name": "Kahvila", "kind": "FAMILY_CAFE", "location": ESPOO, "organiserId": UUSIMAA},
            UPDATE_PLACE: {"id": "MeetingPlace:mp-049-1", "expectedVersion": 1},
            WITHDRAW_PLACE: {"id": "MeetingPlace:mp-049-1", "expectedVersion": 1},
            SET_OPENING_HOURS: {"placeId": "MeetingPlace:mp-049-1", "expectedVersion": 1, "hours": []},
            CREATE_AGREEMENT: {
                "districtId": UUSIMAA,
                "partyId": "Municipality:049",
                "since": "2060-01-01",
                "kind": "X",
            },
            END_AGREEMENT: {
                "districtId": UUSIMAA,
                "partyId": "WelfareArea:IU",
                "since": "2023-02-01",
                "until": "2060-01-01",
            },
            CREATE_ASSOCIATION: {"districtId": UUSIMAA, "nameFi": "Yhdistys"},
            UPDATE_ASSOCIATION: {"id": "LocalAssociation:la-049-1", "expectedVersion": 1},
        }[document]
        hostile = f"{label}:{text}"
        error = await editor.error(document, input=valid | {field: [hostile] if field.endswith("Ids") else hostile})
        assert (error["extensions"]["code"], error["extensions"].get("argument")) == (
            "BAD_USER_INPUT",
            f"input.{field}",
        ), (field, error)
    assert await snapshot(editable_store, [UUSIMAA]) == before
