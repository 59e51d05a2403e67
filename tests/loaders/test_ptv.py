"""The PTV reader: an organization's family centres and meeting places from PTV's Open API, through the
shared import plan, against a local server that answers as PTV does."""

from __future__ import annotations

import copy
import datetime
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from graph_api.cli import main
from graph_api.hours import REASON_MAX_CHARS, Closure, Schedule, Weekday
from graph_api.models import Dataset, FamilyCentre, MeetingPlace, MeetingPlaceKind, NodeRef, Organization
from graph_api.relations import FAMILY_CENTRE_SERVES, MEETING_PLACE_MUNICIPALITY, MEETING_PLACE_RUN_BY
from graph_api.store.base import GraphStore
from loaders import importing, ptv
from loaders.importing import Reading, Reference
from loaders.ptv_api import PtvApi
from tests.loaders.fake_ptv import (
    Answer,
    FakePtv,
    channel,
    json_answer,
    location_channel,
    organization,
    page_of,
    serve_fake_ptv,
    street_address,
    weekly,
)
from tests.loaders.ptv_channels import ptv_channels

pytestmark = pytest.mark.anyio

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
NOW = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
COUNTY = "5c4b4a3e-0000-4000-8000-000000000001"
CITY = "5c4b4a3e-0000-4000-8000-000000000002"
CAFE = "0a000000-0000-4000-8000-000000000001"
CENTRE = "0a000000-0000-4000-8000-000000000002"
PHONE = "0a000000-0000-4000-8000-000000000003"
CLINIC = "0a000000-0000-4000-8000-000000000004"
LIBRARY = "0a000000-0000-4000-8000-000000000005"
HELSINKI = (60.1699, 24.9384)
TAMPERE = (61.4978, 23.7610)
KEPT = "the service keeps weekly and dated opening hours and closures of whole days only"


def cafe(**changes: Any) -> dict[str, Any]:
    """A family café in central Helsinki, open Mon and Wed 9-12 and Tue 17-19."""
    item = location_channel(
        CAFE,
        COUNTY,
        "Perhekahvila Kamppi ",
        street_address(*HELSINKI, "Mannerheimintie", "5 A", "00100", "091"),
        name_sv="Familjecafé Kampen",
        hours=[
            weekly(
                ("Monday", "09:00:00", "12:00:00"), ("Wednesday", "09:00:00", "12:00:00"), ("Tuesday", "17:00", "19:00")
            )
        ],
    )
    return {**item, **changes}


def centre() -> dict[str, Any]:
    return location_channel(
        CENTRE, COUNTY, "Perhekeskus Hervanta", street_address(*TAMPERE, "Insinöörinkatu", "38", "33720", "837")
    )


@pytest.fixture
def fake() -> Iterator[FakePtv]:
    """PTV with one county: a café, a family centre, a phone line and a health clinic, two channels a page."""
    with serve_fake_ptv() as served:
        served.organizations[COUNTY] = organization(COUNTY, "Testin hyvinvointialue", "Testens välfärdsområde")
        served.channels[COUNTY] = [
            cafe(),
            centre(),
            channel(PHONE, COUNTY, "Phone", "Perheneuvonnan puhelin"),
            location_channel(CLINIC, COUNTY, "Hervannan terveysasema", None, services=["Perhekeskuspalvelut"]),
        ]
        yield served


def api_of(fake: FakePtv, **settings: Any) -> PtvApi:
    return PtvApi(fake.url, **{"timeout_s": 2.0, "retries": 2, "max_bytes": 100_000, "backoff_s": 0.01, **settings})


async def read(store: GraphStore, fake: FakePtv, organization_id: str = COUNTY, **settings: Any) -> Reading:
    return await ptv.read(await Reference.of(store, SEEDS), organization_id, api_of(fake, **settings))


async def seeded(store: GraphStore, dataset: Dataset) -> GraphStore:
    await store.load(dataset)
    return store


def actions(plan: importing.Plan) -> dict[str, list[str]]:
    by_ref: dict[str, list[str]] = {}
    for row in plan.rows:
        by_ref.setdefault(row.ref, []).append(row.action)
    return by_ref


