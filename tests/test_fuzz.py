"""Generated queries for every root field, on both backends: no server error, every answer as the schema says.

A small derandomised run of `tests.fuzz` (the same queries every time); `python -m tests.fuzz` runs a longer,
random one.
"""

from __future__ import annotations

import anyio
import pytest

from graph_api.store.memory import MemoryStore
from graph_api.store.neo4j import Neo4jStore
from tests import fuzz
from tests.conftest import Neo4jDatabase, neo4j_store_for

EXAMPLES = 5
"""Per root field: about 125 queries, some 10 s on the embedded store."""
BUDGET_S = 120.0
"""Generous: every field must be reached within it, or something stalled."""


def test_generated_queries_get_no_server_error_on_the_embedded_store() -> None:
    run = fuzz.fuzz(fuzz.fuzz_app(MemoryStore(), fuzz.load_seeds), EXAMPLES, BUDGET_S)
    assert (run.findings, run.fields_left) == ({}, []), run.report()
    assert run.cases >= 100


@pytest.mark.anyio
async def test_generated_queries_get_no_server_error_on_neo4j(
    neo4j_uri: str, neo4j_store: Neo4jStore, neo4j_database: Neo4jDatabase
) -> None:
    """On the session's Neo4j, which `neo4j_store` has loaded with the seeds, through a store of the app's own
    (schemathesis calls the app from an event loop of its own, in another thread). The mutations write into it,
    so later tests get the seeds back."""
    app = fuzz.fuzz_app(neo4j_store_for(neo4j_uri))
    neo4j_database.seeded = False
    run = await anyio.to_thread.run_sync(fuzz.fuzz, app, EXAMPLES, BUDGET_S)
    assert (run.findings, run.fields_left) == ({}, []), run.report()
    assert run.cases >= 100


def test_a_finding_keeps_the_shortest_query_per_field_and_problem() -> None:
    run = fuzz.FuzzRun()
    for query in ["{ regions { id nameFi } }", "{ regions { id } }", "{ regions { id nameFi nameSv } }"]:
        run.found(fuzz.Finding("Query.regions", "status 500", query))
    run.found(fuzz.Finding("Query.regions", "a masked unexpected exception", "{ regions { nameSv } }"))
    assert [str(f) for f in run.findings.values()] == [
        "Query.regions: status 500\n{ regions { id } }",
        "Query.regions: a masked unexpected exception\n{ regions { nameSv } }",
    ]


@pytest.mark.parametrize(
    ("status", "body"),
    [
        pytest.param(500, {"data": None}, id="status-500"),
        pytest.param(200, {"data": None, "errors": [{"message": "Unexpected error.", "path": ["x"]}]}, id="masked"),
        pytest.param(
            200,
            {"data": None, "errors": [{"message": "down", "path": ["x"], "extensions": {"code": "STORE_UNAVAILABLE"}}]},
            id="store-unavailable",
        ),
    ],
)
def test_a_server_error_is_a_finding(status: int, body: dict[str, object]) -> None:
    with pytest.raises(AssertionError):
        fuzz.no_server_error(None, FakeResponse(status, body), None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "error",
    [
        pytest.param({"message": "x: bad", "path": ["x"], "extensions": {"code": "BAD_USER_INPUT"}}, id="bad-input"),
        pytest.param({"message": "too costly", "extensions": {"code": "COST_LIMIT"}}, id="cost-limit"),
        pytest.param({"message": "Cannot query field 'y'", "locations": []}, id="validation"),
    ],
)
def test_a_refusal_is_no_finding(error: dict[str, object]) -> None:
    fuzz.no_server_error(None, FakeResponse(200, {"data": None, "errors": [error]}), None)  # type: ignore[arg-type]


class FakeResponse:
    """The two things `no_server_error` reads of a schemathesis Response."""

    def __init__(self, status_code: int, body: dict[str, object]) -> None:
        self.status_code = status_code
        self.body = body

    def json(self) -> dict[str, object]:
        return self.body
