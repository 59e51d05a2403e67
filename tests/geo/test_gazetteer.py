"""The offline gazetteer: what people type in Finland, found to the best precision the seeds have."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import shapely

from graph_api.errors import DataError
from graph_api.geo.areas import MunicipalityLocator, PostalCodeAreaLocator
from graph_api.geo.gazetteer import Gazetteer
from graph_api.geo.geocoding import MAX_RESULTS, GeocodeResult, Precision, Provider
from graph_api.settings import DEFAULT_SEEDS_DIR
from graph_api.text import fold

SEEDS = DEFAULT_SEEDS_DIR


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_seeds(SEEDS)


def best(gazetteer: Gazetteer, address: str) -> GeocodeResult:
    found = gazetteer.search(address)
    assert found.results, found.reason
    return found.results[0]


def area(code: str) -> shapely.Geometry:
    return PostalCodeAreaLocator.from_seeds(SEEDS).boundaries[code]


def rows(path: str) -> list[dict[str, str]]:
    with (SEEDS / path).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.mark.parametrize(
    ("address", "municipality", "label", "precision"),
    [
        pytest.param("Pirkkakatu 2, Rovaniemi", "698", "Rovaniemi", Precision.LOCALITY, id="street-and-town"),
        pytest.param("00100", "091", "00100 Helsinki", Precision.POSTAL_CODE, id="postal-code"),
        pytest.param("Mannerheimintie 5, 00100 Helsinki", "091", "00100 Helsinki", Precision.POSTAL_CODE, id="full"),
        pytest.param("Hallituskatu 7 96100 ROVANIEMI", "698", "96100 Rovaniemi", Precision.POSTAL_CODE, id="no-comma"),
        pytest.param("33100 Tampere", "837", "33100 Tampere", Precision.POSTAL_CODE, id="tampere"),
        pytest.param("00102", "091", "00102 Eduskunta", Precision.MUNICIPALITY, id="parliament-has-no-area"),
        pytest.param("Linnanmaa", "564", "Linnanmaa, Oulu", Precision.LOCALITY, id="district-of-a-city"),
        pytest.param("Korso", "092", "Korso, Vantaa", Precision.LOCALITY, id="place-name"),
        pytest.param("Kärkölä", "316", "Kärkölä", Precision.LOCALITY, id="municipality-before-namesake-village"),
        pytest.param("Inari", "148", "Inari", Precision.LOCALITY, id="lapland"),
    ],
)
def test_addresses_postal_codes_and_places(
    gazetteer: Gazetteer, address: str, municipality: str, label: str, precision: Precision
) -> None:
    result = best(gazetteer, address)
    assert (result.municipality, result.label, result.precision) == (municipality, label, precision)
    assert result.provider is Provider.OFFLINE


@pytest.mark.parametrize(
    ("swedish", "finnish", "code"),
    [("Helsingfors", "Helsinki", "091"), ("Åbo", "Turku", "853"), ("Vasa", "Vaasa", "905"), ("Borgå", "Porvoo", "638")],
)
def test_both_names_of_a_bilingual_municipality(gazetteer: Gazetteer, swedish: str, finnish: str, code: str) -> None:
    in_swedish, in_finnish = best(gazetteer, swedish), best(gazetteer, finnish)
    assert in_swedish.municipality == in_finnish.municipality == code
    assert in_swedish.location == in_finnish.location
    assert in_swedish.label == f"{swedish} ({finnish})"


@pytest.mark.parametrize("typed", ["Jyväskylä", "JYVÄSKYLÄ", "jyvaskyla", "Jyvåskylå", "  jyväskylä  "])
def test_case_and_diacritics_do_not_matter(gazetteer: Gazetteer, typed: str) -> None:
    assert best(gazetteer, typed.strip()) == best(gazetteer, "Jyväskylä")


@pytest.mark.parametrize(
    ("typed", "code"), [("Rovanimi", "698"), ("Hämenlinna", "109"), ("Seinäjoky", "743"), ("Lappeenrannta", "405")]
)
def test_a_misspelt_name_finds_the_closest_and_says_so(gazetteer: Gazetteer, typed: str, code: str) -> None:
    result = best(gazetteer, typed)
    assert result.municipality == code
    assert "closest name" in (result.note or "")


def test_a_street_is_placed_at_its_town_and_the_note_names_what_was_not_placed(gazetteer: Gazetteer) -> None:
    result = best(gazetteer, "Pirkkakatu 2, Rovaniemi")
    assert "'Pirkkakatu' is not in the offline gazetteer" in (result.note or "")
    assert best(gazetteer, "Rovaniemi").note is None


@pytest.mark.parametrize(
    "address",
    ["00100", "Mannerheimintie 1, 00100 Helsinki", "Mannerheimvägen 1, 00100 Helsingfors", "00100 HELSINKI"],
)
def test_a_postal_code_is_placed_inside_its_area(gazetteer: Gazetteer, address: str) -> None:
    result = best(gazetteer, address)
    assert (result.postal_code, result.precision) == ("00100", Precision.POSTAL_CODE)
    assert shapely.contains(area("00100"), shapely.Point(result.location.lon, result.location.lat))
    assert "no coordinates" not in (result.note or "")


def test_a_postal_code_is_not_placed_at_its_post_offices_town(gazetteer: Gazetteer) -> None:
    """Helsinki's point is in 00100; 00990 (Aurinkolahti) is 13 km east of it, in an area of its own."""
    code, town = best(gazetteer, "00990"), best(gazetteer, "Helsinki")
    assert code.label == "00990 Helsinki" and code.location != town.location
    assert PostalCodeAreaLocator.from_seeds(SEEDS).locate(code.location) == "00990"


