"""What the tests of edits over HTTP share: the mutations' documents, a GraphQL answer sorted into its outcome,
and what the store holds of a meeting place an edit wrote (the node, its relationships, its audit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from graph_api.models import MeetingPlace, NodeRef
from graph_api.store.base import ChangeQuery, GraphStore

PLACE_FIELDS = "id version name location { lat lon } runBy { role organiser { ... on Node { id } } } withdrawnAt"
CREATE = f"""
mutation Create($name: String!, $organiser: ID!, $lat: Float!, $lon: Float!) {{
  createMeetingPlace(
    input: {{name: $name, kind: FAMILY_CAFE, organiserId: $organiser, location: {{lat: $lat, lon: $lon}}}}
  ) {{ place {{ {PLACE_FIELDS} }} }}
}}
"""
RENAME = f"""
mutation Rename($id: ID!, $version: Int!, $name: String!) {{
  updateMeetingPlace(input: {{id: $id, expectedVersion: $version, name: $name}}) {{ place {{ {PLACE_FIELDS} }} }}
}}
"""
REORGANISE = f"""
mutation Reorganise($id: ID!, $version: Int!, $name: String!, $organiser: ID!) {{
  updateMeetingPlace(input: {{id: $id, expectedVersion: $version, name: $name, organiserId: $organiser}})
  {{ place {{ {PLACE_FIELDS} }} }}
}}
"""
MOVE = f"""
mutation Move($id: ID!, $version: Int!, $lat: Float!, $lon: Float!) {{
  updateMeetingPlace(input: {{id: $id, expectedVersion: $version, location: {{lat: $lat, lon: $lon}}}})
  {{ place {{ {PLACE_FIELDS} }} }}
}}
"""
WITHDRAW = f"""
mutation Withdraw($id: ID!, $version: Int!) {{
  withdrawMeetingPlace(input: {{id: $id, expectedVersion: $version}}) {{ place {{ {PLACE_FIELDS} }} }}
}}
"""
PLACE = f"query Place($id: ID!) {{ node(id: $id) {{ ... on MeetingPlace {{ {PLACE_FIELDS} }} }} }}"
AUDIT = """
query Audit($id: ID!) {
  changes(nodeId: $id, first: 100) { totalCount edges { node { number version operation fields { name after } } } }
}
"""
HELSINKI = (60.1841, 24.952)
"""A point in Helsinki (municipality 091), where the seeds' District:uusimaa and its associations work."""


@dataclass(frozen=True)
class Answer:
    """One mutation's answer: `data` when it was applied, else the error's code (or the HTTP failure)."""

    data: dict[str, Any] | None
    code: str | None
    message: str | None = None

    @property
    def place(self) -> dict[str, Any]:
        assert self.data is not None
        (payload,) = self.data.values()
        return payload["place"]  # type: ignore[no-any-return]


async def post(http: httpx.AsyncClient, token: str, query: str, **variables: Any) -> Answer:
    """Post a GraphQL document with the token; whatever comes back, sorted into an `Answer`."""
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    if response.status_code != 200:
        return Answer(None, f"HTTP {response.status_code}")
    body = response.json()
    if body.get("errors"):
        assert len(body["errors"]) == 1, body
        error = body["errors"][0]
        return Answer(None, error.get("extensions", {}).get("code", "NO CODE"), error.get("message"))
    return Answer(body["data"], None)


@dataclass(frozen=True)
class Kept:
    """A meeting place as the store holds it, with its relationships and its audit (oldest first)."""

    place: MeetingPlace
    run_by: list[str]
    located_in: list[str]
    versions: list[int]
    names: list[object]
    """The name each change of the audit left the place with (None: the change left the name as it was)."""


async def kept(store: GraphStore, ref: NodeRef) -> Kept | None:
    (place,) = await store.get_many([ref])
    if place is None:
        return None
    assert isinstance(place, MeetingPlace)
    edges = await store.relationships_of([ref], frozenset({"RUN_BY", "LOCATED_IN"}))
    audit = sorted((await store.changes(ChangeQuery(first=None, node=str(ref)))).items, key=lambda c: c.number or 0)
    return Kept(
        place=place,
        run_by=sorted(str(NodeRef.of(edge.end)) for edge in edges if edge.type == "RUN_BY"),
        located_in=sorted(str(NodeRef.of(edge.end)) for edge in edges if edge.type == "LOCATED_IN"),
        versions=[change.version or 0 for change in audit],
        names=[next((f.after for f in change.fields if f.name == "name"), None) for change in audit],
    )
