"""The benchmark command runs and prints every figure it promises (its numbers are not asserted)."""

from __future__ import annotations

import pytest

from graph_api.store.neo4j import Neo4jStore
from tests import benchmark
from tests.conftest import Neo4jDatabase


@pytest.mark.anyio
async def test_benchmark_prints_each_figure_for_both_backends(
    neo4j_store: Neo4jStore, neo4j_database: Neo4jDatabase, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the session's Neo4j holding the seeds (and nothing a writing test left); it loads them again, and its
    write figures leave their edits, so the next test asking for the seeds gets them loaded afresh."""
    try:
        await benchmark.run(
            queries=3,
            neo4j_uri=neo4j_store.uri,
            import_rows=50,
            ptv_locations=20,
            writes=16,
            load_seconds=3,
            warm_up_s=1,
        )
    finally:
        neo4j_database.seeded = False
    output = capsys.readouterr().out
    labels = ["read seeds", "load embedded store", "kd-tree", "brute-force", "ratio", "ASGI app"]
    labels += ["launch to /readyz", "launch to first answer", "plain uvicorn+Starlette", "ratio first answer / plain"]
    labels += ["CPU to first answer", "schema build", "imports of the CLI", "first use, whereIs's boundaries"]
    labels += ["first use, the gazetteer", "first use, the populated places"]
    labels += ["fuzz run, peak memory", "findings"]
    labels += ["whereIs point-in-polygon", "whereIs loop", "ratio loop / STRtree"]
    labels += ["build the gazetteer", "geocode offline, exact", "geocode offline, misspelt", "ratio exact / misspelt"]
    labels += ["neo4j, load seeds", "neo4j, load again", "neo4j, nearby in process", "ratio neo4j", "neo4j, nearby"]
    labels += ["neo4j, first load, fresh server", "neo4j, load again, queries unplanned", "ratio neo4j first load"]
    labels += ["neo4j, the first reads after the loads", "neo4j, RETURN 1 through the driver", "client's CPU"]
    labels += ["neo4j, RETURN 1 through the store", "ratio neo4j one node / RETURN 1", "neo4j://, one node by key"]
    labels += ["network of the largest county", "network figures, embedded", "neo4j, network figures", "same figures"]
    labels += ["ratio neo4j / embedded network"]
    labels += ["load, repeated nearby, graph-api", "load, unique nearby, bare strawberry", "ratio graph-api / plain"]
    labels += ["import spreadsheet, dry run", "import spreadsheet, apply"]
    labels += ["import spreadsheet, neo4j, dry run", "import spreadsheet, neo4j, apply"]
    labels += ["import ptv, dry run", "import ptv, apply", "import ptv, neo4j, dry run", "import ptv, neo4j, apply"]
    labels += ["ratio import spreadsheet apply / seed load", "ratio import ptv, neo4j apply / seed load"]
    labels += ["national coverage, 309 at 10 km", "national coverage again"]
    labels += ["coverage distances, kd-tree", "coverage distances, brute force", "ratio coverage brute force / kd-tree"]
    labels += ["neo4j, national coverage", "neo4j, national coverage again", "ratio neo4j / embedded coverage"]
    for task in ("task 1", "task 2", "task 3"):
        labels += [f"national coverage, {task}", f"ratio {task} / no filter"]
        labels += [f"neo4j, national coverage, {task}", f"ratio neo4j, {task} / no filter"]
    for backend in ("embedded", "neo4j"):
        labels += [f"writes, {backend}: reads over HTTP (baseline)", f"writes, {backend}: updateMeetingPlace over HTTP"]
        labels += [f"ratio writes, {backend}: reads / writes", f"writes, {backend}: store write with its audit entry"]
        labels += [f"ratio writes, {backend}: audit overhead", f"writes, {backend}: rename sent -> its answer"]
        labels += [f"writes, {backend}: the message after the answer", f"writes, {backend}: measuring the data sizes"]
    for label in labels:
        assert label in output
