"""The PTV reader: an organization's family centres and meeting places from Suomi.fi Palvelutietovaranto.

It gives one reading per organization (a wellbeing services county, a city, an association), whose source is
`ptv:{organization id}`, so importing one organization never withdraws another's places; several read in one
run are planned apart and applied together (`importing.combine`). In the report a channel is `ptv:{channel id}`;
its node's key is `ptv-{channel id}`. Two ways in, one path for a channel (`_take`):
- `read`, the live Open API v11: the organization (`/Organization/{id}`), then every page of its service channels
  with all their data (`/ServiceChannel/list/organization?organizationId={id}&page=N`). The organization comes
  in as an `Organization` named as PTV names it.
- `read_file`, a saved answer of that listing: a page object with an `itemList`, or a JSON array of channels
  (UTF-8, at most `GRAPH_API_IMPORT_MAX_SIZE`). Its channels are grouped by their `organizationId`, a reading
  for each. No API is asked, so organizations' names are unknown: a place is `RUN_BY` its organization only
  where `Organization:ptv-{id}` is already in the store (from a live import), and is otherwise kept without
  one, with a warning per organization. A file that cannot be read is one rejection naming it; a channel with
  no organization GUID is rejected naming its place (`F#3`, `F:itemList[3]`), and then, as for a file holding
  one page of several, nothing is withdrawn.

What becomes what:
- Only service locations (`serviceChannelType` `ServiceLocation`) have a place on the map; phone, web,
  e-service and printable-form channels, and channels not published, are skipped.
- A service location's kind is read from its own names (Finnish, Swedish, English), then from the names
  of the services linked to it: a family café (`perhekahvila`, `familjecafé`), a family house
  (`perhetalo`), open day-care (`avoin päiväkoti`, `avoin varhaiskasvatus`) or a meeting place
  (`kohtaamispaikka`, `kohtaamo`, `mötesplats`) becomes a `MeetingPlace` of that kind, checked in that order
  (`Perhekeskuksen perhekahvila` is a café). One whose own name says family centre (`perhekeskus`,
  `familjecentral`) becomes a `FamilyCentre`; a service's name never does, since counties link their
  family-centre service to health stations and child-health clinics too. Any other location is skipped.
- Names: the Finnish `Name` is the name and the Swedish one `name_sv`; a place with no Finnish name takes its
  Swedish (or English) one. Names and addresses are kept verbatim. A postal code is five digits 0-9
  (`importing.check_postal_code`, as for every reader): another rejects the channel, naming the field.
- Position: the first visiting address (`type` `Location`): a street address, or an "other" one (a point
  with a description). PTV gives ETRS-TM35FIN metres (EPSG:3067), the northing in `latitude`; they become
  WGS-84 degrees (6 decimals, about 0.1 m), checked by `Reference.check_point` against the municipality
  the address names (an "other" address names none: the point's own is taken). A meeting place without a
  position is rejected; a family centre is kept without one, with a warning.
- Relationships: a meeting place is `LOCATED_IN` its municipality (PTV owns it: a move replaces it) and
  `RUN_BY {role: COORDINATOR}` the organization, which comes in as an `Organization` keyed
  `ptv-{organization id}` (not owned: a partner added by others stays). A family centre `SERVES` the county
  of its municipality, or the municipality where there is none (Åland); PTV owns that one. PTV says nothing
  of MLL's activities or of which family centre a meeting place belongs to: no `OFFERS`, no `PART_OF`.
- Opening hours: see `loaders.ptv_hours`.

A page PTV cannot give (no answer within `PTV_TIMEOUT` after `PTV_RETRIES` retries, an HTTP error, more than
`GRAPH_API_IMPORT_MAX_SIZE`, not JSON) is a rejection naming its URL, and the reading is incomplete:
nothing is withdrawn on the strength of it.
"""

from __future__ import annotations

import datetime
import functools
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pyproj import Transformer

from graph_api.models import FamilyCentre, MeetingPlace, MeetingPlaceKind, Municipality, NodeRef, Organization, Point
from graph_api.models import Relationship as Rel
from graph_api.text import fold
from loaders.importing import ROLES, Found, Reading, Reference, Rejection, check_postal_code
from loaders.ptv_api import PtvApi
from loaders.ptv_hours import opening_hours