async def test_ptv_brings_in_an_organizations_meeting_places_and_family_centres(
    new_store: GraphStore, dataset: Dataset, fake: FakePtv
) -> None:
    store = await seeded(new_store, dataset)
    plan = await importing.plan(store, await read(store, fake), NOW)
    assert actions(plan) == {
        f"ptv:{PHONE}": ["skipped"],
        f"ptv:{CLINIC}": ["skipped"],
        f"ptv:{COUNTY}": ["created"],
        f"ptv:{CAFE}": ["created"],
        f"ptv:{CENTRE}": ["created"],
    }
    reasons = {row.ref: row.reason for row in plan.rows if row.action == "skipped"}
    assert reasons[f"ptv:{PHONE}"] == "a Phone channel: not a place on the map"
    assert "neither a family centre nor a meeting place" in str(reasons[f"ptv:{CLINIC}"])
    await importing.apply(store, plan, "tester", NOW)

    place, family_centre, runner = await store.get_many(
        [
            NodeRef("MeetingPlace", f"ptv-{CAFE}"),
            NodeRef("FamilyCentre", f"ptv-{CENTRE}"),
            NodeRef("Organization", f"ptv-{COUNTY}"),
        ]
    )
    assert isinstance(place, MeetingPlace)
    assert (place.name, place.name_sv, place.kind) == (
        "Perhekahvila Kamppi ",
        "Familjecafé Kampen",
        MeetingPlaceKind.FAMILY_CAFE,
    )
    assert (place.street_address, place.postal_code) == ("Mannerheimintie 5 A", "00100")
    assert (place.source, place.source_id, place.imported_at) == (f"ptv:{COUNTY}", CAFE, NOW)
    assert place.location.lat == pytest.approx(HELSINKI[0], abs=1e-6)
    assert place.location.lon == pytest.approx(HELSINKI[1], abs=1e-6)
    assert set(place.schedules) == {
        Schedule((Weekday.MO, Weekday.WE), datetime.time(9), datetime.time(12)),
        Schedule((Weekday.TU,), datetime.time(17), datetime.time(19)),
    }
    assert isinstance(family_centre, FamilyCentre) and family_centre.street_address == "Insinöörinkatu 38"
    assert isinstance(runner, Organization) and runner.name_sv == "Testens välfärdsområde"
    located, run_by = [
        links
        for path in (MEETING_PLACE_MUNICIPALITY, MEETING_PLACE_RUN_BY)
        for links in await store.traverse_many([NodeRef.of(place)], path)
    ]
    assert [str(NodeRef.of(link.node)) for link in located] == ["Municipality:091"]
    assert [(NodeRef.of(link.node), link.properties["role"]) for link in run_by] == [
        (NodeRef.of(runner), "COORDINATOR")
    ]
    (serves,) = await store.traverse_many([NodeRef.of(family_centre)], FAMILY_CENTRE_SERVES)
    assert [str(NodeRef.of(link.node)) for link in serves] == ["WelfareArea:PI"]


async def test_ptv_imported_again_changes_nothing_and_withdraws_what_it_no_longer_lists(
    new_store: GraphStore, dataset: Dataset, fake: FakePtv
) -> None:
    store = await seeded(new_store, dataset)
    await importing.apply(store, await importing.plan(store, await read(store, fake), NOW), "tester", NOW)
    again = await importing.plan(store, await read(store, fake), NOW)
    assert {row.action for row in again.rows} == {"unchanged", "skipped"}
    (place,) = await store.get_many([NodeRef("MeetingPlace", f"ptv-{CAFE}")])
    assert place is not None and place.source_updated_at == datetime.datetime(
        2026, 10, 1, 8, 30, 0, 123000, datetime.UTC
    )

    fake.channels[COUNTY] = [{**cafe(), "modified": "2026-11-02T10:00:00Z"}, centre()]
    edited = await importing.plan(store, await read(store, fake), NOW)
    assert actions(edited)[f"ptv:{CAFE}"] == ["updated"], "PTV changed it: its modification time is kept anew"

    fake.channels[COUNTY] = [centre()]
    later = NOW + datetime.timedelta(days=1)
    plan = await importing.plan(store, await read(store, fake), later)
    withdrawn = [row for row in plan.rows if row.action == "withdrawn"]
    assert [(row.id, row.reason) for row in withdrawn] == [
        (f"MeetingPlace:ptv-{CAFE}", f"ptv:{COUNTY} no longer lists it")
    ]
    await importing.apply(store, plan, "tester", later)
    (place,) = await store.get_many([NodeRef("MeetingPlace", f"ptv-{CAFE}")])
    assert place is not None and place.withdrawn_at == later


async def test_ptv_import_of_one_organization_leaves_anothers_places_alone(
    new_store: GraphStore, dataset: Dataset, fake: FakePtv
) -> None:
    store = await seeded(new_store, dataset)
    await importing.apply(store, await importing.plan(store, await read(store, fake), NOW), "tester", NOW)
    fake.organizations[CITY] = organization(CITY, "Testikaupunki")
    fake.channels[CITY] = [
        location_channel(
            LIBRARY,
            CITY,
            "Kirjasto",
            street_address(*HELSINKI, "Töölönlahdenkatu", "4", "00100", "091"),
            services=["Perhekahvilat"],
        )
    ]
    plan = await importing.plan(store, await read(store, fake, CITY), NOW)
    assert actions(plan) == {f"ptv:{CITY}": ["created"], f"ptv:{LIBRARY}": ["created"]}
    (library,) = [node for node in plan.dataset.nodes if isinstance(node, MeetingPlace)]
    assert library.kind == MeetingPlaceKind.FAMILY_CAFE


