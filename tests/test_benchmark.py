"""The benchmark command runs and prints every figure it promises (its numbers are not asserted)."""

from __future__ import annotations

import asyncio

import pytest

from tests import benchmark


def test_benchmark_prints_each_figure(capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(benchmark.run(queries=3))
    output = capsys.readouterr().out
    for label in ("read seeds", "load embedded store", "launch to ready", "kd-tree", "brute-force", "ratio", "ASGI"):
        assert label in output
