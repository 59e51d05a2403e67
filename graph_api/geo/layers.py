"""GeoJSON map layers (RFC 7946: WGS-84 `[lon, lat]`, exterior rings counter-clockwise).

Boundaries are simplified by a tolerance in degrees (Douglas-Peucker, topology kept) and rounded to
five decimals, about a metre. A county's boundary is the union of its municipalities'. Shaping all 309
boundaries takes tens of milliseconds, so callers run it in a worker thread, which stops between features once
its request is over.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import shapely

from graph_api.cancellation import checkpoint
from graph_api.models import POPULATION_YEAR, MeetingPlace, Municipality, NodeRef, WelfareArea

DECIMALS = 5
MAX_TOLERANCE = 0.1

Feature = dict[str, Any]


def collection(features: Iterable[Feature]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def meeting_place_features(places: Iterable[MeetingPlace]) -> list[Feature]:
    return [
        {
            "type": "Feature",
            "id": str(NodeRef.of(place)),
            "geometry": {"type": "Point", "coordinates": [place.location.lon, place.location.lat]},
            "properties": {"name": place.name, "kind": place.kind.value, "isDemo": place.is_demo},
        }
        for place in places
    ]


def municipality_features(
    municipalities: Iterable[Municipality],
    boundaries: Mapping[str, shapely.Geometry],
    areas: Mapping[str, str | None],
    tolerance: float,
) -> list[Feature]:
    """One feature a municipality, with what a choropleth needs: names, population and its year, county."""
    return [
        _feature(
            m,
            boundaries[m.key],
            tolerance,
            code=m.key,
            nameFi=m.name_fi,
            nameSv=m.name_sv,
            population=m.population,
            populationYear=POPULATION_YEAR,
            areaKm2=m.area_km2,
            welfareArea=areas.get(m.key),
        )
        for m in municipalities
    ]


def welfare_area_features(
    areas: Iterable[WelfareArea],
    members: Mapping[str, list[Municipality]],
    boundaries: Mapping[str, shapely.Geometry],
    tolerance: float,
) -> list[Feature]:
    features = []
    for area in areas:
        municipalities = members.get(area.key, [])
        shape = shapely.union_all([boundaries[m.key] for m in municipalities])
        features.append(
            _feature(
                area,
                shape,
                tolerance,
                code=area.key,
                nameFi=area.name_fi,
                nameSv=area.name_sv,
                kind=area.kind.value,
                population=sum(m.population for m in municipalities),
                populationYear=POPULATION_YEAR,
                municipalities=len(municipalities),
            )
        )
    return features


def _feature(node: Municipality | WelfareArea, shape: shapely.Geometry, tolerance: float, **properties: Any) -> Feature:
    checkpoint()
    simple = shapely.simplify(shape, tolerance, preserve_topology=True) if tolerance else shape
    oriented = shapely.orient_polygons(shapely.set_precision(simple, 10**-DECIMALS), exterior_cw=False)
    return {
        "type": "Feature",
        "id": str(NodeRef.of(node)),
        "geometry": shapely.geometry.mapping(oriented),
        "properties": {**properties, "isDemo": node.is_demo},
    }
