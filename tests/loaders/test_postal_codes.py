"""One postal code rule (`loaders.importing.check_postal_code`): five digits 0-9, ends trimmed. An edit through the
API and every reader of postal codes (spreadsheet, HSDS, PTV) give the same input the same verdict: kept as the
same code, or refused naming the field (BAD_USER_INPUT on `input.postalCode`; a reader rejects the row, location
or channel, naming its postal code column). On both backends (`editable_store`: the readers only read it).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from graph_api.models import MeetingPlace
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from loaders import hsds, ptv
from loaders.importing import Reading, Reference
from loaders.spreadsheet import read_spreadsheet
from tests.api.edits import CREATE_PLACE, SETTINGS, Editor, bearer, new_place, token_for
from tests.conftest import SEEDS, client_for
from tests.loaders.fake_ptv import location_channel, street_address
from tests.loaders.test_hsds import PIKKUPOLLO, partner, write_package
from tests.loaders.test_spreadsheet import NUPPU, write_csv

pytestmark = pytest.mark.anyio

MAX_BYTES = 1_000_000
REFUSED = "refused"
POSTAL_CODES = {
    "00100": "00100",
    "0010": REFUSED,
    "001000": REFUSED,
    "\u0660\u0660\u0661\u0660\u0660": REFUSED,  # Arabic-Indic digits: `\d` and str.isdigit take them
    " 00100": "00100",
    "00 100": REFUSED,
}
"""Each input, and what every channel keeps of it."""
PTV_ORGANIZATION = "5c4b4a3e-0000-4000-8000-000000000001"
PTV_CHANNEL = "0a000000-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
async def reference(editable_store: GraphStore) -> Reference:
    return await Reference.of(editable_store, SEEDS)


@pytest.fixture
async def editor(editable_store: GraphStore) -> AsyncIterator[Editor]:
    token = await token_for(editable_store, "District:uusimaa", "places:write")
    async with client_for(editable_store, SETTINGS) as http:
        yield Editor(http, bearer(token))


async def edited(editor: Editor, given: str) -> str:
    body = await editor.execute(CREATE_PLACE, input=new_place(postalCode=given))
    if "errors" not in body:
        return body["data"]["createMeetingPlace"]["place"]["postalCode"]  # type: ignore[no-any-return]
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "input.postalCode"}
    return REFUSED


def verdict(reading: Reading, rejected_at: str) -> str:
    """The postal code the one thing read keeps, or REFUSED when it is rejected for its postal code alone."""
    if reading.found:
        assert reading.rejected == [], reading.rejected
        (place,) = [item.node for item in reading.found if isinstance(item.node, MeetingPlace)]
        return str(place.postal_code)
    assert [(rejection.ref, "postal code" in rejection.reason) for rejection in reading.rejected] == [
        (rejected_at, True)
    ]
    return REFUSED


async def spreadsheet(reference: Reference, folder: Path, given: str) -> str:
    path = write_csv(folder, [{**NUPPU, "postal_code": given}])
    reading = await read_spreadsheet(path, reference, Settings(_env_file=None).create_geocoder(), MAX_BYTES)
    return verdict(reading, "cafes.csv:2:H")


async def hsds_package(reference: Reference, folder: Path, given: str) -> str:
    tables = partner()
    tables["addresses.csv"][0]["postal_code"] = given
    reading = await hsds.read_package(write_package(folder / "partner", tables), reference, MAX_BYTES)
    found = [item for item in reading.found if item.node.key == PIKKUPOLLO]
    return verdict(Reading(reading.source, reading.labels, found, reading.rejected), "addresses.csv:2:postal_code")


async def ptv_file(reference: Reference, folder: Path, given: str) -> str:
    address = street_address(60.1699, 24.9384, "Mannerheimintie", "5 A", given, "091")
    channel = location_channel(PTV_CHANNEL, PTV_ORGANIZATION, "Perhekahvila Kamppi", address)
    path = folder / "channels.json"
    path.write_text(json.dumps([channel]), encoding="utf-8")
    (reading,) = ptv.read_file(path, reference, MAX_BYTES)
    return verdict(reading, f"ptv:{PTV_CHANNEL}")


@pytest.mark.parametrize("given", POSTAL_CODES)
async def test_a_postal_code_gets_the_same_verdict_from_an_edit_and_from_every_reader(
    editor: Editor, reference: Reference, tmp_path: Path, given: str
) -> None:
    verdicts = {
        "createMeetingPlace": await edited(editor, given),
        "spreadsheet": await spreadsheet(reference, tmp_path, given),
        "hsds": await hsds_package(reference, tmp_path, given),
        "ptv": await ptv_file(reference, tmp_path, given),
    }
    assert verdicts == dict.fromkeys(verdicts, POSTAL_CODES[given])
