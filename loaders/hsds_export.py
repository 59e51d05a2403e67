"""Write the graph's organisations, meeting places and opening hours as an HSDS 3.0 tabular package, mapped as
`loaders.hsds` describes, so that importing it back changes nothing. Ids are derived from global ids: the same
graph always gives the same bytes. Withdrawn nodes are left out.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from graph_api.models import (
    Activity,
    Direction,
    FamilyCentre,
    Hop,
    MeetingPlace,
    NamedNode,
    Node,
    NodeRef,
    Point,
)
from graph_api.relations import (
    MEETING_PLACE_ACTIVITIES,
    MEETING_PLACE_FAMILY_CENTRE,
    MEETING_PLACE_MUNICIPALITY,
    MEETING_PLACE_RUN_BY,
    MUNICIPALITY_REGION,
)
from graph_api.store.base import GraphStore
from loaders.hsds import (
    ACTIVITY_TAXONOMY,
    COUNTRY,
    GLOBAL_ID,
    KIND_TAXONOMY,
    ORGANISATIONS,
    PART_OF,
    ROLE_TAXONOMY,
    hsds_id,
)
from loaders.hsds_tables import (
    ADDRESS,
    ATTRIBUTE,
    LOCATION,
    ORGANIZATION,
    ORGANIZATION_IDENTIFIER,
    SCHEDULE,
    SERVICE,
    SERVICE_AT_LOCATION,
    TABLES,
    TAXONOMY_TERM,
    write_table,
)
from loaders.importing import Reference

ORGANISATION_PARENT = (Hop("MEMBER_OF", Direction.OUT, None),)
DESCRIPTIONS = {
    "Organization": "An organisation working with the Mannerheim League for Child Welfare (MLL), or MLL itself.",
    "District": "A district organisation (piiri) of the Mannerheim League for Child Welfare (MLL).",
    "LocalAssociation": "A local association (paikallisyhdistys) of the Mannerheim League for Child Welfare (MLL).",
    "FamilyCentre": "A family centre (perhekeskus) of a wellbeing services county or a municipality.",
}
"""HSDS requires an organisation's description: what kind of organisation it is (not read back)."""
ROLE_DESCRIPTIONS = {
    "COORDINATOR": "The organisation coordinates the meeting place (RUN_BY, role COORDINATOR).",
    "PARTNER": "The organisation runs the meeting place as a partner (RUN_BY, role PARTNER).",
    PART_OF: "The meeting place is part of the organisation, a family centre (PART_OF).",
}
Row = dict[str, object]


async def export_package(store: GraphStore, reference: Reference, folder: Path) -> dict[str, int]:
    """Write the package's files into the folder; returns the rows written, by file."""
    places = [p for p in await store.every("MeetingPlace") if isinstance(p, MeetingPlace)]
    refs = [NodeRef.of(place) for place in places]
    located, parts, runs, offers = [
        await store.traverse_many(refs, path)
        for path in (
            MEETING_PLACE_MUNICIPALITY,
            MEETING_PLACE_FAMILY_CENTRE,
            MEETING_PLACE_RUN_BY,
            MEETING_PLACE_ACTIVITIES,
        )
    ]
    organisations = {NodeRef.of(node): node for label in ORGANISATIONS for node in await store.every(label)}
    organisations.update((NodeRef.of(link.node), link.node) for links in (*parts, *runs) for link in links)
    ordered = sorted(organisations, key=str)
    parents = await store.traverse_many(ordered, ORGANISATION_PARENT)
    package = _Package(reference, await _regions(store, reference))
    for ref, links in zip(ordered, parents, strict=True):
        parent = next((NodeRef.of(link.node) for link in links if NodeRef.of(link.node) in organisations), None)
        package.organisation(ref, organisations[ref], parent)
    for place, municipality, part_of, run_by, activities in zip(places, located, parts, runs, offers, strict=True):
        roles = {NodeRef.of(link.node): [str(link.properties["role"])] for link in run_by}
        for link in part_of:
            roles.setdefault(NodeRef.of(link.node), []).append(PART_OF)
        package.place(place, municipality[0].node.key if municipality else None, roles)
        for activity in (link.node for link in activities if isinstance(link.node, Activity)):
            package.classify(LOCATION.name, str(NodeRef.of(place)), ACTIVITY_TAXONOMY, activity.key, activity)
    return package.write(folder)


async def _regions(store: GraphStore, reference: Reference) -> dict[str, str]:
    """The Finnish name of each municipality's region (maakunta), by the municipality's code."""
    keys = sorted(reference.municipalities)
    regions = await store.traverse_many([NodeRef("Municipality", key) for key in keys], MUNICIPALITY_REGION)
    return {
        key: links[0].node.name_fi
        for key, links in zip(keys, regions, strict=True)
        if links and isinstance(links[0].node, NamedNode)
    }


