"""The schema's limits are built once, so that validation is cached across requests."""

from __future__ import annotations

import uuid

import pytest
import strawberry.schema.schema

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.anyio


async def test_validation_runs_once_for_a_repeated_query(gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    validate = strawberry.schema.schema.validate

    def counting_validate(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return validate(*args, **kwargs)

    monkeypatch.setattr(strawberry.schema.schema, "validate", counting_validate)
    query = f"{{ districts {{ id nameFi }} }} # {uuid.uuid4()}"
    for _ in range(3):
        await gql.data(query)
    assert len(calls) == 1
