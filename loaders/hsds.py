"""Open Referral HSDS 3.0 tabular packages: `graph-api import hsds DIR` reads one, `graph-api export hsds DIR`
(`loaders.hsds_export`) writes the graph's organisations, meeting places and opening hours as one, so that
importing an export back changes nothing.

The standard: github.com/openreferral/specification, tag v3.0, `schema/organization.json`, `location.json`,
`address.json`, `service.json`, `service_at_location.json`, `schedule.json`, `attribute.json`,
`taxonomy_term.json`, `organization_identifier.json` and the `datapackage.json` compiled from them (file names,
required columns); `docs/hsds/identifiers.md`, `classifications.md`, `schedules.md`, `extending.md` (use a
close field and say how). `loaders.hsds_tables` reads the files.

How the graph maps onto HSDS, field by field:

- Ids. HSDS ids are UUIDs (`identifiers.md`); the export writes version-5 UUIDs derived from the global ids,
  so the same graph always gives the same package, and carries each node's global id in the standard's column
  for an identifier from elsewhere: `location.external_identifier` (with `external_identifier_type =
  graph-api`) and an `organization_identifier` row (`identifier_type = graph-api`). That is how labels survive
  (`LocalAssociation:la-005-1`). The import takes a node's global id from there, else from its `id` (a global
  id such as `MeetingPlace:mp-091-1` is read as one); any other id is a key as it is, of a MeetingPlace
  (location) or an Organization (organization). The HSDS `id` becomes the node's `source_id`.
- Organisations (Organization, District, LocalAssociation, FamilyCentre) are `organization` rows: `name` the
  Finnish name, `alternate_name` the Swedish one (HSDS 3.0 has no translations; `alternate_name` is its
  closest field), `website` a district's website, `parent_organization_id` the organisation it is a MEMBER_OF
  (a local association's district). `description`, required by HSDS, says what kind of organisation it is and
  is not read back.
- Meeting places are physical `location` rows (`name`, `alternate_name` the Swedish name, `latitude` and
  `longitude` in WGS-84). Their `address` row (`address_type = physical`) gives the street (`address_1`),
  `postal_code`, `country = FI` and the municipality in `city` (its Finnish name; a Swedish name or a code is
  read too), whose region is written as `state_province`. HSDS requires `address_1` and `postal_code`: a place
  without them still has an address row, with those empty, because it carries the municipality. A postal code
  is five digits 0-9 (`importing.check_postal_code`, as for every reader): another rejects its location (a place,
  or a family centre's premises and so the family centre). Without an address the municipality is the one the
  point lies in, with a warning. The point is checked against the municipality with `Reference.check_point`.
  Postal and virtual locations and addresses are skipped.
- A family centre's own premises (its address and position, from PTV) are a `location` whose global id is the
  FamilyCentre's, with `organization_id` the family centre; the city is where the point lies. Only their
  address and position are read (hours, services and attributes of them are skipped).
- Who runs a place: for each organisation linked to it, one `service` of that organisation at the place
  (`service_at_location`), classified (`attribute` on the service, `taxonomy_term` in taxonomy
  `graph-api:role`) as COORDINATOR or PARTNER (RUN_BY with that role), and/or PART_OF (the place is part of
  that family centre). A service at a place with no such term is its organisation running it: COORDINATOR.
  This is HSDS's own shape (an organisation provides a service at a location) and its own means of
  classification (`classifications.md`: attributes apply taxonomy terms to any table's rows). An inactive or
  defunct service links nothing.
- A place's kind and its activities are `attribute`s of the location, with terms of the taxonomies
  `graph-api:MeetingPlaceKind` (code FAMILY_CAFE, ...) and `graph-api:Activity` (code the Activity's key,
  OFFERS). A location without a kind is a MEETING_PLACE. Terms of other taxonomies are skipped.
- Opening hours are `schedule` rows of the location (`location_id`), in the columns `Schedule.from_hsds`
  reads: `timezone` holds `Europe/Helsinki` where HSDS 3.0 has a UTC offset (see `graph_api.hours`). A
  service's schedule without a location is skipped.
- Not in the package: a local association's municipalities (ACTIVE_IN), what a family centre serves (SERVES),
  districts' regions and agreements: HSDS has no place for them, and an import leaves them as they are.

Files have the names HSDS's `datapackage.json` gives (`organizations.csv`, ...; `organization.csv` is read too);
`attributes.csv`, `taxonomy_terms.csv` and `organization_identifiers.csv` may be left out. The package descriptor
(`datapackage.json`) is neither written nor read: the export adds no field to the standard's.

An import owns, for each place it reads, LOCATED_IN, PART_OF, RUN_BY and OFFERS, and for each organisation
MEMBER_OF; its source is `hsds:NAME` and it is the authority on the labels the package holds. A place one of
whose rows is wrong (a schedule that does not parse, a service of an unknown organisation) is rejected whole,
with the row; a table that cannot be read, or a row left out of one, leaves the reading incomplete (nothing is
withdrawn).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection
from functools import partial
from pathlib import Path

from graph_api.hours import Schedule
from graph_api.models import (
    District,
    FamilyCentre,
    LocalAssociation,
    MeetingPlace,
    MeetingPlaceKind,
    Municipality,
    NamedNode,
    NodeRef,
    Organization,
    Point,
    Relationship,
)
from loaders.hsds_tables import (
    ADDRESS,
    ATTRIBUTE,
    FOREIGN_KEYS,
    LOCATION,
    ORGANIZATION,
    ORGANIZATION_IDENTIFIER,
    SCHEDULE,
    SERVICE,
    SERVICE_AT_LOCATION,
    TAXONOMY_TERM,
    Package,
    Record,
    Table,
    read_tables,
)
from loaders.importing import ROLES, Found, Reading, Reference, Rejection, check_postal_code

GLOBAL_ID = "graph-api"
"""The `external_identifier_type` and `identifier_type` of a global id."""
KIND_TAXONOMY = "graph-api:MeetingPlaceKind"
ROLE_TAXONOMY = "graph-api:role"
ACTIVITY_TAXONOMY = "graph-api:Activity"
TAXONOMY_TABLE = {KIND_TAXONOMY: LOCATION, ACTIVITY_TAXONOMY: LOCATION, ROLE_TAXONOMY: SERVICE}
"""The table whose rows each taxonomy of this service classifies."""
PART_OF = "PART_OF"
ORGANISATIONS: dict[str, type[NamedNode]] = {
    cls.__name__: cls for cls in (Organization, District, LocalAssociation, FamilyCentre)
}
PLACES = ("MeetingPlace", "FamilyCentre")
"""What a location stands for: a meeting place, or a family centre's own premises."""
PLACE_OWNS = frozenset({"LOCATED_IN", "PART_OF", "RUN_BY", "OFFERS"})
ORGANISATION_OWNS = frozenset({"MEMBER_OF"})
PHYSICAL = ("", "physical")
ENDED = ("inactive", "defunct")
"""The statuses of a service that no longer links its organisation to a place."""
COUNTRY = "FI"
NAMESPACE = uuid.UUID("6f1d3a52-8c1e-4f0b-9a57-2b3c9e4d7a10")
CHILDREN = (
    (ADDRESS, "location_id", LOCATION),
    (SCHEDULE, "location_id", LOCATION),
    (SERVICE_AT_LOCATION, "location_id", LOCATION),
    (ORGANIZATION_IDENTIFIER, "organization_id", ORGANIZATION),
)
"""The rows read with a row of another table, and the column naming it."""
SCHEDULE_COLUMNS = ("freq", "byday", "opens_at", "closes_at", "valid_from", "valid_to", "timezone")


