"""The `graph-api` command as an operator runs it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from click.testing import CliRunner, Result

from graph_api.cli import main
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore
from graph_api.store.neo4j import Neo4jStore
from tests.conftest import GraphQLClient, client_for
from tests.neo4j_server import free_port

ROOT = Path(__file__).resolve().parent.parent
COUNT = "{ municipalities { totalCount } }"


def test_schema_graphql_is_what_export_schema_prints() -> None:
    """Fails when the schema changes without `graph-api export-schema > schema.graphql`."""
    result = CliRunner().invoke(main, ["export-schema"])
    assert result.exit_code == 0
    assert result.output == (ROOT / "schema.graphql").read_text(encoding="utf-8")


def serve_and_count(env: dict[str, str]) -> tuple[int, str]:
    """Run `graph-api serve`, ask how many municipalities there are, stop it; the count and the log."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "graph_api", "serve", "--host", "127.0.0.1"],
        env={**os.environ, **env, "GRAPH_API_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": COUNT})
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    return response.json()["data"]["municipalities"]["totalCount"], output


def test_serve_answers_graphql_with_the_shipped_seeds() -> None:
    count, log = serve_and_count({})
    assert count == 309
    assert "loaded 1541 nodes" in log


@pytest.mark.anyio
async def test_load_into_neo4j_reports_what_it_changed_and_serve_answers_from_it(neo4j_store: Neo4jStore) -> None:
    """The session's Neo4j holds the seeds already, so `load` finds every row unchanged."""
    env = {"GRAPH_BACKEND": "neo4j", "NEO4J_URI": neo4j_store.uri}
    result = subprocess.run(
        [sys.executable, "-m", "graph_api.cli", "load"], env={**os.environ, **env}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[1:] if line.split()}
    assert rows["Municipality"] == ["0", "0", "309"]
    assert rows["HAS_AGREEMENT"] == ["0", "0", "32"]
    count, _ = serve_and_count(env)
    assert count == 309


def test_load_from_a_folder_without_seeds_fails_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["load", "--seeds", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not a seed folder" in result.output


KY = ["report", "coverage", "--area", "WelfareArea:KY", "--year", "2023"]
KYMENLAAKSO = [*KY, "--kinds", "FAMILY_CAFE"]
OFFERS = ["--kinds", "FAMILY_CAFE,OPEN_DAYCARE", "--activities", "clubs,support-persons", "--tasks", "3"]
KYMENLAAKSO_CODES = ["075", "285", "286", "489", "624", "935"]
FIGURES = "population places placesPer10k weightedDistanceKm shareWithin populationBeyond"


def printed(*args: str) -> str:
    """What `graph-api` prints with these arguments, checked to succeed."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def report(*args: str) -> str:
    return printed(*KYMENLAAKSO, *args)


async def graphql_coverage(store: GraphStore, arguments: str) -> dict[str, Any]:
    """GraphQL's `coverage` of Kymenlaakso with the agreements of 2023, and `arguments` besides."""
    query = f"""{{ coverage(areaId: "WelfareArea:KY", year: 2023, {arguments}) {{ {FIGURES}
      municipalitiesUnderAgreement municipalities {{ municipality {{ nameFi }} {FIGURES} underAgreement }} }} }}"""
    async with client_for(store) as http:
        return (await GraphQLClient(http).data(query))["coverage"]  # type: ignore[no-any-return]


def check_figures(rows: list[dict[str, str]], coverage: dict[str, Any]) -> None:
    """The CSV rows hold GraphQL's figures: the municipalities' in order, then the area's."""
    for row, figures in zip(rows, [*coverage["municipalities"], coverage], strict=True):
        for name in ("population", "places", "populationBeyond"):
            assert int(row[name]) == figures[name]
        for name in ("placesPer10k", "weightedDistanceKm", "shareWithin"):
            assert (float(row[name]) if row[name] else None) == figures[name]


@pytest.mark.anyio
async def test_report_coverage_csv_has_the_graphql_figures_a_row_a_municipality_and_the_area_last(
    memory_store: MemoryStore,
) -> None:
    printed = await anyio.to_thread.run_sync(report, "--within-km", "5", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(printed)))
    assert list(rows[0]) == [
        "id",
        "name",
        "municipalities",
        "population",
        "populationYear",
        "places",
        "placesPer10k",
        "weightedDistanceKm",
        "withinKm",
        "shareWithin",
        "populationBeyond",
        "municipalitiesUnderAgreement",
        "populationUnderAgreement",
        "agreementYear",
        "kinds",
        "activities",
        "tasks",
        "isDemo",
    ]
    assert [row["id"] for row in rows] == [*(f"Municipality:{code}" for code in KYMENLAAKSO_CODES), "WelfareArea:KY"]
    answer = await graphql_coverage(memory_store, "withinKm: 5, kinds: [FAMILY_CAFE]")
    check_figures(rows, answer)
    terms = {(r["withinKm"], r["kinds"], r["activities"], r["tasks"], r["agreementYear"], r["isDemo"]) for r in rows}
    assert terms == {("5.0", "FAMILY_CAFE", "", "", "2023", "true")}, "activities and tasks empty: not asked"
    assert rows[0]["name"] == answer["municipalities"][0]["municipality"]["nameFi"] == "Hamina"
    assert [row["municipalities"] for row in rows] == ["1"] * 6 + ["6"]
    assert rows[-1]["municipalitiesUnderAgreement"] == "0"


