"""What is known of the request being served, wherever in its task something asks.

The middleware (`graph_api.observability.middleware`) opens a `RequestRecord` in a contextvar; log lines
read its id, and `OperationRecorder`, a schema extension, notes the GraphQL operation and its outcome.
A mutable record rather than values in contextvars: tasks the request starts copy the context, and what
they note must reach the middleware.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from dataclasses import dataclass

from strawberry.extensions import SchemaExtension

from graph_api.observability.outcomes import Outcome, outcome_of, raised_outcome


@dataclass(slots=True)
class RequestRecord:
    request_id: str
    operation: str | None = None
    outcome: Outcome | None = None


CURRENT: contextvars.ContextVar[RequestRecord | None] = contextvars.ContextVar("graph_api_request", default=None)


def current_request_id() -> str | None:
    record = CURRENT.get()
    return None if record is None else record.request_id


class OperationRecorder(SchemaExtension):
    """Notes each operation's name and outcome on the request record; list it first, to see masked errors."""

    def on_operation(self) -> Iterator[None]:
        try:
            yield
        except Exception as error:
            self._note(raised_outcome(error))
            raise
        result = self.execution_context.result
        self._note(outcome_of(None if result is None else result.errors))

    def on_execute(self) -> Iterator[None]:
        """The operation is known once parsed: noted now, for a request stopped before it ends."""
        note(self.execution_context.operation_name, None)
        yield

    def _note(self, outcome: Outcome) -> None:
        note(self.execution_context.operation_name, outcome)


def noted_operation() -> str | None:
    """The operation's name as noted: the document's only operation's name when the request named none."""
    record = CURRENT.get()
    return None if record is None else record.operation


def note(operation: str | None, outcome: Outcome | None) -> None:
    """The request's operation (None: the one known already) and how it ended, also for a request stopped
    before it could end (a time budget)."""
    record = CURRENT.get()
    if record is not None:
        record.operation = operation or record.operation
        record.outcome = outcome
