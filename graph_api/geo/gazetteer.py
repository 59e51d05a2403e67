"""The offline geocoder: municipality names, postal codes and populated places from the shipped seeds.

Names match with case and Finnish/Swedish diacritics folded away (`graph_api.text.fold`), and a bilingual
municipality answers to both its names (`Åbo` is Turku). The seeds know no streets, so an address is found
to the best precision there is: a postal code (`00100`, or `Mannerheimintie 1, 00100 Helsinki`) at a point
inside its postal code area, in its municipality where the two meet; a street at the town named with it;
and each result's `note` says what could not be placed. PO boxes and special codes have no area, and Posti's
file no coordinates, so those are placed at their post office's locality (or its municipality). A name with
no exact match falls back to the closest spellings (difflib), so a misspelt `Rovanimi` still finds Rovaniemi.

Building it takes ~0.3 s (reading Posti's file and placing each postal code inside its area), so the service makes
it on the first address asked (`OfflineGeocoder`), from the derived cache while the seeds are unchanged.
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import functools
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread

from graph_api.derived_cache import derived
from graph_api.errors import DataError
from graph_api.geo.areas import BOUNDARIES, POSTAL_CODE_AREAS, MunicipalityLocator, PostalCodeAreaLocator
from graph_api.geo.geocoding import MAX_RESULTS, GeocodeResult, Geocoding, Precision, Provider
from graph_api.geo.places import PLACES, Settlement, settlements_by_municipality
from graph_api.lazy import Lazy
from graph_api.models import Point
from graph_api.text import fold

MUNICIPALITIES = Path("reference/nodes/Municipality.csv")
POSTAL_CODES = Path("reference/gazetteer/postal_codes.csv")
SOURCES = (MUNICIPALITIES, POSTAL_CODES, PLACES, BOUNDARIES, POSTAL_CODE_AREAS)
"""Every seed file the gazetteer is built from: a change to any makes the cached one stale."""

STREET_POSTAL_CODE = "1"
"""Posti's type code for an ordinary street-address postal code; only those name a post office worth finding."""

POSTAL_CODE = re.compile(r"(?<!\d)\d{5}(?!\d)")
WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
LATIN_NAME = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ' -]{2,}")
"""GeoNames alternate names worth matching: Latin script, three letters or more (no `TKU`, no transcriptions)."""

MAX_PHRASE_WORDS = 4
CLOSE_MATCH_CUTOFF = 0.8
MAX_CLOSE_WORDS = 2
MAX_CLOSE_PHRASES = 6
MIN_CLOSE_LENGTH = 4


@dataclass(frozen=True, slots=True)
class Entry:
    """A name the gazetteer knows, ranked by how likely a person typing it means this place.

    A municipality, or a place named like its municipality (its centre), comes before a namesake village
    elsewhere; GeoNames' alternate names (`primary=False`) rank below every proper name.
    """

    result: GeocodeResult
    population: int
    primary: bool = True
    municipal: bool = True


@dataclass(frozen=True, slots=True)
class _Match:
    entry: Entry
    rank: tuple[int | bool, ...]
    phrase: str
    close: bool = False