@pytest.mark.parametrize(
    ("args", "arguments", "asked", "places"),
    [
        pytest.param(
            ["--activities", "family-cafes,clubs"],
            'activityIds: ["Activity:family-cafes", "Activity:clubs"]',
            ("clubs family-cafes", ""),
            11,
            id="activities",
        ),
        pytest.param(
            ["--tasks", "1,2"],
            'taskIds: ["FamilyCentreTask:1", "FamilyCentreTask:2"]',
            ("", "1 2"),
            13,
            id="tasks",
        ),
        pytest.param(
            ["--activities", " clubs , family-cafes", "--tasks", "2, 1"],
            'activityIds: ["Activity:family-cafes", "Activity:clubs"], '
            'taskIds: ["FamilyCentreTask:1", "FamilyCentreTask:2"]',
            ("clubs family-cafes", "1 2"),
            10,
            id="both",
        ),
        pytest.param(
            OFFERS,
            'kinds: [FAMILY_CAFE, OPEN_DAYCARE], activityIds: ["Activity:support-persons", "Activity:clubs"], '
            'taskIds: ["FamilyCentreTask:3"]',
            ("clubs support-persons", "3"),
            5,
            id="with-kinds",
        ),
    ],
)
@pytest.mark.anyio
async def test_report_coverage_by_activities_and_tasks_has_the_graphql_figures(
    memory_store: MemoryStore, args: list[str], arguments: str, asked: tuple[str, str], places: int
) -> None:
    """Kymenlaakso's 14 demo places, by hand: its ten family cafés all offer family-cafes (tasks 1 and 2), four
    of them support-persons (task 3) too; Miehikkälä's open daycare offers clubs (no task) and support-persons;
    Pyhtää's meeting place meeting-places (task 1) and support-persons; Kouvola's two family houses
    meeting-places. So the cafés and the daycare offer family-cafes or clubs (11); all but the daycare serve task
    1 or 2 (13); both hold for the cafés (10); the daycare and the four cafés offer support-persons, serving task
    3, leaving out the meeting place, which is of another kind (5)."""
    rows = list(csv.DictReader(io.StringIO(await anyio.to_thread.run_sync(lambda: printed(*KY, *args)))))
    check_figures(rows, await graphql_coverage(memory_store, arguments))
    assert {(row["activities"], row["tasks"]) for row in rows} == {asked}, "on every row"
    assert int(rows[-1]["places"]) == places


def test_report_coverage_markdown_is_a_table_with_a_total() -> None:
    lines = report("--format", "markdown").splitlines()
    assert lines[0] == "# Coverage of Kymenlaakson hyvinvointialue (WelfareArea:KY)"
    assert "FAMILY_CAFE; within 10 km; agreements in force in 2023; population at the end of 2020" in lines[2]
    assert "generated demo data" in lines[2]
    assert "offering" not in lines[2] and "task" not in lines[2], "nothing of activities or tasks: not asked"
    table = [line for line in lines if line.startswith("|")]
    assert table[0].startswith("| municipality | code | population | places |")
    assert [row.split(" | ")[1] for row in table[2:-1]] == KYMENLAAKSO_CODES
    assert table[-1].startswith("| **total** |  | 162812 |") and table[-1].endswith("| 0 of 6 |")


def test_report_coverage_geojson_has_the_boundaries_with_the_figures() -> None:
    collection = json.loads(report("--format", "geojson"))
    assert collection["type"] == "FeatureCollection"
    assert collection["area"] == "WelfareArea:KY"
    terms = {"withinKm": 10.0, "kinds": ["FAMILY_CAFE"], "activities": None, "tasks": None, "agreementYear": 2023}
    assert collection["terms"] == terms
    assert collection["totals"]["population"] == 162812
    features = collection["features"]
    assert [f["id"] for f in features] == [f"Municipality:{code}" for code in KYMENLAAKSO_CODES]
    for feature in features:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        assert feature["properties"]["welfareArea"] == "WelfareArea:KY"
        assert feature["properties"]["populationYear"] == 2020
        assert feature["properties"]["isDemo"] is True
        assert {
            "places",
            "placesPer10k",
            "weightedDistanceKm",
            "shareWithin",
            "populationBeyond",
            "underAgreement",
        } <= set(feature["properties"])
    assert sum(f["properties"]["populationBeyond"] for f in features) == collection["totals"]["populationBeyond"]


