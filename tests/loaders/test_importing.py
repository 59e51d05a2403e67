"""The import pipeline every reader shares: plan against the store, report, apply whole or not at all.

Each test runs on a small graph in each backend: Helsinki and Espoo, their county, a district with a local
association, and two demo places.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest

from graph_api.errors import VersionConflict
from graph_api.hours import Closure
from graph_api.models import (
    Dataset,
    Direction,
    District,
    FieldChange,
    Hop,
    ImportRecord,
    LocalAssociation,
    MeetingPlace,
    MeetingPlaceKind,
    Municipality,
    NodeRef,
    Point,
    Relationship,
    WelfareArea,
    WelfareAreaKind,
)
from graph_api.store.base import ChangeQuery, GraphStore
from loaders.importing import Found, Reading, Reference, Rejection, Row, apply, combine, plan

pytestmark = pytest.mark.anyio

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
HELSINKI = Municipality("091", "yle", "Helsinki", "Helsingfors", 656920, 715.5, Point(60.17, 24.94))
ESPOO = Municipality("049", "yle", "Espoo", "Esbo", 292796, 312.3, Point(60.21, 24.66))
CITY = WelfareArea("HKI", "yle", "Helsingin kaupunki", "Helsingfors stad", WelfareAreaKind.CITY)
UUSIMAA = District("uusimaa", "mll-districts", "MLL:n Uudenmaan piiri", None, None)
KALLIO = LocalAssociation("la-kallio", "demo", "MLL Kallio", None)
CAFE = MeetingPlaceKind.FAMILY_CAFE
DEMO_CAFE = MeetingPlace("mp-091-1", "demo", "Perhekahvila Maunula", CAFE, Point(60.22666, 24.9337))
DEMO_CAFE_ESPOO = MeetingPlace("mp-049-1", "demo", "Perhekahvila Tapiola", CAFE, Point(60.175, 24.805))
BASE = Dataset(
    nodes=[HELSINKI, ESPOO, CITY, UUSIMAA, KALLIO, DEMO_CAFE, DEMO_CAFE_ESPOO],
    relationships=[
        Relationship("IN_WELFARE_AREA", NodeRef.of(HELSINKI), NodeRef.of(CITY), "yle", {}),
        Relationship("LOCATED_IN", NodeRef.of(DEMO_CAFE), NodeRef.of(HELSINKI), "demo", {}),
        Relationship("LOCATED_IN", NodeRef.of(DEMO_CAFE_ESPOO), NodeRef.of(ESPOO), "demo", {}),
    ],
)
SOURCE = "spreadsheet:kahvilat.csv"
T0 = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
T1 = T0 + datetime.timedelta(days=1)
T2 = T0 + datetime.timedelta(days=2)


def place(key: str, name: str, point: Point, organiser: NodeRef | None = None) -> Found:
    node = MeetingPlace(key, SOURCE, name, CAFE, point, source_id=key, street_address="Helsinginkatu 1")
    rels = (
        Relationship("LOCATED_IN", NodeRef.of(node), NodeRef.of(HELSINKI), SOURCE, {}),
        Relationship("RUN_BY", NodeRef.of(node), organiser or NodeRef.of(KALLIO), SOURCE, {"role": "COORDINATOR"}),
    )
    return Found(f"kahvilat.csv:{key}", node, rels, frozenset({"LOCATED_IN", "RUN_BY"}))


KAIKU = place("s-1", "Perhekahvila Kaiku", Point(60.1841, 24.9520))
LOTTA = place("s-2", "Perhekahvila Lotta", Point(60.1650, 24.9300))


def reading(*found: Found, complete: bool = True) -> Reading:
    return Reading(SOURCE, frozenset({"MeetingPlace"}), list(found), complete=complete)


@pytest.fixture
async def small(new_store: GraphStore) -> GraphStore:
    await new_store.load(BASE)
    return new_store


def actions(rows: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {row.id: row.action for row in rows if row.action != "warning"}


async def test_an_import_creates_then_changes_nothing_then_updates_keeping_when_it_came(small: GraphStore) -> None:
    first = await plan(small, reading(KAIKU, LOTTA), T0)
    assert actions(first.rows) == {"MeetingPlace:s-1": "created", "MeetingPlace:s-2": "created"}
    assert await small.get_many([NodeRef("MeetingPlace", "s-1")]) == [None], "a plan writes nothing"
    record = await apply(small, first, "tester", T0)
    assert (record.number, record.source, record.by) == (1, SOURCE, "tester")
    assert record.summary == {**dict.fromkeys(record.summary, 0), "created": 2}
    (kaiku,) = await small.get_many([NodeRef("MeetingPlace", "s-1")])
    assert kaiku == dataclasses.replace(KAIKU.node, imported_at=T0, updated_at=T0)

    again = await plan(small, reading(KAIKU, LOTTA), T1)
    assert set(actions(again.rows).values()) == {"unchanged"}
    assert again.dataset.nodes == [] and again.dataset.relationships == []

    renamed = dataclasses.replace(KAIKU, node=dataclasses.replace(KAIKU.node, name="Perhekahvila Kaiku II"))
    changed = await plan(small, reading(renamed, LOTTA), T1)
    assert actions(changed.rows)["MeetingPlace:s-1"] == "updated"
    await apply(small, changed, "tester", T1)
    (kaiku,) = await small.get_many([NodeRef("MeetingPlace", "s-1")])
    assert (kaiku.name, kaiku.imported_at, kaiku.updated_at) == ("Perhekahvila Kaiku II", T0, T1)  # type: ignore[union-attr]
    assert [r.number for r in (await small.imports(first=None)).items] == [2, 1]


async def test_a_new_organiser_replaces_the_old_one_and_a_missing_one_is_rejected(small: GraphStore) -> None:
    await apply(small, await plan(small, reading(KAIKU), T0), "tester", T0)
    moved = place("s-1", "Perhekahvila Kaiku", KAIKU.node.location, organiser=NodeRef.of(UUSIMAA))  # type: ignore[attr-defined]
    lost = place("s-2", "Perhekahvila Lotta", LOTTA.node.location, organiser=NodeRef("LocalAssociation", "nobody"))  # type: ignore[attr-defined]
    result = await plan(small, reading(moved, lost), T1)
    assert actions(result.rows) == {"MeetingPlace:s-1": "updated", "MeetingPlace:s-2": "rejected"}
    (rejection,) = [row for row in result.rows if row.action == "rejected"]
    assert (rejection.ref, rejection.reason) == ("kahvilat.csv:s-2", "LocalAssociation:nobody does not exist")
    await apply(small, result, "tester", T1)
    edges = await small.relationships_of([NodeRef("MeetingPlace", "s-1")], frozenset({"RUN_BY"}))
    assert [str(NodeRef.of(edge.end)) for edge in edges] == ["District:uusimaa"]
    assert edges[0].properties["source_id"] == "s-1" and edges[0].properties["updated_at"] == T1


async def test_duplicate_ids_in_one_input_are_rejected_naming_the_first(small: GraphStore) -> None:
    twin = dataclasses.replace(LOTTA, ref="kahvilat.csv:9", node=dataclasses.replace(LOTTA.node, key="s-1"))
    result = await plan(small, reading(KAIKU, twin), T0)
    (rejection,) = [row for row in result.rows if row.action == "rejected"]
    assert rejection.ref == "kahvilat.csv:9" and "used before, at kahvilat.csv:s-1" in (rejection.reason or "")


async def test_what_a_source_stops_listing_is_withdrawn_never_deleted(small: GraphStore) -> None:
    await apply(small, await plan(small, reading(KAIKU, LOTTA), T0), "tester", T0)
    assert [hit.place.key for hit in await small.nearby(KAIKU.node.location, 0.1, 5)] == ["s-1"]  # type: ignore[attr-defined]

    incomplete = await plan(small, reading(LOTTA, complete=False), T1)
    assert "withdrawn" not in actions(incomplete.rows).values(), "a partial read withdraws nothing"

    result = await plan(small, reading(LOTTA), T1)
    assert actions(result.rows)["MeetingPlace:s-1"] == "withdrawn"
    await apply(small, result, "tester", T1)
    (kaiku,) = await small.get_many([NodeRef("MeetingPlace", "s-1")])
    assert kaiku is not None and kaiku.withdrawn_at == T1
    assert await small.nearby(KAIKU.node.location, 0.1, 5) == []  # type: ignore[attr-defined]

    back = await plan(small, reading(KAIKU, LOTTA), T2)
    assert actions(back.rows)["MeetingPlace:s-1"] == "updated"
    await apply(small, back, "tester", T2)
    (kaiku,) = await small.get_many([NodeRef("MeetingPlace", "s-1")])
    assert kaiku is not None and kaiku.withdrawn_at is None and kaiku.imported_at == T0


async def test_a_node_the_input_lists_but_that_is_rejected_is_not_withdrawn(small: GraphStore) -> None:
    await apply(small, await plan(small, reading(KAIKU, LOTTA), T0), "tester", T0)
    by_the_reader = Rejection("kahvilat.csv:7:opens_at", "'25:00' is not a time", "MeetingPlace:s-1")
    by_the_plan = place("s-2", "Perhekahvila Lotta", LOTTA.node.location, organiser=NodeRef("LocalAssociation", "x"))  # type: ignore[attr-defined]
    result = await plan(small, Reading(SOURCE, frozenset({"MeetingPlace"}), [by_the_plan], [by_the_reader]), T1)
    assert actions(result.rows) == {"MeetingPlace:s-1": "rejected", "MeetingPlace:s-2": "rejected"}


async def test_a_warning_about_the_input_as_a_whole_is_a_row_of_the_report(small: GraphStore) -> None:
    warned = Reading(SOURCE, frozenset({"MeetingPlace"}), [KAIKU], warnings=[("kahvilat.csv:1:colour", "ignored")])
    result = await plan(small, warned, T0)
    assert Row("kahvilat.csv:1:colour", "warning", None, "ignored") in result.rows
    assert result.summary["warnings"] == 1


async def test_several_readings_are_planned_apart_and_applied_as_one(small: GraphStore) -> None:
    """Two sources in one import: one record, each source withdrawing only its own; a node moving from one
    source to the other is not withdrawn, and one both list is taken from the first."""
    other = "spreadsheet:toinen.csv"

    def of(source: str, *found: Found) -> Reading:
        moved = [dataclasses.replace(f, node=dataclasses.replace(f.node, source=source)) for f in found]
        return Reading(source, frozenset({"MeetingPlace"}), moved)

    await apply(small, await plan(small, of(SOURCE, KAIKU, LOTTA), T0), "tester", T0)
    twin = dataclasses.replace(LOTTA, ref="toinen.csv:2")
    plans = [await plan(small, of(SOURCE, LOTTA), T1), await plan(small, of(other, KAIKU, twin), T1)]
    assert actions(plans[0].rows)["MeetingPlace:s-1"] == "withdrawn", "alone, the first would withdraw it"
    combined = combine(plans)
    assert combined.source == f"{SOURCE}, {other}"
    assert [(row.ref, row.action) for row in combined.rows] == [
        ("kahvilat.csv:s-2", "unchanged"),
        ("kahvilat.csv:s-1", "unchanged"),
        ("toinen.csv:2", "rejected"),
    ]
    assert combined.rows[-1].reason == f"{SOURCE} lists it too"
    record = await apply(small, combined, "tester", T1)
    assert (record.number, record.source, record.summary["rejected"]) == (2, combined.source, 1)
    assert [node.withdrawn_at for node in await small.get_many([NodeRef("MeetingPlace", "s-1")])] == [None]
    assert combine(plans[:1]) is plans[0]


async def test_replace_demo_withdraws_demo_places_of_the_kinds_in_the_municipalities_covered(
    small: GraphStore,
) -> None:
    result = await plan(small, reading(KAIKU), T0, replace_demo=True)
    assert actions(result.rows)["MeetingPlace:mp-091-1"] == "withdrawn"
    assert "MeetingPlace:mp-049-1" not in actions(result.rows), "Espoo is not covered by the import"
    await apply(small, result, "tester", T0)
    (demo,) = await small.get_many([NodeRef.of(DEMO_CAFE)])
    assert demo is not None and demo.is_withdrawn and demo.is_demo


async def test_loading_the_seeds_again_keeps_what_imports_wrote(small: GraphStore) -> None:
    moved = Found(
        "export.csv:2",
        dataclasses.replace(DEMO_CAFE, name="Perhekahvila Maunula II"),
        (Relationship("LOCATED_IN", NodeRef.of(DEMO_CAFE), NodeRef.of(ESPOO), "demo", {}),),
        frozenset({"LOCATED_IN"}),
    )
    await apply(small, await plan(small, reading(KAIKU, moved), T0, replace_demo=True), "tester", T0)
    summary = await small.load(BASE)
    assert summary.changes["MeetingPlace"]["unchanged"] == 2
    (demo,) = await small.get_many([NodeRef.of(DEMO_CAFE)])
    assert demo is not None and demo.name == "Perhekahvila Maunula II" and demo.updated_at == T0
    (links,) = await small.traverse_many([NodeRef.of(DEMO_CAFE)], (Hop("LOCATED_IN", Direction.OUT, None),))
    assert [link.node.key for link in links] == ["049"], "the seeds' LOCATED_IN Helsinki is not back"


async def test_replace_demo_never_withdraws_what_the_import_itself_lists(small: GraphStore) -> None:
    listed = Found(
        "export.csv:2",
        DEMO_CAFE,
        (Relationship("LOCATED_IN", NodeRef.of(DEMO_CAFE), NodeRef.of(HELSINKI), "demo", {}),),
        frozenset({"LOCATED_IN"}),
    )
    result = await plan(small, reading(KAIKU, listed), T0, replace_demo=True)
    assert [row.action for row in result.rows if row.id == str(NodeRef.of(DEMO_CAFE))] == ["unchanged"]


async def test_a_relationship_the_source_does_not_own_is_written_when_missing(small: GraphStore) -> None:
    unrun = Found(KAIKU.ref, KAIKU.node, KAIKU.relationships[:1], frozenset({"LOCATED_IN"}))
    await apply(small, await plan(small, reading(unrun), T0), "tester", T0)
    run = Found(KAIKU.ref, KAIKU.node, KAIKU.relationships, frozenset({"LOCATED_IN"}))
    result = await plan(small, reading(run), T1)
    assert actions(result.rows)["MeetingPlace:s-1"] == "updated", "its RUN_BY is not in the store yet"
    await apply(small, result, "tester", T1)
    assert actions((await plan(small, reading(run), T2)).rows)["MeetingPlace:s-1"] == "unchanged"


async def test_an_apply_that_fails_half_way_leaves_the_store_as_it_was(small: GraphStore) -> None:
    calls = 0

    def fail_midway(rows: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the writer failed half way")

    result = await plan(small, reading(KAIKU, LOTTA), T0)
    with pytest.raises(RuntimeError, match="half way"):
        await small.load(result.dataset, fail_midway, ImportRecord(T0, SOURCE, "tester", result.summary))
    assert await small.get_many([NodeRef("MeetingPlace", "s-1"), NodeRef("MeetingPlace", "s-2")]) == [None, None]
    assert (await small.imports(first=None)).items == []


async def test_reference_knows_municipalities_by_code_or_name_and_where_points_lie(small: GraphStore) -> None:
    reference = await Reference.of(small, SEEDS)
    assert reference.municipality("91") == reference.municipality("Helsingfors") == HELSINKI
    assert reference.municipality("Turku") is None, "not in this small graph"
    assert reference.welfare_areas["091"] == NodeRef.of(CITY)
    assert reference.check_point(Point(60.17, 24.94), HELSINKI) is None
    warning = reference.check_point(Point(60.205, 24.83), HELSINKI)
    assert warning is not None and "in Espoo" in warning, "just over the border: kept, with a warning"
    with pytest.raises(ValueError, match="outside Finland"):
        reference.check_point(Point(59.33, 18.07), HELSINKI)
    with pytest.raises(ValueError, match="lies in municipality 853"):
        reference.check_point(Point(60.45, 22.27), HELSINKI)


async def test_reference_knows_organisers_by_id_or_exact_name(small: GraphStore) -> None:
    reference = await Reference.of(small, SEEDS)
    assert (
        reference.organiser("District:uusimaa") == reference.organiser("MLL:n Uudenmaan piiri") == NodeRef.of(UUSIMAA)
    )
    for text, reason in [
        ("District:nowhere", "District:nowhere does not exist"),
        ("Municipality:091", "is a Municipality, which runs no meeting place"),
        ("mll kallio", "no District, LocalAssociation, Organization or FamilyCentre is called 'mll kallio'"),
    ]:
        with pytest.raises(ValueError, match=reason):
            reference.organiser(text)


async def test_an_import_goes_one_version_on_and_leaves_its_audit(small: GraphStore) -> None:
    await apply(small, await plan(small, reading(KAIKU), T0), "tester", T0)
    renamed = dataclasses.replace(KAIKU, node=dataclasses.replace(KAIKU.node, name="Perhekahvila Kaiku II"))
    await apply(small, await plan(small, reading(renamed), T1), "tester", T1)
    (kaiku,) = await small.get_many([NodeRef("MeetingPlace", "s-1")])
    assert kaiku is not None and kaiku.version == 2
    audit = (await small.changes(ChangeQuery(first=None, node="MeetingPlace:s-1"))).items
    assert [(c.operation, c.actor, c.organisation, c.version, c.at) for c in audit] == [
        ("import", "tester", None, 2, T1),
        ("import", "tester", None, 1, T0),
    ]
    assert audit[0].fields == (FieldChange("name", "Perhekahvila Kaiku", "Perhekahvila Kaiku II"),)


async def test_an_import_planned_before_an_edit_is_refused_whole_when_applied_after_it(small: GraphStore) -> None:
    await apply(small, await plan(small, reading(KAIKU), T0), "tester", T0)
    planned = await plan(small, reading(dataclasses.replace(KAIKU, node=dataclasses.replace(KAIKU.node, name="B"))), T1)
    (kaiku,) = await small.get_many([NodeRef("MeetingPlace", "s-1")])
    assert kaiku is not None
    edited = dataclasses.replace(kaiku, name="Edited", version=2, updated_at=T1)
    await small.load(Dataset([edited], []), expected={NodeRef.of(kaiku): 1}, changes=[])
    with pytest.raises(VersionConflict):
        await apply(small, planned, "tester", T2)
    assert (await small.get_many([NodeRef("MeetingPlace", "s-1")]))[0] == edited


async def test_closures_the_format_cannot_carry_are_kept_from_the_store(small: GraphStore) -> None:
    await apply(small, await plan(small, reading(KAIKU), T0), "tester", T0)
    (kaiku,) = await small.get_many([NodeRef("MeetingPlace", "s-1")])
    christmas = (Closure(datetime.date(2026, 12, 24), datetime.date(2026, 12, 26), "Joulu"),)
    closed = dataclasses.replace(kaiku, closures=christmas, version=2)  # type: ignore[type-var]
    await small.load(Dataset([closed], []), expected={NodeRef.of(closed): 1})
    again = await plan(small, reading(KAIKU), T1)
    assert actions(again.rows)["MeetingPlace:s-1"] == "unchanged"
    renamed = dataclasses.replace(KAIKU, node=dataclasses.replace(KAIKU.node, name="Kaiku II"))
    await apply(small, await plan(small, reading(renamed), T1), "tester", T1)
    (kaiku,) = await small.get_many([NodeRef("MeetingPlace", "s-1")])
    assert kaiku is not None and kaiku.closures == christmas  # type: ignore[attr-defined]
