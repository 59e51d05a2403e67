"""What the tests of writes share: the mutations' documents, an API key's token, the clients that send it, and
what the store holds after a write.

The specifications of the mutations (`test_mutations`, `test_write_access`, `test_hostile_input`) each write into
their own `editable_store` (the seeds, on both backends); each test makes the nodes it changes with `Editor.place`,
`Editor.association` or `Editor.agreement`, so no test depends on another's order. The tests of writes under load
and failure (`test_concurrent_writes`, `test_write_durability`, `test_live_edits`) `post` and sort each answer
into an `Answer`, then read what the store `kept`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import itertools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from graph_api.auth.keys import new_key
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
from tests.conftest import GraphQLClient

BUDGET_S = 60.0
"""A request's time budget, past the default: the shared test machines run other Neo4j servers too, a first write
on a freshly seeded Neo4j takes seconds, and a budget running out mid-test would make a refusal look like a rule
(and a write it stopped neither applied-and-answered nor refused)."""
SETTINGS = Settings(_env_file=None, GRAPH_API_REQUEST_TIMEOUT=BUDGET_S)

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


def new_place(**fields: Any) -> dict[str, Any]:
    """The input of a new meeting place: a family café in Espoo with a name of its own, coordinated by the district
    of Uusimaa, unless `fields` say otherwise."""
    given = {"name": f"Perhekahvila {uuid.uuid4().hex[:8]}", "kind": "FAMILY_CAFE", "location": ESPOO}
    return given | {"organiserId": "District:uusimaa"} | fields


async def token_for(
    store: GraphStore, organisation: str, *scopes: str, expires_at: datetime.datetime | None = None
) -> str:
    """A new API key of the organisation with these scopes, kept in the store; its token."""
    key, token = new_key(organisation, scopes, datetime.datetime.now(datetime.UTC), expires_at=expires_at)
    await store.add_key(key)
    return token


def bearer(token: str) -> str:
    return f"Bearer {token}"


def key_id(token: str) -> str:
    """The id of the API key a token (`gak_<id>_<secret>`) belongs to, as the audit's actor names it."""
    return token.split("_")[1]


class Editor(GraphQLClient):
    """A partner's GraphQL client: `Authorization: TOKEN` (or none, or the header given), and an `X-Request-ID` of
    its own on each request when asked."""

    def __init__(self, http: httpx.AsyncClient, authorization: str | None, request_id: str | None = None) -> None:
        super().__init__(http)
        self.authorization = authorization
        self.request_id = request_id

    async def send(self, query: str, **variables: Any) -> httpx.Response:
        headers = {} if self.authorization is None else {"Authorization": self.authorization}
        if self.request_id is not None:
            headers["X-Request-ID"] = self.request_id
        return await self.http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)

    async def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.send(query, **variables)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def node(self, id_: str) -> dict[str, Any]:
        found: dict[str, Any] = (await self.data(NODE, id=id_))["node"]
        return found

    async def place(self, **fields: Any) -> dict[str, Any]:
        """A new meeting place: `new_place(**fields)`."""
        found = await self.data(CREATE_PLACE, input=new_place(**fields))
        return found["createMeetingPlace"]["place"]  # type: ignore[no-any-return]

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
    """Post a GraphQL document with the token; whatever comes back, sorted into an `Answer`. An answer has one
    outcome: its errors, if any, share one code (a store gone mid-answer fails each field that reads it)."""
    response = await Editor(http, bearer(token)).send(query, **variables)
    if response.status_code != 200:
        return Answer(None, f"HTTP {response.status_code}")
    body = response.json()
    if body.get("errors"):
        codes = {error.get("extensions", {}).get("code", "NO CODE") for error in body["errors"]}
        assert len(codes) == 1, body
        return Answer(None, codes.pop(), body["errors"][0].get("message"))
    return Answer(body["data"], None)


async def sent_alone(port: int, token: str, query: str, **variables: Any) -> asyncio.StreamWriter:
    """Post a GraphQL document with the token over a connection of its own, without reading the answer; the
    connection, for the caller to close when its client leaves."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    head = (
        f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Authorization: {bearer(token)}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    _, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head.encode() + body)
    await writer.drain()
    return writer


async def newest_change(store: GraphStore) -> int:
    """The number of the newest change the audit holds (0: none), to tell that nothing was written since."""
    page = await store.changes(ChangeQuery(first=1))
    return page.items[0].number if page.items else 0


async def stored(store: GraphStore, id_: str) -> Node | None:
    """The node as the store holds it now, read past the API."""
    (node,) = await store.get_many([ref_of(id_)])
    return node


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

    def association(self, key: str, *, district: str | None = "District:uusimaa", version: int = 1) -> str:
        """A local association of the district (None: of none) active in Espoo; its global id."""
        node = dataclasses.replace(LocalAssociation(key, "api", f"MLL:n yhdistys {key}", None), version=version)
        member_of = [("MEMBER_OF", district, {})] if district else []
        return self._add(node, [*member_of, ("ACTIVE_IN", "Municipality:049", {})])

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
