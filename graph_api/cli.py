"""The `graph-api` command: parse options, build the store, app or loader, and hand over.

Each importer and exporter (with what it reads and writes with: openpyxl, httpx, pyproj's transformations) is
imported by the command that runs it, so `serve` starts without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import getpass
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
import uvicorn
from starlette.applications import Starlette

from graph_api import maps
from graph_api.app import create_app
from graph_api.auth import keys as api_keys
from graph_api.auth.caller import ORGANISATION_LABELS, SCOPES
from graph_api.errors import GraphApiError
from graph_api.models import ApiKey, Dataset, ImportRecord, NodeRef
from graph_api.observability.logs import configure_logging
from graph_api.offers import Asked, place_filter
from graph_api.planning import planner
from graph_api.planning.coverage import CoverageTerms
from graph_api.planning.reports import FORMATS, coverage_report
from graph_api.schema import build_schema
from graph_api.schema.ids import parse_global_id
from graph_api.schema.inputs import YEARS
from graph_api.settings import Settings
from graph_api.store.base import GraphStore, LoadSummary
from loaders import importing
from loaders.importing import Plan, Reading, Reference
from loaders.report import FORMATS as REPORT_FORMATS
from loaders.report import render
from loaders.seeds import read_dataset, read_dataset_cached

logger = logging.getLogger("graph_api")
T = TypeVar("T")


@click.group()
@click.version_option(package_name="graph-api")
def main() -> None:
    """The partnership map: a GraphQL service over MLL's network with Finland's family centres."""


BACKEND = click.option(
    "--backend", type=click.Choice(["memory", "neo4j"]), help="Graph store [env GRAPH_BACKEND; default memory]."
)
SEEDS = click.option(
    "--seeds",
    "seeds_dir",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Seed folder [env GRAPH_API_SEEDS; default the shipped seeds/].",
)


def settings_with(**flags: object) -> Settings:
    """Settings from the environment, with the flags given on the command line on top."""
    return Settings(**{name: value for name, value in flags.items() if value is not None})  # type: ignore[arg-type]


@main.command()
@click.option("--host", help="Address to listen on [env GRAPH_API_HOST; default 127.0.0.1].")
@click.option("--port", type=click.IntRange(1, 65535), help="Port to listen on [env GRAPH_API_PORT; default 8000].")
@BACKEND
@SEEDS
def serve(host: str | None, port: int | None, backend: str | None, seeds_dir: Path | None) -> None:
    """Serve the API with uvicorn.

    The embedded store loads the seeds at start-up; Neo4j serves what `graph-api load` wrote into it.
    """
    settings = settings_with(host=host, port=port, backend=backend, seeds_dir=seeds_dir)
    configure_logging(settings.log_format)
    app = served_app(settings)
    # uvicorn's loggers go through the handler above; its access log would repeat the app's request lines.
    # A websocket message is bounded as a request body is; uvicorn pings each websocket every 20 s and closes
    # one whose client does not answer within 20 s (its defaults), so a vanished map frees its subscriptions.
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        ws_max_size=settings.max_body_bytes,
    )


def served_app(settings: Settings) -> Starlette:
    """What `serve` runs: the app over the configured store, the embedded one loading the seeds as it starts."""
    store = settings.create_store()
    on_startup = (
        (lambda s: load_seeds(s, settings.seeds_dir, settings.cache_dir)) if settings.backend == "memory" else None
    )
    return create_app(store, settings, on_startup=on_startup)


async def load_seeds(store: GraphStore, seeds_dir: Path, cache_dir: Path | None = None) -> None:
    """The seeds into the embedded store, then what was imported into its data folder over them; read from the
    derived cache in `cache_dir` when it holds them."""
    started = time.perf_counter()
    summary = await store.load(read_dataset_cached(seeds_dir, cache_dir))
    await store.refresh()
    logger.info(
        "loaded %d nodes and %d relationships from %s in %.0f ms",
        summary.nodes,
        summary.relationships,
        seeds_dir,
        (time.perf_counter() - started) * 1000,
    )


@main.command()
@BACKEND
@SEEDS
def load(backend: str | None, seeds_dir: Path | None) -> None:
    """Write the seeds (reference and demo) into the configured store; loading twice changes nothing."""
    settings = settings_with(backend=backend, seeds_dir=seeds_dir)
    try:
        dataset = read_dataset(settings.seeds_dir)
        summary = asyncio.run(_load(settings.create_store(), dataset))
    except GraphApiError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{'':20} {'created':>8} {'updated':>8} {'unchanged':>9}")
    for name, counts in summary.changes.items():
        click.echo(f"{name:20} {counts['created']:8} {counts['updated']:8} {counts['unchanged']:9}")
    if settings.backend == "memory":
        click.echo("The seeds are valid: the embedded store loads them at start-up (and its data folder over them).")


async def _load(store: GraphStore, dataset: Dataset) -> LoadSummary:
    await store.open()
    try:
        with click.progressbar(length=len(dataset.nodes) + len(dataset.relationships), label="Loading") as bar:
            return await store.load(dataset, progress=bar.update)
    finally:
        await store.close()


@dataclass(frozen=True)
class ImportOptions:
    """What every `graph-api import` reader is asked to do with what it read."""

    apply: bool
    report: str
    allow_rejects: bool
    replace_demo: bool
    by: str | None


Read = Callable[[Reference, Settings], Awaitable[Reading | list[Reading]]]
"""A reader: what it read, given the reference data to check it against and the settings (limits, URLs); an input
of several sources (PTV's organizations) gives a reading of each, imported together."""


def import_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options every import subcommand takes, passed to it as `options` (an `ImportOptions`)."""

    @click.option("--apply", is_flag=True, help="Write it; without this nothing is written (a dry run).")
    @click.option(
        "--report",
        "report_format",
        type=click.Choice(REPORT_FORMATS),
        default="table",
        show_default=True,
        help="The report: a table for people, csv, or json for programs.",
    )
    @click.option("--allow-rejects", is_flag=True, help="Apply what was accepted even though something was rejected.")
    @click.option(
        "--replace-demo",
        is_flag=True,
        help="Withdraw the demo meeting places of the kinds imported, in the municipalities the import covers.",
    )
    @click.option("--by", help="Who runs the import, as the import's record names it [default: the OS user].")
    @BACKEND
    @SEEDS
    @functools.wraps(command)
    def wrapped(
        apply: bool,
        report_format: str,
        allow_rejects: bool,
        replace_demo: bool,
        by: str | None,
        backend: str | None,
        seeds_dir: Path | None,
        **arguments: Any,
    ) -> None:
        options = ImportOptions(apply, report_format, allow_rejects, replace_demo, by)
        command(settings=settings_with(backend=backend, seeds_dir=seeds_dir), options=options, **arguments)

    return wrapped


def run_import(settings: Settings, options: ImportOptions, read: Read) -> None:
    """Read, plan and report; with `--apply`, write it all in one transaction, or nothing.

    The exit status is 1 when anything was rejected and `--allow-rejects` was not given: then `--apply` writes
    nothing, and a dry run says that it would not.
    """
    try:
        plan, record = asyncio.run(_import(settings, options, read))
    except GraphApiError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(render(plan, options.report), nl=False)
    if plan.rejected and not options.allow_rejects:
        what = "nothing was written" if options.apply else "--apply would write nothing"
        click.echo(f"{plan.rejected} rejected: {what} (--allow-rejects applies the rest)", err=True)
        raise SystemExit(1)
    if record is not None:
        click.echo(f"import {record.number} applied: {plan.source}, by {record.by}", err=True)
    elif not options.apply:
        click.echo("dry run: nothing was written (--apply writes it)", err=True)


async def _import(settings: Settings, options: ImportOptions, read: Read) -> tuple[Plan, ImportRecord | None]:
    async with opened_store(settings) as store:
        result = await read(await Reference.of(store, settings.seeds_dir), settings)
        now = datetime.datetime.now(datetime.UTC)
        readings = result if isinstance(result, list) else [result]
        plan = importing.combine(
            [await importing.plan(store, reading, now, replace_demo=options.replace_demo) for reading in readings]
        )
        if not options.apply or (plan.rejected and not options.allow_rejects):
            return plan, None
        return plan, await importing.apply(store, plan, options.by or _os_user(), now)


@contextlib.asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[GraphStore]:
    """The configured store, open; the embedded one with the seeds loaded as `serve` loads them."""
    store = settings.create_store()
    await store.open()
    try:
        if settings.backend == "memory":
            await load_seeds(store, settings.seeds_dir, settings.cache_dir)
        yield store
    finally:
        await store.close()


def _os_user() -> str:
    """Who runs the import, as the OS knows them; a container run with an arbitrary uid may have no name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@main.group("import")
def import_() -> None:
    """Bring partner data in (PTV, HSDS, spreadsheets): a dry run and its report unless --apply is given."""


@import_.command("hsds")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option(
    "--name", help="The source is hsds:NAME; a later import of that name replaces it [default: FOLDER's name]."
)
@import_options
def import_hsds(settings: Settings, options: ImportOptions, folder: Path, name: str | None) -> None:
    """An Open Referral HSDS 3.0 package (a folder of CSV files): organisations, meeting places, opening hours."""
    from loaders import hsds

    async def read(reference: Reference, settings: Settings) -> Reading:
        return await hsds.read_package(folder, reference, settings.import_max_bytes, name)

    run_import(settings, options, read)


@import_.command("spreadsheet")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@import_options
def import_spreadsheet(settings: Settings, options: ImportOptions, file: Path) -> None:
    """Meeting places from a partner's FILE, a .csv or .xlsx with the template's columns.

    The source is `spreadsheet:` and the file's name: keep the name from one import to the next, as what an
    import of that name listed before and lists no more is withdrawn. Rows without lat/lon are placed by the
    configured geocoder [env GEOCODER].
    """
    from loaders.spreadsheet import read_spreadsheet

    async def read(reference: Reference, settings: Settings) -> Reading:
        limit = settings.import_max_bytes
        return await read_spreadsheet(file, reference, settings.create_geocoder(), limit)

    run_import(settings, options, read)


@import_.command("ptv")
@click.option(
    "--organization",
    "organizations",
    multiple=True,
    help="A PTV organization (its GUID) whose family centres and meeting places to read from the live API; its "
    "places are source ptv:<GUID>. Give it again for more organizations, imported together.",
)
@click.option(
    "--file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A saved answer of PTV's service-channel listing (a page with an itemList, or a JSON array of channels), "
    "read instead of the API; its channels' organizations are linked where already imported.",
)
@import_options
def import_ptv(settings: Settings, options: ImportOptions, organizations: tuple[str, ...], file: Path | None) -> None:
    """Service locations from PTV's Open API v11 (PTV_API_URL, PTV_TIMEOUT, PTV_RETRIES), or from a saved FILE.

    Give --organization (once or more) or --file. Each organization is a source of its own (ptv:<GUID>): what it
    no longer lists is withdrawn, and nothing of another's. Several are imported in one transaction, or none.
    """
    if bool(organizations) == bool(file):
        raise click.UsageError("give --organization (once or more) or --file: one of them, not both")
    from loaders import ptv
    from loaders.ptv_api import PtvApi

    async def read(reference: Reference, settings: Settings) -> list[Reading]:
        if file is not None:
            return ptv.read_file(file, reference, settings.import_max_bytes)
        api = PtvApi.from_settings(settings)
        return [
            await ptv.read(reference, organization, api)
            for organization in dict.fromkeys(o.lower() for o in organizations)
        ]

    run_import(settings, options, read)


@import_.command("template")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, writable=True))
@SEEDS
def import_template(file: Path, seeds_dir: Path | None) -> None:
    """Write the spreadsheet template partners fill in to FILE (.xlsx): the columns, an example row,
    instructions, and drop-down lists of kinds, roles and municipalities."""
    if file.suffix.lower() != ".xlsx":
        raise click.BadParameter(f"{file} does not end in .xlsx", param_hint="FILE")
    from loaders.template import write_template

    write_template(file, settings_with(seeds_dir=seeds_dir).seeds_dir)
    click.echo(f"wrote {file}: fill in the sheet 'places', then graph-api import spreadsheet {file.name}", err=True)