class Gazetteer:
    """Names and postal codes to points, built once from a seed folder."""

    name = Provider.OFFLINE

    def __init__(self, names: Mapping[str, Sequence[Entry]], postal_codes: Mapping[str, Entry]) -> None:
        self._names = dict(names)
        self._postal_codes = dict(postal_codes)
        self._spellings = sorted(self._names)

    @classmethod
    @functools.cache
    def from_seeds(cls, seeds_dir: Path, cache_dir: Path | None = None) -> Gazetteer:
        """The gazetteer of a seed folder, read once per process (from `cache_dir` while the seeds are unchanged)."""
        return derived("gazetteer", seeds_dir, SOURCES, lambda: _Builder(seeds_dir).build(), cache_dir)

    async def geocode(self, address: str) -> Geocoding:
        """`search` in a worker thread: an address of unknown words takes the closest-spelling path (ms)."""
        return await anyio.to_thread.run_sync(self.search, address)

    def search(self, address: str) -> Geocoding:
        """Up to `MAX_RESULTS` results for the address, best first: postal codes, then the longest names."""
        codes = POSTAL_CODE.findall(address)
        matches = [_Match(self._postal_codes[code], (0,), "") for code in codes if code in self._postal_codes]
        matches += self._named(address, close=False)
        matches = matches or self._named(address, close=True)
        if not matches:
            unknown = [code for code in codes if code not in self._postal_codes]
            reason = f"no postal code {unknown[0]} in Posti's file" if unknown else "no name in it matches"
            return Geocoding((), f"the offline gazetteer found nothing for {address!r}: {reason}")
        placed = {word for match in matches for word in match.phrase.split()}
        unplaced = " ".join(word for word in WORD.findall(address) if fold(word) not in placed)
        matches.sort(key=lambda match: match.rank)
        results: dict[Point, GeocodeResult] = {}
        for match in matches:
            if match.entry.result.location not in results and len(results) < MAX_RESULTS:
                results[match.entry.result.location] = _noted(match, unplaced)
        return Geocoding(tuple(results.values()))

    def _named(self, address: str, *, close: bool) -> list[_Match]:
        """Names among the address's phrases: exact (folded) matches, or with `close` the nearest spellings.

        Closest spellings are sought for the first `MAX_CLOSE_PHRASES` phrases of one or two words (the town
        part first): each search compares with every known spelling, so it is kept from growing with the address.
        """
        phrases = _phrases(address)
        if close:
            short = (p for p in phrases if p[1] <= MAX_CLOSE_WORDS and len(p[2]) >= MIN_CLOSE_LENGTH)
            phrases = itertools.islice(short, MAX_CLOSE_PHRASES)
        matches = []
        for position, words, phrase in phrases:
            spellings = (
                difflib.get_close_matches(phrase, self._spellings, n=MAX_RESULTS, cutoff=CLOSE_MATCH_CUTOFF)
                if close
                else [phrase]
            )
            for spelling in spellings:
                for entry in self._names.get(spelling, ()):
                    precision = PRECISIONS.index(entry.result.precision)
                    rank = (1, -words, not entry.primary, position, not entry.municipal, precision, -entry.population)
                    matches.append(_Match(entry, rank, phrase, close))
        return matches


class OfflineGeocoder:
    """The gazetteer of a seed folder as the service's geocoder: made on the first address asked, in the worker
    thread that searches for it, so start-up does not wait for it."""

    name = Provider.OFFLINE

    def __init__(self, seeds_dir: Path, cache_dir: Path | None) -> None:
        self.gazetteer = Lazy(lambda: Gazetteer.from_seeds(seeds_dir, cache_dir))

    async def geocode(self, address: str) -> Geocoding:
        return await anyio.to_thread.run_sync(lambda: self.gazetteer.now().search(address))


PRECISIONS = list(Precision)


def _phrases(address: str) -> Iterator[tuple[int, int, str]]:
    """(position, words, folded phrase) for runs of up to four words within each comma-separated part.

    The town usually comes last in a Finnish address, so later parts get a lower (better) position.
    """
    parts = address.split(",")
    for position, part in enumerate(reversed(parts)):
        words = [fold(word) for word in WORD.findall(part)]
        for size in range(min(len(words), MAX_PHRASE_WORDS), 0, -1):
            for start in range(len(words) - size + 1):
                yield position, size, " ".join(words[start : start + size])


def _noted(match: _Match, unplaced: str) -> GeocodeResult:
    """The result, with a note saying what in the address it could not place, and why."""
    notes = [match.entry.result.note] if match.entry.result.note else []
    if match.close:
        notes.append(f"the closest name to {match.phrase!r}")
    if unplaced:
        notes.append(f"{unplaced!r} is not in the offline gazetteer, which knows no streets")
    return dataclasses.replace(match.entry.result, note="; ".join(notes) or None)