def test_report_coverage_markdown_and_geojson_name_the_activities_and_tasks_asked() -> None:
    asked = ("--activities", "family-cafes, clubs", "--tasks", "1,2")
    line = report(*asked, "--format", "markdown").splitlines()[2]
    assert line.startswith(
        "Meeting places: FAMILY_CAFE; offering clubs or family-cafes; offering an activity that serves family-centre "
        "task 1 or 2; within 10 km; agreements in force in 2023;"
    )
    line = report("--tasks", "3", "--format", "markdown").splitlines()[2]
    assert line.startswith("Meeting places: FAMILY_CAFE; offering an activity that serves family-centre task 3; within")
    terms = json.loads(report(*asked, "--format", "geojson"))["terms"]
    assert terms == {
        "withinKm": 10.0,
        "kinds": ["FAMILY_CAFE"],
        "activities": ["clubs", "family-cafes"],
        "tasks": ["1", "2"],
        "agreementYear": 2023,
    }


def test_report_coverage_of_a_task_no_place_serves_has_no_distance_in_any_format() -> None:
    """No meeting place offers an activity serving task 4: peer-students is offered nowhere, the rest are
    national. Everybody is beyond reach and the weighted distance is undefined, not an error."""
    table = [line for line in report("--tasks", "4", "--format", "markdown").splitlines() if line.startswith("|")]
    assert [row.split(" | ")[3:6] for row in table[2:]] == [["0", "0.00", "n/a"]] * 7, "places, per 10,000, km"
    rows = list(csv.DictReader(io.StringIO(report("--tasks", "4"))))
    assert {(row["places"], row["weightedDistanceKm"], row["shareWithin"]) for row in rows} == {("0", "", "0.0")}
    collection = json.loads(report("--tasks", "4", "--format", "geojson"))
    assert collection["totals"]["weightedDistanceKm"] is None
    assert collection["totals"]["populationBeyond"] == collection["totals"]["population"] == 162812
    assert [f["properties"]["weightedDistanceKm"] for f in collection["features"]] == [None] * 6


def test_report_coverage_help_lists_the_activities_and_tasks_options() -> None:
    result = CliRunner().invoke(main, ["report", "coverage", "--help"], terminal_width=200, max_content_width=200)
    assert result.exit_code == 0
    options = " ".join(result.output.split())
    assert (
        "--activities KEYS Count only places offering one of these activities: keys, comma-separated "
        "(e.g. family-cafes,clubs)." in options
    )
    assert (
        "--tasks KEYS Count only places offering an activity that serves one of THL's family-centre tasks: "
        "keys 1 to 4, comma-separated." in options
    )


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        pytest.param(["--area", "Region:XX"], 1, "--area: no Region has the id Region:XX", id="unknown-area"),
        pytest.param(["--area", "MeetingPlace:mp-091-1"], 1, "expected the id of a District", id="wrong-type"),
        pytest.param(["--area", "Region:FI1B1", "--kinds", "PLAYGROUND"], 1, "names a kind that is not", id="kind"),
        pytest.param(
            ["--area", "Region:FI1B1", "--activities", "nope"],
            1,
            "--activities: no Activity has the id Activity:nope",
            id="unknown-activity",
        ),
        pytest.param(
            ["--area", "Region:FI1B1", "--tasks", "9"],
            1,
            "--tasks: no FamilyCentreTask has the id FamilyCentreTask:9",
            id="unknown-task",
        ),
        pytest.param(
            ["--area", "Region:FI1B1", "--tasks", ","],
            1,
            "--tasks: is empty: name at least one family-centre task, or leave it out for all",
            id="no-task",
        ),
        pytest.param(
            ["--area", "Region:FI1B1", "--activities", " "],
            1,
            "--activities: is empty: name at least one activity, or leave it out for all",
            id="no-activity",
        ),
        pytest.param(
            ["--area", "Region:FI1B1", "--activities", "parents-helpline"],
            1,
            "--activities: Activity:parents-helpline: national activities (phone lines, chats, websites) are offered "
            "at no place",
            id="national-activity",
        ),
        pytest.param(["--area", "Region:FI1B1", "--within-km", "0"], 2, "0<x<=1000", id="no-distance"),
        pytest.param(["--area", "Region:FI1B1", "--year", "3000"], 2, "1900<=x<=2100", id="year"),
        pytest.param(["--area", "Region:FI1B1", "--format", "pdf"], 2, "'pdf' is not one of", id="format"),
    ],
)
def test_report_coverage_refuses_bad_input_clearly(args: list[str], exit_code: int, message: str) -> None:
    result = CliRunner().invoke(main, ["report", "coverage", *args])
    assert result.exit_code == exit_code
    assert message in result.output


