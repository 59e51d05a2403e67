"""How a GraphQL request ended, read from its errors' `extensions.code`: the label metrics and logs share."""

from __future__ import annotations

import enum
from collections.abc import Sequence

from graphql import GraphQLError


class Outcome(enum.Enum):
    OK = "ok"
    USER_ERROR = "user_error"
    COST_LIMIT = "cost_limit"
    TIMEOUT = "timeout"
    CLIENT_DISCONNECTED = "client_disconnected"
    STORE_UNAVAILABLE = "store_unavailable"
    ERROR = "error"


CODES = {
    "BAD_USER_INPUT": Outcome.USER_ERROR,
    "GRAPHQL_VALIDATION_FAILED": Outcome.USER_ERROR,
    "GRAPHQL_PARSE_FAILED": Outcome.USER_ERROR,
    "COST_LIMIT": Outcome.COST_LIMIT,
    "TIMEOUT": Outcome.TIMEOUT,
    "CLIENT_DISCONNECTED": Outcome.CLIENT_DISCONNECTED,
    "STORE_UNAVAILABLE": Outcome.STORE_UNAVAILABLE,
}

PRECEDENCE = [
    Outcome.ERROR,
    Outcome.STORE_UNAVAILABLE,
    Outcome.TIMEOUT,
    Outcome.CLIENT_DISCONNECTED,
    Outcome.COST_LIMIT,
    Outcome.USER_ERROR,
]
"""When errors differ, the one an operator must act on first names the request."""


def outcome_of(errors: Sequence[GraphQLError] | None) -> Outcome:
    """`ok` without errors; an error without a code is the client's when it has no path (parse, validation)."""
    if not errors:
        return Outcome.OK
    found = {_outcome_of(error) for error in errors}
    return next(outcome for outcome in PRECEDENCE if outcome in found)


def raised_outcome(error: Exception) -> Outcome:
    """An exception that ended the operation: by its code when it has one, else a fault of the service."""
    return CODES.get(str(_code(error)), Outcome.ERROR)


def _outcome_of(error: GraphQLError) -> Outcome:
    code = _code(error)
    if code is None:
        return Outcome.USER_ERROR if error.path is None else Outcome.ERROR
    return CODES.get(str(code), Outcome.ERROR)


def _code(error: Exception) -> object:
    extensions = getattr(error, "extensions", None)
    return extensions.get("code") if isinstance(extensions, dict) else None
