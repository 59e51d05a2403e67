"""Each document parsed (within a token limit) and validated (with the depth and alias limits) once, by its text.

One extension in place of strawberry's `MaxTokensLimiter`, `ParserCache`, `AddValidationRules` and
`ValidationCache`, which were four objects and five hooks on every request for work that is a function of the
document's text alone. Validations are kept by the text too: strawberry's `ValidationCache` keys them by the parsed
document, whose hash walks the whole tree (~19 µs a small `nearby`, every request). Both caches are LRUs of
`cache_size` entries, process-wide, so the same document with other variables is neither parsed nor validated
again, and a document that failed to parse or validate fails again from the cache.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

Rules = tuple[type[ASTValidationRule], ...]


class DocumentCaches:
    """The parses and validations kept, and what a document is parsed and validated with; called, one request's
    extension."""

    def __init__(self, cache_size: int, max_tokens: int, rules: Sequence[type[ASTValidationRule]]) -> None:
        self.max_tokens, self.rules = max_tokens, tuple(rules)
        self.parse = functools.lru_cache(maxsize=cache_size)(self._parse)
        self.validate = functools.lru_cache(maxsize=cache_size)(self._validate)

    def _parse(self, query: str) -> DocumentNode:
        return parse(query, max_tokens=self.max_tokens)

    def _validate(self, schema: GraphQLSchema, query: str, rules: Rules) -> list[GraphQLError]:
        return validate_document(schema, self.parse(query), rules + self.rules)

    def __call__(self) -> DocumentChecks:
        return DocumentChecks(self)


class DocumentChecks(SchemaExtension):
    """Parses the query with at most `max_tokens` tokens and validates it with `rules` added, through the caches."""

    def __init__(self, caches: DocumentCaches) -> None:
        super().__init__()
        self.caches = caches

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        execution.graphql_document = self.caches.parse(execution.query)  # type: ignore[arg-type]
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        query: str = execution.query  # type: ignore[assignment]
        execution.pre_execution_errors = self.caches.validate(
            execution.schema._schema, query, execution.validation_rules
        )
        yield
