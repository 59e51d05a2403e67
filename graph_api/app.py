"""The ASGI application: /graphql (GraphiQL on GET), /healthz and /readyz, over one injected store."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable

from cross_web import (
    AsyncHTTPRequestAdapter,
    HTTPException,  # strawberry's own: its view turns it into the HTTP answer
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult, SubscriptionExecutionResult

from graph_api import __version__, maps
from graph_api.budget import Stopped, stopped_result, within_budget
from graph_api.errors import InputError, StoreUnavailable
from graph_api.geo.areas import MunicipalityLocator
from graph_api.planning.population import Settlements
from graph_api.schema import build_schema
from graph_api.schema.context import Context
from graph_api.settings import Settings
from graph_api.store.base import GraphStore

LAYER_MAX_AGE_S = 300


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, store: GraphStore, settings: Settings) -> None:
        super().__init__(build_schema(), graphql_ide="graphiql" if settings.graphiql else None)
        self.store = store
        self.locator = MunicipalityLocator.from_seeds(settings.seeds_dir)
        self.geocoder = settings.create_geocoder()
        self.settlements = Settlements.from_seeds(settings.seeds_dir)
        self.max_page_size = settings.max_page_size
        self.request_timeout_s = settings.request_timeout_s

    async def get_context(self, request: object, response: object) -> Context:
        return Context(
            store=self.store,
            locator=self.locator,
            geocoder=self.geocoder,
            settlements=self.settlements,
            max_page_size=self.max_page_size,
        )

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        """Within the time budget, and only while the client is there to read the answer."""
        operation = super().execute_operation(request, request_adapter, request_data, context, root_value, sub_response)
        result = await within_budget(operation, self.request_timeout_s, request.receive)
        return stopped_result(result, self.request_timeout_s) if isinstance(result, Stopped) else result

    def parse_json(self, data: str | bytes) -> object:
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        return parsed


def create_app(
    store: GraphStore,
    settings: Settings | None = None,
    on_startup: Callable[[GraphStore], Awaitable[None]] | None = None,
) -> Starlette:
    """Build the app around a store; `on_startup` runs after the store opens (e.g. to load seeds)."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.open()
        if on_startup is not None:
            await on_startup(store)
        try:
            yield
        finally:
            await store.close()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    async def readyz(request: Request) -> JSONResponse:
        try:
            await store.ping()
        except StoreUnavailable as exc:
            return JSONResponse({"status": "unavailable", "store": store.name, "reason": str(exc)}, status_code=503)
        return JSONResponse({"status": "ready", "store": store.name})

    graphql = GraphQLApp(store, settings)
    locator = graphql.locator

    async def meeting_places(request: Request) -> Response:
        params = request.query_params
        bounds = maps.parse_bbox(params["bbox"]) if "bbox" in params else None
        kinds = maps.parse_kinds(params["kinds"]) if "kinds" in params else None
        return await geojson(request, maps.meeting_places_layer(store, bounds, kinds))

    async def municipalities(request: Request) -> Response:
        tolerance = maps.parse_tolerance(request.query_params.get("tolerance", str(maps.DEFAULT_TOLERANCE)))
        return await geojson(request, maps.municipalities_layer(store, locator, tolerance))

    async def welfare_areas(request: Request) -> Response:
        tolerance = maps.parse_tolerance(request.query_params.get("tolerance", str(maps.DEFAULT_TOLERANCE)))
        return await geojson(request, maps.welfare_areas_layer(store, locator, tolerance))

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/geojson/meeting-places", meeting_places),
            Route("/geojson/municipalities", municipalities),
            Route("/geojson/welfare-areas", welfare_areas),
        ],
        exception_handlers={InputError: bad_parameter, StoreUnavailable: store_unavailable},  # type: ignore[dict-item]
        lifespan=lifespan,
    )


async def geojson(request: Request, layer: Awaitable[dict[str, object]]) -> Response:
    """The layer as `application/geo+json`, cacheable by browsers and proxies, 304 when unchanged."""
    body = json.dumps(await layer, separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={LAYER_MAX_AGE_S}"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/geo+json", headers=headers)


async def bad_parameter(request: Request, exc: InputError) -> JSONResponse:
    return JSONResponse({"error": {"parameter": exc.argument, "message": str(exc)}}, status_code=400)


async def store_unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
    return JSONResponse({"error": {"message": str(exc)}}, status_code=503)