def hsds_id(name: str) -> str:
    """The UUID an export gives the row named so (`MeetingPlace:mp-091-1`, `MeetingPlace:mp-091-1 address`)."""
    return str(uuid.uuid5(NAMESPACE, name))


async def read_package(folder: Path, reference: Reference, max_bytes: int, name: str | None = None) -> Reading:
    """What an HSDS package folder holds; `name` names the source (`hsds:NAME`), the folder's name by default."""
    source = f"hsds:{name or folder.resolve().name}"
    package = read_tables(folder, max_bytes)
    if not package.readable:
        return Reading(source, frozenset(), rejected=package.rejected, warnings=package.warnings, complete=False)
    reader = _Reader(package, reference, source)
    found = reader.read()
    return Reading(
        source,
        frozenset(reader.labels),
        found=found,
        rejected=reader.rejected,
        skipped=reader.skipped,
        warnings=package.warnings,
        complete=package.whole and reader.whole,
    )


class _Invalid(Exception):
    """What is wrong and where (`file:line:column`): the node being read is rejected."""

    def __init__(self, ref: str, reason: str) -> None:
        super().__init__(ref, reason)
        self.ref = ref
        self.reason = reason


class _Reader:
    """One package's tables made into found nodes, rejections and skipped rows.

    Rows that point at an id no table has are `problems` of the row; a node is rejected with the problems of
    every row it is read from (`_take`), and the problems of rows no node is read from are rejected alone.
    """

    def __init__(self, package: Package, reference: Reference, source: str) -> None:
        self.package = package
        self.reference = reference
        self.source = source
        self.rejected = list(package.rejected)
        self.skipped: list[tuple[str, str]] = []
        self.labels: set[str] = set()
        self.whole = True
        self.ids = {t.name: package.by_id(t) for t in (ORGANIZATION, LOCATION, SERVICE, SERVICE_AT_LOCATION)}
        self.terms = package.by_id(TAXONOMY_TERM)
        self.problems: dict[str, list[Rejection]] = defaultdict(list)
        self.reported: set[str] = set()
        self.premises: set[NodeRef] = set()
        self._check_foreign_keys()
        self.children = self._children()
        self.organisations = self._identities(ORGANIZATION, "Organization", ORGANISATIONS)
        self.places = self._identities(LOCATION, "MeetingPlace", PLACES)

    def read(self) -> list[Found]:
        organisations: dict[NodeRef, Found] = {}
        for record in self.package.rows(ORGANIZATION):
            ref = self.organisations.get(record.id)
            rows = [record, *self.children[ORGANIZATION_IDENTIFIER.name][record.id]]
            if ref is not None and ref in organisations:
                reason = f"{ref} is the organisation of an earlier row too, {organisations[ref].ref}"
                self.rejected.append(Rejection(record.at("id"), reason, str(ref)))
            elif ref is not None and (item := self._take(ref, rows, partial(self._organisation, record))):
                organisations[ref] = item
        places = []
        for record in self.package.rows(LOCATION):
            ref = self.places.get(record.id)
            if ref is None:
                continue
            if record["location_type"] not in PHYSICAL:
                self.skipped.append((record.at("location_type"), f"a {record['location_type']} location"))
            elif ref.label == "FamilyCentre":
                rows = [record, *self.children[ADDRESS.name][record.id]]
                self.skipped += [
                    (row.at(), "not read for a family centre's premises")
                    for row in self._rows_of_place(record)
                    if row not in rows
                ]
                item = self._take(ref, rows, partial(self._premises, record, organisations))
                if item is None:
                    organisations.pop(ref, None)  # a family centre whose premises are rejected is rejected whole
                else:
                    organisations[ref] = item
            elif item := self._take(ref, self._rows_of_place(record), partial(self._place, record)):
                places.append(item)
        self.rejected += [p for row, problems in self.problems.items() if row not in self.reported for p in problems]
        return [*organisations.values(), *places]

    def _take(self, ref: NodeRef, rows: list[Record], read: Callable[[], Found]) -> Found | None:
        """The node read, or None and its rejections: the problems of its rows, or the first met reading it."""
        problems = [problem for row in rows for problem in self.problems.get(row.at(), [])]
        self.reported.update(row.at() for row in rows)
        self.rejected += [dataclasses.replace(problem, id=str(ref)) for problem in problems]
        if problems:
            return None
        try:
            return read()
        except _Invalid as exc:
            self.rejected.append(Rejection(exc.ref, exc.reason, str(ref)))
            return None

    # which node a row stands for

    def _identities(self, table: Table, default: str, labels: Collection[str]) -> dict[str, NodeRef]:
        """The node of each row, by the row's id; a row that names no node it may stand for is rejected."""
        refs = {}
        for record in self.package.rows(table):
            try:
                refs[record.id] = _identity(*self._global_id(table, record), default, labels)
            except _Invalid as exc:
                self.rejected.append(Rejection(exc.ref, exc.reason))
                self.whole = False
            else:
                self.labels.add(refs[record.id].label)
        return refs

    def _global_id(self, table: Table, record: Record) -> tuple[str, str]:
        """Where the row's global id (or key) is, and its text: an identifier of type `GLOBAL_ID`, else the id."""
        if table is LOCATION:
            if record["external_identifier_type"] == GLOBAL_ID and record["external_identifier"]:
                return record.at("external_identifier"), record["external_identifier"]
            return record.at("id"), record.id
        identifiers = self.children[ORGANIZATION_IDENTIFIER.name][record.id]
        ours = [row for row in identifiers if row["identifier_type"] == GLOBAL_ID]
        if len(ours) > 1:
            raise _Invalid(ours[1].at("identifier"), f"a second {GLOBAL_ID} identifier of the organization")
        return (ours[0].at("identifier"), ours[0]["identifier"]) if ours else (record.at("id"), record.id)

    def _organisation_of(self, record: Record, column: str) -> NodeRef:
        if record[column] not in self.organisations:
            raise _Invalid(record.at(column), f"the organization {record[column]!r} is rejected")
        return self.organisations[record[column]]

    # organisations

    def _organisation(self, record: Record) -> Found:
        ref = self.organisations[record.id]
        name, name_sv = _required(record, "name"), record["alternate_name"] or None
        if ref.label == "District":
            node: NamedNode = District(
                ref.key, self.source, name, name_sv, record["website"] or None, source_id=record.id
            )
        else:
            node = ORGANISATIONS[ref.label](ref.key, self.source, name, name_sv, source_id=record.id)
        relationships: tuple[Relationship, ...] = ()
        if record["parent_organization_id"]:
            parent = self._organisation_of(record, "parent_organization_id")
            relationships = (Relationship("MEMBER_OF", ref, parent, self.source, {}),)
        return Found(record.at(), node, relationships, ORGANISATION_OWNS)

    def _premises(self, record: Record, organisations: dict[NodeRef, Found]) -> Found:
        """A family centre's own address and position, added to the node of its organization row."""
        ref = self.places[record.id]
        item = organisations.get(ref)
        if item is None or not isinstance(item.node, FamilyCentre):
            raise _Invalid(record.at("external_identifier"), f"{ref} is not among the organizations taken")
        if ref in self.premises:
            raise _Invalid(record.at("external_identifier"), f"{ref} has a location before in {LOCATION.path}")
        self.premises.add(ref)
        point = _point(record, required=False)
        address = self._address(record)
        warnings = self._municipality(record, address, point)[1] if point is not None else ()
        node = dataclasses.replace(
            item.node, street_address=_text(address, "address_1"), postal_code=_postal_code(address), location=point
        )
        return dataclasses.replace(item, node=node, warnings=(*item.warnings, *warnings))

    # meeting places

    def _place(self, record: Record) -> Found:
        ref = self.places[record.id]
        point = _point(record, required=True)
        assert point is not None
        address = self._address(record)
        municipality, warnings = self._municipality(record, address, point)
        node = MeetingPlace(
            ref.key,
            self.source,
            name=_required(record, "name"),
            kind=self._kind(record),
            location=point,
            schedules=self._schedules(record),
            name_sv=record["alternate_name"] or None,
            street_address=_text(address, "address_1"),
            postal_code=_postal_code(address),
            source_id=record.id,
        )
        ends = [("LOCATED_IN", NodeRef.of(municipality), {}), *self._organisers(record)]
        ends += [
            ("OFFERS", NodeRef("Activity", code), {}) for code in self._terms_of(LOCATION, record, ACTIVITY_TAXONOMY)
        ]
        relationships = tuple(Relationship(type_, ref, end, self.source, props) for type_, end, props in ends)
        return Found(record.at(), node, relationships, PLACE_OWNS, warnings)

    def _address(self, location: Record) -> Record | None:
        addresses = self.children[ADDRESS.name][location.id]
        if len(addresses) > 1:
            raise _Invalid(
                addresses[1].at("location_id"), f"a second address of the location, after {addresses[0].at()}"
            )
        if addresses and addresses[0]["country"] not in ("", COUNTRY):
            raise _Invalid(
                addresses[0].at("country"), f"{addresses[0]['country']!r} is not {COUNTRY}: places are in Finland"
            )
        return addresses[0] if addresses else None

    def _municipality(
        self, location: Record, address: Record | None, point: Point
    ) -> tuple[Municipality, tuple[str, ...]]:
        """The municipality the address names (else the one the point lies in), and the warnings about the point."""
        if address is None or not address["city"]:
            key = self.reference.locator.locate(point)
            if key is None:
                raise _Invalid(location.at("latitude"), self.reference.locator.why_nowhere(point))
            municipality = self.reference.municipalities[key]
            return municipality, (f"no address names the municipality: {municipality.name_fi}, where the point is",)
        found = self.reference.municipality(address["city"])
        if found is None:
            raise _Invalid(address.at("city"), f"{address['city']!r} is no municipality of Finland (a name or code)")
        try:
            warning = self.reference.check_point(point, found)
        except ValueError as exc:
            raise _Invalid(location.at("latitude"), str(exc)) from None
        return found, (warning,) if warning else ()

    def _kind(self, location: Record) -> MeetingPlaceKind:
        terms = self._terms_of(LOCATION, location, KIND_TAXONOMY)
        if not terms:
            return MeetingPlaceKind.MEETING_PLACE
        (code, term), *others = terms.items()
        if others:
            raise _Invalid(others[0][1].at("code"), f"a second kind of the location {location.id!r}, after {code}")
        if code not in MeetingPlaceKind.__members__:
            raise _Invalid(
                term.at("code"), f"{code!r} is no kind of meeting place ({', '.join(MeetingPlaceKind.__members__)})"
            )
        return MeetingPlaceKind[code]

    def _organisers(self, location: Record) -> list[tuple[str, NodeRef, dict[str, object]]]:
        """RUN_BY (with the role) and PART_OF, from the services of organisations at the place."""
        roles: dict[NodeRef, str] = {}
        parts: set[NodeRef] = set()
        for link in self.children[SERVICE_AT_LOCATION.name][location.id]:
            service = self.ids[SERVICE.name].get(link["service_id"])
            if service is None:
                raise _Invalid(link.at("service_id"), "is empty: a service at a location names its service")
            if service["status"] in ENDED:
                continue
            organisation = self._organisation_of(service, "organization_id")
            terms = self._terms_of(SERVICE, service, ROLE_TAXONOMY)
            if PART_OF in terms and organisation.label != "FamilyCentre":
                raise _Invalid(
                    terms[PART_OF].at("code"), f"{organisation} is no family centre for a place to be part of"
                )
            parts.update([organisation] if PART_OF in terms else [])
            for role in [code for code in terms if code != PART_OF] or ([] if terms else [ROLES[0]]):
                if role not in ROLES:
                    raise _Invalid(terms[role].at("code"), f"{role!r} is no role ({', '.join((*ROLES, PART_OF))})")
                if roles.setdefault(organisation, role) != role:
                    raise _Invalid(
                        link.at("service_id"), f"{organisation} is both {roles[organisation]} and {role} here"
                    )
        runs: list[tuple[str, NodeRef, dict[str, object]]] = [
            ("RUN_BY", end, {"role": role}) for end, role in roles.items()
        ]
        return [*runs, *(("PART_OF", end, {}) for end in parts)]

    def _schedules(self, location: Record) -> tuple[Schedule, ...]:
        schedules = []
        for record in self.children[SCHEDULE.name][location.id]:
            try:
                schedules.append(Schedule.from_hsds(record.values))
            except ValueError as exc:
                raise _Invalid(record.at(_column_named(str(exc))), str(exc)) from None
        return tuple(schedules)

    def _terms_of(self, table: Table, record: Record, taxonomy: str) -> dict[str, Record]:
        """The terms of the taxonomy that attributes give the row, by code, in order."""
        terms: dict[str, Record] = {}
        for attribute in self.children[f"attribute:{table.name}"][record.id]:
            term = self.terms.get(attribute["taxonomy_term_id"])
            if term is not None and term["taxonomy"] == taxonomy:
                terms.setdefault(term["code"], term)
        return terms

    # the rows around a node

    def _rows_of_place(self, location: Record) -> list[Record]:
        """The location's row and those it is read with: its address, schedules, attributes and services."""
        rows = [location]
        for table in (ADDRESS.name, SCHEDULE.name, "attribute:location", SERVICE_AT_LOCATION.name):
            rows += self.children[table][location.id]
        for link in self.children[SERVICE_AT_LOCATION.name][location.id]:
            service = self.ids[SERVICE.name].get(link["service_id"])
            rows += [service, *self.children["attribute:service"][service.id]] if service else []
        return rows

    def _children(self) -> dict[str, dict[str, list[Record]]]:
        """Rows by the id of the row they belong to; attributes by the table they classify (`attribute:location`)."""
        children: dict[str, dict[str, list[Record]]] = defaultdict(lambda: defaultdict(list))
        for table, column, parent in CHILDREN:
            for record in self.package.rows(table):
                if table is ADDRESS and record["address_type"] not in PHYSICAL:
                    self.skipped.append((record.at("address_type"), f"a {record['address_type']} address"))
                elif not record[column]:
                    self.skipped.append((record.at(column), f"is empty: the {table.name} belongs to no {parent.name}"))
                else:
                    children[table.name][record[column]].append(record)
        for record in self.package.rows(ATTRIBUTE):
            self._attribute(record, children)
        for record in self.package.rows(SERVICE):
            if record["status"] in ENDED:
                self.skipped.append(
                    (record.at("status"), f"the service is {record['status']}: it links no organisation to a place")
                )
        return children

    def _attribute(self, record: Record, children: dict[str, dict[str, list[Record]]]) -> None:
        """An attribute classifying a location or a service is read with it; one of another taxonomy is skipped."""
        entity, link = record["link_entity"], record["link_id"]
        if entity in (LOCATION.name, SERVICE.name):
            children[f"attribute:{entity}"][link].append(record)
        term = self.terms.get(record["taxonomy_term_id"])
        if term is None:
            return  # a problem of the row already
        table = TAXONOMY_TABLE.get(term["taxonomy"])
        if table is None:
            self.skipped.append((record.at("taxonomy_term_id"), f"a term of the taxonomy {term['taxonomy']!r}"))
        elif entity != table.name:
            self._problem(record, "link_entity", f"{term['taxonomy']} terms classify a {table.name}, not {entity!r}")
        elif link not in self.ids[table.name]:
            self._problem(record, "link_id", f"no {table.name} has the id {link!r}")

    def _check_foreign_keys(self) -> None:
        for table, column, target in FOREIGN_KEYS:
            ids = self.terms if target is TAXONOMY_TERM else self.ids[target.name]
            for record in self.package.rows(table):
                if record[column] and record[column] not in ids:
                    self._problem(record, column, f"no {target.name} has the id {record[column]!r}")

    def _problem(self, record: Record, column: str, reason: str) -> None:
        self.problems[record.at()].append(Rejection(record.at(column), reason))


