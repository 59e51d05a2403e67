"""Editing meeting places (`graph_api.editing.places`), through the API, on both backends."""

from __future__ import annotations

import pytest

from graph_api.auth.caller import ADMIN
from graph_api.store.base import GraphStore
from tests.api.edits import SETTINGS, Editor, bearer, token_for
from tests.conftest import client_for

pytestmark = pytest.mark.anyio

TWO_ORGANISERS = "MeetingPlace:mp-005-1"
"""Run by FamilyCentre:fc-ep as coordinator and District:pohjanmaa as partner (seeds/demo/relationships/RUN_BY.csv)."""
READ = "query ($id: ID!) { node(id: $id) { ... on MeetingPlace { version name } } }"
UPDATE = "mutation ($input: UpdateMeetingPlaceInput!) { updateMeetingPlace(input: $input) { place { version name } } }"


async def test_update_renames_a_place_with_several_organisers(editable_store: GraphStore) -> None:
    token = await token_for(editable_store, "District:uusimaa", ADMIN)
    async with client_for(editable_store, SETTINGS) as http:
        gql = Editor(http, bearer(token))
        version = (await gql.data(READ, id=TWO_ORGANISERS))["node"]["version"]
        input_ = {"id": TWO_ORGANISERS, "expectedVersion": version, "name": "Perhekahvila Kaksi"}
        answer = await gql.data(UPDATE, input=input_)
    assert answer["updateMeetingPlace"]["place"] == {"version": version + 1, "name": "Perhekahvila Kaksi"}
