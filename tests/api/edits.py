"""What the specifications of the mutations share: their documents, who calls them, and what the store holds.

The three suites (`test_mutations`, `test_write_access`, `test_hostile_input`) each write into their own
`editable_store` (the seeds, on both backends); each test makes the nodes it changes with `Editor.place`,
`Editor.association` or `Editor.agreement`, so no test depends on another's order.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from graph_api.models import (
    Dataset,
    LocalAssociation,
    MeetingPlace,
    MeetingPlaceKind,
    Node,
    NodeRef,
    Point,
    Relationship,
)
from graph_api.settings import Settings
from graph_api.store.base import ChangeQuery, GraphStore, NodeQuery
from tests.writing import WritingClient

SETTINGS = Settings(_env_file=None, GRAPH_API_REQUEST_TIMEOUT=60)
"""The defaults, but a request may take a minute: the shared test machines run other Neo4j servers too, and a
time budget running out mid-test would make a refusal look like a rule."""

ESPOO = {"lat": 60.2055, "lon": 24.6559}
"""Near Espoo's family centre (fc-049): a point in Municipality:049."""
HELSINKI = {"lat": 60.1841, "lon": 24.952}
"""Kallio, Helsinki: Municipality:091."""

PLACE = """
    id version source isDemo name nameSv kind streetAddress postalCode withdrawnAt updatedAt
    location { lat lon }
    municipality { id }
    runBy { role organiser { ... on Node { id } } }
    activities { id }
    familyCentre { id }
    openingHours { weekdays opensAt closesAt validFrom validTo }
    closures { from to reason }
"""
AGREEMENT = "district { id version } party { ... on Node { id } } since until kind isDemo"
ASSOCIATION = "id version source isDemo nameFi nameSv district { id } municipalities { id }"

CREATE_PLACE = f"""mutation($input: CreateMeetingPlaceInput!) {{
    createMeetingPlace(input: $input) {{ place {{ {PLACE} }} }} }}"""
UPDATE_PLACE = f"""mutation($input: UpdateMeetingPlaceInput!) {{
    updateMeetingPlace(input: $input) {{ place {{ {PLACE} }} }} }}"""
WITHDRAW_PLACE = f"""mutation($input: WithdrawMeetingPlaceInput!) {{
    withdrawMeetingPlace(input: $input) {{ place {{ {PLACE} }} }} }}"""
SET_OPENING_HOURS = f"""mutation($input: SetOpeningHoursInput!) {{
    setOpeningHours(input: $input) {{ place {{ {PLACE} }} }} }}"""
CREATE_AGREEMENT = f"""mutation($input: CreateAgreementInput!) {{
    createAgreement(input: $input) {{ agreement {{ {AGREEMENT} }} }} }}"""
END_AGREEMENT = f"""mutation($input: EndAgreementInput!) {{
    endAgreement(input: $input) {{ agreement {{ {AGREEMENT} }} }} }}"""
CREATE_ASSOCIATION = f"""mutation($input: CreateLocalAssociationInput!) {{
    createLocalAssociation(input: $input) {{ localAssociation {{ {ASSOCIATION} }} }} }}"""
UPDATE_ASSOCIATION = f"""mutation($input: UpdateLocalAssociationInput!) {{
    updateLocalAssociation(input: $input) {{ localAssociation {{ {ASSOCIATION} }} }} }}"""

NODE = f"""query($id: ID!) {{ node(id: $id) {{
    ... on MeetingPlace {{ {PLACE} }}
    ... on LocalAssociation {{ {ASSOCIATION} }}
    ... on District {{ id version agreements {{ {AGREEMENT} }} }} }} }}"""
CHANGES = """query($nodeId: ID, $organisationId: ID, $since: DateTime, $first: Int! = 20, $after: String) {
    changes(nodeId: $nodeId, organisationId: $organisationId, since: $since, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { number at actor organisationId operation nodeId requestId version
                              fields { name before after } } } } }"""


_DAYS = itertools.count()


def fresh_day() -> datetime.date:
    """A date no other agreement of this test run starts on, so that each test makes an agreement of its own."""
    return datetime.date(2030, 1, 1) + datetime.timedelta(days=next(_DAYS))


def bearer(token: str) -> str:
    return f"Bearer {token}"


def key_id(token: str) -> str:
    """The id of the API key a token (`gak_<id>_<secret>`) belongs to, as the audit's actor names it."""
    return token.split("_")[1]