async def test_ptv_page_that_fails_is_rejected_and_withdraws_nothing(
    new_store: GraphStore, dataset: Dataset, fake: FakePtv
) -> None:
    store = await seeded(new_store, dataset)
    await importing.apply(store, await importing.plan(store, await read(store, fake), NOW), "tester", NOW)
    fake.script += [("page=1", Answer(502, b"Bad Gateway"))] * 3
    reading = await read(store, fake)
    assert not reading.complete
    (rejection,) = reading.rejected
    assert rejection.ref.endswith(f"/api/v11/ServiceChannel/list/organization?organizationId={COUNTY}&page=1")
    assert rejection.reason == "PTV answered 502 Bad Gateway: Bad Gateway (asked 3 times)"
    plan = await importing.plan(store, reading, NOW)
    assert {row.action for row in plan.rows} == {"rejected", "unchanged"}


def broken(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    item = copy.deepcopy(cafe())
    change(item)
    return item


def address_of(item: dict[str, Any]) -> dict[str, Any]:
    return item["addresses"][0]["streetAddress"]  # type: ignore[no-any-return]


def opening(item: dict[str, Any]) -> dict[str, Any]:
    return item["serviceHours"][0]["openingHour"][0]  # type: ignore[no-any-return]


BAD_CHANNELS = [
    pytest.param(
        lambda c: address_of(c).update(municipality={"code": "999"}),
        "municipality.code: '999' is no Finnish municipality's code",
        id="unknown-municipality",
    ),
    pytest.param(
        lambda c: c.update(addresses=[street_address(*TAMPERE, "Hämeenkatu", "1", "33100", "091")]),
        "the point lies in Tampere",
        id="point-in-another-municipality",
    ),
    pytest.param(
        lambda c: address_of(c).update(latitude="60.1699", longitude="24.9384"),
        "look like degrees",
        id="coordinates-in-degrees",
    ),
    pytest.param(
        lambda c: address_of(c).update(latitude="north"),
        "'north' is not a coordinate in metres",
        id="coordinates-not-numbers",
    ),
    pytest.param(
        lambda c: c.update(addresses=[street_address(None, None, "Mannerheimintie", "5", "00100", "091")]),
        "no coordinates (coordinateState 'Failed'): a meeting place needs a position",
        id="no-coordinates",
    ),
    pytest.param(
        lambda c: c.update(addresses=[]),
        "addresses: no visiting address: a meeting place needs a position",
        id="no-visiting-address",
    ),
    pytest.param(lambda c: c["addresses"][0].update(subType="Abroad"), "the visiting address is abroad", id="abroad"),
    pytest.param(
        lambda c: opening(c).update({"from": "16:00", "to": "08:00"}),
        "serviceHours[0].openingHour[0]: closes at 08:00 before it opens at 16:00",
        id="closes-before-it-opens",
    ),
    pytest.param(
        lambda c: opening(c).update({"to": "25:00"}),
        "serviceHours[0].openingHour[0].to: '25:00' is not a time like 09:30",
        id="time-does-not-parse",
    ),
    pytest.param(
        lambda c: opening(c).update(dayFrom="Funday"), "dayFrom: 'Funday' is not a weekday", id="unknown-weekday"
    ),
    pytest.param(
        lambda c: c["serviceHours"][0].update(serviceHourType="Sometimes"),
        "serviceHourType: 'Sometimes' is not one PTV gives",
        id="unknown-hours-type",
    ),
    pytest.param(
        lambda c: c["serviceHours"][0].update(
            validForNow=False, validFrom="2026-06-01T00:00:00", validTo="2026-05-01T00:00:00"
        ),
        "valid_to 2026-05-01 is before valid_from 2026-06-01",
        id="valid-to-before-from",
    ),
    pytest.param(
        lambda c: c.update(serviceChannelNames=[{"language": "fi", "value": " ", "type": "Name"}]),
        "serviceChannelNames: no name in any language",
        id="no-name",
    ),
    pytest.param(
        lambda c: c.update(serviceChannelNames="Perhekahvila"), "serviceChannelNames: not a list", id="names-not-a-list"
    ),
]


@pytest.mark.parametrize(("change", "reason"), BAD_CHANNELS)
async def test_ptv_channel_that_cannot_be_taken_is_rejected_naming_it_and_why(
    store: GraphStore, fake: FakePtv, change: Callable[[dict[str, Any]], object], reason: str
) -> None:
    fake.channels[COUNTY] = [broken(change), centre()]
    reading = await read(store, fake)
    (rejection,) = reading.rejected
    assert rejection.ref == f"ptv:{CAFE}"
    assert reason in rejection.reason
    assert [found.ref for found in reading.found] == [f"ptv:{COUNTY}", f"ptv:{CENTRE}"]
    assert reading.complete


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        pytest.param(
            "Perhekahvila", "a JSON str where a service channel with a GUID id was expected", id="not-an-object"
        ),
        pytest.param(
            {"id": "42", "serviceChannelType": "ServiceLocation"},
            "an id '42' where a service channel",
            id="id-not-a-guid",
        ),
    ],
)
async def test_ptv_item_that_is_no_channel_is_rejected_naming_its_place_in_the_answer(
    store: GraphStore, fake: FakePtv, item: object, reason: str
) -> None:
    fake.channels[COUNTY] = [centre(), item]
    (rejection,) = (await read(store, fake)).rejected
    assert rejection.ref.endswith(f"organizationId={COUNTY}&page=1#1")
    assert reason in rejection.reason


