"""Refuse an operation whose estimated cost is above the maximum, before anything of it runs."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from typing import Any

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graph_api.schema.context import Context
from graph_api.schema.cost import Estimate, estimate, fitting

COST_LIMIT = "COST_LIMIT"


OperationKey = tuple[str, str | None, int]
"""The document's text, the operation's name and which measure of the data sizes (`DataSizesCache.measures`)."""


class Estimates:
    """The last `max_entries` estimates, each by its operation (`OperationKey`) and the values of the variables it
    depends on: a map frontend asks the same document again and again, and its estimate (~100 µs) stays the same
    until the data sizes are measured anew; a `nearby` at another point too, as a point sizes nothing. An LRU,
    process-wide as the parser and validation caches are.

    Which variables an operation's estimates depend on is learnt as they are made, and grows as they read more
    (an argument read only for some values of another): every estimate is kept by at least the variables it read."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._kept: OrderedDict[tuple[OperationKey, frozenset[str], str], int] = OrderedDict()
        self._depends_on: OrderedDict[OperationKey, frozenset[str]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, operation: OperationKey, variables: Mapping[str, Any]) -> int | None:
        names = self._depends_on.get(operation)
        values = None if names is None else _values(variables, names)
        if names is None or values is None or (operation, names, values) not in self._kept:
            return None
        self._kept.move_to_end((operation, names, values))
        return self._kept[operation, names, values]

    def put(self, operation: OperationKey, variables: Mapping[str, Any], estimate: Estimate) -> None:
        """Kept by the names as well as the values: an estimate kept by fewer names than another request's
        estimate read is never taken for it."""
        names = self._depends_on.get(operation, frozenset()) | estimate.variables
        values = _values(variables, names)
        if values is None:  # not what JSON gives (a caller in process): estimated each time
            return
        self._depends_on[operation] = names
        self._depends_on.move_to_end(operation)
        self._kept[operation, names, values] = estimate.cost
        for kept in (self._depends_on, self._kept):
            while len(kept) > self.max_entries:
                kept.popitem(last=False)


def _values(variables: Mapping[str, Any], names: frozenset[str]) -> str | None:
    """The values of the variables named, as JSON; None when they are not JSON's."""
    try:
        return json.dumps({name: variables[name] for name in names if name in variables}, sort_keys=True)
    except (TypeError, ValueError):
        return None


class CostLimit(SchemaExtension):
    """Estimates the operation's cost (`graph_api.schema.cost`) and answers `COST_LIMIT` above the context's
    `max_cost`; a subscription's cost is that of each change it pushes. The answer's `extensions.cost` tells the
    client both, so it can see how near it is; the estimate is also kept on the request for the logs."""

    cost: dict[str, int] | None = None

    def __init__(self, estimates: Estimates) -> None:
        super().__init__()
        self.estimates = estimates

    async def on_execute(self) -> AsyncIterator[None]:
        execution = self.execution_context
        context = execution.context
        cost = await self._estimate(context) if isinstance(context, Context) else None
        if cost is not None:
            context.record_cost(cost)
            self.cost = {"estimated": cost, "maximum": context.max_cost}
            if cost > context.max_cost and execution.operation_type is OperationType.SUBSCRIPTION:
                raise refusal(cost, context.max_cost)  # a subscription runs whatever `result` says: this stops it
            if cost > context.max_cost:
                execution.result = ExecutionResult(data=None, errors=[refusal(cost, context.max_cost)])
        yield

    async def _estimate(self, context: Context) -> int | None:
        execution = self.execution_context
        if execution.graphql_document is None:
            return None
        schema, document, variables = execution.schema._schema, execution.graphql_document, execution.variables or {}
        fitted = fitting(schema, document, execution.operation_name, variables)
        if fitted is None:
            return None
        data = await context.data_sizes.current()
        operation = (
            None
            if execution.query is None
            else (execution.query, execution.operation_name, context.data_sizes.measures)
        )
        kept = None if operation is None else self.estimates.get(operation, variables)
        if kept is not None:
            return kept
        made = estimate(schema, document, fitted, data)
        if operation is not None:
            self.estimates.put(operation, variables, made)
        return made.cost

    def get_results(self) -> dict[str, object]:
        return {} if self.cost is None else {"cost": self.cost}


def refusal(cost: int, max_cost: int) -> GraphQLError:
    return GraphQLError(
        f"The operation's estimated cost is {cost:,}, above the maximum of {max_cost:,}: ask for fewer fields, "
        "smaller lists (first, limit, top), fewer aliases or less nesting",
        extensions={"code": COST_LIMIT, "cost": cost, "maxCost": max_cost},
    )
