"""Without Java and Maven the Neo4j tests cannot run: CI must then fail, a developer's run skip and say why."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from neo4j import AsyncGraphDatabase, GraphDatabase

from tests.conftest import ROOT, refused_connects_the_driver_leaves_unread, run_pytest_alone
from tests.neo4j_server import Neo4jLaunchError, Neo4jServer


def run_suite_without_java(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("NEO4J_") and name != "CI"}
    env |= {"PATH": str(Path(sys.executable).parent), "XDG_CACHE_HOME": str(tmp_path)}
    if ci:
        env["CI"] = "true"
    return run_pytest_alone("tests/api/test_lists.py::test_counts_match_the_reference_data", env)


@pytest.mark.parametrize("ci", [True, False], ids=["ci-fails", "elsewhere-skips"])
def test_a_missing_neo4j_fails_ci_and_is_skipped_elsewhere(tmp_path: Path, ci: bool) -> None:
    result = run_suite_without_java(tmp_path, ci)
    output = result.stdout + result.stderr
    assert "mvn is not on PATH" in output
    if ci:
        assert result.returncode != 0 and "CI needs a real Neo4j" in output
    else:
        assert result.returncode == 0 and "1 passed, 2 skipped" in output  # neo4j over bolt:// and over neo4j://
        assert "set NEO4J_URI" in output


def test_the_launcher_prints_the_uri_once_neo4j_answers_and_runs_until_terminated(tmp_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "tests.neo4j_server", "--data", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as launcher:
        try:
            assert launcher.stdout is not None
            line = launcher.stdout.readline().strip()
            assert re.fullmatch(r"NEO4J_URI=bolt://127\.0\.0\.1:\d+", line), line
            with GraphDatabase.driver(line.partition("=")[2], auth=("neo4j", "any")) as driver:
                driver.verify_connectivity()
            assert launcher.poll() is None
        finally:
            launcher.send_signal(signal.SIGTERM)
            assert launcher.wait(timeout=120) == 0


def test_a_port_someone_listens_on_is_refused_before_anything_starts(tmp_path: Path) -> None:
    """Else the other server would answer in the launcher's place, and the tests would wipe its data."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        with pytest.raises(Neo4jLaunchError, match=f"port {port} is already in use"):
            Neo4jServer(tmp_path, port).start()


def test_the_tests_neo4j_keeps_connections_alive_only_while_streaming(neo4j_uri: str) -> None:
    """As the README advises: with `ALL` the server hints a read timeout, and the driver times every socket read,
    which the benchmark's Neo4j figures would then include."""
    with GraphDatabase.driver(neo4j_uri, auth=("neo4j", "any")) as driver:
        records, _, _ = driver.execute_query(
            "SHOW SETTINGS YIELD name, value WHERE name = $name RETURN value",
            name="server.bolt.connection_keep_alive_for_requests",
        )
    assert [record["value"] for record in records] == ["STREAMING"]


def test_a_socket_the_driver_leaves_to_the_tests_neo4j_is_tolerated_and_others_are_not(neo4j_uri: str) -> None:
    """Why the suite tolerates one ResourceWarning (`tolerate_sockets_the_driver_leaves`): a read stopped as the
    driver connects leaves its socket to the garbage collector. When the driver closes it, this test fails, and the
    tolerance can go."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        asyncio.run(stopped_as_the_driver_connects(neo4j_uri, caught))
    port = urlsplit(neo4j_uri).port
    assert port is not None
    left = rf"unclosed <socket\.socket fd=\d+, family=\d+, type=1, proto=0, laddr=\(.*\), raddr=\('[^']*', {port}\)>"
    messages = [str(warning.message) for warning in caught]
    assert messages and all(re.fullmatch(left, message) for message in messages), messages
    with pytest.raises(ResourceWarning):
        warn_of_socket_to(port + 1)
    warn_of_socket_to(port)


def warn_of_socket_to(port: int) -> None:
    warnings.warn(f"unclosed <socket.socket laddr=('127.0.0.1', 1), raddr=('127.0.0.1', {port})>", ResourceWarning, 2)


async def stopped_as_the_driver_connects(uri: str, caught: list[warnings.WarningMessage]) -> None:
    """Reads stopped ever later, one loop step more each, until one is stopped while its socket connects."""
    for steps in range(50):
        async with AsyncGraphDatabase.driver(uri, auth=("neo4j", "any")) as driver:
            read = asyncio.create_task(driver.execute_query("RETURN 1"))
            for _ in range(steps):
                await asyncio.sleep(0)
            read.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await read
        if caught:
            return


@pytest.mark.anyio
async def test_a_refused_connect_the_driver_leaves_unread_is_tolerated_for_the_stopped_neo4j_alone() -> None:
    loop = asyncio.get_running_loop()
    before, reported = loop.get_exception_handler(), []
    loop.set_exception_handler(lambda loop, context: reported.append(str(context["exception"])))
    try:
        async with refused_connects_the_driver_leaves_unread(7999):
            for port in (7999, 8000):
                refused = ConnectionRefusedError(111, f"Connect call failed ('127.0.0.1', {port})")
                loop.call_exception_handler({"message": "Task exception was never retrieved", "exception": refused})
    finally:
        loop.set_exception_handler(before)
    assert reported == ["[Errno 111] Connect call failed ('127.0.0.1', 8000)"]