async def test_ptv_channel_listed_twice_is_rejected_where_it_comes_again(store: GraphStore, fake: FakePtv) -> None:
    fake.channels[COUNTY] = [cafe(), centre(), cafe()]
    plan = await importing.plan(store, await read(store, fake), NOW)
    assert actions(plan)[f"ptv:{CAFE}"] == ["rejected", "created"]
    (row,) = [row for row in plan.rows if row.action == "rejected"]
    assert row.reason == f"the id 'ptv-{CAFE}' is used before, at ptv:{CAFE}"


async def test_ptv_keeps_with_a_warning_what_it_cannot_keep_whole(store: GraphStore, fake: FakePtv) -> None:
    """A point at sea off Helsinki stays in Helsinki; an exceptional opening is kept for its dates, a closed day
    is a closure, and hours by reservation are left out, with a warning."""
    exceptional = {
        "serviceHourType": "Exceptional",
        "validFrom": "2026-12-22T00:00:00",
        "validTo": "2026-12-23T00:00:00",
        "openingHour": [{"from": "09:00", "to": "12:00"}],
    }
    hours = [
        weekly(("Friday", "10:00", "14:00")),
        {"serviceHourType": "Exceptional", "validFrom": "2026-12-24T00:00:00", "isClosed": True, "openingHour": []},
        weekly(("Saturday", "10:00", "14:00"), isReservation=True),
        exceptional,
    ]
    fake.channels[COUNTY] = [
        cafe(addresses=[street_address(60.10, 24.95, "Särkkä", "1", "00190", "091")], serviceHours=hours)
    ]
    reading = await read(store, fake)
    (found,) = [found for found in reading.found if isinstance(found.node, MeetingPlace)]
    days = (datetime.date(2026, 12, 22), datetime.date(2026, 12, 23))
    assert found.node.schedules == (
        Schedule((Weekday.FR,), datetime.time(10), datetime.time(14)),
        Schedule((Weekday.TU, Weekday.WE), datetime.time(9), datetime.time(12), *days),
    )
    assert found.node.closures == (Closure(datetime.date(2026, 12, 24), datetime.date(2026, 12, 24)),)
    assert found.warnings == (
        "addresses[0].streetAddress: the point lies outside every municipality (at sea or across the border), "
        "4.4 km from Helsinki: kept in Helsinki",
        f"serviceHours[2]: hours by reservation only not kept: {KEPT}",
    )


def closed(first: str, last: str | None = None, *openings: tuple[str, str], **entry: Any) -> dict[str, Any]:
    """Exceptional hours marked closed from `first` to `last` (PTV's date-times), closed between `openings`."""
    hours = [{"dayFrom": None, "from": opens, "to": closes} for opens, closes in openings]
    dates = {"validFrom": f"{first}T00:00:00", "validTo": last and f"{last}T00:00:00"}
    return {"serviceHourType": "Exceptional", "isClosed": True, **dates, "openingHour": hours, **entry}


