"""The GraphQL schema, assembled once with its limits and caches."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from graph_api.errors import GraphApiError
from graph_api.observability.caches import register_cache
from graph_api.observability.requests import OperationRecorder
from graph_api.schema.cost_limit import CostLimit, Estimates
from graph_api.schema.documents import DocumentCaches
from graph_api.schema.limits import DocumentLimits
from graph_api.schema.mutation import Mutation
from graph_api.schema.operation import OperationSelection
from graph_api.schema.query import Query
from graph_api.schema.subscription import Subscription, Transport
from graph_api.schema.types import ALL_NODE_TYPES

MAX_TOKENS = 5000
CACHE_SIZE = 256


logger = logging.getLogger(__name__)


def should_mask(error: GraphQLError) -> bool:
    """Hide (and log) unexpected exceptions only; validation, limit and input errors are for the client."""
    original = error.original_error
    unexpected = original is not None and not isinstance(original, GraphApiError | GraphQLError)
    if unexpected:
        logger.error("unexpected error at %s", error.path, exc_info=original)
    return unexpected


class MaskUnexpectedErrors(MaskErrors):
    """Strawberry's `MaskErrors` with `should_mask`, passing over answers without errors: its own test for errors
    is an `isinstance` of a runtime-checkable protocol, ~14 µs on every operation run."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask)

    def _process_result(self, result: object) -> None:
        if getattr(result, "errors", None):
            super()._process_result(result)


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Client errors are answers, not server faults: `should_mask` logs the unexpected ones."""


# One class, not made per request: a new rule class would change the validation cache's key and it never hits.
LIMIT_RULES = [DocumentLimits]


def build_schema(document_cache_size: int = CACHE_SIZE) -> strawberry.Schema:
    """The schema; the last `document_cache_size` documents' parses and validations are kept (LRU)."""
    documents = DocumentCaches(document_cache_size, MAX_TOKENS, LIMIT_RULES)
    register_cache("parsed_documents", documents.parse)
    register_cache("validated_documents", documents.validate)
    estimates = Estimates(document_cache_size)
    register_cache("cost_estimates", estimates)
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=ALL_NODE_TYPES,
        config=StrawberryConfig(),
        extensions=[
            OperationRecorder,  # first, so that it sees the errors as the client gets them
            documents,  # parsed and validated once a document (graph_api.schema.documents)
            OperationSelection,
            Transport,
            lambda: CostLimit(estimates),
            MaskUnexpectedErrors,
        ],
    )
