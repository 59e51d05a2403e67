"""Fuzzing the GraphQL API with schemathesis: generated queries for every root field, in process.

    python -m tests.fuzz [--examples 500] [--backend memory|neo4j] [--seconds 1800] [--seed N]

Schemathesis (GraphQL mode, hypothesis-graphql underneath) reads the schema by introspection and generates
valid queries with arbitrary arguments and selections; each goes through the ASGI app, and every answer must
be no server error and conform to the schema. Bad arguments are expected: they must be refused with a
client error (`BAD_USER_INPUT`, a validation error) or a `COST_LIMIT`, never answered with a 5xx, a masked
`Unexpected error.` or any other error raised while executing. The test suite runs a small derandomised run
on both backends (`tests/test_fuzz.py`); this command runs a longer, random one and prints what it finds.
The Neo4j run uses the server at `NEO4J_URI` (wiped and loaded with the seeds), else one started for it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.core.failures import FailureGroup
from schemathesis.python.asgi import shutdown_lifespans
from starlette.applications import Starlette

from graph_api.app import create_app
from graph_api.auth.caller import ADMIN
from graph_api.auth.keys import new_key
from graph_api.models import global_id, label_of
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore
from loaders.seeds import read_dataset
from tests.conftest import SEEDS, claim, neo4j_store_for, wipe
from tests.neo4j_server import Neo4jServer

REFUSALS = frozenset(
    {"BAD_USER_INPUT", "COST_LIMIT", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "FORBIDDEN", "CONFLICT"}
)
"""Error codes that say the client asked for something the service will not do: the answers fuzzing expects.
(Not UNAUTHENTICATED: the queries carry an admin key, so that the mutations are run, not turned away.)"""
ADMIN_KEY, ADMIN_TOKEN = new_key("Organization:mll", [ADMIN], datetime.datetime.now(datetime.UTC), "fuzzing")
"""The key every generated query carries: mutations write into the store the fuzzing runs on."""
MASKED = "Unexpected error."
REQUEST_TIMEOUT_S = 30.0


def no_server_error(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """No 5xx, and every error either a refusal before execution (no `path`) or one of the `REFUSALS` codes.

    Schemathesis' own `not_a_server_error` knows the usual client codes but not this service's: it would take
    a `COST_LIMIT` refusal for a server error, and a `TIMEOUT` or `STORE_UNAVAILABLE` must count as findings.
    """
    assert response.status_code < 500, f"status {response.status_code}"
    for error in response.json().get("errors") or []:
        assert error.get("message") != MASKED, f"a masked unexpected exception at {error.get('path')}"
        code = (error.get("extensions") or {}).get("code")
        assert code in REFUSALS or (code is None and "path" not in error), f"an error while executing: {error}"


CHECKS = [no_server_error, checks.response_schema_conformance]


def ids() -> st.SearchStrategy[str]:
    """Mostly the seeds' own global ids, every type as likely as any other, so that queries get past the id
    checks and run; else any text."""
    by_label: dict[str, list[str]] = {}
    for node in read_dataset(SEEDS).nodes:
        by_label.setdefault(label_of(node), []).append(global_id(node))
    known = st.sampled_from(sorted(by_label)).flatmap(lambda label: st.sampled_from(sorted(by_label[label])))
    return st.one_of(known, known, known, st.text())


# Registered for the process, as schemathesis keeps its scalar strategies: this module is its only user.
schemathesis.graphql.scalar("ID", ids().map(schemathesis.graphql.nodes.String))


@dataclass(frozen=True, slots=True)
class Finding:
    operation: str
    problem: str
    query: str

    def __str__(self) -> str:
        return f"{self.operation}: {self.problem}\n{self.query}"


@dataclass
class FuzzRun:
    """What a run did: the cases sent, the findings (the shortest query per field and problem), and the fields
    the time budget left out."""

    cases: int = 0
    findings: dict[tuple[str, str], Finding] = field(default_factory=dict)
    fields_left: list[str] = field(default_factory=list)

    def found(self, finding: Finding) -> None:
        known = self.findings.get((finding.operation, finding.problem))
        if known is None or len(finding.query) < len(known.query):
            self.findings[(finding.operation, finding.problem)] = finding

    def report(self) -> str:
        lines = [f"{self.cases} queries, {len(self.findings)} findings"]
        if self.fields_left:
            lines.append(f"not reached within the time budget: {', '.join(self.fields_left)}")
        return "\n\n".join([*lines, *(str(finding) for finding in self.findings.values())])


def fuzz(
    app: Starlette,
    examples: int,
    seconds: float,
    seed: int | None = None,
    progress: Callable[[str], object] | None = None,
) -> FuzzRun:
    """Up to `examples` queries per root field until `seconds` have passed; without a seed, the same every run.

    `progress` is told how each field went, as it ends.
    """
    run = FuzzRun()
    deadline = time.monotonic() + seconds
    try:
        schema = schemathesis.graphql.from_asgi("/graphql", app)
        for result in schema.get_all_operations():
            operation = result.ok()
            if time.monotonic() > deadline:
                run.fields_left.append(operation.label)
                continue
            started, cases = time.monotonic(), run.cases
            _fuzz_field(operation, examples, deadline, seed, run)
            if progress is not None:
                progress(f"{operation.label}: {run.cases - cases} queries, {time.monotonic() - started:.1f} s")
    finally:
        shutdown_lifespans()
    return run


def _fuzz_field(operation: Any, examples: int, deadline: float, seed: int | None, run: FuzzRun) -> None:
    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed is None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(case=operation.as_strategy())
    def send(case: schemathesis.Case) -> None:
        if time.monotonic() > deadline:
            return
        run.cases += 1
        try:
            headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            case.call_and_validate(checks=CHECKS, timeout=REQUEST_TIMEOUT_S, headers=headers)
        except FailureGroup as failures:
            for failure in failures.exceptions:
                run.found(Finding(operation.label, f"{failure.title}: {failure.message}", str(case.body)))
        except requests.Timeout:
            run.found(Finding(operation.label, f"no answer within {REQUEST_TIMEOUT_S:g} s", str(case.body)))

    (send if seed is None else hypothesis.seed(seed)(send))()


def fuzz_app(store: GraphStore, on_startup: Callable[[GraphStore], Awaitable[None]] | None = None) -> Starlette:
    """The app as served, around a store that it opens itself in the loop schemathesis calls it from, with the
    queries' admin key kept in it."""

    async def start(store: GraphStore) -> None:
        if on_startup is not None:
            await on_startup(store)
        if await store.api_key(ADMIN_KEY.id) is None:
            await store.add_key(ADMIN_KEY)

    return create_app(store, Settings(_env_file=None), on_startup=start)


