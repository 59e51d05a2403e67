"""The `graph-api` command as an operator runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from graph_api.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_schema_graphql_is_what_export_schema_prints() -> None:
    """Fails when the schema changes without `graph-api export-schema > schema.graphql`."""
    result = CliRunner().invoke(main, ["export-schema"])
    assert result.exit_code == 0
    assert result.output == (ROOT / "schema.graphql").read_text(encoding="utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_graphql_with_the_shipped_seeds() -> None:
    port = free_port()
    env = {**os.environ, "GRAPH_API_PORT": str(port)}
    server = subprocess.Popen(
        [sys.executable, "-m", "graph_api.cli", "serve", "--host", "127.0.0.1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/graphql", json={"query": "{ municipalities { totalCount } }"}
                )
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert response.json() == {"data": {"municipalities": {"totalCount": 309}}}
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "loaded 1541 nodes" in output
