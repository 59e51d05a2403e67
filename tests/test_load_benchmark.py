"""The load benchmark reads wrk's figures, and says how to install wrk where it is missing."""

from __future__ import annotations

import pytest

from tests import load_benchmark

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8000/graphql
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.48ms    1.05ms  40.61ms   93.10%
  Latency Distribution
     50%  850.00us
     75%    4.65ms
     90%    5.13ms
     99%    1.20s
  35000 requests in 5.00s, 12.00MB read
  Socket errors: connect 0, read 0, write 0, timeout 3
  Non-2xx or 3xx responses: 2
Requests/sec:   7007.12
Transfer/sec:      2.40MB
"""


def test_load_benchmark_reads_rate_percentiles_and_failures_from_wrk() -> None:
    assert load_benchmark.parse_wrk(WRK_OUTPUT) == load_benchmark.Load(7007.12, 0.85, 1200.0, 5, 35000)


@pytest.mark.anyio
async def test_load_benchmark_without_wrk_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load_benchmark.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match=r"apt-get install -y wrk"):
        await load_benchmark.load_lines(1)
