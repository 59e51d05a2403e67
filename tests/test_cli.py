"""The `graph-api` command as an operator runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from graph_api.cli import main
from graph_api.store.neo4j import Neo4jStore
from tests.neo4j_server import free_port

ROOT = Path(__file__).resolve().parent.parent
COUNT = "{ municipalities { totalCount } }"


def test_schema_graphql_is_what_export_schema_prints() -> None:
    """Fails when the schema changes without `graph-api export-schema > schema.graphql`."""
    result = CliRunner().invoke(main, ["export-schema"])
    assert result.exit_code == 0
    assert result.output == (ROOT / "schema.graphql").read_text(encoding="utf-8")


def serve_and_count(env: dict[str, str]) -> tuple[int, str]:
    """Run `graph-api serve`, ask how many municipalities there are, stop it; the count and the log."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "graph_api.cli", "serve", "--host", "127.0.0.1"],
        env={**os.environ, **env, "GRAPH_API_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": COUNT})
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    return response.json()["data"]["municipalities"]["totalCount"], output


def test_serve_answers_graphql_with_the_shipped_seeds() -> None:
    count, log = serve_and_count({})
    assert count == 309
    assert "loaded 1541 nodes" in log


@pytest.mark.anyio
async def test_load_into_neo4j_reports_what_it_changed_and_serve_answers_from_it(neo4j_store: Neo4jStore) -> None:
    """The session's Neo4j holds the seeds already, so `load` finds every row unchanged."""
    env = {"GRAPH_BACKEND": "neo4j", "NEO4J_URI": neo4j_store.uri}
    result = subprocess.run(
        [sys.executable, "-m", "graph_api.cli", "load"], env={**os.environ, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1:] if line.split()}
    assert rows["Municipality"] == ["0", "0", "309"]
    assert rows["HAS_AGREEMENT"] == ["0", "0", "32"]
    count, _ = serve_and_count(env)
    assert count == 309


def test_load_from_a_folder_without_seeds_fails_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["load", "--seeds", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not a seed folder" in result.output
