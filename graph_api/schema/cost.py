"""The cost limit: an operation's answer size estimated before it runs, from its selection and list sizes.

Each field in the answer counts 1, each item of a list 1 more, and a list's items are multiplied by the most
the list can hold: its `first`, `limit`, `top` or `ids`, or else the largest the data gives it (a county's
municipalities, a district's associations: `DataSizes`). Fields that compute over many nodes (coverage,
networks, map layers) add the work they do. The estimate is never below the answer's real count of fields
and list items, because every size is an upper bound; fragments on several types are all counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_abstract_type,
    is_composite_type,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from graph_api import relations
from graph_api.analysis import neighbourhood, paths
from graph_api.geo.clusters import CELL_LEVELS, MAX_CLUSTERED
from graph_api.geo.geocoding import MAX_RESULTS
from graph_api.geo.tiles import Tile
from graph_api.maps import MAX_ZOOM
from graph_api.models import RELATIONSHIP_TYPES, MeetingPlaceKind, Point
from graph_api.schema.data_sizes import DataSizes
from graph_api.schema.types import PATH_METADATA

Arguments = Mapping[str, Any]
Size = Callable[[DataSizes, Arguments, Arguments], int]
"""A list's largest size from the data, the field's own arguments and its parent field's."""

AGREEMENTS_OF_ONE: Size = lambda data, args, parent: data.max_agreements  # noqa: E731
ALL_NODES: Size = lambda data, args, parent: data.all_nodes  # noqa: E731
ALL_RELATIONSHIPS: Size = lambda data, args, parent: data.relationships  # noqa: E731
MEASURING: Size = lambda data, args, parent: 3 * (data.nodes["Municipality"] + data.nodes["MeetingPlace"])  # noqa: E731
KINDS: Size = lambda data, args, parent: len(MeetingPlaceKind)  # noqa: E731


def count_of(label: str) -> Size:
    return lambda data, args, parent: data.nodes[label]


def cells_in_view(data: DataSizes, args: Arguments, parent: Arguments) -> int:
    """The most cells a `clusters` view can answer: the cells its box spans at its zoom, and no more than there are
    places. Bad bounds or zoom are refused when it runs, so they size it by the places alone."""
    places = data.nodes["MeetingPlace"]
    bounds, zoom = parent.get("bounds"), parent.get("zoom")
    if not isinstance(bounds, dict) or not isinstance(zoom, int) or not 0 <= zoom <= MAX_ZOOM:
        return places
    z = zoom + CELL_LEVELS
    north_west = Tile.of(Point(bounds["north"], bounds["west"]), z)
    south_east = Tile.of(Point(bounds["south"], bounds["east"]), z)
    columns = (south_east.x - north_west.x) % 2**z + 1
    return min(places, max(0, south_east.y - north_west.y + 1) * columns)


def sized_by(argument: str, label: str | None = None, *, parents: bool = False) -> Size:
    """Sized by an argument of the field (or, with `parents`, of the field above it: a connection's `first`,
    `inBounds`' `limit`), and never more than the nodes of `label` there are, or all nodes."""

    def size(data: DataSizes, args: Arguments, parent: Arguments) -> int:
        value = (parent if parents else args).get(argument)
        asked = len(value) if isinstance(value, list) else max(0, value) if isinstance(value, int) else data.all_nodes
        return min(asked, data.nodes[label] if label else data.all_nodes)

    return size


AUDITED_FIELDS = 30
"""More than a change names: a node's fields and the relationships an edit changes."""