async def test_ptv_exceptional_hours_marked_closed_are_closures_of_their_dates(
    store: GraphStore, fake: FakePtv
) -> None:
    """Whole days closed become closures, with PTV's note in Finnish (else Swedish, English, any) as the reason;
    what a closure cannot say (closed for part of a day, closed regular hours) stays a warning."""
    notes = [{"language": "sv", "value": "Jullov"}, {"language": "fi", "value": " Joulutauko "}]
    hours = [
        weekly(("Monday", "09:00", "12:00")),
        closed("2026-12-21", "2027-01-06", additionalInformation=notes),
        closed("2027-06-19", additionalInformation=[{"language": "en", "value": "Midsummer"}]),
        closed("2027-02-01", None, ("12:00", "16:00")),
        closed("2027-03-01", additionalInformation=[{"language": "fi", "value": "x" * (REASON_MAX_CHARS + 1)}]),
        weekly(("Tuesday", "09:00", "12:00"), validForNow=False, isClosed=True),
    ]
    fake.channels[COUNTY] = [cafe(serviceHours=hours)]
    (found,) = [found for found in (await read(store, fake)).found if isinstance(found.node, MeetingPlace)]
    assert found.node.schedules == (Schedule((Weekday.MO,), datetime.time(9), datetime.time(12)),)
    assert found.node.closures == (
        Closure(datetime.date(2026, 12, 21), datetime.date(2027, 1, 6), "Joulutauko"),
        Closure(datetime.date(2027, 6, 19), datetime.date(2027, 6, 19), "Midsummer"),
        Closure(datetime.date(2027, 3, 1), datetime.date(2027, 3, 1)),
    )
    assert found.warnings == (
        f"serviceHours[3]: a closure of part of a day not kept: {KEPT}",
        "serviceHours[4].additionalInformation: 501 characters, more than the 500 a closure's reason may have: "
        "the closure kept without it",
        f"serviceHours[5]: regular hours marked closed not kept: {KEPT}",
    )


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        pytest.param(
            closed("2026-12-24", "2026-12-20"), "validTo: 2026-12-20 is before validFrom 2026-12-24", id="ends-first"
        ),
        pytest.param(
            {**closed("2026-12-24"), "validFrom": None}, "validFrom: exceptional hours name the date", id="no-date"
        ),
        pytest.param(
            closed("2026-12-24", additionalInformation="Joulu"), "additionalInformation: a JSON str", id="not-a-list"
        ),
    ],
)
async def test_ptv_closure_that_cannot_be_read_rejects_the_place_naming_the_field(
    store: GraphStore, fake: FakePtv, entry: dict[str, Any], reason: str
) -> None:
    fake.channels[COUNTY] = [cafe(serviceHours=[weekly(("Monday", "09:00", "12:00")), entry])]
    (rejection,) = (await read(store, fake)).rejected
    assert rejection.ref == f"ptv:{CAFE}"
    assert f"serviceHours[1].{reason}" in rejection.reason


async def test_ptv_family_centre_in_aland_serves_its_municipality_and_one_without_address_is_kept(
    store: GraphStore, fake: FakePtv
) -> None:
    mariehamn = location_channel(
        CENTRE, COUNTY, "Familjecentralen", street_address(60.0973, 19.9348, "Torggatan", "1", "22100", "478")
    )
    nowhere = location_channel(CLINIC, COUNTY, "Perhekeskus", None)
    fake.channels[COUNTY] = [mariehamn, nowhere]
    plan = await importing.plan(store, await read(store, fake), NOW)
    serves = {str(rel.start): str(rel.end) for rel in plan.dataset.relationships if rel.type == "SERVES"}
    assert serves == {f"FamilyCentre:ptv-{CENTRE}": "Municipality:478"}
    (warning,) = [row for row in plan.rows if row.action == "warning"]
    assert (warning.ref, warning.reason) == (
        f"ptv:{CLINIC}",
        "addresses: no visiting address: kept without a position or an area it serves",
    )


PAGE_FAILURES = [
    pytest.param(
        [("page=2", Answer(200, b"x" * 200_000))],
        "is 200,000 bytes, more than the 100,000 an import may read",
        id="too-large",
    ),
    pytest.param(
        [("page=2", Answer(200, b"x" * 200_000, length=False))], "is at least 1", id="too-large-without-length"
    ),
    pytest.param(
        [("page=2", Answer(200, b"{not JSON"))], "PTV's answer is not JSON in UTF-8 (Expecting", id="not-json"
    ),
    pytest.param(
        [("page=2", Answer(200, '{"pageCount": "ä"}'.encode("latin-1")))],
        "not JSON in UTF-8 ('utf-8' codec",
        id="latin-1",
    ),
    pytest.param(
        [("page=2", Answer(200, json.dumps({"itemList": []}).encode("utf-16")))],
        "PTV's answer has no pageCount",
        id="utf-16-no-page-count",
    ),
    pytest.param(
        [("page=2", json_answer({"pageCount": 2, "itemList": {"id": CAFE}}))],
        "has no itemList (a list), but dict",
        id="item-list-not-a-list",
    ),
    pytest.param([("page=2", json_answer([1, 2]))], "PTV's answer is a JSON list", id="answer-not-an-object"),
    pytest.param(
        [("page=2", json_answer({"errorMessage": "Invalid page."}, 400))],
        "PTV answered 400 Bad Request: Invalid page.",
        id="http-400",
    ),
    pytest.param(
        [("page=2", Answer(404, b"Not here. " * 100_000))],
        "PTV answered 404 Not Found: Not here. Not here.",
        id="error-with-a-large-body",
    ),
]


