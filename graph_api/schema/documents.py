"""Each document parsed (within a token limit) and validated (with the depth and alias limits) once, by its text.

One extension in place of strawberry's `MaxTokensLimiter`, `ParserCache`, `AddValidationRules` and
`ValidationCache`: each of those is an object and a hook or two on every request (a tenth of a small `nearby`'s
CPU time, four extensions' worth), for work that is a function of the document's text alone. The LRU caches are
strawberry's own, shared by the process and bounded in entries, so the same document with other variables is
neither parsed nor validated again, and a document that failed validation fails again from the cache.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import ASTValidationRule
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache


@dataclass(frozen=True)
class DocumentCaches:
    """Strawberry's process-wide LRU caches of parses and validations, `cache_size` entries each, and what a
    document is parsed and validated with; called, one request's extension."""

    parse: Any
    validate: Any
    max_tokens: int
    rules: tuple[type[ASTValidationRule], ...]

    @classmethod
    def of(cls, cache_size: int, max_tokens: int, rules: Sequence[type[ASTValidationRule]]) -> DocumentCaches:
        parse = ParserCache(maxsize=cache_size).cached_parse_document
        validate = ValidationCache(maxsize=cache_size).cached_validate_document
        return cls(parse, validate, max_tokens, tuple(rules))

    def __call__(self) -> DocumentChecks:
        return DocumentChecks(self)


class DocumentChecks(SchemaExtension):
    """Parses the query with at most `max_tokens` tokens and validates it with `rules` added, through the caches."""

    def __init__(self, caches: DocumentCaches) -> None:
        super().__init__()
        self.caches = caches

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        execution.graphql_document = self.caches.parse(execution.query, max_tokens=self.caches.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        rules = execution.validation_rules + self.caches.rules
        execution.pre_execution_errors = self.caches.validate(
            execution.schema._schema, execution.graphql_document, rules
        )
        yield
