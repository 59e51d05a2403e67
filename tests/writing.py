"""What tests of writes share: an API key kept in the store, and a GraphQL client that sends its token."""

from __future__ import annotations

import datetime
from typing import Any

import httpx

from graph_api.auth.keys import new_key
from graph_api.store.base import GraphStore
from tests.conftest import GraphQLClient


async def token_for(
    store: GraphStore, organisation: str, *scopes: str, expires_at: datetime.datetime | None = None
) -> str:
    """A new API key of the organisation with these scopes, kept in the store; its token."""
    key, token = new_key(organisation, scopes, datetime.datetime.now(datetime.UTC), expires_at=expires_at)
    await store.add_key(key)
    return token


class WritingClient(GraphQLClient):
    """Posts to /graphql with `Authorization: Bearer TOKEN` (or none, or the header given)."""

    def __init__(self, http: httpx.AsyncClient, authorization: str | None) -> None:
        super().__init__(http)
        self.authorization = authorization

    async def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        headers = {} if self.authorization is None else {"Authorization": self.authorization}
        response = await self.http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]
