"""Bringing partner data in, whatever the format: what a reader gives, how it is weighed against the store,
what the report says, and how it is applied.

A reader (`loaders.ptv`, `loaders.hsds`, `loaders.spreadsheet`) turns its input into a `Reading`: a `Found` for
each thing the input lists (a node with the relationships it owns, where in the input it was read, warnings)
and a `Rejection` for each it could not take, naming where and why. `plan` then compares the reading with the
store: each found node is created, updated or unchanged (provenance aside), and what the same source listed
before but lists no more is withdrawn (never deleted). `apply` writes the plan's dataset and the import's
record in one store transaction, or nothing. Where one input holds several sources (PTV's organizations), each
reading is planned on its own and `combine` makes the plans one, applied as one.

The rules every reader shares live here too (`Reference`): municipalities by code or name, and whether a
point lies where the input says it does; and those every reader and every edit shares: texts (`check_text`) and
postal codes (`check_postal_code`).
"""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import shapely
import shapely.ops

from graph_api.audit import as_fields, field_changes
from graph_api.geo.areas import MunicipalityLocator
from graph_api.geo.distance import geodesic_km
from graph_api.models import (
    DEMO_SOURCE,
    IMPORT_COUNTS,
    Change,
    Dataset,
    FieldChange,
    ImportRecord,
    MeetingPlace,
    Municipality,
    NamedNode,
    Node,
    NodeRef,
    Point,
    Relationship,
)
from graph_api.relations import MEETING_PLACE_MUNICIPALITY, MUNICIPALITY_WELFARE_AREA
from graph_api.store.base import GraphStore, NodeQuery, PlaceFilter, Progress
from graph_api.text import fold

PROVENANCE_PROPERTIES = ("source_id", "imported_at", "updated_at")
"""Set by `plan` on every relationship it writes; left out when relationships are compared."""
BORDER_TOLERANCE_KM = 5.0
"""How far outside the municipality an input names a point may lie and still be taken (with a warning): the
shipped boundaries are 1:4.5M, so a place by a border or on the coast can fall a little outside."""
ORGANISER_LABELS = ("District", "LocalAssociation", "Organization", "FamilyCentre")
"""The node types a meeting place may be `RUN_BY`."""
ROLES = ("COORDINATOR", "PARTNER")
"""An organiser's roles at a meeting place (`RUN_BY`'s `role`), as every reader takes them; the first is the
default."""
MAX_TEXT_LENGTH = 200
"""The longest name (or other short text: an agreement's kind) a reader or an edit takes."""
POSTAL_CODE_DIGITS = 5
RECENT_IMPORTS = 100
"""How far back among the latest imports `apply` looks for the record it wrote."""
LISTED = frozenset({"created", "updated", "unchanged"})
"""The actions of a node the reading lists."""


@dataclass(frozen=True, slots=True)
class Found:
    """One thing the input lists: a node (with `source` and `source_id` set by the reader), the relationships
    from it, and which relationship types from it the input gives in full (`owns`: others of those types are
    removed when the node is written)."""

    ref: str
    node: Node
    relationships: tuple[Relationship, ...] = ()
    owns: frozenset[str] = frozenset()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rejection:
    """Something the input holds that cannot be taken: where (`file:line:column`, `ptv:ID`) and why."""

    ref: str
    reason: str
    id: str | None = None


