"""Map layers for frontends, gathered from the store: GeoJSON for GraphQL and for plain GET URLs, and
clusters of meeting places for zoomed-out views."""

from __future__ import annotations

from typing import Any

from graph_api.cancellation import in_worker
from graph_api.errors import InputError
from graph_api.geo.areas import MunicipalityLocator
from graph_api.geo.clusters import Clusters
from graph_api.geo.layers import (
    MAX_TOLERANCE,
    collection,
    meeting_place_features,
    municipality_features,
    welfare_area_features,
)
from graph_api.models import Bounds, MeetingPlace, MeetingPlaceKind, Municipality, NodeRef, WelfareArea
from graph_api.relations import MUNICIPALITY_WELFARE_AREA, WELFARE_AREA_MUNICIPALITIES
from graph_api.restrictions import chosen, comma_separated
from graph_api.store.base import GraphStore, NodeQuery, PlaceFilter

MAX_PLACES = 5000
DEFAULT_TOLERANCE = 0.001
MAX_ZOOM = 24
"""Past any Leaflet map's zoom, and MapLibre's deepest, 22, plus the 1 it adds (see `graph_api.geo.clusters`)."""


async def meeting_places_layer(store: GraphStore, bounds: Bounds | None, places: PlaceFilter) -> dict[str, Any]:
    if bounds is None:
        found = (await store.find("MeetingPlace", NodeQuery(first=MAX_PLACES, places=places))).items
    else:
        found = (await store.in_bounds(bounds, MAX_PLACES, places)).places
    return collection(meeting_place_features(p for p in found if isinstance(p, MeetingPlace)))


async def place_clusters(store: GraphStore, bounds: Bounds, zoom: int, places: PlaceFilter) -> Clusters:
    """Every place in the view counted in its cell, so that the counts add up to the places in the view."""
    return await store.place_clusters(bounds, check_zoom(zoom), places)


async def municipalities_layer(store: GraphStore, locator: MunicipalityLocator, tolerance: float) -> dict[str, Any]:
    found = await store.every("Municipality")
    municipalities = [m for m in found if isinstance(m, Municipality)]
    links = await store.traverse_many([NodeRef.of(m) for m in municipalities], MUNICIPALITY_WELFARE_AREA)
    areas = {m.key: str(NodeRef.of(ls[0].node)) if ls else None for m, ls in zip(municipalities, links, strict=True)}
    tolerance = check_tolerance(tolerance)
    return collection(await in_worker(municipality_features, municipalities, locator.boundaries, areas, tolerance))


async def welfare_areas_layer(store: GraphStore, locator: MunicipalityLocator, tolerance: float) -> dict[str, Any]:
    areas = [a for a in await store.every("WelfareArea") if isinstance(a, WelfareArea)]
    links = await store.traverse_many([NodeRef.of(a) for a in areas], WELFARE_AREA_MUNICIPALITIES)
    members = {
        area.key: [link.node for link in found if isinstance(link.node, Municipality)]
        for area, found in zip(areas, links, strict=True)
    }
    tolerance = check_tolerance(tolerance)
    return collection(await in_worker(welfare_area_features, areas, members, locator.boundaries, tolerance))


def check_tolerance(tolerance: float) -> float:
    if not 0 <= tolerance <= MAX_TOLERANCE:
        raise InputError("tolerance", f"{tolerance:g} is outside [0, {MAX_TOLERANCE:g}] degrees")
    return tolerance


def check_zoom(zoom: int) -> int:
    if not 0 <= zoom <= MAX_ZOOM:
        raise InputError("zoom", f"{zoom} is outside [0, {MAX_ZOOM}]")
    return zoom


def parse_bbox(text: str) -> Bounds:
    """`west,south,east,north` in degrees, as Leaflet's `toBBoxString()` gives it."""
    parts = text.split(",")
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        raise InputError("bbox", f"{text!r} is not four numbers west,south,east,north") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise InputError("bbox", f"{text!r} is not a box: longitudes in [-180, 180], -90 <= south <= north <= 90")
    return Bounds(south=south, west=west, north=north, east=east)


def parse_kinds(text: str, argument: str = "kinds") -> frozenset[MeetingPlaceKind]:
    names = [name.upper() for name in comma_separated(text)]
    try:
        kinds = [MeetingPlaceKind(name) for name in names]
    except ValueError:
        known = ", ".join(kind.value for kind in MeetingPlaceKind)
        raise InputError(argument, f"{text!r} names a kind that is not one of {known}") from None
    return chosen(kinds, argument, "kind of meeting place")


def parse_tolerance(text: str) -> float:
    try:
        return check_tolerance(float(text))
    except ValueError:
        raise InputError("tolerance", f"{text!r} is not a number of degrees") from None
