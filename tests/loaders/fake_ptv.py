"""A local HTTP server that answers like PTV's Open API v11, so the PTV reader is tested without a network.

It serves `/api/v11/Organization/{id}` and `/api/v11/ServiceChannel/list/organization?organizationId=&page=`
from what a test puts in `organizations` and `channels`, `page_size` channels a page. `script` changes the
next answers: each entry is a fragment of the request target and the answer to give, once, to the first
request whose target contains it.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pyproj import Transformer

from tests.local_http import serving

TO_TM35 = Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)


@dataclass(frozen=True)
class Answer:
    """An answer as sent: status, body bytes, headers; `length=False` sends no Content-Length (the body ends
    when the connection closes); `delay_s` before it."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    length: bool = True
    delay_s: float = 0.0


@dataclass
class FakePtv:
    organizations: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, list[Any]] = field(default_factory=dict)
    page_size: int = 2
    script: list[tuple[str, Answer]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def answer(self, target: str) -> Answer:
        for index, (fragment, answer) in enumerate(self.script):
            if fragment in target:
                del self.script[index]
                return answer
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        if path.startswith("/api/v11/Organization/"):
            organization = self.organizations.get(path.rsplit("/", 1)[1])
            return json_answer(organization) if organization else _not_found("Organization not found.")
        if path == "/api/v11/ServiceChannel/list/organization":
            channels = self.channels.get(query.get("organizationId", [""])[0])
            if channels is None:
                return _not_found("Service channels not found.")
            return json_answer(page_of(channels, int(query.get("page", ["1"])[0]), self.page_size))
        return _not_found("No such route.")

    def listing(self, organization_id: str) -> dict[str, Any]:
        """The organization's whole listing as one page, as a file saved from PTV holds it."""
        channels = self.channels[organization_id]
        return page_of(channels, 1, max(len(channels), 1))


def page_of(channels: Sequence[Any], number: int, size: int) -> dict[str, Any]:
    """Page `number` of the channels, `size` a page, in PTV's `V11VmOpenApiServiceChannelsWithPaging` form."""
    items = list(channels[(number - 1) * size : number * size])
    return {"pageNumber": number, "pageSize": size, "pageCount": -(-len(channels) // size), "itemList": items}


def json_answer(body: object, status: int = 200) -> Answer:
    return Answer(status, json.dumps(body, ensure_ascii=False).encode(), {"Content-Type": "application/json"})


def _not_found(message: str) -> Answer:
    return json_answer({"errorMessage": message}, 404)


@contextlib.contextmanager
def serve_fake_ptv() -> Iterator[FakePtv]:
    """A local PTV answering as `FakePtv` says, for as long as the block runs."""
    fake = FakePtv()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(self.path)
            answer = fake.answer(self.path)
            time.sleep(answer.delay_s)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.length:
                self.send_header("Content-Length", str(len(answer.body)))
            else:
                self.close_connection = True
            self.end_headers()
            with contextlib.suppress(ConnectionError):
                self.wfile.write(answer.body)

        def log_message(self, format: str, *args: object) -> None:
            return None

    with serving(Handler) as url:
        fake.url = url
        yield fake


def texts(*pairs: tuple[str, str], type_: str | None = None) -> list[dict[str, str]]:
    """PTV's localised texts: `[{"language", "value"(, "type")}]`."""
    return [{"language": language, "value": value, **({"type": type_} if type_ else {})} for language, value in pairs]


def organization(id_: str, name_fi: str, name_sv: str | None = None) -> dict[str, Any]:
    names = [("fi", name_fi), *([("sv", name_sv)] if name_sv else [])]
    return {"id": id_, "organizationType": "Region", "organizationNames": texts(*names, type_="Name")}


def street_address(
    lat: float | None, lon: float | None, street: str, number: str, postal_code: str, municipality: str | None
) -> dict[str, Any]:
    """A visiting street address at a WGS-84 point, given as PTV gives it: ETRS-TM35FIN, northing first."""
    easting, northing = TO_TM35.transform(lon, lat) if lat is not None and lon is not None else ("", "")
    return {
        "type": "Location",
        "subType": "Single",
        "streetAddress": {
            "street": texts(("fi", street)),
            "streetNumber": number,
            "postalCode": postal_code,
            "postOffice": texts(("fi", "HELSINKI")),
            "municipality": {"code": municipality, "name": texts(("fi", "?"))} if municipality else None,
            "latitude": str(northing),
            "longitude": str(easting),
            "coordinateState": "Ok" if lat is not None else "Failed",
        },
        "country": "FI",
    }


def weekly(*openings: tuple[str, str, str], **entry: Any) -> dict[str, Any]:
    """A `DaysOfTheWeek` entry open on (day, from, to); `entry` adds or overrides fields."""
    hours = [{"dayFrom": day, "dayTo": "", "from": opens, "to": closes} for day, opens, closes in openings]
    return {"serviceHourType": "DaysOfTheWeek", "validForNow": True, "isClosed": False, "openingHour": hours, **entry}


MODIFIED = "2026-10-01T08:30:00.123Z"
"""When PTV last changed each channel `location_channel` makes (its `modified`)."""


def location_channel(
    id_: str,
    organization_id: str,
    name_fi: str,
    address: dict[str, Any] | None,
    *,
    name_sv: str | None = None,
    hours: list[dict[str, Any]] | None = None,
    services: Sequence[str] = (),
) -> dict[str, Any]:
    """A published service location channel with all its data, as `list/organization` gives it."""
    names = [("fi", name_fi), *([("sv", name_sv)] if name_sv else [])]
    return {
        "id": id_,
        "serviceChannelType": "ServiceLocation",
        "organizationId": organization_id,
        "serviceChannelNames": texts(*names, type_="Name"),
        "addresses": [address] if address else [],
        "serviceHours": hours or [],
        "services": [
            {"service": {"id": f"00000000-0000-0000-0000-{i:012d}", "name": s}} for i, s in enumerate(services)
        ],
        "publishingStatus": "Published",
        "modified": MODIFIED,
    }


def channel(id_: str, organization_id: str, kind: str, name_fi: str) -> dict[str, Any]:
    """A channel of another kind (Phone, WebPage, EChannel, PrintableForm)."""
    return {
        "id": id_,
        "serviceChannelType": kind,
        "organizationId": organization_id,
        "serviceChannelNames": texts(("fi", name_fi), type_="Name"),
        "publishingStatus": "Published",
    }
