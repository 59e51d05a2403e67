"""What `graph-api serve` does before its first answer: the imports and builds the first query needs, and none of
what only other features need (they import and build theirs when first used)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.conftest import ROOT

FIRST_ANSWER = textwrap.dedent(
    """
    import asyncio, json, sys

    from graph_api.cli import served_app
    from graph_api.geo.areas import MunicipalityLocator, PostalCodeAreaLocator
    from graph_api.geo.gazetteer import Gazetteer
    from graph_api.geo.places import settlements_by_municipality
    from graph_api.settings import Settings

    QUERY = "{ nearby(near: {lat: 60.1699, lon: 24.9384}, radiusKm: 2, limit: 5) { distanceKm place { id name } } }"


    async def first_answer() -> dict:
        app = served_app(Settings(_env_file=None))
        sent, bodies = [], [json.dumps({"query": QUERY}).encode()]

        async def receive() -> dict:  # the body, then a client that stays until the answer
            if bodies:
                return {"type": "http.request", "body": bodies.pop(), "more_body": False}
            await asyncio.Event().wait()

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": "/graphql", "raw_path": b"/graphql", "root_path": "", "query_string": b"",
            "headers": [(b"content-type", b"application/json"), (b"host", b"localhost")],
            "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
        }
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)
        return json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))


    answer = asyncio.run(first_answer())
    built = [Gazetteer.from_seeds, MunicipalityLocator.from_seeds, PostalCodeAreaLocator.from_seeds]
    built.append(settlements_by_municipality)
    print(json.dumps({
        "answer": answer,
        "modules": sorted(sys.modules),
        "built": [made.cache_info().currsize for made in built],
    }))
    """
)

LAZY = [
    "scipy",  # no longer the service's: the kd-tree is pykdtree's (scipy stays for the benchmarks' references)
    "openpyxl",  # spreadsheets: the importers and the template
    "httpx",  # PTV's API (and OIDC's key set goes through PyJWT)
    "jwt",  # OpenID Connect, only when it is configured
    "cryptography",
    "geopy",  # the online geocoders
    "diskcache",  # their answer cache
    "loaders.hsds",
    "loaders.hsds_export",
    "loaders.ptv",
    "loaders.ptv_api",
    "loaders.spreadsheet",
    "loaders.template",
]


def test_serve_answers_its_first_query_without_what_other_features_need() -> None:
    """The app `serve` runs, started and asked a small `nearby` in a fresh process: it answers, the importers,
    exporters, online geocoders and OIDC were never imported, and nothing was derived from the seed files (the
    gazetteer, the boundaries, the populated places: each is made by the first request that needs it)."""
    run = subprocess.run([sys.executable, "-c", FIRST_ANSWER], cwd=ROOT, capture_output=True, text=True, check=True)
    found = json.loads(run.stdout)
    assert "errors" not in found["answer"], found["answer"]
    assert len(found["answer"]["data"]["nearby"]) == 5
    assert [module for module in LAZY if module in found["modules"]] == []
    assert found["built"] == [0, 0, 0, 0]


COMMAND_LINE_IMPORTED = textwrap.dedent(
    """
    import gc, json, sys

    walks = []
    gc.callbacks.append(lambda phase, info: phase == "start" and walks.append(info["generation"]))
    from graph_api.__main__ import main

    sys.argv = ["graph-api", "--version"]
    try:
        main()
    except SystemExit:
        pass
    print(json.dumps({"walks": walks, "frozen": gc.get_freeze_count(), "enabled": gc.isenabled()}))
    """
)


def test_the_command_line_is_imported_without_the_collector_and_left_out_of_its_walks() -> None:
    """`graph-api` (and `python -m graph_api`) imports the service with the cyclic garbage collector paused, then
    freezes what the imports made and resumes it: no collection ran over them, and later ones skip them."""
    run = subprocess.run([sys.executable, "-c", COMMAND_LINE_IMPORTED], cwd=ROOT, capture_output=True, text=True)
    found = json.loads(run.stdout.splitlines()[-1])
    assert found["walks"] == [] and found["enabled"], found
    assert found["frozen"] > 100_000