LIST_SIZES: dict[str, Size] = {
    "Query.nodes": sized_by("ids"),
    "Query.regions": count_of("Region"),
    "Query.welfareAreas": count_of("WelfareArea"),
    "Query.districts": count_of("District"),
    "Query.activities": count_of("Activity"),
    "Query.familyCentreTasks": count_of("FamilyCentreTask"),
    "Query.nearby": sized_by("limit", "MeetingPlace"),
    "Query.agreements": lambda data, args, parent: data.agreements,
    "Query.agreementHistory": AGREEMENTS_OF_ONE,
    "Query.partners": lambda data, args, parent: data.max_partners,
    "MunicipalityConnection.edges": sized_by("first", "Municipality", parents=True),
    "MeetingPlaceConnection.edges": sized_by("first", "MeetingPlace", parents=True),
    "ImportConnection.edges": lambda data, args, parent: max(0, parent.get("first", 0)),
    "ChangeConnection.edges": lambda data, args, parent: max(0, parent.get("first", 0)),
    "Change.fields": lambda data, args, parent: AUDITED_FIELDS,
    "PlacesInBounds.places": sized_by("limit", "MeetingPlace", parents=True),
    "Clusters.clusters": cells_in_view,
    "Cluster.kinds": KINDS,
    "Geocoding.results": lambda data, args, parent: MAX_RESULTS,
    "Municipality.agreements": AGREEMENTS_OF_ONE,
    "WelfareArea.agreements": AGREEMENTS_OF_ONE,
    "District.agreements": AGREEMENTS_OF_ONE,
    "MeetingPlace.openingHours": lambda data, args, parent: data.max_opening_hours,
    "OpeningHours.weekdays": lambda data, args, parent: 7,
    "MeetingPlace.closures": lambda data, args, parent: data.max_closures,
    "WhereIs.districts": lambda data, args, parent: data.fan_out("Municipality", relations.MUNICIPALITY_DISTRICTS),
    "CoverageTerms.kinds": KINDS,
    "CoverageTerms.activityIds": count_of("Activity"),
    "CoverageTerms.taskIds": count_of("FamilyCentreTask"),
    "AreaCoverage.municipalities": count_of("Municipality"),
    "CoverageGaps.municipalities": sized_by("limit", "Municipality", parents=True),
    "TaskCoverage.tasks": count_of("FamilyCentreTask"),
    "TaskReach.municipalitiesWithNobodyWithin": count_of("Municipality"),
    "TaskReach.nationalActivities": count_of("Activity"),
    "Graph.nodes": lambda data, args, parent: min(neighbourhood.MAX_NODES, data.all_nodes),
    "Graph.edges": ALL_RELATIONSHIPS,
    "Path.nodes": lambda data, args, parent: paths.MAX_LENGTH + 1,
    "Path.edges": lambda data, args, parent: paths.MAX_LENGTH,
    "Partner.meetingPlaces": lambda data, args, parent: data.max_shared_places,
    "Partner.agreements": AGREEMENTS_OF_ONE,
    "Partner.ties": lambda data, args, parent: len(RELATIONSHIP_TYPES),
    "Network.nodes": ALL_NODES,
    "Network.edges": ALL_RELATIONSHIPS,
    "Network.unconnected": ALL_NODES,
    "Network.counts": lambda data, args, parent: len(data.nodes),
    "Network.byDegree": sized_by("top"),
    "Network.byBetweenness": sized_by("top"),
}
"""The largest size of every list field that does not follow a path (those have `PATH_METADATA`)."""

WORK: dict[str, Size] = {
    "Query.coverage": MEASURING,
    "Query.coverageGaps": MEASURING,
    "Query.taskCoverage": lambda data, args, parent: data.nodes["FamilyCentreTask"] * MEASURING(data, args, parent),
    "Query.network": ALL_RELATIONSHIPS,
    "Query.relations": ALL_RELATIONSHIPS,
    "Query.path": ALL_RELATIONSHIPS,
    "Query.partners": ALL_RELATIONSHIPS,
    # A store that reads places as objects refuses views of more; the embedded one counts any number over arrays.
    "Query.clusters": lambda data, args, parent: min(data.nodes["MeetingPlace"], MAX_CLUSTERED),
    "Query.meetingPlacesGeoJson": lambda data, args, parent: 20 * data.nodes["MeetingPlace"],
    "Query.municipalitiesGeoJson": lambda data, args, parent: 200 * data.nodes["Municipality"],
    "Query.welfareAreasGeoJson": lambda data, args, parent: 200 * data.nodes["Municipality"],
}
"""What a field computes beyond its answer's size: the nodes or relationships it goes through."""


