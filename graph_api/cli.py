"""The `graph-api` command: parse options, build the store, app or loader, and hand over."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import click
import uvicorn

from graph_api.app import create_app
from graph_api.schema import build_schema
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore

logger = logging.getLogger("graph_api")


@click.group()
@click.version_option(package_name="graph-api")
def main() -> None:
    """The partnership map: a GraphQL service over MLL's network with Finland's family centres."""


@main.command()
@click.option("--host", help="Address to listen on [env GRAPH_API_HOST; default 127.0.0.1].")
@click.option("--port", type=click.IntRange(1, 65535), help="Port to listen on [env GRAPH_API_PORT; default 8000].")
@click.option(
    "--backend", type=click.Choice(["memory"]), help="Graph store to serve from [env GRAPH_BACKEND; default memory]."
)
@click.option(
    "--seeds",
    "seeds_dir",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Seed folder to load at start-up [env GRAPH_API_SEEDS; default the shipped seeds/].",
)
def serve(host: str | None, port: int | None, backend: str | None, seeds_dir: Path | None) -> None:
    """Serve the API with uvicorn; the embedded store loads the seeds at start-up."""
    flags = {"host": host, "port": port, "backend": backend, "seeds_dir": seeds_dir}
    settings = Settings(**{name: value for name, value in flags.items() if value is not None})  # type: ignore[arg-type]
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    app = create_app(MemoryStore(), settings, on_startup=lambda store: load_seeds(store, settings.seeds_dir))
    uvicorn.run(app, host=settings.host, port=settings.port)


async def load_seeds(store: GraphStore, seeds_dir: Path) -> None:
    from loaders.seeds import read_dataset

    started = time.perf_counter()
    summary = await store.load(read_dataset(seeds_dir))
    logger.info(
        "loaded %d nodes and %d relationships from %s in %.0f ms",
        summary.nodes,
        summary.relationships,
        seeds_dir,
        (time.perf_counter() - started) * 1000,
    )


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
