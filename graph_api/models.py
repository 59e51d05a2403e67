"""Domain objects: what the store hands to the API, whichever backend holds the graph.

Every node has a `key` (unique within its type) and a `source` naming the dataset it came from
(listed in `seeds/README.md`); `source == "demo"` marks generated demo data.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import typing
from dataclasses import dataclass
from enum import Enum

from graph_api.hours import Closure, Schedule

DEMO_SOURCE = "demo"
POPULATION_YEAR = 2020


@dataclass(frozen=True, slots=True)
class Point:
    """A WGS-84 position in degrees."""

    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Bounds:
    """A map view; `west > east` means the box crosses the antimeridian."""

    south: float
    west: float
    north: float
    east: float


@dataclass(frozen=True, slots=True)
class Node:
    """A node of the graph. The keyword-only fields are its provenance, set on what an import brought in:
    the id the source gives it, when it first came in and last changed, and when its source stopped listing
    it (a withdrawn node is left out of maps and coverage, but still found by id: nothing is deleted), when
    the source itself last changed it, and its version."""

    key: str
    source: str
    source_id: str | None = dataclasses.field(default=None, kw_only=True)
    imported_at: datetime.datetime | None = dataclasses.field(default=None, kw_only=True)
    updated_at: datetime.datetime | None = dataclasses.field(default=None, kw_only=True)
    withdrawn_at: datetime.datetime | None = dataclasses.field(default=None, kw_only=True)
    source_updated_at: datetime.datetime | None = dataclasses.field(default=None, kw_only=True)
    """When the source itself last changed it (PTV's `modified`), where the source says."""
    version: int = dataclasses.field(default=1, kw_only=True)
    """1 when first written, one more at each change an edit or an import makes: a write that expects a version
    the node no longer has is refused (`VersionConflict`), so that no update is lost."""

    @property
    def is_demo(self) -> bool:
        return self.source == DEMO_SOURCE

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def content(self) -> Node:
        """The node without its provenance: two nodes with equal content are the same data."""
        return dataclasses.replace(
            self,
            source="",
            source_id=None,
            imported_at=None,
            updated_at=None,
            withdrawn_at=None,
            source_updated_at=None,
            version=1,
        )

    @property
    def search_names(self) -> tuple[str, ...]:
        """The names a text search matches against."""
        return ()


@dataclass(frozen=True, slots=True)
class NamedNode(Node):
    name_fi: str
    name_sv: str | None

    @property
    def search_names(self) -> tuple[str, ...]:
        return tuple(name for name in (self.name_fi, self.name_sv) if name)


@dataclass(frozen=True, slots=True)
class Region(NamedNode):
    """A region (maakunta); the key is its NUTS-3 code, e.g. `FI1B1`."""


class WelfareAreaKind(Enum):
    WELLBEING_SERVICES_COUNTY = "WELLBEING_SERVICES_COUNTY"
    CITY = "CITY"


@dataclass(frozen=True, slots=True)
class WelfareArea(NamedNode):
    """An organiser of health and social services: a wellbeing services county or the City of Helsinki."""

    kind: WelfareAreaKind


@dataclass(frozen=True, slots=True)
class Municipality(NamedNode):
    """A municipality; the key is its three-digit code as a string (`091` is Helsinki)."""

    population: int
    area_km2: float
    location: Point


@dataclass(frozen=True, slots=True)
class District(NamedNode):
    """An MLL district organisation (piiri)."""

    website: str | None


@dataclass(frozen=True, slots=True)
class Organization(NamedNode):
    """MLL's central organisation and other partners."""


@dataclass(frozen=True, slots=True)
class LocalAssociation(NamedNode):
    """An MLL local association (paikallisyhdistys)."""


@dataclass(frozen=True, slots=True)
class FamilyCentre(NamedNode):
    """A family centre (perhekeskus) of a wellbeing services county or a municipality; where it has a
    service location of its own (PTV gives one), its street address and position."""

    street_address: str | None = dataclasses.field(default=None, kw_only=True)
    postal_code: str | None = dataclasses.field(default=None, kw_only=True)
    location: Point | None = dataclasses.field(default=None, kw_only=True)


class MeetingPlaceKind(Enum):
    FAMILY_CAFE = "FAMILY_CAFE"
    MEETING_PLACE = "MEETING_PLACE"
    FAMILY_HOUSE = "FAMILY_HOUSE"
    OPEN_DAYCARE = "OPEN_DAYCARE"


@dataclass(frozen=True, slots=True)
class MeetingPlace(Node):
    """A place where families meet: a family café, a meeting place, a family house, ...

    `schedules` are its weekly opening hours (see `graph_api.hours`); none when they are not known. Its
    `closures` are the dates it is closed all day whatever they say, in the order they were given.
    """

    name: str
    kind: MeetingPlaceKind
    location: Point
    schedules: tuple[Schedule, ...] = ()
    name_sv: str | None = dataclasses.field(default=None, kw_only=True)
    street_address: str | None = dataclasses.field(default=None, kw_only=True)
    postal_code: str | None = dataclasses.field(default=None, kw_only=True)
    closures: tuple[Closure, ...] = dataclasses.field(default=(), kw_only=True)

    @property
    def search_names(self) -> tuple[str, ...]:
        return tuple(name for name in (self.name, self.name_sv) if name)


class ActivityChannel(Enum):
    LOCAL = "LOCAL"
    NATIONAL = "NATIONAL"


@dataclass(frozen=True, slots=True)
class Activity(NamedNode):
    """An MLL activity type; national channels (phone lines, chats) belong to no place on the map."""

    name_en: str
    channel: ActivityChannel


@dataclass(frozen=True, slots=True)
class FamilyCentreTask(NamedNode):
    """One of THL's four family-centre tasks; the key is its number."""

    name_en: str


NODE_TYPES: dict[str, type[Node]] = {
    cls.__name__: cls
    for cls in (
        Region,
        WelfareArea,
        Municipality,
        District,
        Organization,
        LocalAssociation,
        FamilyCentre,
        MeetingPlace,
        Activity,
        FamilyCentreTask,
    )
}


@functools.cache
def field_types(cls: type[Node]) -> dict[str, object]:
    """Each field of a node type with its resolved type hint, in declaration order."""
    hints = typing.get_type_hints(cls)
    return {field.name: hints[field.name] for field in dataclasses.fields(cls)}


@functools.cache
def defaulted_fields(cls: type[Node]) -> frozenset[str]:
    """The fields of a node type that take a default when not given."""
    return frozenset(
        field.name
        for field in dataclasses.fields(cls)
        if field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
    )


def label_of(node: Node | type[Node]) -> str:
    return node.__name__ if isinstance(node, type) else type(node).__name__


def global_id(node: Node) -> str:
    """`Type:key`, the id the API shows; lists of mixed types are ordered by it."""
    return f"{label_of(node)}:{node.key}"


@dataclass(frozen=True, slots=True)
class NodeRef:
    """A node's identity across the graph: its type's label and its key (`Municipality:091`)."""

    label: str
    key: str

    def __str__(self) -> str:
        return f"{self.label}:{self.key}"

    @classmethod
    def of(cls, node: Node) -> NodeRef:
        return cls(label_of(node), node.key)

    @classmethod
    def parse(cls, text: str) -> NodeRef | None:
        """The reference a `Type:key` text names, or None if it names no node type."""
        label, sep, key = text.partition(":")
        return cls(label, key) if sep and key and label in NODE_TYPES else None


class Direction(Enum):
    OUT = "OUT"
    IN = "IN"


@dataclass(frozen=True, slots=True)
class Hop:
    """One step along relationships of one type, towards nodes of one label (any label when None)."""

    type: str
    direction: Direction
    label: str | None


@dataclass(frozen=True, slots=True)
class Link:
    """A node reached by a hop, with the properties of the relationship that reached it."""

    node: Node
    properties: dict[str, object]


@dataclass(frozen=True, slots=True)
class Agreement:
    """A cooperation agreement of an MLL district with a county or a municipality."""

    district: District
    party: WelfareArea | Municipality
    since: datetime.date
    until: datetime.date | None
    kind: str
    source: str

    @property
    def is_demo(self) -> bool:
        return self.source == DEMO_SOURCE

    @property
    def order(self) -> tuple[str, str, str, str]:
        """Agreements list by district, then party, then start."""
        return (self.district.key, label_of(self.party), self.party.key, self.since.isoformat())

    def in_force(self, year: int) -> bool:
        return self.since.year <= year and (self.until is None or self.until.year >= year)

    @classmethod
    def of_relationship(cls, district: Node, party: Node, properties: dict[str, object]) -> Agreement:
        """The agreement a HAS_AGREEMENT relationship with these properties stands for."""
        if not isinstance(district, District) or not isinstance(party, WelfareArea | Municipality):
            raise TypeError(f"no agreement between {district!r} and {party!r}")
        since, until = properties["since"], properties.get("until")
        assert isinstance(since, datetime.date) and (until is None or isinstance(until, datetime.date))
        return cls(district, party, since, until, str(properties["kind"]), str(properties["source"]))


@dataclass(frozen=True, slots=True)
class NearbyHit:
    distance_km: float
    place: MeetingPlace


RELATIONSHIP_TYPES = frozenset(
    {
        "IN_WELFARE_AREA",
        "IN_REGION",
        "COVERS",
        "MEMBER_OF",
        "ACTIVE_IN",
        "HAS_AGREEMENT",
        "SERVES",
        "LOCATED_IN",
        "PART_OF",
        "RUN_BY",
        "OFFERS",
        "SERVES_TASK",
    }
)
IDENTIFYING_PROPERTIES: dict[str, tuple[str, ...]] = {"HAS_AGREEMENT": ("since",)}
"""Two nodes have at most one relationship of a type, unless these properties tell them apart:
a district may hold successive agreements with the same party."""


@dataclass(frozen=True, slots=True)
class Relationship:
    """A directed, typed relationship between two nodes, as loaded into a store."""

    type: str
    start: NodeRef
    end: NodeRef
    source: str
    properties: dict[str, object]

    @property
    def identity(self) -> tuple[object, ...]:
        return (self.type, *(self.properties.get(name) for name in IDENTIFYING_PROPERTIES.get(self.type, ())))


@dataclass(frozen=True, slots=True)
class Edge:
    """A relationship as a store finds it: its type, both end nodes, and its properties (`source` included,
    as on a `Link`; unset ones left out, so that every backend gives equal edges)."""

    type: str
    start: Node
    end: Node
    properties: dict[str, object]

    @classmethod
    def of(cls, type_: str, start: Node, end: Node, properties: dict[str, object]) -> Edge:
        return cls(type_, start, end, {name: value for name, value in properties.items() if value is not None})

    @property
    def source(self) -> str:
        return str(self.properties["source"])

    @property
    def is_demo(self) -> bool:
        return self.source == DEMO_SOURCE

    @property
    def order(self) -> tuple[str, ...]:
        """Edges list by type, start and end id, then what tells two of a pair apart (an agreement's start)."""
        identity = (str(self.properties.get(name)) for name in IDENTIFYING_PROPERTIES.get(self.type, ()))
        return (self.type, global_id(self.start), global_id(self.end), *identity)

    def other(self, node: Node) -> Node:
        """The end that is not `node`."""
        return self.end if global_id(self.start) == global_id(node) else self.start


@dataclass(frozen=True, slots=True)
class Dataset:
    """Everything a store is loaded with.

    `replaces` names (node, relationship type) pairs whose outgoing relationships the dataset gives in full:
    a relationship of that type from that node that the dataset does not list is removed (an imported place
    whose organiser changed no longer has the old one).
    """

    nodes: list[Node]
    relationships: list[Relationship]
    replaces: frozenset[tuple[NodeRef, str]] = frozenset()


IMPORT_COUNTS = ("created", "updated", "unchanged", "withdrawn", "rejected", "warnings")


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One applied import: when, from which source, who ran it, and what it did (`IMPORT_COUNTS`).

    `number` is given by the store as it writes the import, in the same transaction: 1, 2, ...
    """

    at: datetime.datetime
    source: str
    by: str
    summary: dict[str, int]
    number: int = 0


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of a node as a change found it and left it, as JSON values (None: not set)."""

    name: str
    before: object
    after: object


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the audit: what an edit or an import did to one node, kept in the same transaction.

    `actor` is who wrote (`key:ID` for an API key, `oidc:SUBJECT` for a token, an import's `by`), writing for
    `organisation` (a global id; None for an import run by an operator); `operation` is the mutation's name or
    `import`; `version` the node's version after the change. `number` is given by the store as it writes:
    1, 2, ... in commit order.
    """

    at: datetime.datetime
    actor: str
    organisation: str | None
    operation: str
    node: str
    fields: tuple[FieldChange, ...]
    request_id: str | None
    version: int | None
    number: int = 0


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A partner's API key as the store keeps it: never the secret, only its hash (`graph_api.auth.keys`)."""

    id: str
    organisation: str
    scopes: tuple[str, ...]
    name: str | None
    secret_hash: str
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None = None