INTROSPECTED = {
    "fields": "fields",
    "inputFields": "fields",
    "args": "args",
    "interfaces": "interfaces",
    "enumValues": "values",
    "locations": "locations",
    "type": "type",
}
"""The graphql-core attribute behind each introspection field that answers a list or another object."""


class IntrospectionCost:
    """Introspection's exact answer size, walked over the schema itself (it is fixed and small), each object and
    selection once: GraphiQL's introspection query counts what it answers, and a nested one cannot multiply."""

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments
        self._known: dict[tuple[int, int], int] = {}

    def of(self, selections: SelectionSetNode, value: object) -> int:
        """Fragments are selections like any other, remembered per object, so none is expanded twice."""
        known = self._known.get((id(selections), id(value)))
        if known is None:
            known = self._known[id(selections), id(value)] = sum(
                self._selection(selection, value) for selection in selections.selections
            )
        return known

    def _selection(self, selection: SelectionNode, value: object) -> int:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            return 1 + self._value(
                selection, getattr(value, "of_type", None) if name == "ofType" else self._list(value, name)
            )
        if isinstance(selection, FragmentSpreadNode):
            return self.of(self.fragments[selection.name.value].selection_set, value)
        return self.of(selection.selection_set, value)  # type: ignore[attr-defined]

    def _value(self, node: FieldNode, value: object) -> int:
        if node.selection_set is None or value is None:
            return len(value) if isinstance(value, list) else 0
        if isinstance(value, list):
            return sum(1 + self.of(node.selection_set, item) for item in value)
        return self.of(node.selection_set, value)

    def _list(self, value: object, name: str) -> object:
        """What introspection answers for the field `name` of `value`, as graphql-core's resolvers would."""
        schema = self.schema
        if name in ("types", "directives", "queryType"):
            if value is not schema:
                return None
            return {"types": list(schema.type_map.values()), "directives": schema.directives}.get(
                name, schema.query_type
            )
        if name == "possibleTypes":
            return list(schema.get_possible_types(value)) if is_abstract_type(value) else None  # type: ignore[arg-type]
        attribute = INTROSPECTED.get(name)
        found = getattr(value, attribute, None) if attribute else None
        return list(found.values()) if isinstance(found, dict) else found


class ReadArguments(Mapping[str, Any]):
    """A field's arguments, noting in `read` the variables in each argument the estimate reads: the estimate
    depends on those and no others (a `nearby`'s point sizes nothing, its `limit` does)."""

    __slots__ = ("_arguments", "_node", "_read")

    def __init__(self, arguments: Mapping[str, Any], node: FieldNode, read: set[str]) -> None:
        self._arguments, self._node, self._read = arguments, node, read

    def __getitem__(self, name: str) -> Any:
        for argument in self._node.arguments or ():
            if argument.name.value == name:
                self._read.update(variables_in(argument.value))
        return self._arguments[name]

    def __iter__(self) -> Iterator[str]:
        for argument in self._node.arguments or ():
            self._read.update(variables_in(argument.value))
        return iter(self._arguments)

    def __len__(self) -> int:
        return len(self._arguments)


def variables_in(value: ValueNode) -> Iterator[str]:
    """The names of the variables a value written in the document uses, at any depth."""
    if isinstance(value, VariableNode):
        yield value.name.value
    elif isinstance(value, ListValueNode):
        for item in value.values:
            yield from variables_in(item)
    elif isinstance(value, ObjectValueNode):
        for field in value.fields:
            yield from variables_in(field.value)