async def load_seeds(store: GraphStore) -> None:
    await store.load(read_dataset(SEEDS))


async def reload_seeds(store: GraphStore) -> None:
    await claim(store)  # type: ignore[arg-type]
    await wipe(store)  # type: ignore[arg-type]
    await load_seeds(store)


@contextmanager
def neo4j_uri() -> Iterator[str]:
    """The Neo4j at `NEO4J_URI`, or one started for the run."""
    if os.environ.get("NEO4J_URI"):
        yield os.environ["NEO4J_URI"]
        return
    with tempfile.TemporaryDirectory(prefix="graph-api-fuzz-") as data_dir:
        server = Neo4jServer(Path(data_dir))
        try:
            yield server.start()
        finally:
            server.stop()


def print_now(line: str) -> None:
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--examples", type=int, default=500, help="queries per root field (default 500)")
    parser.add_argument("--backend", choices=["memory", "neo4j"], default="memory", help="the store (default memory)")
    parser.add_argument("--seconds", type=float, default=1800, help="time budget of the whole run (default 1800)")
    parser.add_argument("--seed", type=int, help="hypothesis seed, to repeat a run (default: random)")
    args = parser.parse_args()
    seed = secrets.randbits(64) if args.seed is None else args.seed
    print_now(f"seed {seed}")
    if args.backend == "memory":
        run = fuzz(fuzz_app(MemoryStore(), load_seeds), args.examples, args.seconds, seed, print_now)
    else:
        with neo4j_uri() as uri:
            run = fuzz(fuzz_app(neo4j_store_for(uri), reload_seeds), args.examples, args.seconds, seed, print_now)
    print(run.report())
    sys.exit(1 if run.findings else 0)


if __name__ == "__main__":
    main()