@main.group("export")
def export() -> None:
    """Write the graph's data out in a standard form, for partners' systems."""


@export.command("hsds")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@BACKEND
@SEEDS
def export_hsds(folder: Path, backend: str | None, seeds_dir: Path | None) -> None:
    """Organisations, meeting places and opening hours as an Open Referral HSDS 3.0 package (CSV files in FOLDER)."""
    settings = settings_with(backend=backend, seeds_dir=seeds_dir)
    try:
        written = asyncio.run(_export_hsds(settings, folder))
    except GraphApiError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(", ".join(f"{count} {name}" for name, count in written.items()) + f" written to {folder}")


async def _export_hsds(settings: Settings, folder: Path) -> dict[str, int]:
    from loaders.hsds_export import export_package

    async with opened_store(settings) as store:
        return await export_package(store, await Reference.of(store, settings.seeds_dir), folder)


@main.group()
def report() -> None:
    """Figures for planners, offline, from the configured store."""


@report.command("coverage")
@click.option(
    "--area",
    "area_id",
    required=True,
    help="Global id of a Municipality, WelfareArea, Region or District, e.g. WelfareArea:KY.",
)
@click.option(
    "--within-km",
    type=click.FloatRange(0, planner.MAX_WITHIN_KM, min_open=True),
    default=planner.DEFAULT_WITHIN_KM,
    show_default=True,
    help="The distance from a meeting place that counts as within reach.",
)
@click.option(
    "--kinds", metavar="KINDS", help="Kinds of meeting place, comma-separated (e.g. FAMILY_CAFE); all kinds by default."
)
@click.option(
    "--activities",
    metavar="KEYS",
    help="Count only places offering one of these activities: keys, comma-separated (e.g. family-cafes,clubs).",
)
@click.option(
    "--tasks",
    metavar="KEYS",
    help="Count only places offering an activity that serves one of THL's family-centre tasks: keys 1 to 4, "
    "comma-separated.",
)
@click.option("--year", type=click.IntRange(*YEARS), help="Agreements in force in this year count; default this year.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="csv", show_default=True, help="Output.")
@BACKEND
@SEEDS
def coverage(
    area_id: str,
    within_km: float,
    kinds: str | None,
    activities: str | None,
    tasks: str | None,
    year: int | None,
    output_format: str,
    backend: str | None,
    seeds_dir: Path | None,
) -> None:
    """Print an area's coverage and its municipalities' (the GraphQL `coverage` figures) to stdout.

    A place counts when it is of one of the --kinds, offers one of the --activities, and offers an activity
    serving one of the --tasks: each option given narrows the places, as GraphQL's arguments do.
    """
    settings = settings_with(backend=backend, seeds_dir=seeds_dir)
    try:
        area = parse_global_id(area_id, "--area", planner.AREA_LABELS)
        kinds_asked = None if kinds is None else maps.parse_kinds(kinds, "--kinds")
        activities_asked = Asked.by_key(activities, "--activities", "Activity")
        tasks_asked = Asked.by_key(tasks, "--tasks", "FamilyCentreTask")

        async def terms(store: GraphStore) -> CoverageTerms:
            places = await place_filter(store, kinds_asked, activities_asked, tasks_asked)
            return planner.coverage_terms(within_km, places, year)

        click.echo(asyncio.run(_coverage_report(settings, area, terms, output_format)), nl=False)
    except GraphApiError as exc:
        raise click.ClickException(str(exc)) from exc


async def _coverage_report(
    settings: Settings, area: NodeRef, terms: Callable[[GraphStore], Awaitable[CoverageTerms]], output_format: str
) -> str:
    """The report, on terms read from the store it is made from: the activities and tasks asked must be in it."""
    async with opened_store(settings) as store:
        return await coverage_report(store, settings.seeds_dir, area, await terms(store), output_format)


@main.group()
def keys() -> None:
    """Partners' API keys: each speaks for one organisation with its scopes; the store keeps only its hash."""


@keys.command("create")
@click.option("--org", "organisation", required=True, help="Global id of the organisation, e.g. District:uusimaa.")
@click.option(
    "--scope",
    "scopes",
    required=True,
    multiple=True,
    type=click.Choice(SCOPES),
    help="A scope; give it again for more.",
)
@click.option("--name", help="What the key is for, as `keys list` shows it, e.g. the partner's system.")
@click.option("--expires-days", type=click.IntRange(1, 3650), help="Days until the key expires [default: never].")
@BACKEND
@SEEDS
def keys_create(
    organisation: str,
    scopes: tuple[str, ...],
    name: str | None,
    expires_days: int | None,
    backend: str | None,
    seeds_dir: Path | None,
) -> None:
    """Make a key, and print its token on the last line: it is shown this once, and cannot be recovered."""
    ref = NodeRef.parse(organisation)
    if ref is None or ref.label not in ORGANISATION_LABELS:
        raise click.BadParameter(
            f"{organisation!r} is not the global id of an organisation ({', '.join(ORGANISATION_LABELS)})",
            param_hint="'--org'",
        )
    now = datetime.datetime.now(datetime.UTC)
    expires_at = None if expires_days is None else now + datetime.timedelta(days=expires_days)
    key, token = api_keys.new_key(str(ref), scopes, now, name, expires_at)
    settings = settings_with(backend=backend, seeds_dir=seeds_dir)
    try:
        asyncio.run(_keys_create(settings, ref, key))
    except GraphApiError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created key {key.id} for {key.organisation}: {', '.join(key.scopes)}; expires {_when(expires_at)}")
    click.echo("the token follows; it is shown only now: keep it as a secret")
    click.echo(token)


async def _keys_create(settings: Settings, organisation: NodeRef, key: ApiKey) -> None:
    async with opened_store(settings) as store:
        if (await store.get_many([organisation]))[0] is None:
            raise click.BadParameter(
                f"there is no {organisation} in the {settings.backend} store", param_hint="'--org'"
            )
        await store.add_key(key)


@keys.command("list")
@BACKEND
def keys_list(backend: str | None) -> None:
    """Every key, revoked ones too, oldest first; never a token or its hash."""
    try:
        found = asyncio.run(_with_store(settings_with(backend=backend), lambda store: store.api_keys()))
    except GraphApiError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = [("id", "organisation", "scopes", "name", "created", "expires", "revoked")] + [
        (
            k.id,
            k.organisation,
            ",".join(k.scopes),
            k.name or "",
            _when(k.created_at),
            _when(k.expires_at),
            _when(k.revoked_at, ""),
        )
        for k in found
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@keys.command("revoke")
@click.argument("key_id")
@BACKEND
def keys_revoke(key_id: str, backend: str | None) -> None:
    """Revoke the key KEY_ID: every API process sharing the store refuses it from its next request on."""
    now = datetime.datetime.now(datetime.UTC)
    try:
        key = asyncio.run(_with_store(settings_with(backend=backend), lambda store: store.revoke_key(key_id, now)))
    except GraphApiError as exc:
        raise click.ClickException(str(exc)) from exc
    if key is None:
        raise click.ClickException(f"there is no key {key_id} (graph-api keys list shows them)")
    already = "" if key.revoked_at == now else "already "
    click.echo(f"key {key.id} of {key.organisation} was {already}revoked at {_when(key.revoked_at)}")


async def _with_store(settings: Settings, use: Callable[[GraphStore], Awaitable[T]]) -> T:
    """What `use` reads or writes in the configured store, open meanwhile; keys need no seeds loaded."""
    store = settings.create_store()
    await store.open()
    try:
        return await use(store)
    finally:
        await store.close()


def _when(moment: datetime.datetime | None, never: str = "never") -> str:
    return never if moment is None else moment.isoformat(timespec="seconds")


@main.command("export-schema")
def export_schema() -> None:
    """Print the GraphQL schema (SDL); `schema.graphql` is this output."""
    click.echo(build_schema().as_str())


@main.group()
def seeds() -> None:
    """Build the seed folder from its sources."""


@seeds.command("import-reference")
@click.option(
    "--from",
    "data_dir",
    required=True,
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Folder with the public reference files (the project's shared/data).",
)
@click.option(
    "--seeds",
    "seeds_dir",
    default=Path("seeds"),
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Seed folder to write into.",
)
def import_reference(data_dir: Path, seeds_dir: Path) -> None:
    """Convert the public reference data into seeds/reference/."""
    from loaders.reference import import_reference as run

    for name, count in run(data_dir, seeds_dir).items():
        click.echo(f"{name}: {count}")


@seeds.command("generate-demo")
@click.option(
    "--seeds",
    "seeds_dir",
    default=Path("seeds"),
    show_default=True,
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Seed folder to read and write.",
)
@click.option("--seed", default=2023, show_default=True, help="Random seed; the same seed writes the same files.")
def generate_demo(seeds_dir: Path, seed: int) -> None:
    """Write seeds/demo/ anew from seeds/reference/, deterministically."""
    from loaders.demo import generate_demo as run

    for name, count in run(seeds_dir, seed).items():
        click.echo(f"{name}: {count}")


if __name__ == "__main__":
    main()
