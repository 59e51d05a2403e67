"""The service's own errors; backends translate their drivers' errors into these at the edge.

GraphApiError
├── InputError          a client's argument is wrong: names the argument and the reason
├── Unauthenticated     a write without a valid token (none, malformed, expired, revoked, unverifiable)
├── Forbidden           the caller may not make this write: names the node or the scope
├── VersionConflict     a write's `expectedVersion` is not the node's version: names both
├── RequestCancelled    the request that work was for is over (timed out, or its client left)
├── SubscriptionLimit   as many subscriptions are open as the server allows; try again later
├── SubscriberTooSlow   a subscription fell too far behind its changes and was ended; subscribe again
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


class SubscriptionLimit(GraphApiError):
    """A new subscription past the most the server keeps open (`GRAPH_API_MAX_SUBSCRIPTIONS`)."""

    code = "SUBSCRIPTION_LIMIT"


class SubscriberTooSlow(GraphApiError):
    """A subscription whose client read its changes more slowly than they came: it is ended rather than buffered
    without bound, and the client, having missed changes, reloads its view and subscribes again."""

    code = "SUBSCRIBER_TOO_SLOW"


class StoreError(GraphApiError):
    code = "STORE_ERROR"


class DataError(StoreError, ValueError):
    code = "DATA_ERROR"


class StoreUnavailable(StoreError):
    code = "STORE_UNAVAILABLE"


class Unauthenticated(GraphApiError):
    """A write came without a token this service accepts; the message says what was wrong with it."""

    code = "UNAUTHENTICATED"


class Forbidden(GraphApiError):
    """The caller is known but may not make this write; `node` is the global id it may not touch, if one."""

    code = "FORBIDDEN"

    def __init__(self, message: str, node: str | None = None) -> None:
        super().__init__(message)
        self.node = node

    @property
    def extensions(self) -> dict[str, object]:
        return {"code": self.code, **({"node": self.node} if self.node else {})}


class VersionConflict(GraphApiError):
    """A write expected a node at one version and found another: nothing was written, and the client, told
    the current version, reads the node again before it decides."""

    code = "CONFLICT"

    def __init__(self, node: str, expected: int, current: int) -> None:
        now = "does not exist" if current == 0 else f"is at version {current}"
        super().__init__(f"{node} {now}, not at version {expected}: it changed meanwhile; read it again")
        self.node = node
        self.expected = expected
        self.current = current

    @property
    def extensions(self) -> dict[str, object]:
        return {"code": self.code, "node": self.node, "currentVersion": self.current}