@pytest.mark.parametrize("args", [pytest.param(KYMENLAAKSO, id="kinds"), pytest.param([*KY, *OFFERS], id="offers")])
@pytest.mark.anyio
async def test_report_coverage_on_neo4j_prints_what_the_embedded_store_prints(
    neo4j_store: Neo4jStore, args: list[str]
) -> None:
    env = {**os.environ, "GRAPH_BACKEND": "neo4j", "NEO4J_URI": neo4j_store.uri}
    result = subprocess.run(
        [sys.executable, "-m", "graph_api.cli", *args, "--format", "csv"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == await anyio.to_thread.run_sync(printed, *args, "--format", "csv")  # it runs its own loop


CAFES = (
    "id;name;kind;organiser;municipality;lat;lon;tu\r\n"
    "17;Perhekahvila Nuppu;perhekahvila;District:uusimaa;Helsinki;60,1686;24,9414;9-11\r\n"
    "18;Kohtaamispaikka Kaisla;kohtaamispaikka;Organization:mll;Tampere;61.4978;23.7610;\r\n"
)


def import_spreadsheet(path: Path, data: Path, *args: str) -> Result:
    """`graph-api import spreadsheet` on the embedded store, keeping its imports in `data`."""
    return CliRunner().invoke(main, ["import", "spreadsheet", str(path), *args], env={"GRAPH_API_DATA": str(data)})


def test_import_spreadsheet_is_a_dry_run_until_applied_and_then_changes_nothing(tmp_path: Path) -> None:
    path, data = tmp_path / "cafes.csv", tmp_path / "data"
    path.write_text(CAFES, encoding="utf-8")
    dry = import_spreadsheet(path, data)
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.startswith("spreadsheet:cafes.csv: 2 created, 0 updated, 0 unchanged")
    assert "dry run: nothing was written" in dry.stderr
    applied = import_spreadsheet(path, data, "--apply", "--by", "tester")
    assert applied.exit_code == 0, applied.output
    assert "import 1 applied: spreadsheet:cafes.csv, by tester" in applied.stderr
    again = import_spreadsheet(path, data, "--report", "json")
    assert json.loads(again.stdout)["summary"]["unchanged"] == 2


def test_import_spreadsheet_with_a_bad_row_fails_naming_the_cell(tmp_path: Path) -> None:
    path = tmp_path / "cafes.csv"
    path.write_text(CAFES.replace("9-11", "11-9"), encoding="utf-8")
    result = import_spreadsheet(path, tmp_path / "data", "--apply", "--report", "csv")
    assert result.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(row["ref"], row["action"]) for row in rows] == [("cafes.csv:2:H", "rejected"), ("cafes.csv:3", "created")]
    assert "1 rejected: nothing was written" in result.stderr


def test_allow_rejects_applies_the_rest_and_replace_demo_withdraws_demo_places_of_the_kinds_covered(
    tmp_path: Path,
) -> None:
    path, data = tmp_path / "cafes.csv", tmp_path / "data"
    path.write_text(CAFES.replace("9-11", "11-9"), encoding="utf-8")
    result = import_spreadsheet(path, data, "--apply", "--allow-rejects", "--replace-demo", "--report", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["summary"]["created"], report["summary"]["rejected"]) == (1, 1)
    withdrawn = {row["id"] for row in report["rows"] if row["action"] == "withdrawn"}
    assert withdrawn and all(ref.startswith("MeetingPlace:mp-837-") for ref in withdrawn), "Tampere's demo places"
    again = import_spreadsheet(path, data, "--report", "json")
    assert json.loads(again.stdout)["summary"]["withdrawn"] == 0, "withdrawn once, and kept so"


def test_import_template_writes_a_workbook_that_imports(tmp_path: Path) -> None:
    path = tmp_path / "kahvilat.xlsx"
    written = CliRunner().invoke(main, ["import", "template", str(path)])
    assert written.exit_code == 0, written.output
    result = import_spreadsheet(path, tmp_path / "data")
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 0 unchanged, 0 withdrawn, 0 rejected, 0 warnings, 1 skipped" in result.stdout


def test_import_template_must_be_an_xlsx(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["import", "template", str(tmp_path / "kahvilat.csv")])
    assert result.exit_code == 2
    assert "does not end in .xlsx" in result.output