class _Package:
    """The rows of each table, as they are made."""

    def __init__(self, reference: Reference, regions: dict[str, str]) -> None:
        self.reference = reference
        self.regions = regions
        self.rows: dict[str, list[Row]] = defaultdict(list)
        self.terms: dict[str, Row] = {}

    def organisation(self, ref: NodeRef, node: Node, parent: NodeRef | None) -> None:
        assert isinstance(node, NamedNode)
        self.rows[ORGANIZATION.name].append(
            {
                "id": hsds_id(str(ref)),
                "name": node.name_fi,
                "alternate_name": node.name_sv,
                "description": DESCRIPTIONS[ref.label],
                "website": getattr(node, "website", None),
                "parent_organization_id": hsds_id(str(parent)) if parent else None,
            }
        )
        identifier = {"organization_id": hsds_id(str(ref)), "identifier_type": GLOBAL_ID, "identifier": str(ref)}
        self.rows[ORGANIZATION_IDENTIFIER.name].append({"id": hsds_id(f"{ref} identifier"), **identifier})
        if isinstance(node, FamilyCentre) and (node.location or node.street_address or node.postal_code):
            self._premises(ref, node)

    def place(self, place: MeetingPlace, municipality: str | None, roles: dict[NodeRef, list[str]]) -> None:
        """The place's location, address, kind, opening hours, and a service of each organisation linked to it."""
        ref = str(NodeRef.of(place))
        location = self._location(ref, ref, place.name, place.name_sv, place.location)
        self._address(ref, location, place.street_address, place.postal_code, municipality)
        kind = place.kind.value
        self.classify(LOCATION.name, ref, KIND_TAXONOMY, kind, f"A meeting place of the kind {kind}.")
        for number, schedule in enumerate(place.schedules, start=1):
            row: Row = {"id": hsds_id(f"{ref} schedule {number}"), "location_id": location, **schedule.to_hsds()}
            self.rows[SCHEDULE.name].append(row)
        for organisation, codes in sorted(roles.items(), key=lambda item: str(item[0])):
            service = f"{ref} service of {organisation}"
            self.rows[SERVICE.name].append(
                {
                    "id": hsds_id(service),
                    "organization_id": hsds_id(str(organisation)),
                    "name": place.name,
                    "status": "active",
                }
            )
            link = {"service_id": hsds_id(service), "location_id": location}
            self.rows[SERVICE_AT_LOCATION.name].append({"id": hsds_id(f"{service} at the place"), **link})
            for code in codes:
                self.classify(SERVICE.name, service, ROLE_TAXONOMY, code, ROLE_DESCRIPTIONS[code])

    def classify(self, table: str, row: str, taxonomy: str, code: str, about: str | Activity) -> None:
        """An attribute of the row (named as its id was made) with the taxonomy's term, written once."""
        term = hsds_id(f"{taxonomy} {code}")
        if term not in self.terms:
            name, description = (about.name_fi, about.name_en) if isinstance(about, Activity) else (code, about)
            self.terms[term] = {
                "id": term,
                "code": code,
                "name": name,
                "description": description,
                "taxonomy": taxonomy,
            }
        self.rows[ATTRIBUTE.name].append(
            {"id": hsds_id(f"{row} {term}"), "link_id": hsds_id(row), "taxonomy_term_id": term, "link_entity": table}
        )

    def write(self, folder: Path) -> dict[str, int]:
        self.rows[TAXONOMY_TERM.name] = list(self.terms.values())
        return {table.path: write_table(folder, table, self.rows[table.name]) for table in TABLES}

    def _premises(self, ref: NodeRef, centre: FamilyCentre) -> None:
        """A family centre's own address and position; its city is where the point lies."""
        location = self._location(f"{ref} premises", str(ref), centre.name_fi, centre.name_sv, centre.location)
        self.rows[LOCATION.name][-1]["organization_id"] = hsds_id(str(ref))
        municipality = None
        if centre.location is not None:
            locator = self.reference.locator
            municipality = locator.locate(centre.location) or locator.nearest(centre.location)
        self._address(f"{ref} premises", location, centre.street_address, centre.postal_code, municipality)

    def _location(self, name: str, ref: str, title: str, title_sv: str | None, point: Point | None) -> str:
        self.rows[LOCATION.name].append(
            {
                "id": hsds_id(name),
                "location_type": "physical",
                "name": title,
                "alternate_name": title_sv,
                "latitude": point.lat if point else None,
                "longitude": point.lon if point else None,
                "external_identifier": ref,
                "external_identifier_type": GLOBAL_ID,
            }
        )
        return hsds_id(name)

    def _address(
        self, name: str, location: str, street: str | None, postal_code: str | None, municipality: str | None
    ) -> None:
        """The location's address; `municipality` is the code of its city."""
        self.rows[ADDRESS.name].append(
            {
                "id": hsds_id(f"{name} address"),
                "location_id": location,
                "address_1": street,
                "city": self.reference.municipalities[municipality].name_fi if municipality else None,
                "state_province": self.regions.get(municipality) if municipality else None,
                "postal_code": postal_code,
                "country": COUNTRY,
                "address_type": "physical",
            }
        )
