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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

Rules = tuple[type[ASTValidationRule], ...]


@dataclass(frozen=True)
class DocumentCaches:
    """The parses and validations kept, and what a document is parsed and validated with; called, one request's
    extension."""

    cache_size: int
    max_tokens: int
    rules: Rules
    parse: Callable[[str], DocumentNode] = field(init=False)
    validate: Callable[[GraphQLSchema, str, Rules], list[GraphQLError]] = field(init=False)

    def __post_init__(self) -> None:
        parse_text = functools.lru_cache(maxsize=self.cache_size)(self._parse)
        validate_text = functools.lru_cache(maxsize=self.cache_size)(self._validate)
        object.__setattr__(self, "parse", parse_text)
        object.__setattr__(self, "validate", validate_text)

    @classmethod
    def of(cls, cache_size: int, max_tokens: int, rules: Sequence[type[ASTValidationRule]]) -> DocumentCaches:
        return cls(cache_size, max_tokens, tuple(rules))

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