@pytest.mark.parametrize(("script", "reason"), PAGE_FAILURES)
async def test_ptv_answer_that_cannot_be_read_rejects_its_page_and_leaves_the_reading_incomplete(
    store: GraphStore, fake: FakePtv, script: list[tuple[str, Answer]], reason: str
) -> None:
    fake.script += script
    reading = await read(store, fake)
    (rejection,) = reading.rejected
    assert rejection.ref.endswith("&page=2")
    assert reason in rejection.reason
    assert not reading.complete
    assert [found.ref for found in reading.found] == [f"ptv:{COUNTY}", f"ptv:{CAFE}", f"ptv:{CENTRE}"]


async def test_ptv_organization_it_does_not_know_is_rejected_and_nothing_else_asked(
    store: GraphStore, fake: FakePtv
) -> None:
    reading = await read(store, fake, CITY)
    assert [(r.ref, r.reason) for r in reading.rejected] == [
        (f"ptv:{CITY}", "PTV answered 404 Not Found: Organization not found.")
    ]
    assert (reading.found, reading.complete, len(fake.requests)) == ([], False, 1)


async def test_ptv_organization_id_must_be_a_guid(store: GraphStore, fake: FakePtv) -> None:
    reading = await read(store, fake, "../Organization")
    assert reading.rejected[0].reason.startswith("a PTV organization id is a GUID")
    assert fake.requests == []


async def test_ptv_retries_a_passing_failure_and_honours_retry_after(store: GraphStore, fake: FakePtv) -> None:
    fake.script += [
        ("page=1", Answer(503)),
        ("page=1", Answer(429, headers={"Retry-After": "0"})),
    ]
    reading = await read(store, fake)
    assert (reading.rejected, reading.complete) == ([], True)
    assert sum("page=1" in target for target in fake.requests) == 3


async def test_ptv_that_does_not_answer_in_time_is_given_up_on_after_its_retries(
    store: GraphStore, fake: FakePtv
) -> None:
    fake.script += [("Organization", Answer(200, delay_s=1.0))] * 2
    started = time.monotonic()
    reading = await read(store, fake, timeout_s=0.2, retries=1)
    assert time.monotonic() - started < 1.0
    assert reading.rejected[0].reason == "PTV did not answer within 0.2 s (asked 2 times)"


async def test_ptv_that_cannot_be_reached_is_a_rejection(store: GraphStore, fake: FakePtv) -> None:
    reading = await ptv.read(await Reference.of(store, SEEDS), COUNTY, PtvApi("http://127.0.0.1:9", retries=0))
    assert reading.rejected[0].reason.startswith("PTV could not be reached (ConnectError")


def test_graph_api_import_ptv_reports_a_dry_run_then_applies_it(fake: FakePtv, tmp_path: Path) -> None:
    env = {"PTV_API_URL": fake.url, "GRAPH_API_DATA": str(tmp_path), "PTV_RETRIES": "0"}
    arguments = ["import", "ptv", "--organization", COUNTY, "--report", "json"]
    dry = CliRunner().invoke(main, arguments, env=env)
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["summary"]["created"] == 3
    assert "dry run: nothing was written" in dry.stderr
    applied = CliRunner().invoke(main, [*arguments, "--apply", "--by", "tester"], env=env)
    assert applied.exit_code == 0, applied.output
    assert f"import 1 applied: ptv:{COUNTY}, by tester" in applied.stderr
    again = CliRunner().invoke(main, arguments, env=env)
    assert again.exit_code == 0
    assert json.loads(again.stdout)["summary"]["unchanged"] == 3


def test_graph_api_import_ptv_writes_nothing_when_something_is_rejected(fake: FakePtv, tmp_path: Path) -> None:
    fake.channels[COUNTY].append(location_channel(LIBRARY, COUNTY, "Perhekahvila", None))
    env = {"PTV_API_URL": fake.url, "GRAPH_API_DATA": str(tmp_path)}
    result = CliRunner().invoke(main, ["import", "ptv", "--organization", COUNTY, "--apply"], env=env)
    assert result.exit_code == 1
    assert "1 rejected: nothing was written" in result.stderr
    assert f"ptv:{LIBRARY}" in result.stdout


def library() -> dict[str, Any]:
    return location_channel(
        LIBRARY, CITY, "Kirjaston perhekahvila", street_address(*HELSINKI, "Töölönlahdenkatu", "4", "00100", "091")
    )


@pytest.fixture
def two(fake: FakePtv) -> FakePtv:
    """PTV with a second organization, a city with a family café in its library."""
    fake.organizations[CITY] = organization(CITY, "Testikaupunki")
    fake.channels[CITY] = [library()]
    return fake


