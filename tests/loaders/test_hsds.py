"""Open Referral HSDS 3.0 packages in and out: an export imported back changes nothing, on both backends; a
partner's package (UUID ids, none of this service's taxonomies) becomes organisations, meeting places and
opening hours; bad input is rejected naming `file:line:column`, and never withdraws what it names.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph_api.cli import main
from graph_api.hours import Schedule, Weekday
from graph_api.models import (
    DEMO_SOURCE,
    Dataset,
    District,
    FamilyCentre,
    LocalAssociation,
    MeetingPlace,
    MeetingPlaceKind,
    NodeRef,
    Organization,
    Point,
)
from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore
from loaders.csvfiles import write_rows
from loaders.hsds import read_package
from loaders.hsds_export import export_package
from loaders.importing import Plan, Reference, apply, plan
from tests.conftest import SEEDS

pytestmark = pytest.mark.anyio

T0 = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
T1 = T0 + datetime.timedelta(days=1)
MAX_BYTES = 20_000_000
PREMISES = {"street_address": "Toinen linja 4 A", "postal_code": "00530", "location": Point(60.18284, 24.94656)}
"""A family centre's own premises, as PTV gives them (the export carries them as a location of its own)."""
EXPORTED = (Organization, District, LocalAssociation, FamilyCentre, MeetingPlace)
Tables = dict[str, list[dict[str, str]]]


@pytest.fixture(scope="module")
def graph(dataset: Dataset) -> Dataset:
    """The seeds, with Helsinki's family centre at premises of its own."""
    nodes = [
        dataclasses.replace(node, **PREMISES) if isinstance(node, FamilyCentre) and node.key == "fc-hki" else node
        for node in dataset.nodes
    ]
    return dataclasses.replace(dataset, nodes=nodes)


@pytest.fixture(scope="module")
def real(dataset: Dataset) -> Dataset:
    """The seeds' reference part: municipalities, districts, MLL, activities, but no demo data."""
    return Dataset(
        [node for node in dataset.nodes if node.source != DEMO_SOURCE],
        [rel for rel in dataset.relationships if rel.source != DEMO_SOURCE],
    )


