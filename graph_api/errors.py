"""The service's own errors; backends translate their drivers' errors into these at the edge.

GraphApiError
├── InputError          a client's argument is wrong: names the argument and the reason
├── RequestCancelled    the request that work was for is over (timed out, or its client left)
└── StoreError
    ├── DataError       a dataset that cannot be loaded as it is (nothing is written)
    └── StoreUnavailable the backend cannot be reached
"""

from __future__ import annotations


class GraphApiError(Exception):
    """Base of every error this service raises on purpose; `code` goes into a GraphQL error's extensions."""

    code = "INTERNAL"

    @property
    def extensions(self) -> dict[str, object]:
        return {"code": self.code}


class InputError(GraphApiError):
    """A client sent an argument the service cannot answer; safe to show to the client."""

    code = "BAD_USER_INPUT"

    def __init__(self, argument: str, reason: str) -> None:
        super().__init__(f"{argument}: {reason}")
        self.argument = argument

    @property
    def extensions(self) -> dict[str, object]:
        return {"code": self.code, "argument": self.argument}


class RequestCancelled(GraphApiError):
    """Raised in a worker thread at a checkpoint once its request is over, so that it stops spending CPU."""

    code = "CANCELLED"


class StoreError(GraphApiError):
    code = "STORE_ERROR"


class DataError(StoreError, ValueError):
    code = "DATA_ERROR"


class StoreUnavailable(StoreError):
    code = "STORE_UNAVAILABLE"
