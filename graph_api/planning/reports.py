"""An area's coverage as a file, for `graph-api report coverage`: CSV, a markdown table or GeoJSON.

CSV and markdown have a row for each municipality and a last one for the area. In CSV every row has the same
columns: a municipality's row is the area of that one municipality, so `municipalitiesUnderAgreement` is 1
when an agreement covers it. GeoJSON has the municipalities' boundaries with their figures as properties,
and the terms and the area's totals as foreign members of the collection (RFC 7946, section 6.1).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graph_api import maps
from graph_api.geo.areas import MunicipalityLocator
from graph_api.models import NamedNode, Node, NodeRef
from graph_api.planning.coverage import AreaCoverage, CoverageTerms, MunicipalityCoverage
from graph_api.planning.planner import area_coverage
from graph_api.planning.population import Settlements
from graph_api.store.base import GraphStore

FORMATS = ("csv", "markdown", "geojson")
CSV_COLUMNS = (
    "id",
    "name",
    "municipalities",
    "population",
    "populationYear",
    "places",
    "placesPer10k",
    "weightedDistanceKm",
    "withinKm",
    "shareWithin",
    "populationBeyond",
    "municipalitiesUnderAgreement",
    "populationUnderAgreement",
    "agreementYear",
    "kinds",
    "activities",
    "tasks",
    "isDemo",
)


def as_csv(coverage: AreaCoverage) -> str:
    """Every row repeats the terms: a list's items space-separated, activities and tasks empty when not asked."""
    file = io.StringIO()
    writer = csv.DictWriter(file, fieldnames=CSV_COLUMNS, lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    terms = {name: " ".join(v) if isinstance(v, list) else v for name, v in _terms(coverage.terms).items()}
    for area in (*(_alone(m, coverage.terms) for m in coverage.municipalities), coverage):
        row = {**_totals(area), **terms}
        writer.writerow({column: _cell(value) for column, value in row.items()})
    return file.getvalue()


async def coverage_report(
    store: GraphStore, seeds_dir: Path, area: NodeRef, terms: CoverageTerms, output_format: str
) -> str:
    """The area's coverage in one of `FORMATS`; an unknown area is an `InputError` on `--area`."""
    coverage = await area_coverage(store, Settlements.from_seeds(seeds_dir), area, terms, argument="--area")
    if output_format == "csv":
        return as_csv(coverage)
    if output_format == "markdown":
        return as_markdown(coverage)
    layer = await maps.municipalities_layer(store, MunicipalityLocator.from_seeds(seeds_dir), maps.DEFAULT_TOLERANCE)
    return json.dumps(as_geojson(coverage, layer), ensure_ascii=False) + "\n"


def as_markdown(coverage: AreaCoverage) -> str:
    terms = coverage.terms
    within = f"{terms.within_km:g} km"
    clauses = [
        f"Meeting places: {', '.join(kind.value for kind in terms.kind_list)}",
        *_offered(terms),
        f"within {within}",
        f"agreements in force in {terms.year}",
        f"population at the end of {coverage.population_year}",
    ]
    demo = " The meeting places or agreements are generated demo data." if coverage.is_demo else ""
    lines = [
        f"# Coverage of {_name(coverage.area)} ({NodeRef.of(coverage.area)})",
        "",
        f"{'; '.join(clauses)}.{demo}",
        "",
        f"| municipality | code | population | places | per 10,000 | weighted km | within {within} | beyond {within} "
        "| under agreement |",
        "|---|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for m in coverage.municipalities:
        cells = [m.municipality.name_fi, m.municipality.key, *_numbers(m), "yes" if m.under_agreement else "no"]
        lines.append(_table_row(cells))
    agreed = f"{coverage.municipalities_under_agreement} of {coverage.municipality_count}"
    lines.append(_table_row(["**total**", "", *_numbers(coverage), agreed]))
    return "\n".join(lines) + "\n"


def as_geojson(coverage: AreaCoverage, layer: Mapping[str, Any]) -> dict[str, Any]:
    """The coverage on the municipality features of `maps.municipalities_layer`, which gives the boundaries."""
    figures = {str(NodeRef.of(m.municipality)): _figures(m) for m in coverage.municipalities}
    features = [
        {**feature, "properties": {**feature["properties"], **figures[feature["id"]]}}
        for feature in layer["features"]
        if feature["id"] in figures
    ]
    return {
        "type": "FeatureCollection",
        "area": str(NodeRef.of(coverage.area)),
        "name": _name(coverage.area),
        "terms": _terms(coverage.terms),
        "totals": _totals(coverage),
        "features": features,
    }


def _alone(municipality: MunicipalityCoverage, terms: CoverageTerms) -> AreaCoverage:
    return AreaCoverage(municipality.municipality, terms, (municipality,))


def _figures(m: MunicipalityCoverage) -> dict[str, Any]:
    return {
        "population": m.population,
        "populationYear": m.population_year,
        "places": m.places,
        "placesPer10k": m.places_per_10k,
        "weightedDistanceKm": m.weighted_distance_km,
        "shareWithin": m.share_within,
        "populationBeyond": m.population_beyond,
        "underAgreement": m.under_agreement,
        "isDemo": m.is_demo,
    }


def _totals(area: AreaCoverage) -> dict[str, Any]:
    return {
        "id": str(NodeRef.of(area.area)),
        "name": _name(area.area),
        "municipalities": area.municipality_count,
        "population": area.population,
        "populationYear": area.population_year,
        "places": area.places,
        "placesPer10k": area.places_per_10k,
        "weightedDistanceKm": area.weighted_distance_km,
        "shareWithin": area.share_within,
        "populationBeyond": area.population_beyond,
        "municipalitiesUnderAgreement": area.municipalities_under_agreement,
        "populationUnderAgreement": area.population_under_agreement,
        "isDemo": area.is_demo,
    }


def _terms(terms: CoverageTerms) -> dict[str, Any]:
    """As the GraphQL `terms` give them, with keys for ids: activities and tasks are None when not asked."""
    return {
        "withinKm": terms.within_km,
        "kinds": [k.value for k in terms.kind_list],
        "activities": terms.activity_keys,
        "tasks": terms.task_keys,
        "agreementYear": terms.year,
    }


def _offered(terms: CoverageTerms) -> list[str]:
    """What a place must offer to count, a clause for the activities and one for the tasks, when asked."""
    clauses = []
    if terms.activity_keys is not None:
        clauses.append(f"offering {_either(terms.activity_keys)}")
    if terms.task_keys is not None:
        clauses.append(f"offering an activity that serves family-centre task {_either(terms.task_keys)}")
    return clauses


def _either(keys: list[str]) -> str:
    return keys[0] if len(keys) == 1 else f"{', '.join(keys[:-1])} or {keys[-1]}"


def _cell(value: object) -> object:
    """Booleans as JSON writes them; None stays an empty cell."""
    return str(value).lower() if isinstance(value, bool) else value


def _numbers(figures: MunicipalityCoverage | AreaCoverage) -> list[str]:
    """Population, places, places per 10,000, weighted km, share within and population beyond, for people."""
    weighted = "n/a" if figures.weighted_distance_km is None else f"{figures.weighted_distance_km:.2f}"
    return [
        str(figures.population),
        str(figures.places),
        f"{figures.places_per_10k:.2f}",
        weighted,
        f"{figures.share_within:.1%}",
        str(figures.population_beyond),
    ]


def _table_row(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _name(node: Node) -> str:
    return node.name_fi if isinstance(node, NamedNode) else node.key
