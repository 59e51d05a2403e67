"""Convert the public reference data (the project's `shared/data`) into `seeds/reference/`.

Run once when the sources change (`graph-api seeds import-reference --from PATH`); the service itself
never reads the sources. Regions and the municipality→region mapping come from the Posti postal-code
file, municipalities and counties from Yle's TopoJSON, postal code areas from Statistics Finland's Paavo
boundaries, districts from the MLL district list.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import shapely
from pyproj import Geod
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import shape
from topojson.utils import serialize_as_geojson

from loaders.csvfiles import EDGE_COLUMNS, read_rows, write_rows

TOPOJSON = "finland-municipalities-hva-2021.topo.json"
POSTCODES = "fi-postcodes-2024-04-13.csv"
PLACES = "geonames-fi-places-pop500.csv"
DISTRICTS = "mll-districts.csv"
POSTCODE_AREAS = "fi-postcode-areas.geojson"

HELSINKI_CODE = "091"
HELSINKI_AREA = {"key": "HKI", "name_fi": "Helsingin kaupunki", "name_sv": "Helsingfors stad", "kind": "CITY"}
COORDINATE_DECIMALS = 5

NAMED_COLUMNS = ("key", "source", "name_fi", "name_sv")

Feature = dict[str, Any]
"""A GeoJSON feature as `json` reads it."""


def import_reference(data_dir: Path, seeds_dir: Path) -> dict[str, int]:
    """Write every generated reference seed file and return the row count of each."""
    out = seeds_dir / "reference"
    topology = json.loads((data_dir / TOPOJSON).read_text(encoding="utf-8"))
    features = serialize_as_geojson(topology, objectname="munis")["features"]
    counties = serialize_as_geojson(topology, objectname="hva")["features"]
    postcodes = list(read_rows(data_dir / POSTCODES))
    places = list(read_rows(data_dir / PLACES))
    region_of = {row["municipal_code"]: row["ad_area_code"] for row in postcodes}
    counts = {
        "Region": write_rows(out / "nodes/Region.csv", NAMED_COLUMNS, _regions(postcodes)),
        "WelfareArea": write_rows(out / "nodes/WelfareArea.csv", (*NAMED_COLUMNS, "kind"), _welfare_areas(counties)),
        "Municipality": write_rows(
            out / "nodes/Municipality.csv",
            (*NAMED_COLUMNS, "population", "area_km2", "lat", "lon"),
            _municipalities(features, places),
        ),
        "District": write_rows(
            out / "nodes/District.csv", (*NAMED_COLUMNS, "website"), _districts(data_dir / DISTRICTS)
        ),
        "IN_REGION": write_rows(
            out / "relationships/IN_REGION.csv",
            EDGE_COLUMNS,
            (
                _edge("Municipality", f["properties"]["id"], "Region", region_of[f["properties"]["id"]], "posti")
                for f in features
            ),
        ),
        "IN_WELFARE_AREA": write_rows(
            out / "relationships/IN_WELFARE_AREA.csv", EDGE_COLUMNS, _welfare_area_edges(features)
        ),
        "COVERS": write_rows(out / "relationships/COVERS.csv", EDGE_COLUMNS, _covers(data_dir / DISTRICTS)),
    }
    _write_boundaries(features, out / "boundaries/municipalities.geojson")
    areas = json.loads((data_dir / POSTCODE_AREAS).read_text(encoding="utf-8"))["features"]
    counts["postal code areas"] = _write_postal_code_areas(
        areas, _postal_code_municipalities(areas, features, postcodes), out / "boundaries/postal_code_areas.geojson"
    )
    shutil.copyfile(data_dir / POSTCODES, out / "gazetteer/postal_codes.csv")
    shutil.copyfile(data_dir / PLACES, out / "gazetteer/places.csv")
    return counts


def _edge(from_label: str, from_key: str, to_label: str, to_key: str, source: str) -> dict[str, str]:
    return {"from": f"{from_label}:{from_key}", "to": f"{to_label}:{to_key}", "source": source}


def _regions(postcodes: list[dict[str, str]]) -> list[dict[str, str]]:
    names = {row["ad_area_code"]: (row["ad_area_fi"], row["ad_area_sv"]) for row in postcodes}
    return [{"key": code, "source": "posti", "name_fi": fi, "name_sv": sv} for code, (fi, sv) in sorted(names.items())]


def _welfare_areas(counties: list[dict]) -> list[dict[str, str]]:
    """The 21 counties of the TopoJSON plus Helsinki; its `hva` layer lumps Helsinki with Åland."""
    rows = [
        {
            "key": p["hva_id"],
            "source": "yle",
            "name_fi": p["name_fi"],
            "name_sv": p["name_sv"],
            "kind": "WELLBEING_SERVICES_COUNTY",
        }
        for p in (feature["properties"] for feature in counties)
        if p["hva_id"]
    ]
    rows.append({**HELSINKI_AREA, "source": "yle"})
    return sorted(rows, key=lambda row: row["key"])


def _welfare_area_edges(features: list[dict]) -> Iterable[dict[str, str]]:
    for feature in features:
        props = feature["properties"]
        area = HELSINKI_AREA["key"] if props["id"] == HELSINKI_CODE else props["hva_id"]
        if area:
            yield _edge("Municipality", props["id"], "WelfareArea", area, "yle")


def _municipalities(features: list[dict], places: list[dict[str, str]]) -> list[dict[str, object]]:
    geod = Geod(ellps="WGS84")
    place_points = [(ShapelyPoint(float(p["longitude"]), float(p["latitude"])), int(p["population"])) for p in places]
    rows = []
    for feature in features:
        props = feature["properties"]
        boundary = shape(feature["geometry"])
        location = _location(boundary, place_points)
        area, _ = geod.geometry_area_perimeter(boundary)
        rows.append(
            {
                "key": props["id"],
                "source": "yle",
                "name_fi": props["name_fi"],
                "name_sv": props["name_sv"],
                "population": props["population"],
                "area_km2": round(abs(area) / 1e6, 1),
                "lat": round(location.y, COORDINATE_DECIMALS),
                "lon": round(location.x, COORDINATE_DECIMALS),
            }
        )
    return sorted(rows, key=lambda row: str(row["key"]))


def _location(boundary: shapely.Geometry, places: list[tuple[ShapelyPoint, int]]) -> ShapelyPoint:
    """The most populous GeoNames place inside the boundary, else the pole of inaccessibility."""
    inside = [(population, point) for point, population in places if boundary.contains(point)]
    if inside:
        return max(inside, key=lambda item: item[0])[1]
    largest = max(getattr(boundary, "geoms", [boundary]), key=lambda polygon: polygon.area)
    return shapely.ops.polylabel(largest, tolerance=1e-4)


def _districts(path: Path) -> list[dict[str, object]]:
    return [
        {
            "key": row["district_id"],
            "source": "mll-districts",
            "name_fi": row["name_fi"],
            "name_sv": None,
            "website": row["website"] or None,
        }
        for row in read_rows(path)
    ]


def _covers(path: Path) -> Iterable[dict[str, str]]:
    for row in read_rows(path):
        for region in row["region_codes"].split("|"):
            yield _edge("District", row["district_id"], "Region", region, "mll-districts")


def _write_boundaries(features: list[Feature], path: Path) -> None:
    rows = sorted(features, key=lambda f: f["properties"]["id"])
    _write_features(
        path, (_feature(f["properties"]["id"], {"code": f["properties"]["id"]}, f["geometry"]) for f in rows)
    )


def _write_postal_code_areas(areas: list[Feature], municipality_of: dict[str, str], path: Path) -> int:
    """Write the postal code areas, each with its municipality's code, and return how many there are."""
    shapes = {area["properties"]["postinumeroalue"]: _valid(shape(area["geometry"])) for area in areas}
    return _write_features(
        path,
        (
            _feature(code, {"postal_code": code, "municipality": municipality_of[code]}, area)
            for code, area in sorted(_without_overlaps(shapes).items())
            if not area.is_empty
        ),
    )


