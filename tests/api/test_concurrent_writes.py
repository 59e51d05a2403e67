"""Twenty writers updating the same few places at once lose no update: each is applied or answered CONFLICT,
and the versions and the audit count exactly the ones applied. On both backends (`editable_store`)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from graph_api.app import create_app
from graph_api.models import NodeRef
from graph_api.store.base import GraphStore
from tests.api.edits import (
    CHANGES,
    CREATE_PLACE,
    HELSINKI,
    NODE,
    SETTINGS,
    UPDATE_PLACE,
    Answer,
    kept,
    new_place,
    post,
    token_for,
)

pytestmark = pytest.mark.anyio

WRITERS = 20
PLACES = 3
UPDATES_EACH = 2
TRIES = 3
"""A writer answered CONFLICT reads the place again and tries again, this many times in all, then gives up."""
ORGANISERS = ("District:uusimaa", "LocalAssociation:la-091-27")


@pytest.fixture
async def clients(editable_store: GraphStore) -> AsyncIterator[list[httpx.AsyncClient]]:
    """One app on the store, and a client of it for each writer. The app has the time budget of `SETTINGS`: on a
    busy 2-core machine twenty writers at once on Neo4j take seconds, and a write stopped by its budget is neither
    applied-and-answered nor CONFLICT (that case has its own test, in test_write_durability)."""
    app = create_app(editable_store, SETTINGS)
    http = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") for _ in range(WRITERS)
    ]
    try:
        yield http
    finally:
        for client in http:
            await client.aclose()


async def test_concurrent_writers_of_the_same_places_lose_no_update(
    editable_store: GraphStore, clients: list[httpx.AsyncClient]
) -> None:
    admin = await token_for(editable_store, "District:uusimaa", "admin")
    created = [new_place(name=f"Concurrent {n}", organiserId=ORGANISERS[0], location=HELSINKI) for n in range(PLACES)]
    ids = [(await post(clients[0], admin, CREATE_PLACE, input=given)).place["id"] for given in created]
    answers: list[tuple[str, dict[str, str], Answer]] = []

    async def writer(w: int) -> None:
        http, chosen = clients[w], random.Random(w)
        for update in range(UPDATES_EACH):
            place = ids[chosen.randrange(PLACES)]
            for attempt in range(TRIES):
                read = await post(http, admin, NODE, id=place)
                sent = {"id": place, "name": f"Writer {w} update {update} try {attempt}"}
                if w % 4 == 0:  # a quarter change the organiser too: relationships rewritten under contention
                    sent["organiserId"] = ORGANISERS[(update + attempt) % 2]
                version = read.data["node"]["version"]  # type: ignore[index]
                answer = await post(http, admin, UPDATE_PLACE, input={**sent, "expectedVersion": version})
                answers.append((place, sent, answer))
                if answer.code != "CONFLICT":
                    break

    async with anyio.create_task_group() as group:
        for w in range(WRITERS):
            group.start_soon(writer, w)

    outcomes = Counter(answer.code for _, _, answer in answers)
    print(f"\n{WRITERS} writers: {outcomes[None]} updates applied, {outcomes['CONFLICT']} answered CONFLICT")
    assert set(outcomes) <= {None, "CONFLICT"}, outcomes
    assert outcomes["CONFLICT"] > 0, "the writers never met: nothing here tested concurrency"
    for place in ids:
        applied = {answer.place["version"]: (sent, answer) for p, sent, answer in answers if p == place and answer.data}
        applied_count = sum(1 for p, _, answer in answers if p == place and answer.data)
        assert len(applied) == applied_count, "two updates were answered with the same version"
        last = 1 + applied_count
        assert sorted(applied) == list(range(2, last + 1))

        found = await kept(editable_store, NodeRef.parse(place))  # type: ignore[arg-type]
        assert found is not None and found.place.version == last
        last_sent = applied[last][0]
        assert found.place.name == last_sent["name"]
        organisers = [sent["organiserId"] for _, (sent, _) in sorted(applied.items()) if "organiserId" in sent]
        assert found.run_by == [organisers[-1] if organisers else ORGANISERS[0]]
        assert found.versions == list(range(1, last + 1))
        assert found.names[1:] == [applied[v][0]["name"] for v in range(2, last + 1)]

        audit = (await post(clients[0], admin, CHANGES, nodeId=place, first=100)).data["changes"]  # type: ignore[index]
        changes = [edge["node"] for edge in reversed(audit["edges"])]
        assert audit["totalCount"] == last
        assert [(c["version"], c["operation"]) for c in changes] == [(1, "createMeetingPlace")] + [
            (v, "updateMeetingPlace") for v in range(2, last + 1)
        ]
        numbers = [c["number"] for c in changes]
        assert numbers == sorted(set(numbers)), "the audit's numbers are in commit order, each once"