class Editor(WritingClient):
    """A partner's GraphQL client: its token, and an `X-Request-ID` of its own on each request when asked."""

    def __init__(self, http: httpx.AsyncClient, authorization: str | None, request_id: str | None = None) -> None:
        super().__init__(http, authorization)
        self.request_id = request_id

    async def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        headers = {} if self.authorization is None else {"Authorization": self.authorization}
        if self.request_id is not None:
            headers["X-Request-ID"] = self.request_id
        response = await self.http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def node(self, id_: str) -> dict[str, Any]:
        found: dict[str, Any] = (await self.data(NODE, id=id_))["node"]
        return found

    async def place(self, **fields: Any) -> dict[str, Any]:
        """A new meeting place in Espoo, coordinated by the district of Uusimaa unless `fields` say otherwise."""
        given = {"name": f"Perhekahvila {uuid.uuid4().hex[:8]}", "kind": "FAMILY_CAFE", "location": ESPOO}
        given |= {"organiserId": "District:uusimaa"} | fields
        found: dict[str, Any] = (await self.data(CREATE_PLACE, input=given))["createMeetingPlace"]["place"]
        return found

    async def association(self, district: str = "District:uusimaa", **fields: Any) -> dict[str, Any]:
        """A new local association of the district, active in Espoo unless `fields` say otherwise."""
        given = {"districtId": district, "nameFi": f"MLL:n paikallisyhdistys {uuid.uuid4().hex[:8]}"}
        given |= {"municipalityIds": ["Municipality:049"]} | fields
        found: dict[str, Any] = (await self.data(CREATE_ASSOCIATION, input=given))["createLocalAssociation"]
        return found["localAssociation"]  # type: ignore[no-any-return]

    async def agreement(self, district: str, party: str, since: datetime.date, **fields: Any) -> dict[str, Any]:
        given = {"districtId": district, "partyId": party, "since": since.isoformat(), "kind": "COOPERATION"}
        found: dict[str, Any] = (await self.data(CREATE_AGREEMENT, input=given | fields))["createAgreement"]
        return found["agreement"]  # type: ignore[no-any-return]

    async def changes(self, **arguments: Any) -> list[dict[str, Any]]:
        """The audit's changes the query finds (one page), newest first."""
        found = (await self.data(CHANGES, **arguments))["changes"]["edges"]
        return [edge["node"] for edge in found]


async def newest_change(store: GraphStore) -> int:
    """The number of the newest change the audit holds (0: none), to tell that nothing was written since."""
    page = await store.changes(ChangeQuery(first=1))
    return page.items[0].number if page.items else 0


async def stored(store: GraphStore, id_: str) -> Node | None:
    """The node as the store holds it now, read past the API."""
    ref = NodeRef.parse(id_)
    assert ref is not None, id_
    (node,) = await store.get_many([ref])
    return node


CREATED_LABELS = ("MeetingPlace", "LocalAssociation")
"""What a mutation may create."""


async def counts(store: GraphStore) -> dict[str, int]:
    """How many nodes of each label a mutation may create the store holds, withdrawn ones too."""
    query = NodeQuery(first=0, include_withdrawn=True)
    return {label: (await store.find(label, query)).total_count for label in CREATED_LABELS}


async def snapshot(store: GraphStore, ids: list[str]) -> tuple[object, ...]:
    """What a refused mutation must leave as it was: the nodes (their versions and data), their relationships
    (a district's agreements among them), the node counts, and the audit's newest change."""
    refs = [NodeRef.parse(id_) for id_ in ids]
    assert None not in refs, ids
    known = [ref for ref in refs if ref is not None]
    edges = sorted(repr(edge) for edge in await store.relationships_of(known)) if known else []
    return await newest_change(store), await store.get_many(known), edges, await counts(store)


@dataclass
class Setup:
    """Nodes tests write to, made before a module's tests in one load (a load is fast on both stores; each edit
    through the API makes the next request measure the graph again for the cost limit, a second on Neo4j)."""

    dataset: Dataset = field(default_factory=lambda: Dataset([], []))

    def place(
        self,
        key: str,
        *,
        coordinator: str = "District:uusimaa",
        partner: str | None = None,
        family_centre: str | None = None,
        activities: tuple[str, ...] = (),
        version: int = 1,
        withdrawn: bool = False,
        **fields: Any,
    ) -> str:
        """A family café in Espoo (the `api`'s own), run by its coordinator; its global id."""
        at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) if withdrawn else None
        node = MeetingPlace(key, "api", f"Perhekahvila {key}", MeetingPlaceKind.FAMILY_CAFE, Point(**ESPOO))
        node = dataclasses.replace(node, version=version, withdrawn_at=at, **fields)
        ends = [("LOCATED_IN", "Municipality:049", {}), ("RUN_BY", coordinator, {"role": "COORDINATOR"})]
        ends += [("RUN_BY", partner, {"role": "PARTNER"})] if partner else []
        ends += [("PART_OF", family_centre, {})] if family_centre else []
        ends += [("OFFERS", activity, {}) for activity in activities]
        return self._add(node, ends)

    def association(self, key: str, *, district: str = "District:uusimaa", version: int = 1) -> str:
        """A local association of the district active in Espoo; its global id."""
        node = dataclasses.replace(LocalAssociation(key, "api", f"MLL:n yhdistys {key}", None), version=version)
        return self._add(node, [("MEMBER_OF", district, {}), ("ACTIVE_IN", "Municipality:049", {})])

    def agreement(self, district: str, party: str, since: datetime.date) -> None:
        """An agreement running on from `since`."""
        start, end = ref_of(district), ref_of(party)
        properties = {"since": since, "kind": "COOPERATION"}
        self.dataset.relationships.append(Relationship("HAS_AGREEMENT", start, end, "api", properties))

    def _add(self, node: Node, ends: list[tuple[str, str, dict[str, object]]]) -> str:
        self.dataset.nodes.append(node)
        for type_, end, properties in ends:
            self.dataset.relationships.append(Relationship(type_, NodeRef.of(node), ref_of(end), "api", properties))
        return str(NodeRef.of(node))


def ref_of(id_: str) -> NodeRef:
    ref = NodeRef.parse(id_)
    assert ref is not None, id_
    return ref