@dataclass
class Reading:
    """What a reader made of its input.

    `labels` are the node types the source is the authority on: what it listed before under one of them and
    no longer lists is withdrawn, but only when the input was read `complete` (a failed fetch withdraws nothing).
    `skipped` lists things that are not for this service (PTV's phone and web channels), as (ref, why);
    `warnings` what is worth a word about the input as a whole (an unknown column), as (ref, why).
    `not_given` names the node fields the format cannot carry: a node the input lists keeps its stored value of
    them (a spreadsheet has no column for closures, so closures a partner set through the API stay).
    """

    source: str
    labels: frozenset[str]
    found: list[Found] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    complete: bool = True
    not_given: frozenset[str] = frozenset({"closures"})


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the report."""

    ref: str
    action: str
    id: str | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """What applying a reading would do: the report's rows and the dataset that does it, with the version each
    node it writes must still have (0: must not exist) and the audit's account of each node's change."""

    source: str
    rows: list[Row]
    dataset: Dataset
    expected: dict[NodeRef, int] = field(default_factory=dict)
    audit: dict[NodeRef, tuple[FieldChange, ...]] = field(default_factory=dict)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(row.action for row in self.rows)
        summary = {name: counts[name] for name in IMPORT_COUNTS if name != "warnings"}
        return {**summary, "warnings": counts["warning"], "skipped": counts["skipped"]}

    @property
    def rejected(self) -> int:
        return sum(row.action == "rejected" for row in self.rows)


class Reference:
    """The reference data every reader checks its input against: municipalities, their boundaries and counties,
    and the organisers (`ORGANISER_LABELS`) a meeting place may be run by."""

    def __init__(
        self,
        municipalities: Sequence[Municipality],
        welfare_areas: dict[str, NodeRef],
        locator: MunicipalityLocator,
        organisers: Sequence[NamedNode] = (),
    ) -> None:
        self.municipalities = {m.key: m for m in municipalities}
        self.by_name = {fold(name): m for m in municipalities for name in m.search_names}
        self.welfare_areas = welfare_areas
        self.locator = locator
        self.organisers = {NodeRef.of(node) for node in organisers}
        self.organisers_by_name: dict[str, list[NodeRef]] = defaultdict(list)
        for node in organisers:
            for name in dict.fromkeys(node.search_names):
                self.organisers_by_name[name].append(NodeRef.of(node))

    @classmethod
    async def of(cls, store: GraphStore, seeds_dir: Path) -> Reference:
        found = await store.every("Municipality")
        municipalities = [m for m in found if isinstance(m, Municipality)]
        refs = [NodeRef.of(m) for m in municipalities]
        areas = await store.traverse_many(refs, MUNICIPALITY_WELFARE_AREA)
        welfare_areas = {ref.key: NodeRef.of(links[0].node) for ref, links in zip(refs, areas, strict=True) if links}
        organisers = [
            node for label in ORGANISER_LABELS for node in await store.every(label) if isinstance(node, NamedNode)
        ]
        return cls(municipalities, welfare_areas, MunicipalityLocator.from_seeds(seeds_dir), organisers)

    def organiser(self, text: str) -> NodeRef:
        """The organiser a global id (`District:uusimaa`) or an exact Finnish or Swedish name stands for; a
        ValueError says why there is none, or that more than one has that name."""
        kinds = ", ".join(ORGANISER_LABELS[:-1]) + " or " + ORGANISER_LABELS[-1]
        ref = NodeRef.parse(text)
        if ref is not None and ref.label not in ORGANISER_LABELS:
            raise ValueError(f"{text!r} is a {ref.label}, which runs no meeting place; a {kinds} does")
        if ref is not None:
            if ref not in self.organisers:
                raise ValueError(f"{text} does not exist")
            return ref
        named = self.organisers_by_name.get(text, [])
        if not named:
            raise ValueError(f"no {kinds} is called {text!r}: give its exact name or its id (District:uusimaa)")
        if len(named) > 1:
            raise ValueError(f"{len(named)} organisers are called {text!r} ({', '.join(map(str, named))}): give the id")
        return named[0]

    def municipality(self, text: str) -> Municipality | None:
        """The municipality a code (`91`, `091`) or a Finnish or Swedish name (`Åbo`) stands for."""
        text = text.strip()
        if text.isdigit():
            return self.municipalities.get(text.zfill(3))
        return self.by_name.get(fold(text))

    def check_point(self, point: Point, municipality: Municipality) -> str | None:
        """None when the point lies in the municipality, a warning when it lies just outside it; a ValueError
        (the reason to reject) when it lies outside Finland or clearly in another municipality."""
        if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
            raise ValueError(f"({point.lat}, {point.lon}) is no position in degrees of latitude and longitude")
        found = self.locator.locate(point)
        if found == municipality.key:
            return None
        shape = self.locator.boundaries[municipality.key]
        nearest, _ = shapely.ops.nearest_points(shape, shapely.Point(point.lon, point.lat))
        km = geodesic_km(point, Point(nearest.y, nearest.x))
        known = self.municipalities.get(found or "")
        where = known.name_fi if known else f"municipality {found}" if found else None
        if found is None and self.locator.outside(point):
            raise ValueError(f"the point ({point.lat:.5f}, {point.lon:.5f}) is outside Finland")
        if km > BORDER_TOLERANCE_KM:
            lies = f"lies in {where}" if where else "lies in no municipality"
            raise ValueError(f"the point {lies}, {km:.1f} km from {municipality.name_fi}, which the input names")
        lies = f"in {where}" if where else "outside every municipality (at sea or across the border)"
        return f"the point lies {lies}, {km:.1f} km from {municipality.name_fi}: kept in {municipality.name_fi}"


def check_text(text: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    """A name as kept, ends trimmed; a ValueError when it is empty, longer than `max_length` or holds a control
    character (a line break or a NUL in a name is a paste gone wrong). Anything else, quotes and markup too, is
    kept as given: it is data, never run."""
    text = text.strip()
    if not text:
        raise ValueError("is empty")
    if len(text) > max_length:
        raise ValueError(f"is {len(text)} characters long; at most {max_length}")
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise ValueError("holds a control character (a line break, a tab or a NUL)")
    return text


def check_postal_code(text: str) -> str:
    """A Finnish postal code as kept, ends trimmed: five digits 0-9; a ValueError otherwise. Every reader and every
    edit takes postal codes by this rule (`str.isdigit` and the regex `\\d` would take Arabic-Indic or other
    scripts' digits, which no postal code has)."""
    code = text.strip()
    if len(code) != POSTAL_CODE_DIGITS or not (code.isascii() and code.isdigit()):
        raise ValueError(f"{text[:20]!r} is not a postal code of five digits 0-9")
    return code


def municipality_at(locator: MunicipalityLocator, point: Point) -> str:
    """The code of the municipality a point lies in, or of the nearest one within `BORDER_TOLERANCE_KM` (the
    1:4.5M boundaries cut off parts of the coast); a ValueError saying where the point is otherwise."""
    if not (-90 <= point.lat <= 90 and -180 <= point.lon <= 180):
        raise ValueError(f"({point.lat}, {point.lon}) is no position in degrees of latitude and longitude")
    found = locator.locate(point)
    if found is not None:
        return found
    if locator.outside(point):
        raise ValueError(locator.why_nowhere(point))
    nearest = locator.nearest(point)
    shape = locator.boundaries[nearest]
    edge, _ = shapely.ops.nearest_points(shape, shapely.Point(point.lon, point.lat))
    if geodesic_km(point, Point(edge.y, edge.x)) > BORDER_TOLERANCE_KM:
        raise ValueError(f"{locator.why_nowhere(point)}, over {BORDER_TOLERANCE_KM:g} km from any municipality")
    return nearest


async def plan(store: GraphStore, reading: Reading, now: datetime.datetime, *, replace_demo: bool = False) -> Plan:
    """Weigh the reading against the store: what would be created, updated, left unchanged or withdrawn."""
    rows = [Row(r.ref, "rejected", r.id, r.reason) for r in reading.rejected]
    rows += [Row(ref, "skipped", None, why) for ref, why in reading.skipped]
    rows += [Row(ref, "warning", None, why) for ref, why in reading.warnings]
    found = await _acceptable(store, _unique(reading.found, rows), rows)
    refs = [NodeRef.of(item.node) for item in found]
    existing = dict(zip(refs, await store.get_many(refs), strict=True))
    types = frozenset(t for item in found for t in (*item.owns, *(rel.type for rel in item.relationships)))
    edges = await store.relationships_of([ref for ref in refs if existing[ref] is not None], types) if types else []
    current: dict[NodeRef, set[tuple[object, ...]]] = defaultdict(set)
    for edge in edges:  # those from each node (those into it are another node's)
        current[NodeRef.of(edge.start)].add(_edge_content(edge.type, NodeRef.of(edge.end), edge.properties))
    nodes: list[Node] = []
    relationships: list[Relationship] = []
    replaces: set[tuple[NodeRef, str]] = set()
    expected: dict[NodeRef, int] = {}
    audit: dict[NodeRef, tuple[FieldChange, ...]] = {}

    def write(node: Node, old: Node | None) -> None:
        """The node as the import writes it, one version on from the one planned against."""
        ref = NodeRef.of(node)
        nodes.append(dataclasses.replace(node, version=1 if old is None else old.version + 1))
        expected[ref] = 0 if old is None else old.version
        audit[ref] = as_fields(field_changes(old, node))

    for item, ref in zip(found, refs, strict=True):
        old = existing[ref]
        if old is not None:
            kept_fields = {name: getattr(old, name) for name in reading.not_given if hasattr(old, name)}
            item = dataclasses.replace(item, node=dataclasses.replace(item.node, **kept_fields))
        listed = {_edge_content(rel.type, rel.end, rel.properties) for rel in item.relationships}
        kept = {edge for edge in current[ref] if edge[0] in item.owns or edge in listed}
        if old is None:
            action = "created"
        elif (
            old.content() == item.node.content()
            and not old.is_withdrawn
            and listed == kept
            and _same_edition(old, item)
        ):
            action = "unchanged"  # owned relationships exactly as listed, the others listed all there
        else:
            action = "updated"
        rows.append(Row(item.ref, action, str(ref)))
        rows += [Row(item.ref, "warning", str(ref), warning) for warning in item.warnings]
        if action == "unchanged":
            continue
        imported_at = old.imported_at if old is not None and old.imported_at is not None else now
        write(dataclasses.replace(item.node, imported_at=imported_at, updated_at=now, withdrawn_at=None), old)
        stamp = {"source_id": item.node.source_id, "imported_at": imported_at, "updated_at": now}
        relationships += [
            dataclasses.replace(rel, properties={**rel.properties, **stamp}) for rel in item.relationships
        ]
        replaces.update((ref, type_) for type_ in item.owns)
    withdrawn = await _no_longer_listed(store, reading, _listed(reading)) if reading.complete else []
    if replace_demo:
        withdrawn += await _replaced_demo(store, found, withdrawn)
    for node, why in withdrawn:
        write(dataclasses.replace(node, withdrawn_at=now, updated_at=now), node)
        rows.append(Row(f"{node.source}:{node.source_id or node.key}", "withdrawn", str(NodeRef.of(node)), why))
    return Plan(reading.source, rows, Dataset(nodes, relationships, frozenset(replaces)), expected, audit)


def combine(plans: Sequence[Plan]) -> Plan:
    """Several readings' plans as one, applied in one transaction: the rows one after another, the datasets merged,
    the sources joined (`ptv:a, ptv:b`).

    A node that one plan withdraws and another lists has moved from one source to the other: it is not withdrawn.
    A node two plans list is taken as the first plans it and rejected in the later; one withdrawn twice once.
    """
    if len(plans) == 1:
        return plans[0]
    listed = {row.id for each in plans for row in each.rows if row.action in LISTED}
    first: dict[str, str] = {}
    rows: list[Row] = []
    nodes: list[Node] = []
    relationships: list[Relationship] = []
    replaces: set[tuple[NodeRef, str]] = set()
    expected: dict[NodeRef, int] = {}
    audit: dict[NodeRef, tuple[FieldChange, ...]] = {}
    for each in plans:
        taken: set[str] = set()
        for row in each.rows:
            earlier = first.get(row.id) if row.id is not None else None
            if earlier and row.action in LISTED:
                rows.append(Row(row.ref, "rejected", row.id, f"{earlier} lists it too"))
            elif (row.action == "withdrawn" and (earlier or row.id in listed)) or (earlier and row.action == "warning"):
                continue
            else:
                rows.append(row)
                taken.update([row.id] if row.id and row.action in (*LISTED, "withdrawn") else [])
        first.update(dict.fromkeys(taken, each.source))
        nodes += [node for node in each.dataset.nodes if str(NodeRef.of(node)) in taken]
        relationships += [rel for rel in each.dataset.relationships if str(rel.start) in taken]
        replaces.update(pair for pair in each.dataset.replaces if str(pair[0]) in taken)
        expected.update((ref, version) for ref, version in each.expected.items() if str(ref) in taken)
        audit.update((ref, fields) for ref, fields in each.audit.items() if str(ref) in taken)
    dataset = Dataset(nodes, relationships, frozenset(replaces))
    return Plan(", ".join(each.source for each in plans), rows, dataset, expected, audit)


async def apply(
    store: GraphStore, plan: Plan, by: str, now: datetime.datetime, progress: Progress | None = None
) -> ImportRecord:
    """Write the plan, its record and its audit in one transaction; returns the record, numbered, once it is
    durable. A node changed since the plan was made (a partner's edit) is a `VersionConflict`, and nothing is
    written: plan again."""
    record = ImportRecord(at=now, source=plan.source, by=by, summary=plan.summary)
    changes = [
        Change(now, by, None, "import", str(NodeRef.of(node)), plan.audit[NodeRef.of(node)], None, node.version)
        for node in plan.dataset.nodes
    ]
    await store.load(plan.dataset, progress, record, expected=plan.expected, changes=changes)
    recent = (await store.imports(first=RECENT_IMPORTS)).items  # others may have imported since, in other processes
    return next(r for r in recent if (r.at, r.source, r.by) == (record.at, record.source, record.by))


def _unique(found: Iterable[Found], rows: list[Row]) -> list[Found]:
    """The first of each node; a later one with the same id is rejected, naming where the first was read."""
    first: dict[NodeRef, Found] = {}
    for item in found:
        ref = NodeRef.of(item.node)
        if ref in first:
            rows.append(
                Row(item.ref, "rejected", str(ref), f"the id {item.node.key!r} is used before, at {first[ref].ref}")
            )
        else:
            first[ref] = item
    return list(first.values())


async def _acceptable(store: GraphStore, found: list[Found], rows: list[Row]) -> list[Found]:
    """Those whose relationships all lead to a node of the store or of the input; the others are rejected."""
    listed = {NodeRef.of(item.node) for item in found}
    wanted = sorted({rel.end for item in found for rel in item.relationships} - listed, key=str)
    known = listed | {ref for ref, node in zip(wanted, await store.get_many(wanted), strict=True) if node is not None}
    kept = []
    for item in found:
        missing = sorted(str(rel.end) for rel in item.relationships if rel.end not in known)
        if missing:
            reason = (
                f"{', '.join(missing)} does not exist" if len(missing) == 1 else f"{', '.join(missing)} do not exist"
            )
            rows.append(Row(item.ref, "rejected", str(NodeRef.of(item.node)), reason))
        else:
            kept.append(item)
    return kept


def _listed(reading: Reading) -> set[NodeRef]:
    """Every node the input lists, taken or not: one rejected for a fault of its own is not withdrawn for it."""
    rejected = (NodeRef.parse(rejection.id) for rejection in reading.rejected if rejection.id)
    return {NodeRef.of(item.node) for item in reading.found} | {ref for ref in rejected if ref is not None}


async def _no_longer_listed(store: GraphStore, reading: Reading, listed: set[NodeRef]) -> list[tuple[Node, str]]:
    gone = []
    for label in sorted(reading.labels):
        page = await store.find(label, NodeQuery(first=None, source=reading.source))
        gone += [
            (node, f"{reading.source} no longer lists it") for node in page.items if NodeRef.of(node) not in listed
        ]
    return gone


async def _replaced_demo(
    store: GraphStore, found: list[Found], withdrawn: list[tuple[Node, str]]
) -> list[tuple[Node, str]]:
    """The demo meeting places of the kinds the import brings, in the municipalities it covers."""
    places = [item for item in found if isinstance(item.node, MeetingPlace)]
    kinds = frozenset(item.node.kind for item in places if isinstance(item.node, MeetingPlace))
    covered = {rel.end.key for item in places for rel in item.relationships if rel.type == "LOCATED_IN"}
    if not kinds:
        return []
    of_kinds = NodeQuery(first=None, source=DEMO_SOURCE, places=PlaceFilter(kinds=kinds))
    demo = (await store.find("MeetingPlace", of_kinds)).items
    already = {NodeRef.of(node) for node, _ in withdrawn} | {NodeRef.of(item.node) for item in found}
    refs = [NodeRef.of(node) for node in demo if NodeRef.of(node) not in already]
    municipalities = await store.traverse_many(refs, MEETING_PLACE_MUNICIPALITY)
    by_ref = {NodeRef.of(node): node for node in demo}
    return [
        (by_ref[ref], f"a demo {by_ref[ref].kind.value} in {links[0].node.key}, replaced by the import")  # type: ignore[attr-defined]
        for ref, links in zip(refs, municipalities, strict=True)
        if links and links[0].node.key in covered
    ]


def _same_edition(old: Node, item: Found) -> bool:
    """Whether the source's own modification time, where it gives one, is the one kept."""
    return item.node.source_updated_at is None or item.node.source_updated_at == old.source_updated_at


def _edge_content(type_: str, end: NodeRef, properties: dict[str, object]) -> tuple[object, ...]:
    """A relationship as compared for changes: its type, its end and its properties but provenance and source."""
    kept = sorted(
        (name, value)
        for name, value in properties.items()
        if name not in PROVENANCE_PROPERTIES and name != "source" and value is not None
    )
    return (type_, end, tuple(kept))