async def test_ptv_organizations_read_together_are_applied_as_one_import(
    new_store: GraphStore, dataset: Dataset, two: FakePtv
) -> None:
    store = await seeded(new_store, dataset)
    readings = [await read(store, two, organization_id) for organization_id in (COUNTY, CITY)]
    plan = importing.combine([await importing.plan(store, reading, NOW) for reading in readings])
    assert plan.source == f"ptv:{COUNTY}, ptv:{CITY}"
    assert plan.summary["created"] == 5
    record = await importing.apply(store, plan, "tester", NOW)
    assert (record.number, record.source) == (1, plan.source)
    places = await store.get_many([NodeRef("MeetingPlace", f"ptv-{key}") for key in (CAFE, LIBRARY)])
    assert [place.source for place in places if place] == [f"ptv:{COUNTY}", f"ptv:{CITY}"]


def test_graph_api_import_ptv_of_two_organizations_writes_one_import_or_nothing(two: FakePtv, tmp_path: Path) -> None:
    env = {"PTV_API_URL": two.url, "GRAPH_API_DATA": str(tmp_path), "PTV_RETRIES": "0"}
    arguments = ["import", "ptv", "--organization", COUNTY, "--organization", CITY.upper(), "--apply", "--by", "t"]
    two.script.append((f"organizationId={CITY}", Answer(503)))
    failed = CliRunner().invoke(main, arguments, env=env)
    assert failed.exit_code == 1
    assert "1 rejected: nothing was written" in failed.stderr
    applied = CliRunner().invoke(main, [*arguments, "--report", "json"], env=env)
    assert applied.exit_code == 0, applied.output
    assert f"import 1 applied: ptv:{COUNTY}, ptv:{CITY}, by t" in applied.stderr
    assert json.loads(applied.stdout)["summary"]["created"] == 5, "the failed run wrote nothing"


@pytest.mark.parametrize(
    "arguments",
    [pytest.param([], id="neither"), pytest.param(["--organization", COUNTY, "--file", __file__], id="both")],
)
def test_graph_api_import_ptv_takes_organizations_or_a_file(arguments: list[str]) -> None:
    result = CliRunner().invoke(main, ["import", "ptv", *arguments])
    assert result.exit_code == 2
    assert "give --organization (once or more) or --file: one of them, not both" in result.stderr


def saved(fake: FakePtv, folder: Path, shape: str, channels: list[Any] | None = None) -> Path:
    """The county's listing saved as a file: PTV's page object, or a plain array of its channels."""
    listing = fake.listing(COUNTY)
    if channels is not None:
        listing = page_of(channels, 1, len(channels))
    path = folder / f"ptv-{shape}.json"
    path.write_text(json.dumps(listing if shape == "page" else listing["itemList"], ensure_ascii=False), "utf-8")
    return path


def read_saved(store: GraphStore, path: Path) -> Callable[[], Any]:
    async def reading() -> list[Reading]:
        return ptv.read_file(path, await Reference.of(store, SEEDS), 100_000)

    return reading


SHAPES = [pytest.param("page", id="page-object"), pytest.param("array", id="array")]


@pytest.mark.parametrize("shape", SHAPES)
async def test_ptv_file_gives_the_places_the_live_api_gives_and_twice_changes_nothing(
    new_store: GraphStore, dataset: Dataset, fake: FakePtv, tmp_path: Path, shape: str
) -> None:
    store = await seeded(new_store, dataset)
    (reading,) = await read_saved(store, saved(fake, tmp_path, shape))()
    live = await read(store, fake)
    assert (reading.source, reading.complete, reading.skipped) == (live.source, True, live.skipped)
    assert [f.node for f in reading.found] == [f.node for f in live.found if not isinstance(f.node, Organization)]
    assert reading.warnings == [
        (
            f"ptv:{COUNTY}",
            f"Organization:ptv-{COUNTY} is not in the store: its places are kept without an organiser "
            f"(import the organization with --organization {COUNTY} to name it)",
        )
    ]
    await importing.apply(store, await importing.plan(store, reading, NOW), "tester", NOW)
    assert await store.traverse_many([NodeRef("MeetingPlace", f"ptv-{CAFE}")], MEETING_PLACE_RUN_BY) == [[]]
    (again,) = await read_saved(store, saved(fake, tmp_path, shape))()
    plan = await importing.plan(store, again, NOW)
    assert {row.action for row in plan.rows} == {"unchanged", "skipped", "warning"}


