"""What the audit says a change did to a node: each field that differs, before and after, as the API names it.

One rule for every writer: the mutations and the imports both describe their changes with `field_changes`, so
the audit reads alike whoever wrote. Values are the data folder's JSON (`graph_api.store.encoding`): a point
as `[lat, lon]`, opening hours as HSDS rows, dates in ISO 8601. Provenance (when and from where a node came)
is the audit entry itself, not a field of it; a withdrawal shows as `withdrawnAt`.
"""

from __future__ import annotations

from strawberry.utils.str_converters import to_camel_case

from graph_api.models import FieldChange, Node, NodeRef
from graph_api.store.encoding import node_to_json

NOT_FIELDS = frozenset(
    {"label", "key", "source", "source_id", "imported_at", "updated_at", "source_updated_at", "version"}
)
API_NAMES = {"schedules": "openingHours"}
"""Model fields the API names otherwise (else it is the field's name in camelCase)."""


def field_changes(before: Node | None, after: Node) -> dict[str, tuple[object, object]]:
    """Each field of the node whose value differs, by its GraphQL name: (before, after); a new node's fields
    that are set, from None."""
    old = {} if before is None else node_to_json(before)
    new = node_to_json(after)
    return {
        API_NAMES.get(name, to_camel_case(name)): (old.get(name), value)
        for name, value in new.items()
        if name not in NOT_FIELDS and old.get(name) != value and not (before is None and value in (None, [], ()))
    }


def related_change(name: str, before: list[NodeRef], after: list[NodeRef]) -> dict[str, tuple[object, object]]:
    """A relationship field (an organiser, activities), as the ids it leads to, when they differ."""
    old, new = sorted(map(str, before)), sorted(map(str, after))
    return {} if old == new else {name: (old or None, new or None)}


def as_fields(changes: dict[str, tuple[object, object]]) -> tuple[FieldChange, ...]:
    """The changes as the audit keeps them, by name."""
    return tuple(FieldChange(name, before, after) for name, (before, after) in sorted(changes.items()))
