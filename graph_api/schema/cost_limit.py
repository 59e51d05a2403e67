"""Refuse an operation whose estimated cost is above the maximum, before anything of it runs."""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import AsyncIterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graph_api.schema.context import Context
from graph_api.schema.cost import estimate_cost

COST_LIMIT = "COST_LIMIT"


EstimateKey = tuple[str, str | None, str, int]
"""The document's text, the operation's name, the variables as JSON and which measure of the data sizes."""


class Estimates:
    """The last `max_entries` estimates, by what an estimate is a function of (`EstimateKey`): a map frontend
    asks the same document with the same variables again and again, and its estimate (~100 µs) is the same until
    the data sizes are measured anew. An LRU, process-wide as the parser and validation caches are."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._kept: OrderedDict[EstimateKey, int | None] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: EstimateKey) -> tuple[bool, int | None]:
        """Whether the estimate is kept, and the estimate."""
        if key not in self._kept:
            return False, None
        self._kept.move_to_end(key)
        return True, self._kept[key]

    def put(self, key: EstimateKey, cost: int | None) -> None:
        self._kept[key] = cost
        if len(self._kept) > self.max_entries:
            self._kept.popitem(last=False)


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
        data = await context.data_sizes.current()
        variables = execution.variables or {}
        key = None
        if execution.query is not None:
            try:
                arguments = json.dumps(variables, sort_keys=True, separators=(",", ":"))
            except (TypeError, ValueError):  # not what JSON gives (a caller in process): estimated each time
                arguments = None
            if arguments is not None:
                key = (execution.query, execution.operation_name, arguments, context.data_sizes.measures)
                kept, cost = self.estimates.get(key)
                if kept:
                    return cost
        cost = estimate_cost(
            execution.schema._schema, execution.graphql_document, execution.operation_name, variables, data
        )
        if key is not None:
            self.estimates.put(key, cost)
        return cost

    def get_results(self) -> dict[str, object]:
        return {} if self.cost is None else {"cost": self.cost}


def refusal(cost: int, max_cost: int) -> GraphQLError:
    return GraphQLError(
        f"The operation's estimated cost is {cost:,}, above the maximum of {max_cost:,}: ask for fewer fields, "
        "smaller lists (first, limit, top), fewer aliases or less nesting",
        extensions={"code": COST_LIMIT, "cost": cost, "maxCost": max_cost},
    )