@pytest.mark.parametrize("shape", SHAPES)
async def test_ptv_file_after_the_live_import_names_the_organizer_and_withdraws_a_dropped_channel(
    new_store: GraphStore, dataset: Dataset, fake: FakePtv, tmp_path: Path, shape: str
) -> None:
    store = await seeded(new_store, dataset)
    await importing.apply(store, await importing.plan(store, await read(store, fake), NOW), "tester", NOW)
    (reading,) = await read_saved(store, saved(fake, tmp_path, shape))()
    (found,) = [f for f in reading.found if f.ref == f"ptv:{CAFE}"]
    assert [str(rel.end) for rel in found.relationships if rel.type == "RUN_BY"] == [f"Organization:ptv-{COUNTY}"]
    assert {row.action for row in (await importing.plan(store, reading, NOW)).rows} == {"unchanged", "skipped"}

    (reading,) = await read_saved(store, saved(fake, tmp_path, shape, [centre()]))()
    plan = await importing.plan(store, reading, NOW)
    assert [row.id for row in plan.rows if row.action == "withdrawn"] == [f"MeetingPlace:ptv-{CAFE}"]


BAD_FILES = [
    pytest.param(b"{not JSON", "the file is not JSON (Expecting", id="not-json"),
    pytest.param('[{"id": "ä"}]'.encode("latin-1"), "the file is not UTF-8 ('utf-8' codec", id="latin-1"),
    pytest.param(json.dumps([]).encode("utf-16"), "the file is not UTF-8", id="utf-16"),
    pytest.param(b" " * 100_001, "the file is 100,001 bytes, more than the 100,000 an import may read", id="too-large"),
    pytest.param(b'{"items": []}', "a JSON dict with no itemList (a list)", id="no-item-list"),
    pytest.param(b'"Perhekahvila"', "a JSON str with no itemList", id="a-string"),
]


@pytest.mark.parametrize(("content", "reason"), BAD_FILES)
async def test_ptv_file_that_cannot_be_read_is_one_rejection_naming_it(
    store: GraphStore, tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "ptv.json"
    path.write_bytes(content)
    (reading,) = await read_saved(store, path)()
    assert [rejection.ref for rejection in reading.rejected] == [str(path)]
    assert reason in reading.rejected[0].reason
    assert (reading.found, reading.complete) == ([], False)


@pytest.mark.parametrize(("shape", "where"), [("page", "{}:itemList[{}]"), ("array", "{}#{}")])
async def test_ptv_file_channel_of_no_organization_is_rejected_naming_its_place_and_withdraws_nothing(
    store: GraphStore, fake: FakePtv, tmp_path: Path, shape: str, where: str
) -> None:
    path = saved(fake, tmp_path, shape, [cafe(), {**centre(), "organizationId": None}, "Perhekahvila"])
    whole, county = await read_saved(store, path)()
    assert [(r.ref, r.reason) for r in whole.rejected] == [
        (where.format(path, 1), "organizationId None: a service channel names its organization's GUID"),
        (where.format(path, 2), "a JSON str: a service channel names its organization's GUID"),
    ]
    assert (county.source, [f.ref for f in county.found], county.complete) == (f"ptv:{COUNTY}", [f"ptv:{CAFE}"], False)


async def test_ptv_file_of_one_page_of_several_withdraws_nothing(
    store: GraphStore, fake: FakePtv, tmp_path: Path
) -> None:
    path = tmp_path / "page-1.json"
    path.write_text(json.dumps(page_of(fake.channels[COUNTY], 1, 2)), "utf-8")
    whole, county = await read_saved(store, path)()
    assert whole.warnings == [(str(path), "page 1 of 2: only a whole listing withdraws anything")]
    assert (county.complete, [f.ref for f in county.found]) == (False, [f"ptv:{CAFE}", f"ptv:{CENTRE}"])


def test_graph_api_import_ptv_file_applies_the_saved_listing(fake: FakePtv, tmp_path: Path) -> None:
    path = saved(fake, tmp_path, "page")
    env = {"GRAPH_API_DATA": str(tmp_path / "data")}
    result = CliRunner().invoke(main, ["import", "ptv", "--file", str(path), "--apply", "--by", "t"], env=env)
    assert result.exit_code == 0, result.output
    assert f"import 1 applied: ptv:{COUNTY}, by t" in result.stderr
    assert "import the organization with --organization" in result.stdout


async def test_ptv_benchmark_listing_imports_whole(store: GraphStore, tmp_path: Path) -> None:
    path = tmp_path / "ptv-1000.json"
    path.write_text(json.dumps(ptv_channels(), ensure_ascii=False), "utf-8")
    (reading,) = ptv.read_file(path, await Reference.of(store, SEEDS), 20_000_000)
    assert (len(reading.found), reading.rejected, reading.skipped, reading.complete) == (1_000, [], [], True)
    kinds = {found.node.kind for found in reading.found if isinstance(found.node, MeetingPlace)}
    assert len(kinds) == 4 and all(found.node.schedules for found in reading.found)  # type: ignore[attr-defined]
