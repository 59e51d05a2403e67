"""A local HTTP server that answers like Nominatim or Pelias, so online geocoding is tested without a network."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.local_http import serving

ROVANIEMI = (66.5008, 25.7215)


def nominatim_place(lat: float, lon: float, name: str, addresstype: str) -> dict[str, Any]:
    """One result as Nominatim's `/search?format=json` gives it (coordinates are strings)."""
    return {
        "place_id": 1,
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0.",
        "osm_type": "node",
        "lat": str(lat),
        "lon": str(lon),
        "class": "place",
        "type": addresstype,
        "addresstype": addresstype,
        "name": name,
        "display_name": f"{name}, Suomi / Finland",
        "boundingbox": [str(lat - 0.01), str(lat + 0.01), str(lon - 0.01), str(lon + 0.01)],
    }


def pelias_feature(lat: float, lon: float, label: str, layer: str) -> dict[str, Any]:
    """One feature of a Pelias `/v1/search` FeatureCollection."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"layer": layer, "name": label.split(",")[0], "label": label, "country_a": "FIN"},
    }


@dataclass
class Request:
    at: float
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    """By lower-case name: geopy sends `Digitransit-Subscription-Key` through urllib, as given through requests."""


@dataclass
class FakeProvider:
    """What the local server answers: `answer(query)` gives (status, JSON body); `delay_s` before answering."""

    answer: Callable[[dict[str, list[str]]], tuple[int, Any]] = lambda query: (200, [])
    delay_s: float = 0.0
    requests: list[Request] = field(default_factory=list)
    url: str = ""


@contextlib.contextmanager
def serve_fake_provider() -> Iterator[FakeProvider]:
    """A local HTTP server answering as `FakeProvider` says, for as long as the block runs."""
    fake = FakeProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            headers = {name.lower(): value for name, value in self.headers.items()}
            fake.requests.append(Request(time.monotonic(), parts.path, query, headers))
            time.sleep(fake.delay_s)
            status, body = fake.answer(query)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            return None

    with serving(Handler) as url:
        fake.url = url
        yield fake
