"""Import figures for the benchmark: a dry run and an apply of generated partner data, on a store of each kind.

Rows per second are timed without tracing; peak memory is traced (tracemalloc) in a second run, since tracing
slows Python down several times. On Neo4j, what the run imported is removed after each run, so the database
holds the seeds again.
"""

from __future__ import annotations

import datetime
import json
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from graph_api.cli import load_seeds
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.datafolder import DataFolder
from graph_api.store.memory import MemoryStore
from graph_api.store.neo4j import Neo4jStore
from loaders import ptv
from loaders.importing import Reading, Reference, apply, plan
from loaders.spreadsheet import read_spreadsheet
from tests.conftest import SEEDS, neo4j_store_for
from tests.loaders.ptv_channels import ptv_channels
from tests.loaders.spreadsheet_rows import spreadsheet_rows

MAX_BYTES = 50_000_000
PTV_LOCATIONS = 1_000
Read = Callable[[Reference], Awaitable[Reading]]


@dataclass(frozen=True)
class ImportFigures:
    rows: int
    dry_run_rows_per_s: float
    apply_rows_per_s: float
    dry_run_peak_mib: float
    apply_peak_mib: float


def spreadsheet_reader(folder: Path, rows: int) -> Read:
    """A reader of a generated spreadsheet of `rows` rows with coordinates, written once into `folder`."""
    path = folder / "benchmark.csv"
    path.write_text(spreadsheet_rows(rows), encoding="utf-8")
    geocoder = Settings(_env_file=None).create_geocoder()
    return lambda reference: read_spreadsheet(path, reference, geocoder, MAX_BYTES)


def ptv_reader(folder: Path, locations: int) -> Read:
    """A reader of a saved PTV listing of one organization's `locations` service locations, written into `folder`."""
    path = folder / "ptv.json"
    path.write_text(json.dumps(ptv_channels(locations), ensure_ascii=False), encoding="utf-8")

    async def read(reference: Reference) -> Reading:
        (reading,) = ptv.read_file(path, reference, MAX_BYTES)
        return reading

    return read


async def one_run(store: GraphStore, read: Read, traced: bool) -> tuple[float, float, float, float]:
    """Seconds of the dry run (read and plan) and of the apply, and each one's peak traced MiB (0 untraced)."""
    reference = await Reference.of(store, SEEDS)
    now = datetime.datetime.now(datetime.UTC)
    if traced:
        tracemalloc.start()
    try:
        started = time.perf_counter()
        planned = await plan(store, await read(reference), now)
        dry_s = time.perf_counter() - started
        assert planned.rejected == 0, [row for row in planned.rows if row.action == "rejected"][:3]
        dry_peak = tracemalloc.get_traced_memory()[1] if traced else 0
        if traced:
            tracemalloc.reset_peak()
        started = time.perf_counter()
        await apply(store, planned, "benchmark", now)
        apply_s = time.perf_counter() - started
        apply_peak = tracemalloc.get_traced_memory()[1] if traced else 0
    finally:
        if traced:
            tracemalloc.stop()
    return dry_s, apply_s, dry_peak / 2**20, apply_peak / 2**20


async def embedded_figures(read: Read, rows: int) -> ImportFigures:
    """On the embedded store with a data folder of its own, as `graph-api import` runs it."""
    runs = []
    for traced in (False, True):
        with tempfile.TemporaryDirectory(prefix="graph-api-bench-data-") as folder:
            store = MemoryStore(DataFolder(Path(folder)))
            await load_seeds(store, SEEDS)
            runs.append(await one_run(store, read, traced))
    return _figures(rows, runs)


async def neo4j_figures(store: Neo4jStore, read: Read, rows: int) -> ImportFigures:
    """On Neo4j holding the seeds; each run's import is removed again."""
    runs = []
    for traced in (False, True):
        started = datetime.datetime.now(datetime.UTC)
        runs.append(await one_run(store, read, traced))
        async with store.driver.session(database=store.database) as session:
            await session.run(
                "MATCH (n) WHERE n.imported_at >= $started CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS",
                started=started,
            )
            await session.run("MATCH (i:Import) WHERE i.at >= $started DELETE i", started=started)
    return _figures(rows, runs)


def _figures(rows: int, runs: list[tuple[float, float, float, float]]) -> ImportFigures:
    (dry_s, apply_s, _, _), (_, _, dry_peak, apply_peak) = runs
    return ImportFigures(rows, rows / dry_s, rows / apply_s, dry_peak, apply_peak)


async def import_lines(
    neo4j_uri: str | None, rows: int, seed_rows_per_s: dict[str, float], ptv_locations: int = PTV_LOCATIONS
) -> list[str]:
    """The figures' lines: each reader on the embedded store, then on Neo4j when there is one; `rows` spreadsheet
    rows, `ptv_locations` PTV service locations. Each apply is compared with loading the seeds into the same
    backend in the same run (`seed_rows_per_s`, by backend: `memory`, `neo4j`), a baseline the noise shares."""
    with tempfile.TemporaryDirectory(prefix="graph-api-bench-import-") as folder:
        readers = {
            "spreadsheet": (spreadsheet_reader(Path(folder), rows), rows),
            "ptv": (ptv_reader(Path(folder), ptv_locations), ptv_locations),
        }
        lines = [
            line
            for name, (read, n) in readers.items()
            for line in describe(name, await embedded_figures(read, n), seed_rows_per_s["memory"])
        ]
        if neo4j_uri is None:
            return lines
        store = neo4j_store_for(neo4j_uri)
        await store.open()
        try:
            for name, (read, n) in readers.items():
                lines += describe(f"{name}, neo4j", await neo4j_figures(store, read, n), seed_rows_per_s["neo4j"])
        finally:
            await store.close()
    return lines


def describe(name: str, figures: ImportFigures, seed_rows_per_s: float) -> list[str]:
    ratio = figures.apply_rows_per_s / seed_rows_per_s
    return [
        f"import {name}, dry run:  {figures.dry_run_rows_per_s:9.0f} rows/s ({figures.rows} rows), "
        f"peak {figures.dry_run_peak_mib:.1f} MiB traced",
        f"import {name}, apply:    {figures.apply_rows_per_s:9.0f} rows/s, "
        f"peak {figures.apply_peak_mib:.1f} MiB traced",
        f"ratio import {name} apply / seed load: {ratio:6.2f} x (rows per second)",
    ]