LABELS = frozenset({"MeetingPlace", "FamilyCentre"})
CHANNELS = "/ServiceChannel/list/organization"
LOCATION = "ServiceLocation"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
KINDS = (
    (MeetingPlaceKind.FAMILY_CAFE, ("perhekahvil", "familjecafe", "familjekafe", "family cafe")),
    (MeetingPlaceKind.FAMILY_HOUSE, ("perhetalo", "familjehus")),
    (
        MeetingPlaceKind.OPEN_DAYCARE,
        ("avoin paivakoti", "avoimen paivakodin", "avoimet paivakodit", "avoin varhaiskasvatus", "avoimen varhais"),
    ),
    (MeetingPlaceKind.MEETING_PLACE, ("kohtaamispaik", "kohtaamo", "motesplats")),
)
"""Word stems, folded (`graph_api.text.fold`), that make a service location a meeting place of a kind."""
FAMILY_CENTRE = ("perhekesku", "familjecentral")
LANGUAGES = ("fi", "sv", "en")
STREET_SUBTYPES = frozenset({"Single", "Street"})


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a visiting address puts a service location; `path` names the address, or says there is none
    (or that it has no coordinates, and why)."""

    path: str
    municipality: Municipality | None
    point: Point | None
    street_address: str | None
    postal_code: str | None
    warnings: tuple[str, ...] = ()


async def read(reference: Reference, organization: str, api: PtvApi) -> Reading:
    """What PTV lists for the organization (its GUID): its family centres and meeting places."""
    organization = organization.lower()
    reading = Reading(f"ptv:{organization}", LABELS, not_given=frozenset())
    ref = f"ptv:{organization}"
    if not GUID.fullmatch(organization):
        return _failed(reading, Rejection(ref, "a PTV organization id is a GUID (8-4-4-4-12 hexadecimal digits)"))
    async with httpx.AsyncClient(timeout=api.timeout_s) as client:
        try:
            runner = _organization(organization, await api.get(client, api.address(f"/Organization/{organization}")))
        except ValueError as exc:
            return _failed(reading, Rejection(ref, str(exc)))
        reading.found.append(Found(ref, runner))
        async for page in api.pages(client, CHANNELS, {"organizationId": organization}):
            if isinstance(page, Rejection):
                _failed(reading, page)
                continue
            for index, item in enumerate(page.items):
                _take(reading, reference, NodeRef.of(runner), item, f"{page.url}#{index}")
    return reading


def read_file(path: Path, reference: Reference, max_bytes: int) -> list[Reading]:
    """A saved answer of `list/organization` (a page with an `itemList`) or a JSON array of channels: a reading
    for each organization its channels name, and, first, one of what the file itself gets wrong."""
    whole = Reading("ptv", LABELS, not_given=frozenset())
    try:
        items, where = _saved_channels(path, max_bytes, whole)
    except ValueError as exc:
        return [_failed(whole, Rejection(str(path), str(exc)))]
    by_organization: dict[str, list[tuple[object, str]]] = {}
    for index, item in enumerate(items):
        organization = item.get("organizationId") if isinstance(item, dict) else None
        if isinstance(organization, str) and GUID.fullmatch(organization):
            by_organization.setdefault(organization.lower(), []).append((item, where(index)))
        else:
            what = f"organizationId {organization!r}" if isinstance(item, dict) else f"a JSON {type(item).__name__}"
            whole.rejected.append(Rejection(where(index), f"{what}: a service channel names its organization's GUID"))
    readings = [_organization_reading(org, channels, reference) for org, channels in by_organization.items()]
    if whole.rejected or not whole.complete:
        for reading in readings:
            reading.complete = False
        return [whole, *readings]
    return readings or [whole]


def _saved_channels(path: Path, max_bytes: int, whole: Reading) -> tuple[list[object], Callable[[int], str]]:
    """The file's channels, and how to name the place of each in it; a ValueError says why there are none."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ValueError(f"the file is {size:,} bytes, more than the {max_bytes:,} an import may read")
        answer = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise ValueError(f"the file cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8 ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"the file is not JSON ({exc})") from None
    if isinstance(answer, list):
        return answer, lambda index: f"{path}#{index}"
    items = answer.get("itemList") if isinstance(answer, dict) else None
    if not isinstance(items, list):
        raise ValueError(
            f"a JSON {type(answer).__name__} with no itemList (a list): the file holds PTV's list of service "
            "channels, a page object with an itemList or an array of channels"
        )
    number, count = answer.get("pageNumber", 1), answer.get("pageCount", 1)
    if count != 1 and count != 0:
        whole.warnings.append((str(path), f"page {number!r} of {count!r}: only a whole listing withdraws anything"))
        whole.complete = False
    return items, lambda index: f"{path}:itemList[{index}]"


def _organization_reading(organization: str, channels: list[tuple[object, str]], reference: Reference) -> Reading:
    """The file's channels of one organization; they are run by it where the store knows it."""
    reading = Reading(f"ptv:{organization}", LABELS, not_given=frozenset())
    runner: NodeRef | None = NodeRef("Organization", f"ptv-{organization}")
    if runner not in reference.organisers:
        runner = None
        reading.warnings.append(
            (
                f"ptv:{organization}",
                f"Organization:ptv-{organization} is not in the store: its places are kept without an organiser "
                f"(import the organization with --organization {organization} to name it)",
            )
        )
    for item, where in channels:
        _take(reading, reference, runner, item, where)
    return reading


def _failed(reading: Reading, rejection: Rejection) -> Reading:
    """What PTV could not give: rejected, and the reading is incomplete, so nothing is withdrawn."""
    reading.rejected.append(rejection)
    reading.complete = False
    return reading


def _take(reading: Reading, reference: Reference, runner: NodeRef | None, item: object, where: str) -> None:
    """Add the channel to the reading: found, rejected or skipped."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not GUID.fullmatch(item["id"]):
        what = f"an id {item.get('id')!r}" if isinstance(item, dict) else f"a JSON {type(item).__name__}"
        reading.rejected.append(Rejection(where, f"{what} where a service channel with a GUID id was expected"))
        return
    channel_id = item["id"].lower()
    ref = f"ptv:{channel_id}"
    kind = item.get("serviceChannelType")
    if kind != LOCATION:
        reading.skipped.append((ref, f"a {kind} channel: not a place on the map"))
        return
    if item.get("publishingStatus", "Published") != "Published":
        reading.skipped.append((ref, f"not published ({item['publishingStatus']})"))
        return
    try:
        names = _names(item.get("serviceChannelNames"), "serviceChannelNames")
    except ValueError as exc:
        reading.rejected.append(Rejection(ref, str(exc)))
        return
    label, place_kind = _kind(names, _service_names(item))
    if label is None:
        shown = names.get("fi") or next(iter(names.values()))
        reading.skipped.append((ref, f"{shown!r}: neither a family centre nor a meeting place, by its names"))
        return
    try:
        reading.found.append(_found(item, channel_id, reading.source, reference, runner, names, place_kind))
    except ValueError as exc:
        reading.rejected.append(Rejection(ref, str(exc), f"{label}:ptv-{channel_id}"))


def _found(
    item: Mapping[str, Any],
    channel_id: str,
    source: str,
    reference: Reference,
    runner: NodeRef | None,
    names: Mapping[str, str],
    kind: MeetingPlaceKind | None,
) -> Found:
    key, ref, name_sv = f"ptv-{channel_id}", f"ptv:{channel_id}", names.get("sv")
    modified = _modified(item.get("modified"))
    place = _visiting_place(item.get("addresses"), reference)
    if kind is None:
        centre = FamilyCentre(
            key,
            source,
            _first(names),
            name_sv,
            street_address=place.street_address,
            postal_code=place.postal_code,
            location=place.point,
            source_id=channel_id,
            source_updated_at=modified,
        )
        if place.municipality is None:
            return Found(ref, centre, warnings=(f"{place.path}: kept without a position or an area it serves",))
        served = reference.welfare_areas.get(place.municipality.key) or NodeRef.of(place.municipality)
        serves = Rel("SERVES", NodeRef.of(centre), served, source, {})
        return Found(ref, centre, (serves,), frozenset({"SERVES"}), place.warnings)
    if place.point is None or place.municipality is None:
        raise ValueError(f"{place.path}: a meeting place needs a position")
    hours = opening_hours(item.get("serviceHours"))
    meeting_place = MeetingPlace(
        key,
        source,
        _first(names),
        kind,
        place.point,
        hours.schedules,
        closures=hours.closures,
        name_sv=name_sv,
        street_address=place.street_address,
        postal_code=place.postal_code,
        source_id=channel_id,
        source_updated_at=modified,
    )
    start = NodeRef.of(meeting_place)
    relationships: tuple[Rel, ...] = (Rel("LOCATED_IN", start, NodeRef.of(place.municipality), source, {}),)
    if runner is not None:
        relationships += (Rel("RUN_BY", start, runner, source, {"role": ROLES[0]}),)
    return Found(ref, meeting_place, relationships, frozenset({"LOCATED_IN"}), place.warnings + hours.warnings)


def _organization(organization: str, answer: object) -> Organization:
    if not isinstance(answer, dict):
        raise ValueError(f"PTV's organization is a JSON {type(answer).__name__}, not an object")
    names = _names(answer.get("organizationNames"), "organizationNames")
    return Organization(
        f"ptv-{organization}", f"ptv:{organization}", _first(names), names.get("sv"), source_id=organization
    )


def _kind(names: Mapping[str, str], services: Sequence[str]) -> tuple[str | None, MeetingPlaceKind | None]:
    """("MeetingPlace", its kind), ("FamilyCentre", None), or (None, None) for neither (see the docstring)."""
    own = [fold(name) for name in names.values()]
    kind = _meeting_place_kind(own)
    if kind is not None:
        return "MeetingPlace", kind
    if any(stem in text for stem in FAMILY_CENTRE for text in own):
        return "FamilyCentre", None
    kind = _meeting_place_kind([fold(name) for name in services])
    return ("MeetingPlace", kind) if kind is not None else (None, None)


def _meeting_place_kind(texts: Sequence[str]) -> MeetingPlaceKind | None:
    return next((kind for kind, stems in KINDS if any(stem in text for stem in stems for text in texts)), None)


def _service_names(item: Mapping[str, Any]) -> list[str]:
    """The names of the services linked to the channel, where PTV gives them (only used to tell its kind)."""
    links = item.get("services")
    services = [link.get("service") for link in links if isinstance(link, dict)] if isinstance(links, list) else []
    names = [service.get("name") for service in services if isinstance(service, dict)]
    return [name for name in names if isinstance(name, str)]


def _names(value: object, path: str) -> dict[str, str]:
    """The `Name`s of a PTV list of localised names, by language; a ValueError when there is none."""
    texts = _texts(value, path, lambda entry: entry.get("type", "Name") == "Name")
    if not texts:
        raise ValueError(f"{path}: no name in any language")
    return texts


def _first(texts: Mapping[str, str]) -> str:
    """The Finnish text, else the Swedish, the English, or the first there is."""
    return next(texts[language] for language in (*LANGUAGES, *texts) if language in texts)


def _texts(value: object, path: str, wanted: Callable[[Mapping[str, Any]], bool] | None = None) -> dict[str, str]:
    """PTV's `[{"language", "value"}]` by language, the first of each, blank ones left out."""
    if value is None:
        return {}
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise ValueError(f"{path}: not a list of {{language, value}} objects")
    texts: dict[str, str] = {}
    for index, entry in enumerate(value):
        text, language = entry.get("value"), entry.get("language")
        if not isinstance(text, str) or not isinstance(language, str):
            raise ValueError(f"{path}[{index}]: value and language must be text")
        if text.strip() and (wanted is None or wanted(entry)):
            texts.setdefault(language, text)
    return texts


def _visiting_place(addresses: object, reference: Reference) -> _Place:
    """Where the first visiting address is."""
    if addresses is not None and not isinstance(addresses, list):
        raise ValueError("addresses: not a list")
    visiting = [(i, a) for i, a in enumerate(addresses or []) if isinstance(a, dict) and a.get("type") == "Location"]
    if not visiting:
        return _Place("addresses: no visiting address", None, None, None, None)
    index, address = visiting[0]
    path, subtype = f"addresses[{index}]", address.get("subType")
    if subtype == "Abroad":
        raise ValueError(f"{path}: the visiting address is abroad")
    if subtype not in STREET_SUBTYPES and subtype != "Other":
        raise ValueError(f"{path}.subType: {subtype!r} is not a kind of visiting address (Single, Other, Abroad)")
    field = "streetAddress" if subtype in STREET_SUBTYPES else "otherAddress"
    detail = address.get(field)
    if not isinstance(detail, dict):
        raise ValueError(f"{path}.{field}: missing")
    return _place(detail, f"{path}.{field}", reference, street=field == "streetAddress")


def _place(detail: Mapping[str, Any], path: str, reference: Reference, *, street: bool) -> _Place:
    point = _point(detail, path)
    municipality = _municipality(detail.get("municipality"), f"{path}.municipality", reference, point)
    warnings: tuple[str, ...] = ()
    if point is not None and municipality is not None:
        try:
            warning = reference.check_point(point, municipality)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
        warnings = (f"{path}: {warning}",) if warning else ()
    postal_code = _postal_code(detail.get("postalCode"), f"{path}.postalCode")
    where = path if point else f"{path}: no coordinates (coordinateState {detail.get('coordinateState')!r})"
    return _Place(where, municipality, point, _street_address(detail, path) if street else None, postal_code, warnings)


def _postal_code(value: object, path: str) -> str | None:
    """The address's postal code by the rule every reader shares (`check_postal_code`); None when there is none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ValueError(f"{path}: {value!r} is not text")
    try:
        return check_postal_code(value)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def _point(detail: Mapping[str, Any], path: str) -> Point | None:
    """The address's position in WGS-84, from PTV's ETRS-TM35FIN `latitude` (northing) and `longitude`."""
    northing, easting = (_metres(detail.get(name), f"{path}.{name}") for name in ("latitude", "longitude"))
    if northing is None or easting is None:
        return None
    if abs(northing) <= 90 and abs(easting) <= 180:
        raise ValueError(
            f"{path}: ({northing}, {easting}) look like degrees; PTV gives ETRS-TM35FIN metres (EPSG:3067)"
        )
    lon, lat = _to_wgs84().transform(easting, northing)
    return Point(round(lat, 6), round(lon, 6))


def _metres(value: object, path: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, str | int | float) and not isinstance(value, bool) and math.isfinite(float(value)):
            return float(value)
    except ValueError:
        pass
    raise ValueError(f"{path}: {value!r} is not a coordinate in metres")


def _municipality(value: object, path: str, reference: Reference, point: Point | None) -> Municipality | None:
    """The municipality the address names by its code; where it names none, the one the point lies in."""
    code = value.get("code") if isinstance(value, dict) else None
    if isinstance(code, str) and code.strip():
        municipality = reference.municipality(code)
        if municipality is None or not code.strip().isdigit():
            raise ValueError(f"{path}.code: {code!r} is no Finnish municipality's code")
        return municipality
    if value is not None and not isinstance(value, dict):
        raise ValueError(f"{path}: not an object with a code")
    if point is None:
        return None
    key = reference.locator.locate(point)
    if key is None:
        raise ValueError(f"{path}: none named, and the point lies in no municipality")
    return reference.municipalities[key]


def _modified(value: object) -> datetime.datetime | None:
    """PTV's `modified` (ISO 8601; UTC where it names no offset), kept as the node's `source_updated_at`."""
    if value is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"modified: {value!r} is not a date and time") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)).astimezone(datetime.UTC)


def _street_address(detail: Mapping[str, Any], path: str) -> str | None:
    streets = _texts(detail.get("street"), f"{path}.street")
    if not streets:
        return None
    number = detail.get("streetNumber")
    return f"{_first(streets)} {number}" if isinstance(number, str) and number.strip() else _first(streets)


@functools.cache
def _to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:3067", "EPSG:4326", always_xy=True)
