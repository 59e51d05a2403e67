"""Which operation of a document runs, as the GraphQL spec's GetOperation has it.

Strawberry runs the first operation when the request names none; the spec makes a document with several
operations and no `operationName`, or an `operationName` that names none of them, a request error.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import OperationDefinitionNode
from strawberry.extensions import SchemaExtension

from graph_api.errors import InputError


class OperationSelection(SchemaExtension):
    def on_parse(self) -> Iterator[None]:
        yield
        document = self.execution_context.graphql_document
        if document is None:  # the document did not parse: that error is the answer
            return
        names = [
            definition.name.value if definition.name else "anonymous"
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        ]
        # Only here does strawberry keep the name the client gave; `operation_name` falls back to the first.
        given: str | None = self.execution_context._provided_operation_name
        if given is None and len(names) > 1:
            raise InputError(
                "operationName", f"the document has {len(names)} operations ({', '.join(names)}); name one"
            )
        if given is not None and given not in names:
            raise InputError("operationName", f"the document has no operation named {given!r} ({', '.join(names)})")
