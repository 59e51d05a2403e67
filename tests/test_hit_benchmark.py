"""The in-process benchmark of a cached answer measures the project beside plain Starlette, both answering 200."""

from __future__ import annotations

import pytest

from tests.hit_benchmark import hit_lines

pytestmark = pytest.mark.anyio


async def test_hit_benchmark_prints_the_project_beside_plain_starlette_with_the_ratio() -> None:
    (line,) = await hit_lines(requests=5, rounds=1)
    assert "graph-api:" in line and "plain Starlette:" in line and "ratio" in line