@pytest.mark.parametrize(
    ("address", "street"),
    [
        ("Mannerheimintie 1, 00100 Helsinki", "Mannerheimintie"),
        ("Mannerheimvägen 1, 00100 Helsingfors", "Mannerheimvägen"),
    ],
)
def test_an_address_with_a_postal_code_notes_the_street_it_could_not_place(
    gazetteer: Gazetteer, address: str, street: str
) -> None:
    assert best(gazetteer, address).note == f"{street!r} is not in the offline gazetteer, which knows no streets"


@pytest.mark.parametrize(
    ("code", "label", "town"),
    [
        pytest.param("00102", "00102 Eduskunta", "Helsinki", id="street-address-code-with-no-area"),
        pytest.param("96101", "96101 Rovaniemi", "Rovaniemi", id="po-box"),
        pytest.param("00002", "00002 Helsinki", "Helsinki", id="special-code"),
    ],
)
def test_a_postal_code_with_no_area_is_placed_at_its_post_offices_town(
    gazetteer: Gazetteer, code: str, label: str, town: str
) -> None:
    result = best(gazetteer, code)
    assert code not in PostalCodeAreaLocator.from_seeds(SEEDS).areas
    assert (result.postal_code, result.label, result.location) == (code, label, best(gazetteer, town).location)
    assert result.precision in {Precision.LOCALITY, Precision.MUNICIPALITY}
    assert f"Posti's file has no coordinates: postal code {code} is placed at" in (result.note or "")


def test_every_postal_code_with_an_area_is_placed_inside_it_and_in_its_municipality(gazetteer: Gazetteer) -> None:
    """Inside Posti's municipality for the code too, by the 1:4.5M boundaries, wherever the area reaches it."""
    postal_areas, municipalities = PostalCodeAreaLocator.from_seeds(SEEDS), MunicipalityLocator.from_seeds(SEEDS)
    outside_municipality = []
    for row in rows("reference/gazetteer/postal_codes.csv"):
        if row["postcode"] in postal_areas.areas:
            result = best(gazetteer, row["postcode"])
            assert result.precision is Precision.POSTAL_CODE
            assert postal_areas.locate(result.location) == row["postcode"]
            if municipalities.locate(result.location) != row["municipal_code"]:
                outside_municipality.append(row["postcode"])
    assert outside_municipality == ["02380", "22840"]  # islands the 1:4.5M coast leaves out


def test_every_municipality_finds_itself_by_either_name(gazetteer: Gazetteer) -> None:
    for row in rows("reference/nodes/Municipality.csv"):
        for name in {row["name_fi"], row["name_sv"]} - {""}:
            assert best(gazetteer, name).municipality == row["key"], name


def test_every_postal_code_finds_its_municipality(gazetteer: Gazetteer) -> None:
    for row in rows("reference/gazetteer/postal_codes.csv"):
        result = best(gazetteer, row["postcode"])
        assert (result.postal_code, result.municipality) == (row["postcode"], row["municipal_code"])


def test_every_populated_place_is_among_the_results_for_its_name(gazetteer: Gazetteer) -> None:
    for row in rows("reference/gazetteer/places.csv"):
        locations = {(r.location.lat, r.location.lon) for r in gazetteer.search(row["name"]).results}
        assert (float(row["latitude"]), float(row["longitude"])) in locations, row["name"]


def test_results_are_distinct_points_and_at_most_the_maximum(gazetteer: Gazetteer) -> None:
    results = gazetteer.search("Kirkonkylä Myllykylä Mäntylä Koskela Peltola").results
    assert 1 < len(results) <= MAX_RESULTS
    assert len({result.location for result in results}) == len(results)


def test_an_ambiguous_name_ranks_the_most_populous_first(gazetteer: Gazetteer) -> None:
    results = gazetteer.search("Peltola").results
    assert len(results) >= 2
    assert all(fold("Peltola") in fold(result.label) for result in results)


@pytest.mark.parametrize(
    ("address", "reason"),
    [("Xyzzyplugh", "no name in it matches"), ("00001", "no postal code 00001"), ("42", "no name in it matches")],
)
def test_nothing_found_is_an_empty_answer_with_a_reason(gazetteer: Gazetteer, address: str, reason: str) -> None:
    found = gazetteer.search(address)
    assert found.results == ()
    assert reason in (found.reason or "")


def test_a_folder_without_the_gazetteer_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not a seed folder"):
        Gazetteer.from_seeds(tmp_path)
