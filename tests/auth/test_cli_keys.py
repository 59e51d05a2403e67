"""`graph-api keys create|list|revoke` as an operator runs them, on the embedded store's data folder and on Neo4j."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import anyio
import pytest
from click.testing import CliRunner, Result

from graph_api.auth.authenticate import Authenticator
from graph_api.cli import main
from graph_api.errors import Unauthenticated
from graph_api.models import NodeRef
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.datafolder import DataFolder
from graph_api.store.memory import MemoryStore
from tests.conftest import BACKENDS, Neo4jDatabase

pytestmark = pytest.mark.anyio


@dataclass
class Operator:
    """Runs `graph-api` with the environment of one backend; `store` is the API's own view of the same keys."""

    env: dict[str, str]
    store: GraphStore

    async def run(self, *args: str) -> Result:
        return await anyio.to_thread.run_sync(lambda: CliRunner().invoke(main, list(args), env=self.env))

    async def create(self, *args: str) -> tuple[str, str]:
        """The key id and the token of a new key."""
        result = await self.run("keys", "create", *args)
        assert result.exit_code == 0, result.output
        token = result.output.splitlines()[-1]
        return token.split("_")[1], token

    async def caller_or_refusal(self, token: str) -> object:
        try:
            return await Authenticator(self.store, Settings(_env_file=None)).caller(f"Bearer {token}")
        except Unauthenticated as refusal:
            return str(refusal)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[dict[str, str], GraphStore | None]]:
    """The environment of one backend, and Neo4j's store (asked for here, outside any running event loop)."""
    if request.param == "memory":
        yield {"GRAPH_API_DATA": str(tmp_path / "data")}, None
        return
    database: Neo4jDatabase = request.getfixturevalue("neo4j_database")
    store = request.getfixturevalue("neo4j_store")  # the seeds, so that --org names a node that exists
    yield {"GRAPH_BACKEND": "neo4j", "NEO4J_URI": database.store.uri}, store
    database.seeded = False  # the keys written go with the next wipe


@pytest.fixture
async def operator(backend: tuple[dict[str, str], GraphStore | None]) -> AsyncIterator[Operator]:
    env, neo4j = backend
    if neo4j is not None:
        yield Operator(env, neo4j)
        return
    store = MemoryStore(DataFolder(Path(env["GRAPH_API_DATA"])))
    await store.open()
    try:
        yield Operator(env, store)
    finally:
        await store.close()


async def test_keys_create_prints_the_token_alone_on_its_last_line_once(operator: Operator) -> None:
    result = await operator.run(
        "keys", "create", "--org", "District:uusimaa", "--scope", "places:write", "--scope", "agreements:write",
        "--name", "Uusimaa's editor", "--expires-days", "30",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    *said, token = result.output.splitlines()
    key_id = token.split("_")[1]
    assert token.startswith(f"gak_{key_id}_") and " " not in token
    assert said[0].startswith(f"created key {key_id} for District:uusimaa: places:write, agreements:write; expires 20")
    assert token not in "\n".join(said)
    caller = await operator.caller_or_refusal(token)
    assert (caller.organisation, caller.scopes) == (  # type: ignore[attr-defined]
        NodeRef("District", "uusimaa"),
        {"places:write", "agreements:write"},
    )


async def test_keys_list_shows_every_key_but_never_its_secret_or_hash(operator: Operator) -> None:
    first, first_token = await operator.create("--org", "District:uusimaa", "--scope", "places:write", "--name", "map")
    second, second_token = await operator.create("--org", "FamilyCentre:fc-ep", "--scope", "admin")
    assert (await operator.run("keys", "revoke", second)).exit_code == 0
    result = await operator.run("keys", "list")
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split() == ["id", "organisation", "scopes", "name", "created", "expires", "revoked"]
    mine = {row.split()[0]: row.split()[1:] for row in rows if row.split()[0] in {first, second}}
    assert mine[first][:3] == ["District:uusimaa", "places:write", "map"]
    assert mine[first][4] == "never" and len(mine[first]) == 5  # not revoked
    assert mine[second][:2] == ["FamilyCentre:fc-ep", "admin"] and len(mine[second]) == 5  # no name, revoked
    for token in (first_token, second_token):
        assert token.split("_", 2)[2] not in result.output
    stored = {key.id: key for key in await operator.store.api_keys()}
    assert stored[first].secret_hash not in result.output


async def test_a_key_revoked_by_another_process_is_refused_on_the_next_request(operator: Operator) -> None:
    key_id, token = await operator.create("--org", "District:uusimaa", "--scope", "places:write")
    assert not isinstance(await operator.caller_or_refusal(token), str)
    revoke = subprocess.run(
        [sys.executable, "-m", "graph_api.cli", "keys", "revoke", key_id],
        env={**os.environ, **operator.env},
        capture_output=True,
        text=True,
    )
    assert revoke.returncode == 0, revoke.stderr
    assert revoke.stdout.startswith(f"key {key_id} of District:uusimaa was revoked at ")
    assert str(await operator.caller_or_refusal(token)).startswith(f"API key {key_id} was revoked at")
    again = await operator.run("keys", "revoke", key_id)
    assert f"key {key_id} of District:uusimaa was already revoked at" in again.output


async def test_revoking_a_key_that_does_not_exist_fails(operator: Operator) -> None:
    result = await operator.run("keys", "revoke", "0123456789ab")
    assert result.exit_code == 1
    assert "there is no key 0123456789ab" in result.output


async def test_a_key_for_an_organisation_not_in_the_store_is_refused(operator: Operator) -> None:
    result = await operator.run("keys", "create", "--org", "District:atlantis", "--scope", "places:write")
    assert result.exit_code == 2
    assert "Invalid value for '--org': there is no District:atlantis in the" in result.output
    assert "gak_" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--org", "uusimaa"],
            "Invalid value for '--org': 'uusimaa' is not the global id of an organisation",
            id="org",
        ),
        pytest.param(["--org", "Municipality:091"], "Invalid value for '--org'", id="org-not-an-organisation"),
        pytest.param(["--scope", "places:delete"], "Invalid value for '--scope': 'places:delete' is not", id="scope"),
        pytest.param(["--expires-days", "0"], "Invalid value for '--expires-days': 0 is not in the range", id="days"),
        pytest.param(["--expires-days", "soon"], "Invalid value for '--expires-days': 'soon' is not", id="days-text"),
    ],
)
def test_keys_create_names_the_option_it_cannot_take(tmp_path: Path, args: list[str], message: str) -> None:
    defaults = {"--org": "District:uusimaa", "--scope": "places:write"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    argv = [part for option, value in (defaults | given).items() for part in (option, value)]
    result = CliRunner().invoke(main, ["keys", "create", *argv], env={"GRAPH_API_DATA": str(tmp_path / "data")})
    assert result.exit_code == 2
    assert message in result.output


def test_keys_create_needs_a_scope(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["keys", "create", "--org", "District:uusimaa"])
    assert result.exit_code == 2
    assert "Missing option '--scope'" in result.output
