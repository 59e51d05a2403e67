"""Who an organisation works with, and through what: shared meeting places, agreements, service, membership."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from graph_api.models import Agreement, Edge, MeetingPlace, Node, NodeRef, global_id
from graph_api.store.base import GraphStore

PARTIES = frozenset({"District", "LocalAssociation", "Organization", "FamilyCentre", "WelfareArea", "Municipality"})
"""Who can have partners: whoever runs meeting places or holds, is party to, or is served under an agreement."""
IN_A_PLACE = frozenset({"RUN_BY", "PART_OF"})
"""How an organisation takes part in a meeting place: it runs it (either role), or the place is in its network."""
DIRECT = frozenset({"HAS_AGREEMENT", "SERVES", "MEMBER_OF"})
"""Relationships that join two organisations themselves."""
HISTORY_PARTIES = frozenset({"District", "WelfareArea", "Municipality"})
"""Who holds or is party to agreements."""


@dataclass(frozen=True, slots=True)
class Partnership:
    """Another organisation and every way the two work together."""

    partner: Node
    ties: list[str]
    """The types of the relationships joining the two directly, in name order."""
    meeting_places: list[MeetingPlace]
    agreements: list[Agreement]


async def partners_of(store: GraphStore, party: Node) -> list[Partnership]:
    """Everyone `party` shares a meeting place with or is joined to directly, by global id."""
    own = await store.relationships_of([NodeRef.of(party)], IN_A_PLACE | DIRECT)
    places = {global_id(edge.start): edge.start for edge in own if edge.type in IN_A_PLACE}
    shared = await store.relationships_of([NodeRef.of(place) for place in places.values()], IN_A_PLACE)
    found: dict[str, _Found] = defaultdict(_Found)
    for edge in shared:
        if global_id(edge.end) != global_id(party):
            found[global_id(edge.end)].meet(edge)
    for edge in own:
        if edge.type in DIRECT:
            found[global_id(edge.other(party))].tie(edge, party)
    return [found[ref].partnership() for ref in sorted(found)]


async def agreement_history(store: GraphStore, party: Node) -> list[Agreement]:
    """The agreements a district holds or a county or municipality is party to, oldest first."""
    agreements = await store.agreements(None, [NodeRef.of(party)])
    return sorted(agreements, key=lambda agreement: (agreement.since, agreement.order))


class _Found:
    """What is known so far of one partner."""

    def __init__(self) -> None:
        self.partner: Node | None = None
        self.ties: set[str] = set()
        self.places: dict[str, MeetingPlace] = {}
        self.agreements: list[Agreement] = []

    def meet(self, edge: Edge) -> None:
        """`edge` joins a shared place to the partner."""
        assert isinstance(edge.start, MeetingPlace)
        self.partner = edge.end
        self.places[global_id(edge.start)] = edge.start

    def tie(self, edge: Edge, party: Node) -> None:
        self.partner = edge.other(party)
        self.ties.add(edge.type)
        if edge.type == "HAS_AGREEMENT":
            self.agreements.append(Agreement.of_relationship(edge.start, edge.end, edge.properties))

    def partnership(self) -> Partnership:
        assert self.partner is not None
        return Partnership(
            partner=self.partner,
            ties=sorted(self.ties),
            meeting_places=[self.places[ref] for ref in sorted(self.places)],
            agreements=sorted(self.agreements, key=lambda agreement: agreement.order),
        )
