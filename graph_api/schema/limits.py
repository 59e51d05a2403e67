"""Depth and alias limits, checked before anything runs, with each fragment measured once.

Strawberry's own limiters expand every fragment spread where it is used, so fragments that spread each other
twice, twenty deep, took them 12 s of CPU (2^20 expansions) in a 1 kB document; here each fragment is
measured once and its figures reused, and a fragment cycle (refused by validation anyway) counts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)

MAX_DEPTH = 10
MAX_ALIASES = 30


@dataclass(frozen=True, slots=True)
class Shape:
    """How deep a selection nests fields that select further, and how many aliases it has, fragments expanded."""

    depth: int = 0
    aliases: int = 0


class DocumentShape:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self._known: dict[str, Shape] = {}

    def of(self, selections: SelectionSetNode) -> Shape:
        depth = aliases = 0
        for selection in selections.selections:
            if isinstance(selection, FragmentSpreadNode):
                shape = self._fragment(selection.name.value)
            elif isinstance(selection, FieldNode):
                nested = self._field(selection)
                shape = Shape(nested.depth, nested.aliases + (selection.alias is not None))
            else:
                shape = self.of(selection.selection_set)  # type: ignore[attr-defined]
            depth, aliases = max(depth, shape.depth), aliases + shape.aliases
        return Shape(depth, aliases)

    def _field(self, field: FieldNode) -> Shape:
        """Introspection (`__schema`, `__type`) is bounded by the schema and not counted, as in strawberry."""
        if field.selection_set is None or field.name.value.startswith("__"):
            return Shape()
        inner = self.of(field.selection_set)
        return Shape(inner.depth + 1, inner.aliases)

    def _fragment(self, name: str) -> Shape:
        if name not in self._known:
            self._known[name] = Shape()  # a cycle back to this fragment adds nothing
            fragment = self.fragments.get(name)
            self._known[name] = Shape() if fragment is None else self.of(fragment.selection_set)
        return self._known[name]


class DocumentLimits(ValidationRule):
    """Refuses operations nesting deeper than MAX_DEPTH, and documents with more than MAX_ALIASES aliases."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        definitions = context.document.definitions
        shape = DocumentShape({d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)})
        aliases = 0
        for operation in (d for d in definitions if isinstance(d, OperationDefinitionNode)):
            measured = shape.of(operation.selection_set)
            aliases += measured.aliases
            if measured.depth > MAX_DEPTH:
                name = operation.name.value if operation.name else "anonymous"
                context.report_error(
                    GraphQLError(f"'{name}' exceeds maximum operation depth of {MAX_DEPTH}", [operation])
                )
        if aliases > MAX_ALIASES:
            context.report_error(GraphQLError(f"{aliases} aliases found. Allowed: {MAX_ALIASES}"))
