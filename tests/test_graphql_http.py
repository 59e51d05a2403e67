"""/graphql by the GraphQL-over-HTTP draft: operation choice, GraphQL-shaped refusals, media types and statuses."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graph_api.graphql_http import GRAPHQL_RESPONSE_JSON, GraphQLOverHTTP, response_status
from graph_api.schema import build_schema
from graph_api.store.base import GraphStore
from tests.conftest import client_for

pytestmark = pytest.mark.anyio

PREFERS_GRAPHQL_RESPONSE = {"accept": f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9"}
AS_JSON = {"content-type": "application/json"}
REGIONS = "{ regions { id } }"
TWO_OPERATIONS = "query Regions { regions { id } } query Districts { districts { id } }"


@pytest.fixture
async def client(store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    """The shipped seeds on each backend."""
    async with client_for(store) as http:
        yield http


def only_error(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"errors"}, body
    assert len(body["errors"]) == 1
    return body["errors"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", [5, ["Regions"], {"name": "Regions"}])
async def test_an_operation_name_that_is_not_a_string_is_refused(client: httpx.AsyncClient, name: object) -> None:
    response = await client.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": name})
    assert response.status_code == 400
    assert only_error(response)["message"].startswith("operationName: must be a string")
    metrics = (await client.get("/metrics")).text
    assert 'graph_api_http_request_duration_seconds_count{method="POST",route="/graphql",status="400"} 1.0' in metrics


async def test_several_operations_without_operation_name_run_none(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": TWO_OPERATIONS})
    assert response.status_code == 200
    error = only_error(response)
    assert error["message"] == "operationName: the document has 2 operations (Regions, Districts); name one"
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "operationName"}


async def test_operation_name_chooses_among_several(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "Districts"})
    assert len(response.json()["data"]["districts"]) == 10


async def test_operation_name_naming_no_operation_is_an_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": TWO_OPERATIONS, "operationName": "Agreements"})
    assert only_error(response)["message"] == (
        "operationName: the document has no operation named 'Agreements' (Regions, Districts)"
    )


async def test_one_operation_needs_no_name(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "query Regions { regions { id } }"})
    assert len(response.json()["data"]["regions"]) == 19


@pytest.mark.parametrize(
    ("method", "request_options", "status", "code"),
    [
        pytest.param("POST", {"content": b"{bad", "headers": AS_JSON}, 400, "BAD_REQUEST", id="malformed-json"),
        pytest.param("POST", {"content": b"3", "headers": AS_JSON}, 400, "BAD_REQUEST", id="body-not-an-object"),
        pytest.param("POST", {"content": b"[{}]", "headers": AS_JSON}, 400, "BAD_REQUEST", id="batch"),
        pytest.param("POST", {"json": {}}, 400, "BAD_REQUEST", id="no-query"),
        pytest.param("POST", {"json": {"query": 3}}, 400, "BAD_REQUEST", id="query-not-a-string"),
        pytest.param(
            "POST",
            {"json": {"query": "{ regions { id } }", "variables": [7]}},
            400,
            "BAD_REQUEST",
            id="variables-not-an-object",
        ),
        pytest.param(
            "POST",
            {"content": b"{ regions { id } }", "headers": {"content-type": "text/plain"}},
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            id="wrong-content-type",
        ),
        pytest.param("POST", {"content": b"{}"}, 415, "UNSUPPORTED_MEDIA_TYPE", id="no-content-type"),
        pytest.param(
            "GET",
            {"params": {"query": "{ regions { id } }", "variables": "{bad"}},
            400,
            "BAD_REQUEST",
            id="get-malformed-variables",
        ),
        pytest.param("GET", {"headers": {"accept": "application/json"}}, 400, "BAD_REQUEST", id="get-without-query"),
        pytest.param(
            "GET",
            {"params": {"query": REGIONS}, "headers": {"accept": "text/csv"}},
            406,
            "NOT_ACCEPTABLE",
            id="accept-nothing-served",
        ),
        pytest.param("PUT", {"json": {"query": REGIONS}}, 405, "METHOD_NOT_ALLOWED", id="put"),
        pytest.param("DELETE", {}, 405, "METHOD_NOT_ALLOWED", id="delete"),
        pytest.param(
            "GET", {"params": {"query": "mutation { regions { id } }"}}, 405, "METHOD_NOT_ALLOWED", id="get-mutation"
        ),
    ],
)
async def test_requests_that_are_not_graphql_get_graphql_shaped_refusals(
    client: httpx.AsyncClient, method: str, request_options: dict[str, Any], status: int, code: str
) -> None:
    response = await client.request(method, "/graphql", **request_options)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    error = only_error(response)
    assert error["message"]
    assert error["extensions"] == {"code": code}


async def test_405_says_which_methods_are_allowed(client: httpx.AsyncClient) -> None:
    assert (await client.put("/graphql")).headers["allow"] == "GET, POST"
    mutation = await client.get("/graphql", params={"query": "mutation { regions { id } }"})
    assert mutation.headers["allow"] == "POST"


@pytest.mark.parametrize(
    "accept", ["application/json", "*/*", None, "application/json, application/graphql-response+json"]
)
async def test_application_json_is_200_for_every_graphql_response(
    client: httpx.AsyncClient, accept: str | None
) -> None:
    headers = {"accept": accept} if accept else {}
    if accept is None:
        client.headers.pop("accept")
    response = await client.post("/graphql", json={"query": "{ nowhere }"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "data" not in response.json()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param("{ regions { id }", "Syntax Error", id="parse"),
        pytest.param("{ nowhere }", "Cannot query field 'nowhere'", id="validation"),
        pytest.param(TWO_OPERATIONS, "operationName:", id="operation"),
        pytest.param("query ($id: ID!) { node(id: $id) { id } }", "Variable '$id'", id="variables"),
    ],
)
async def test_graphql_response_json_answers_request_errors_400_without_data(
    client: httpx.AsyncClient, query: str, message: str
) -> None:
    response = await client.post("/graphql", json={"query": query}, headers=PREFERS_GRAPHQL_RESPONSE)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    assert message in only_error(response)["message"]


async def test_graphql_response_json_answers_200_once_execution_started(client: httpx.AsyncClient) -> None:
    good = await client.post("/graphql", json={"query": REGIONS}, headers=PREFERS_GRAPHQL_RESPONSE)
    assert (good.status_code, len(good.json()["data"]["regions"])) == (200, 19)
    assert good.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    field_error = await client.post(
        "/graphql", json={"query": '{ node(id: "no colon") { id } }'}, headers=PREFERS_GRAPHQL_RESPONSE
    )
    assert field_error.status_code == 200
    assert field_error.json()["data"] == {"node": None}


@pytest.mark.parametrize(
    ("code", "status"), [("COST_LIMIT", 400), ("BAD_USER_INPUT", 400), ("TIMEOUT", 504), ("STORE_UNAVAILABLE", 503)]
)
def test_a_response_without_data_gets_its_status_from_its_first_error(code: str, status: int) -> None:
    body: Any = {"errors": [{"message": "refused", "extensions": {"code": code}}]}
    assert response_status(body, GRAPHQL_RESPONSE_JSON) == status
    assert response_status(body, "application/json") == 200
    assert response_status({"data": None, **body}, GRAPHQL_RESPONSE_JSON) == 200


async def test_answers_are_json_in_utf_8_as_the_standard_library_reads_them(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ regions { id nameFi nameSv } }"})
    names = {region["nameSv"] for region in json.loads(response.content.decode("utf-8"))["data"]["regions"]}
    assert "Södra Österbotten" in names
    assert "Södra Österbotten".encode() in response.content  # as UTF-8, not as \u escapes


def test_what_the_fast_encoder_refuses_is_encoded_as_the_standard_library_does() -> None:
    """A JSON scalar passes on what the data holds: an integer past 64 bits too."""
    answer = {"data": {"properties": {"count": 2**70, "name": "Hämeenlinna"}}}
    encoded = GraphQLOverHTTP(build_schema(), graphql_ide=None).encode_json(answer)
    assert json.loads(encoded) == answer
