"""What a geocoder answers, whichever provider it asks: results best first, each saying how precise it is."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol

from graph_api.models import Point

MAX_RESULTS = 10
"""Every geocoder finds at most this many results; a smaller `limit` takes the first ones."""

MAX_ADDRESS_LENGTH = 200


class Precision(enum.Enum):
    """What a result's point stands for, most precise first."""

    ADDRESS = "ADDRESS"
    STREET = "STREET"
    POSTAL_CODE = "POSTAL_CODE"
    LOCALITY = "LOCALITY"
    MUNICIPALITY = "MUNICIPALITY"


class Provider(enum.Enum):
    OFFLINE = "offline"
    NOMINATIM = "nominatim"
    PELIAS = "pelias"


@dataclass(frozen=True, slots=True)
class GeocodeResult:
    """One place an address may mean; `municipality` is the code of the municipality the point lies in."""

    location: Point
    label: str
    precision: Precision
    municipality: str | None
    provider: Provider
    postal_code: str | None = None
    note: str | None = None


class Answer(enum.Enum):
    """How a geocoder came by its answer, for the metrics: asked its source, its cache, or its fallback."""

    ASKED = "asked"
    CACHE_HIT = "cache_hit"
    FALLBACK = "fallback"


@dataclass(frozen=True, slots=True)
class Geocoding:
    """The results for one address, best first; `reason` says why there are none or who answered instead."""

    results: tuple[GeocodeResult, ...]
    reason: str | None = None
    answer: Answer = field(default=Answer.ASKED, compare=False)
    """Not part of the answer's value: a cached answer equals the one first given."""


class Geocoder(Protocol):
    name: Provider

    async def geocode(self, address: str) -> Geocoding:
        """Up to `MAX_RESULTS` results for a normalised, non-empty address; never raises for a provider failure."""
        ...


def normalise_address(address: str) -> str:
    """The address as geocoders see it: runs of whitespace become one space, and the ends are trimmed."""
    return " ".join(address.split())