class _Builder:
    """Reads the seed files (and the postal code areas) into the gazetteer's indexes."""

    def __init__(self, seeds_dir: Path) -> None:
        for path in (MUNICIPALITIES, POSTAL_CODES, PLACES):
            if not (seeds_dir / path).is_file():
                raise DataError(f"{seeds_dir} is not a seed folder: it has no {path}")
        self.seeds_dir = seeds_dir
        self.names: dict[str, list[Entry]] = {}
        self.municipalities: dict[str, dict[str, str]] = {}
        self.places: dict[tuple[str, str], Entry] = {}
        self.postal_areas = PostalCodeAreaLocator.from_seeds(seeds_dir)
        self.boundaries = MunicipalityLocator.from_seeds(seeds_dir).boundaries

    def build(self) -> Gazetteer:
        for row in self._rows(MUNICIPALITIES):
            self.municipalities[row["key"]] = row
            self._municipality(row)
        for code, settlements in settlements_by_municipality(self.seeds_dir).items():
            for settlement in settlements:
                self._place(settlement, code)
        postal_codes = {row["postcode"]: self._postal_code(row) for row in self._rows(POSTAL_CODES)}
        return Gazetteer(self.names, postal_codes)

    def _rows(self, path: Path) -> list[dict[str, str]]:
        with (self.seeds_dir / path).open(encoding="utf-8", newline="") as file:
            return list(csv.DictReader(file))

    def _add(self, name: str, entry: Entry) -> None:
        self.names.setdefault(fold(name), []).append(entry)

    def _municipality(self, row: dict[str, str]) -> None:
        location = Point(float(row["lat"]), float(row["lon"]))
        for name in dict.fromkeys((row["name_fi"], row["name_sv"] or row["name_fi"])):
            label = name if name == row["name_fi"] else f"{name} ({row['name_fi']})"
            result = GeocodeResult(location, label, Precision.MUNICIPALITY, row["key"], Provider.OFFLINE)
            self._add(name, Entry(result, int(row["population"])))

    def _place(self, place: Settlement, code: str) -> None:
        town = self.municipalities[code]["name_fi"]
        centre = fold(place.name) in {fold(town), fold(self.municipalities[code]["name_sv"])}
        label = place.name if centre else f"{place.name}, {town}"
        result = GeocodeResult(place.location, label, Precision.LOCALITY, code, Provider.OFFLINE)
        entry = Entry(result, place.population, municipal=centre)
        self._add(place.name, entry)
        self.places.setdefault((fold(place.name), code), entry)
        alternates = {fold(name) for name in place.alternate_names if LATIN_NAME.fullmatch(name)}
        for name in alternates - {fold(place.name)}:
            self._add(name, dataclasses.replace(entry, primary=False))

    def _postal_code(self, row: dict[str, str]) -> Entry:
        """The code placed inside its area; one with none at the locality its post office is named after, or else
        at its municipality.

        A street-address post office that is no known name yet (`Korso`) becomes one, placed the second way.
        """
        code, municipality = row["postcode"], self.municipalities[row["municipal_code"]]
        office = row["postcode_fi_name"].title()
        place = self.places.get((fold(office), municipality["key"]))
        if place is not None:
            location, precision, where = place.result.location, Precision.LOCALITY, place.result.label
        else:
            location = Point(float(municipality["lat"]), float(municipality["lon"]))
            precision, where = Precision.MUNICIPALITY, f"the municipality {municipality['name_fi']}"
        town = where if place else office

        def entry(label: str, postal_code: str | None, what: str) -> Entry:
            note = f"Posti's file has no coordinates: {what} is placed at {where}"
            result = GeocodeResult(location, label, precision, municipality["key"], Provider.OFFLINE, postal_code, note)
            return Entry(result, int(municipality["population"]))

        if row["type_code"] == STREET_POSTAL_CODE and fold(office) not in self.names:
            self._add(office, entry(f"{office}, {municipality['name_fi']}", None, f"the post office {office}"))
        inside = self.postal_areas.point_in(code, within=self.boundaries[municipality["key"]])
        if inside is None:
            return entry(f"{code} {town}", code, f"postal code {code}")
        result = GeocodeResult(
            inside, f"{code} {town}", Precision.POSTAL_CODE, municipality["key"], Provider.OFFLINE, code
        )
        return Entry(result, int(municipality["population"]))