def _identity(where: str, text: str, default: str, labels: Collection[str]) -> NodeRef:
    """The node a global id (`LocalAssociation:la-1`) or a plain key names; `where` is the cell it is in."""
    if not text:
        raise _Invalid(where, "is empty")
    ref = NodeRef.parse(text) or NodeRef(default, text)
    if ref.label not in labels:
        raise _Invalid(where, f"{text!r} is a {ref.label}; this table's rows are a {' or '.join(labels)}")
    return ref


def _required(record: Record, column: str) -> str:
    if not record[column].strip():
        raise _Invalid(record.at(column), "is empty")
    return record[column]


def _text(record: Record | None, column: str) -> str | None:
    """The cell's text, None when it is empty or there is no row."""
    return (record[column] or None) if record is not None else None


def _postal_code(address: Record | None) -> str | None:
    """The address's postal code by the rule every reader shares (`check_postal_code`); None when it is blank."""
    text = _text(address, "postal_code")
    if address is None or text is None or not text.strip():
        return None
    try:
        return check_postal_code(text)
    except ValueError as exc:
        raise _Invalid(address.at("postal_code"), str(exc)) from None


def _point(record: Record, *, required: bool) -> Point | None:
    if not required and not record["latitude"] and not record["longitude"]:
        return None
    degrees = []
    for column in ("latitude", "longitude"):
        try:
            degrees.append(float(_required(record, column)))
        except ValueError:
            raise _Invalid(record.at(column), f"{record[column]!r} is not a number of degrees") from None
    return Point(lat=degrees[0], lon=degrees[1])


def _column_named(message: str) -> str | None:
    """The schedule column a `Schedule.from_hsds` error names first: its messages name the column at fault."""
    named = [(message.find(column), column) for column in SCHEDULE_COLUMNS if column in message]
    return min(named)[1] if named else None
