"""GraphQL over HTTP as the GraphQL-over-HTTP draft has it, around strawberry's ASGI view.

Every answer of /graphql is a GraphQL response: refusals that strawberry answers in plain text (a body that is
not JSON, a wrong method or content type) become `{"errors": [...]}` with their HTTP status. A client whose
`Accept` prefers `application/graphql-response+json` gets that media type and the draft's status codes (a
request error, which has no `data`, is 4xx); `application/json` keeps 200 for every GraphQL response.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mimeparse
import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.ides import GraphQL_IDE
from strawberry.http.parse_content_type import parse_content_type
from strawberry.http.typevars import Context, RootValue
from strawberry.schema import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from graph_api.graphiql import content_security_policy, served_locally

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
# mimeparse gives ties to the last: `*/*` and no preference get JSON, which every legacy client reads.
ANSWERABLE = [GRAPHQL_RESPONSE_JSON, JSON]
# A request error's status under graphql-response+json when the server, not the request, failed; else 400.
SERVER_FAILURES = {"TIMEOUT": 504, "STORE_UNAVAILABLE": 503}
HTTP_ERROR_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in; None when `Accept` allows neither (406). No or a malformed `Accept`: JSON."""
    if not accept:
        return JSON
    try:
        return mimeparse.best_match(ANSWERABLE, accept) or None
    except mimeparse.MimeTypeParseException:
        return JSON


def is_request_error(result: ExecutionResult) -> bool:
    """Nothing was executed: no data and no error on a field (field errors have a `path`; request errors do not)."""
    return result.data is None and bool(result.errors) and all(error.path is None for error in result.errors or [])


def response_status(body: GraphQLHTTPResponse, media_type: str) -> int:
    """The draft's status for a GraphQL response: 200 under application/json, 4xx or 5xx for no `data` otherwise."""
    if media_type == JSON or "data" in body:
        return 200
    first: Mapping[str, object] = (body.get("errors") or [{}])[0]  # type: ignore[assignment]
    code = (first.get("extensions") or {}).get("code")  # type: ignore[attr-defined]
    return SERVER_FAILURES.get(code, 400)


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """A refusal before any GraphQL ran, shaped as a GraphQL response so clients read every error one way."""
    error = {"message": message, "extensions": {"code": HTTP_ERROR_CODES.get(status, "BAD_REQUEST")}}
    return JSONResponse({"errors": [error]}, status_code=status, headers=headers)


def refusal(request: Request, exc: HTTPException) -> JSONResponse:
    """Strawberry's plain-text refusal as a GraphQL error; a 405 names the methods allowed (RFC 9110)."""
    if request.method == "GET" and isinstance(exc.__cause__, InvalidOperationTypeError):
        return error_response(405, exc.reason, {"Allow": "POST"})
    headers = {"Allow": "GET, POST"} if exc.status_code == 405 else None
    return error_response(exc.status_code, exc.reason, headers)


class GraphQLOverHTTP(GraphQL[Context, RootValue]):
    """Strawberry's ASGI view, conforming to the GraphQL-over-HTTP draft at the edges (see the module's docstring).
    GraphiQL's page loads its files from the package (graph_api.graphiql)."""

    def __init__(self, schema: BaseSchema, graphql_ide: GraphQL_IDE | None = "graphiql", **options: Any) -> None:
        super().__init__(schema, graphql_ide, **options)
        # Read now rather than on the first GET, so that a page naming a file the package lacks stops the start-up.
        self.graphiql_page = served_locally(self.graphql_ide_html) if graphql_ide else ""
        self.graphiql_policy = content_security_policy(self.graphiql_page)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            response = refusal(request, exc)
        await response(scope, receive, send)

    async def get_sub_response(self, request: Request) -> Response:  # type: ignore[override]
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = negotiate(request.headers.get("accept"))
        return sub_response

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData | list[GraphQLRequestData]:
        if negotiate(request.headers.get("accept")) is None:
            raise HTTPException(406, f"Accept allows neither {GRAPHQL_RESPONSE_JSON} nor {JSON}")
        if request.method == "POST" and parse_content_type(request.content_type or "")[0] != JSON:
            raise HTTPException(415, f"a POST body must be {JSON}")
        data = await super().parse_http_body(request)
        for one in data if isinstance(data, list) else [data]:
            if not isinstance(one.operation_name, str | None):
                raise HTTPException(
                    400, "operationName: must be a string, the name of one of the document's operations"
                )
        return data

    def encode_json(self, data: object) -> str | bytes:
        """orjson: a small answer in ~1 µs rather than the standard library's ~9 (non-ASCII as UTF-8, not `\\u`
        escapes); what orjson does not take (an integer past 64 bits) goes the standard way. Text, not bytes: the
        websocket sends bytes as binary frames, which graphql-transport-ws clients do not read."""
        try:
            return orjson.dumps(data).decode()
        except orjson.JSONEncodeError:
            return super().encode_json(data)

    def parse_json(self, data: str | bytes) -> object:
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        return parsed

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        body = await super().process_result(request, result)
        if is_request_error(result):  # the GraphQL spec: a request error's response has no `data` entry
            del body["data"]
        return body

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        media_type = sub_response.media_type or JSON
        response.status_code = response_status(response_data, media_type)  # type: ignore[arg-type]
        response.headers["content-type"] = media_type if media_type == JSON else f"{media_type}; charset=utf-8"
        return response

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self.graphiql_page, headers={"Content-Security-Policy": self.graphiql_policy})
