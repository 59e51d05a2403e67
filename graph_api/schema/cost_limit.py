"""Refuse an operation whose estimated cost is above the maximum, before anything of it runs."""

from __future__ import annotations

from collections.abc import AsyncIterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from graph_api.schema.context import Context
from graph_api.schema.cost import estimate_cost

COST_LIMIT = "COST_LIMIT"


class CostLimit(SchemaExtension):
    """Estimates the operation's cost (`graph_api.schema.cost`) and answers `COST_LIMIT` above the context's
    `max_cost`; a subscription's cost is that of each change it pushes. The answer's `extensions.cost` tells the
    client both, so it can see how near it is; the estimate is also kept on the request for the logs."""

    cost: dict[str, int] | None = None

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
        return estimate_cost(
            execution.schema._schema,
            execution.graphql_document,
            execution.operation_name,
            execution.variables or {},
            data,
        )

    def get_results(self) -> dict[str, object]:
        return {} if self.cost is None else {"cost": self.cost}


def refusal(cost: int, max_cost: int) -> GraphQLError:
    return GraphQLError(
        f"The operation's estimated cost is {cost:,}, above the maximum of {max_cost:,}: ask for fewer fields, "
        "smaller lists (first, limit, top), fewer aliases or less nesting",
        extensions={"code": COST_LIMIT, "cost": cost, "maxCost": max_cost},
    )