def _postal_code_municipalities(
    areas: list[Feature], features: list[Feature], postcodes: list[dict[str, str]]
) -> dict[str, str]:
    """Each area's municipality code, by the name its source gives, else by Posti's file.

    The source cuts some names short (`Tl` for Koski Tl, `Vilppula` for Mänttä-Vilppula, `kunta` for
    Pedersören kunta); Posti's file has the municipality of each of those codes.
    """
    by_name = {
        p[name]: p["id"] for p in (f["properties"] for f in features) for name in ("name_sv", "name_fi") if p[name]
    }
    posti = {row["postcode"]: row["municipal_code"] for row in postcodes}
    codes = {}
    for props in (area["properties"] for area in areas):
        code = by_name.get(props["kunta"]) or posti.get(props["postinumeroalue"])
        if code is None:
            raise ValueError(
                f"postal code area {props['postinumeroalue']}: no municipality is named {props['kunta']!r}"
            )
        codes[props["postinumeroalue"]] = code
    return codes


def _valid(area: shapely.Geometry) -> shapely.Geometry:
    """The area as a valid (multi)polygon on the rounding grid; the simplified source crosses itself in places."""
    return _rounded(shapely.make_valid(area, method="structure", keep_collapsed=False))


def _without_overlaps(shapes: dict[str, shapely.Geometry]) -> dict[str, shapely.Geometry]:
    """Each area less the smaller areas it overlaps, so that every point lies in one area.

    The simplified source lost the holes that enclaves fill (86900 lies inside 86800), and neighbours overlap
    a little where their borders were simplified apart: the smaller area keeps the overlap either way.
    """
    codes = sorted(shapes)
    tree = shapely.STRtree([shapes[code] for code in codes])
    size = {code: (shapes[code].area, code) for code in codes}
    grid = 10**-COORDINATE_DECIMALS
    result = {}
    for code in codes:
        area = shapes[code]
        neighbours = (codes[j] for j in tree.query(area, predicate="intersects"))
        smaller = [shapes[c] for c in neighbours if size[c] < size[code] and not shapely.touches(area, shapes[c])]
        result[code] = shapely.difference(area, shapely.union_all(smaller, grid_size=grid), grid_size=grid)
    return result


def _rounded(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.set_precision(geometry, 10**-COORDINATE_DECIMALS)


def _feature(key: str, properties: dict[str, str], geometry: shapely.Geometry | dict[str, Any]) -> Feature:
    rounded = _rounded(shape(geometry) if isinstance(geometry, dict) else geometry)
    return {"type": "Feature", "id": key, "properties": properties, "geometry": shapely.geometry.mapping(rounded)}


def _write_features(path: Path, features: Iterable[Feature]) -> int:
    rows = list(features)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": rows}, separators=(",", ":")) + "\n", "utf-8")
    return len(rows)