class CostEstimate:
    """One operation's estimate; `estimate()` walks its selection once, each fragment once per place used, and
    notes in `read` the variables whose values it used."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        coerced: VariableValues,
        data: DataSizes,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self._coerced = coerced
        self.data = data
        self.read: set[str] = set()
        self.introspection = IntrospectionCost(schema, fragments)
        self._known: dict[tuple[int, str, int], int] = {}

    def estimate(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        assert root is not None, "a fitting operation's root type is in the schema"
        return self._selections(operation.selection_set, root, {}, 0)

    def _selections(self, selections: SelectionSetNode, on: GraphQLNamedType, parent: Arguments, key: int) -> int:
        known = self._known.get((id(selections), on.name, key))
        if known is not None:
            return known
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, on, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else on
                total += self._selections(selection.selection_set, target or on, parent, key)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                target = self.schema.get_type(fragment.type_condition.name.value) or on
                total += self._selections(fragment.selection_set, target, parent, key)
        self._known[id(selections), on.name, key] = total
        return total

    def _field(self, node: FieldNode, on: GraphQLNamedType, parent: Arguments) -> int:
        definition = self._definition(node.name.value, on)
        if definition is None:
            return 1
        args = ReadArguments(self._arguments(definition, node), node, self.read)
        if definition in (SchemaMetaFieldDef, TypeMetaFieldDef) and node.selection_set is not None:
            value = self.schema if definition is SchemaMetaFieldDef else self.schema.get_type(args.get("name", ""))
            return 1 + self.introspection.of(node.selection_set, value)
        name = f"{on.name}.{node.name.value}"
        work = WORK[name](self.data, args, parent) if name in WORK else 0
        items = self._list_size(on, node.name.value, definition, args, parent)
        each = 1 if items is not None else 0
        if node.selection_set is not None and is_composite_type(get_named_type(definition.type)):
            each += self._selections(node.selection_set, get_named_type(definition.type), args, id(node))
        return 1 + work + (each if items is None else items * each)

    def _definition(self, name: str, on: GraphQLNamedType) -> GraphQLField | None:
        if name == "__typename":
            return TypeNameMetaFieldDef
        if on is self.schema.query_type and name in ("__schema", "__type"):
            return SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
        return getattr(on, "fields", {}).get(name)  # type: ignore[no-any-return]

    def _arguments(self, definition: GraphQLField, node: FieldNode) -> Arguments:
        """The arguments as execution will see them; a bad one errors there, so it sizes nothing here."""
        try:
            return get_argument_values(definition, node, self._coerced)
        except GraphQLError:
            return {}

    def _list_size(
        self, on: GraphQLNamedType, name: str, definition: GraphQLField, args: Arguments, parent: Arguments
    ) -> int | None:
        """The most items the field can list, or None when it is not a list."""
        if not is_list_type(get_nullable_type(definition.type)):
            return None
        strawberry_field = (definition.extensions or {}).get("strawberry-definition")
        path = getattr(strawberry_field, "metadata", {}).get(PATH_METADATA)
        if path is not None:
            return self.data.fan_out(on.name, path)
        size = LIST_SIZES.get(f"{on.name}.{name}")
        return self.data.all_nodes if size is None else size(self.data, args, parent)


@dataclass(frozen=True, slots=True)
class Fitting:
    """An operation to run and its variables, coerced: what execution will run with."""

    operation: OperationDefinitionNode
    coerced: VariableValues


def fitting(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any]
) -> Fitting | None:
    """The operation and its coerced variables; None when there is none to run or its variables do not fit it, as
    then execution refuses it anyway (and no cost is estimated)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or schema.get_root_type(operation.operation) is None:
        return None
    coerced = get_variable_values(schema, operation.variable_definitions or (), dict(variables))
    return None if isinstance(coerced, list) else Fitting(operation, coerced)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A cost and the names of the variables it depends on: any variables that fit and agree on those give it."""

    cost: int
    variables: frozenset[str]


def estimate(schema: GraphQLSchema, document: DocumentNode, fitted: Fitting, data: DataSizes) -> Estimate:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walk = CostEstimate(schema, fragments, fitted.coerced, data)
    cost = walk.estimate(fitted.operation)
    return Estimate(cost, frozenset(walk.read))


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    data: DataSizes,
) -> int | None:
    """The cost of the document's operation to run; None when there is none to run or its variables do not fit."""
    fitted = fitting(schema, document, operation_name, variables)
    return None if fitted is None else estimate(schema, document, fitted, data).cost