@pytest.fixture(scope="module")
async def exported(graph: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graph's export, made once from an embedded store."""
    store = MemoryStore()
    await store.load(graph)
    folder = tmp_path_factory.mktemp("hsds") / "seeds"
    await export_package(store, await Reference.of(store, SEEDS), folder)
    return folder


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def actions(result: Plan) -> dict[str, str]:
    return {row.id: row.action for row in result.rows if row.id and row.action != "warning"}


def rows_of(result: Plan, action: str) -> list[tuple[str, str | None, str | None]]:
    return [(row.ref, row.id, row.reason) for row in result.rows if row.action == action]


async def test_an_export_imported_back_changes_nothing_and_exports_the_same_bytes(
    new_store: GraphStore, graph: Dataset, exported: Path, tmp_path: Path
) -> None:
    await new_store.load(graph)
    reference = await Reference.of(new_store, SEEDS)
    result = await plan(new_store, await read_package(exported, reference, MAX_BYTES), T0)
    exported_nodes = sum(isinstance(node, EXPORTED) for node in graph.nodes)
    assert result.summary == {**dict.fromkeys(result.summary, 0), "unchanged": exported_nodes}
    assert result.source == "hsds:seeds"

    await apply(new_store, result, "tester", T0)
    await export_package(new_store, reference, tmp_path / "again")
    assert files_of(tmp_path / "again") == files_of(exported), "the same bytes, from either backend"


async def test_an_export_imported_into_a_graph_without_it_makes_it_again(
    new_store: GraphStore, graph: Dataset, real: Dataset, exported: Path, tmp_path: Path
) -> None:
    """Into the reference data alone: every demo organisation and place, their links, kinds, hours, names and
    the family centre's premises come from the package, and export as the same bytes."""
    await new_store.load(real)
    reference = await Reference.of(new_store, SEEDS)
    result = await plan(new_store, await read_package(exported, reference, MAX_BYTES, name="mll"), T0)
    created = sum(isinstance(node, EXPORTED) and node.is_demo for node in graph.nodes)
    assert (result.summary["created"], result.summary["rejected"], result.summary["updated"]) == (created, 0, 0)
    await apply(new_store, result, "tester", T0)
    (centre,) = await new_store.get_many([NodeRef("FamilyCentre", "fc-hki")])
    assert centre is not None and (centre.source, centre.location) == ("hsds:mll", PREMISES["location"])  # type: ignore[attr-defined]

    await export_package(new_store, reference, tmp_path / "again")
    assert files_of(tmp_path / "again") == files_of(exported)


# A partner's package: UUID ids, one organisation running two family cafés, one place given by a global id,
# a postal location, a service's own schedule and a term of a taxonomy this service does not read.
ASSOCIATION = "9d2c5c8e-3b7a-4f1e-8a44-1f0c2b7d9e01"
PIKKUPOLLO = "5a0e7c1e-2f4b-4c8e-8d7e-9a6b1c2d3e02"
LEPPIS = "MeetingPlace:hsds-leppavaara"
CAFES = "c4f1a2b3-6d5e-4f70-9182-a3b4c5d6e703"
CAFE_TERM = "0f9e8d7c-6b5a-4938-8271-605f4e3d2c04"
PARENTING_TERM = "7e6d5c4b-3a29-4817-9605-f4e3d2c1b005"


def partner() -> Tables:
    return {
        "organizations.csv": [
            {
                "id": ASSOCIATION,
                "name": "Espoon Perhekahvilat ry",
                "alternate_name": "Esbo Familjecaféer rf",
                "description": "Family cafés in Espoo.",
            }
        ],
        "locations.csv": [
            location(
                PIKKUPOLLO, "Perhekahvila Pikkupöllö", "60.1756", "24.8050", alternate_name="Familjecafé Lillugglan"
            ),
            location(LEPPIS, "Perhekahvila Leppis", "60.2190", "24.8130"),
            location("1b2c3d4e-5f60-4718-8293-a4b5c6d7e806", "PL 123", "", "", location_type="postal"),
        ],
        "addresses.csv": [
            address("a1", PIKKUPOLLO, "Esbo", address_1="Tapiontori 3", postal_code="02100"),
            address("a2", LEPPIS, "049"),
        ],
        "services.csv": [{"id": CAFES, "organization_id": ASSOCIATION, "name": "Perhekahvilat", "status": "active"}],
        "service_at_location.csv": [
            {"id": "sal-1", "service_id": CAFES, "location_id": PIKKUPOLLO},
            {"id": "sal-2", "service_id": CAFES, "location_id": LEPPIS},
        ],
        "schedules.csv": [
            schedule("s1", PIKKUPOLLO, byday="TU,TH", opens_at="09:30", closes_at="12:00"),
            {**schedule("s2", "", byday="MO", opens_at="08:00", closes_at="16:00"), "service_id": CAFES},
        ],
        "taxonomy_terms.csv": [
            {"id": CAFE_TERM, "code": "FAMILY_CAFE", "name": "Perhekahvila", "taxonomy": "graph-api:MeetingPlaceKind"},
            {"id": PARENTING_TERM, "code": "1102", "name": "Parenting Education", "taxonomy": "Open Eligibility"},
        ],
        "attributes.csv": [
            {"id": "at-1", "link_id": LEPPIS, "taxonomy_term_id": CAFE_TERM, "link_entity": "location"},
            {"id": "at-2", "link_id": CAFES, "taxonomy_term_id": PARENTING_TERM, "link_entity": "service"},
        ],
    }


def location(id_: str, name: str, lat: str, lon: str, **more: str) -> dict[str, str]:
    return {"id": id_, "location_type": "physical", "name": name, "latitude": lat, "longitude": lon, **more}


def address(id_: str, location_id: str, city: str, **more: str) -> dict[str, str]:
    row = {"id": id_, "location_id": location_id, "address_1": "", "city": city, "postal_code": ""}
    return {**row, "country": "FI", "address_type": "physical", **more}


def schedule(id_: str, location_id: str, **times: str) -> dict[str, str]:
    return {"id": id_, "location_id": location_id, "freq": "WEEKLY", "timezone": "Europe/Helsinki", **times}


def identifier(organization_id: str, global_id: str) -> dict[str, str]:
    return {
        "id": f"id-{global_id}",
        "organization_id": organization_id,
        "identifier_type": "graph-api",
        "identifier": global_id,
    }


def write_package(folder: Path, tables: Tables) -> Path:
    for name, rows in tables.items():
        write_rows(folder / name, list(dict.fromkeys(column for row in rows for column in row)), rows)
    return folder


async def plan_package(
    store: GraphStore, folder: Path, now: datetime.datetime = T0, max_bytes: int = MAX_BYTES
) -> Plan:
    reference = await Reference.of(store, SEEDS)
    return await plan(store, await read_package(folder, reference, max_bytes), now)


async def test_a_partners_package_becomes_organisations_places_and_hours(store: GraphStore, tmp_path: Path) -> None:
    result = await plan_package(store, write_package(tmp_path / "partner", partner()))
    assert actions(result) == {
        f"Organization:{ASSOCIATION}": "created",
        f"MeetingPlace:{PIKKUPOLLO}": "created",
        LEPPIS: "created",
    }
    assert set(rows_of(result, "skipped")) == {
        ("locations.csv:4:location_type", None, "a postal location"),
        ("schedules.csv:3:location_id", None, "is empty: the schedule belongs to no location"),
        ("attributes.csv:3:taxonomy_term_id", None, "a term of the taxonomy 'Open Eligibility'"),
    }
    assert rows_of(result, "rejected") == rows_of(result, "warning") == []
    nodes = {str(NodeRef.of(node)): node for node in result.dataset.nodes}
    assert nodes[f"MeetingPlace:{PIKKUPOLLO}"] == MeetingPlace(
        PIKKUPOLLO,
        "hsds:partner",
        "Perhekahvila Pikkupöllö",
        MeetingPlaceKind.MEETING_PLACE,
        Point(60.1756, 24.805),
        (Schedule((Weekday.TU, Weekday.TH), datetime.time(9, 30), datetime.time(12)),),
        name_sv="Familjecafé Lillugglan",
        street_address="Tapiontori 3",
        postal_code="02100",
        source_id=PIKKUPOLLO,
        imported_at=T0,
        updated_at=T0,
    )
    assert nodes[LEPPIS].kind == MeetingPlaceKind.FAMILY_CAFE  # type: ignore[attr-defined]
    assert nodes[f"Organization:{ASSOCIATION}"] == Organization(
        ASSOCIATION,
        "hsds:partner",
        "Espoon Perhekahvilat ry",
        "Esbo Familjecaféer rf",
        source_id=ASSOCIATION,
        imported_at=T0,
        updated_at=T0,
    )
    links = {
        (str(rel.start), rel.type, str(rel.end), rel.properties.get("role")) for rel in result.dataset.relationships
    }
    assert links == {
        (place, type_, end, role)
        for place in (f"MeetingPlace:{PIKKUPOLLO}", LEPPIS)
        for type_, end, role in (
            ("LOCATED_IN", "Municipality:049", None),
            ("RUN_BY", f"Organization:{ASSOCIATION}", "COORDINATOR"),
        )
    }


async def test_a_global_id_in_an_identifier_names_the_node_and_an_ended_service_links_nothing(
    store: GraphStore, tmp_path: Path
) -> None:
    tables = partner()
    tables["organization_identifiers.csv"] = [identifier(ASSOCIATION, "LocalAssociation:la-espoon-perhekahvilat")]
    tables["services.csv"][0]["status"] = "defunct"
    result = await plan_package(store, write_package(tmp_path / "partner", tables))
    assert actions(result)["LocalAssociation:la-espoon-perhekahvilat"] == "created"
    assert ("services.csv:2:status", None, "the service is defunct: it links no organisation to a place") in rows_of(
        result, "skipped"
    )
    assert {rel.type for rel in result.dataset.relationships} == {"LOCATED_IN"}


Mutation = Callable[[Tables], object]


def cell(file: str, index: int, **values: str) -> Mutation:
    return lambda tables: tables[file][index].update(values)


def drop_column(file: str, column: str) -> Mutation:
    return lambda tables: [row.pop(column) for row in tables[file]]


@pytest.mark.parametrize(
    ("mutate", "ref", "id_", "reason"),
    [
        pytest.param(lambda t: t.pop("services.csv"), "services.csv", None, "is missing", id="missing table"),
        pytest.param(
            drop_column("locations.csv", "latitude"),
            "locations.csv:1:latitude",
            None,
            "is missing",
            id="missing column",
        ),
        pytest.param(
            lambda t: t["locations.csv"].append({**t["locations.csv"][0], "name": "Twin"}),
            "locations.csv:5:id",
            None,
            f"the id '{PIKKUPOLLO}' is used before, at locations.csv:2",
            id="duplicate id",
        ),
        pytest.param(
            cell("service_at_location.csv", 1, location_id="nowhere"),
            "service_at_location.csv:3:location_id",
            None,
            "no location has the id 'nowhere'",
            id="link to no location",
        ),
        pytest.param(
            cell("service_at_location.csv", 0, service_id="nothing"),
            "service_at_location.csv:2:service_id",
            f"MeetingPlace:{PIKKUPOLLO}",
            "no service has the id 'nothing'",
            id="link to no service",
        ),
        pytest.param(
            cell("services.csv", 0, organization_id="nobody"),
            "services.csv:2:organization_id",
            f"MeetingPlace:{PIKKUPOLLO}",
            "no organization has the id 'nobody'",
            id="service of no organisation",
        ),
        pytest.param(
            cell("organizations.csv", 0, name=""),
            "organizations.csv:2:name",
            f"Organization:{ASSOCIATION}",
            "is empty",
            id="organisation without a name",
        ),
        pytest.param(
            cell("organizations.csv", 0, name=""),
            "locations.csv:2",
            f"MeetingPlace:{PIKKUPOLLO}",
            f"Organization:{ASSOCIATION} does not exist",
            id="organiser rejected",
        ),
        pytest.param(
            cell("schedules.csv", 0, byday="TU,XX"),
            "schedules.csv:2:byday",
            f"MeetingPlace:{PIKKUPOLLO}",
            "column 'byday': 'XX' is not a weekday code",
            id="unknown weekday",
        ),
        pytest.param(
            cell("schedules.csv", 0, closes_at="09:00"),
            "schedules.csv:2:closes_at",
            f"MeetingPlace:{PIKKUPOLLO}",
            "closes_at 09:00:00 is not after opens_at 09:30:00",
            id="closes before it opens",
        ),
        pytest.param(
            cell("locations.csv", 0, latitude="59.3293", longitude="18.0686"),
            "locations.csv:2:latitude",
            f"MeetingPlace:{PIKKUPOLLO}",
            "is outside Finland",
            id="point in Stockholm",
        ),
        pytest.param(
            cell("addresses.csv", 0, city="Turku"),
            "locations.csv:2:latitude",
            f"MeetingPlace:{PIKKUPOLLO}",
            "the point lies in Espoo",
            id="point in another municipality",
        ),
        pytest.param(
            cell("addresses.csv", 0, city="Gotham"),
            "addresses.csv:2:city",
            f"MeetingPlace:{PIKKUPOLLO}",
            "'Gotham' is no municipality of Finland",
            id="unknown city",
        ),
        pytest.param(
            cell("locations.csv", 0, latitude="north"),
            "locations.csv:2:latitude",
            f"MeetingPlace:{PIKKUPOLLO}",
            "'north' is not a number of degrees",
            id="latitude not a number",
        ),
        pytest.param(
            cell("taxonomy_terms.csv", 0, code="CASTLE"),
            "taxonomy_terms.csv:2:code",
            LEPPIS,
            "'CASTLE' is no kind of meeting place",
            id="unknown kind",
        ),
        pytest.param(
            lambda t: t.update({"organization_identifiers.csv": [identifier(ASSOCIATION, "")]}),
            "organization_identifiers.csv:2:identifier",
            None,
            "is empty",
            id="empty global id",
        ),
        pytest.param(
            cell("locations.csv", 0, external_identifier="Municipality:091", external_identifier_type="graph-api"),
            "locations.csv:2:external_identifier",
            None,
            "'Municipality:091' is a Municipality; this table's rows are a MeetingPlace or FamilyCentre",
            id="location naming no place",
        ),
    ],
)
async def test_bad_input_is_rejected_naming_file_line_and_column(
    store: GraphStore, tmp_path: Path, mutate: Mutation, ref: str, id_: str | None, reason: str
) -> None:
    tables = partner()
    mutate(tables)
    result = await plan_package(store, write_package(tmp_path / "partner", tables))
    assert any(r == ref and i == id_ and reason in (why or "") for r, i, why in rows_of(result, "rejected")), (
        result.rows
    )
    if id_ is not None:
        assert actions(result)[id_] == "rejected"


@pytest.mark.parametrize(
    ("damage", "max_bytes", "ref", "reason"),
    [
        pytest.param(
            lambda text: text.replace("Pikkupöllö".encode(), "Pikkupöllö".encode("latin-1")),
            MAX_BYTES,
            "locations.csv:2",
            "is not UTF-8 text (byte 0xf6)",
            id="not UTF-8",
        ),
        pytest.param(lambda text: text, 200, "locations.csv", "is larger than the limit of 0.0002 MB", id="too large"),
    ],
)
async def test_a_file_that_cannot_be_read_rejects_the_package_and_withdraws_nothing(
    store: GraphStore, tmp_path: Path, damage: Callable[[bytes], bytes], max_bytes: int, ref: str, reason: str
) -> None:
    folder = write_package(tmp_path / "partner", partner())
    (folder / "locations.csv").write_bytes(damage((folder / "locations.csv").read_bytes()))
    result = await plan_package(store, folder, max_bytes=max_bytes)
    assert (ref, None, reason) in rows_of(result, "rejected")
    assert {row.action for row in result.rows} == {"rejected"}


async def test_an_unknown_column_is_a_warning_and_a_row_of_the_wrong_width_a_rejection(
    store: GraphStore, tmp_path: Path
) -> None:
    tables = partner()
    tables["locations.csv"][0]["colour"] = "yellow"
    folder = write_package(tmp_path / "partner", tables)
    with (folder / "services.csv").open("a", encoding="utf-8") as file:
        file.write("only-an-id\n")
    result = await plan_package(store, folder)
    assert rows_of(result, "warning") == [("locations.csv:1:colour", None, "is no column of HSDS location: ignored")]
    assert rows_of(result, "rejected") == [("services.csv:3", None, "has 1 cells where the header has 4")]
    assert set(actions(result).values()) == {"created"}


async def test_a_place_the_package_drops_is_withdrawn_and_one_it_cannot_take_is_not(
    new_store: GraphStore, real: Dataset, tmp_path: Path
) -> None:
    await new_store.load(real)
    await apply(new_store, await plan_package(new_store, write_package(tmp_path / "partner", partner())), "tester", T0)
    tables = partner()
    for file, index in (
        ("locations.csv", 1),
        ("addresses.csv", 1),
        ("service_at_location.csv", 1),
        ("attributes.csv", 0),
    ):
        del tables[file][index]  # Leppis, gone from the package
    tables["schedules.csv"][0]["byday"] = "TU,XX"  # Pikkupöllö, listed but not taken
    result = await plan_package(new_store, write_package(tmp_path / "partner", tables), T1)
    assert actions(result) == {
        f"Organization:{ASSOCIATION}": "unchanged",
        f"MeetingPlace:{PIKKUPOLLO}": "rejected",
        LEPPIS: "withdrawn",
    }
    await apply(new_store, result, "tester", T1)
    pikkupollo, leppis = await new_store.get_many([NodeRef("MeetingPlace", PIKKUPOLLO), NodeRef.parse(LEPPIS)])  # type: ignore[list-item]
    assert pikkupollo is not None and not pikkupollo.is_withdrawn and len(pikkupollo.schedules) == 1  # type: ignore[attr-defined]
    assert leppis is not None and leppis.withdrawn_at == T1


def test_the_cli_exports_the_graph_and_imports_it_back_without_a_change(tmp_path: Path) -> None:
    env = {"GRAPH_API_DATA": str(tmp_path / "data")}
    written = CliRunner().invoke(main, ["export", "hsds", str(tmp_path / "seeds")], env=env)
    assert written.exit_code == 0, written.output
    assert "575 locations.csv" in written.stdout and "924 schedules.csv" in written.stdout
    result = CliRunner().invoke(main, ["import", "hsds", str(tmp_path / "seeds"), "--report", "json"], env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["summary"]
    assert summary == {**dict.fromkeys(summary, 0), "unchanged": 1166}


def test_the_cli_applies_a_package_and_refuses_one_with_rejections(tmp_path: Path) -> None:
    env = {"GRAPH_API_DATA": str(tmp_path / "data")}
    folder = write_package(tmp_path / "partner", partner())
    applied = CliRunner().invoke(main, ["import", "hsds", str(folder), "--apply", "--by", "tester"], env=env)
    assert applied.exit_code == 0, applied.output
    assert "hsds:partner: 3 created" in applied.stdout and "import 1 applied: hsds:partner, by tester" in applied.stderr

    tables = partner()
    tables["schedules.csv"][0]["byday"] = "TU,XX"
    bad = write_package(tmp_path / "bad", tables)
    refused = CliRunner().invoke(main, ["import", "hsds", str(bad), "--name", "partner", "--apply"], env=env)
    assert refused.exit_code == 1
    assert "schedules.csv:2:byday" in refused.stdout and "1 rejected: nothing was written" in refused.stderr
