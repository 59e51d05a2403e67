"""The ASGI application: /graphql (GraphiQL on GET, subscriptions over a websocket), /healthz, /readyz,
/metrics, the GeoJSON layers and the map explorer (`/`, `/static/`), over one injected store."""

from __future__ import annotations

import contextlib
import datetime
import gzip
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from cross_web import AsyncHTTPRequestAdapter
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult, SubscriptionExecutionResult
from strawberry.types.unset import UNSET

from graph_api import __version__, heap, maps
from graph_api.auth.authenticate import Authenticator
from graph_api.budget import Stopped, stopped_message, stopped_result, within_budget
from graph_api.cancellation import in_worker
from graph_api.errors import InputError, StoreUnavailable
from graph_api.etags import etag, none_match
from graph_api.explorer import page
from graph_api.geo.instrumented import InstrumentedGeocoder
from graph_api.graphql_http import GraphQLOverHTTP
from graph_api.live import PlaceEvents
from graph_api.middleware.body_limit import BodySizeLimitMiddleware
from graph_api.middleware.cors import PathCORSMiddleware
from graph_api.middleware.kept_answers import KeptAnswers
from graph_api.middleware.nosniff import NOSNIFF
from graph_api.observability.caches import register_cache
from graph_api.observability.metrics import Metrics
from graph_api.observability.middleware import RequestObserver
from graph_api.observability.outcomes import Outcome, outcome_of
from graph_api.observability.requests import current_request_id, note, noted_operation
from graph_api.offers import Asked, place_filter
from graph_api.response_cache import ResponseCache, is_complete, request_key, watching
from graph_api.schema import build_schema
from graph_api.schema.context import Context
from graph_api.schema.data_sizes import DataSizesCache
from graph_api.seed_data import SeedData
from graph_api.settings import Settings
from graph_api.store.base import GraphStore
from graph_api.store.instrumented import InstrumentedStore

LAYER_MAX_AGE_S = 300
CONNECTION_INIT_TIMEOUT = datetime.timedelta(seconds=10)
"""How long a websocket may stay open before its client sends `connection_init` (clients send it at once)."""
SUBSCRIPTIONS_PER_CONNECTION = 20
"""Operations one websocket may run at once; one more gets an `error` message (a map needs one per view)."""


class GraphQLApp(GraphQLOverHTTP[Context, None]):
    """Strawberry's view over our store. Websockets speak graphql-transport-ws only (graphql-ws, the older
    protocol of subscriptions-transport-ws, is not offered), from the origins CORS allows."""

    def __init__(
        self, store: GraphStore, settings: Settings, metrics: Metrics, data_sizes: DataSizesCache, events: PlaceEvents
    ) -> None:
        super().__init__(
            build_schema(settings.document_cache_size),
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=CONNECTION_INIT_TIMEOUT,
            max_subscriptions_per_connection=SUBSCRIPTIONS_PER_CONNECTION,
            allowed_origins=settings.cors_origins,
        )
        self.store = store
        self.events = events
        self.seeded = SeedData(settings.seeds_dir, settings.cache_dir)
        self.geocoder = InstrumentedGeocoder(settings.create_geocoder(), metrics.geocodings)
        self.max_page_size = settings.max_page_size
        self.max_cost = settings.cost_ceiling
        self.data_sizes = data_sizes
        self.request_timeout_s = settings.request_timeout_s
        self.authenticator = Authenticator(store, settings)
        max_bytes = int(settings.response_cache_mb * 2**20)
        self.responses = ResponseCache(settings.response_cache_entries, max_bytes, metrics.response_cache)
        register_cache("responses", self.responses)

    async def get_context(self, request: Request | WebSocket, response: object) -> Context:
        """One per HTTP request, or one per websocket connection (shared by its subscriptions)."""
        return Context(
            store=self.store,
            seeded=self.seeded,
            geocoder=self.geocoder,
            max_page_size=self.max_page_size,
            data_sizes=self.data_sizes,
            max_cost=self.max_cost,
            state=request.state,
            authenticator=self.authenticator,
            authorization=request.headers.get("authorization"),
            request_id=current_request_id(),
            events=self.events,
            websocket=isinstance(request, WebSocket),
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
        """Within the time budget, and only while the client is there to read the answer. (Subscriptions, which
        live long by design, run over a websocket and never come here.) Notes whether the answer may be kept."""
        operation = super().execute_operation(request, request_adapter, request_data, context, root_value, sub_response)
        with watching() as reads:
            result = await within_budget(operation, self.request_timeout_s, request.receive)
        if not isinstance(result, Stopped):
            single = isinstance(request_data, GraphQLRequestData) and request_data.protocol == "http"
            complete = isinstance(result, ExecutionResult) and is_complete(result)
            request.state.cacheable = single and complete and not reads.depends_on_more
            return result
        stopped = stopped_result(result, self.request_timeout_s)
        name = request_data.operation_name if isinstance(request_data, GraphQLRequestData) else None
        note(name, outcome_of(stopped.errors))
        return stopped

    async def _cache_key(self, request: Request) -> tuple[Any, ...] | None:
        """The request's key in the response cache; None when it is not to be looked up there."""
        if not self.responses.enabled or request.method not in ("GET", "POST"):
            return None
        version = await self.store.data_version()
        if version is None:
            return None
        await self.data_sizes.current()  # the figures the cost limit estimates with: measured now if they are due
        body = await request.body() if request.method == "POST" else b""
        scope = request.scope
        return request_key(
            request.method, scope["query_string"], body, scope["headers"], (version, self.data_sizes.measures)
        )

    async def kept(self, request: Request) -> Response | None:
        """The answer kept for the very same request while the data is the same (`graph_api.response_cache`), or
        None: then the request's key is noted for `run` to keep the answer under, when it may be kept. Asked by
        `KeptAnswers` before the router, for every HTTP request to /graphql."""
        key = await self._cache_key(request)
        kept = None if key is None else self.responses.get(key)
        if kept is None:
            request.state.response_key = key
            return None
        note(kept.operation, Outcome.OK)
        return self._tagged(request, Response(kept.body, headers={"content-type": kept.media_type}))

    async def run(
        self, request: Request | WebSocket, context: Context = UNSET, root_value: None = UNSET
    ) -> Response | WebSocket:
        """The answer made, and kept under the key `kept` noted when it may be."""
        if not isinstance(request, Request):
            return await super().run(request, context, root_value)
        response = await super().run(request, context, root_value)  # type: ignore[assignment]
        if not getattr(request.state, "cacheable", False):
            return response
        key = getattr(request.state, "response_key", None)
        if key is not None and response.status_code == 200:
            self.responses.put(key, response.body, response.headers["content-type"], noted_operation())
        return self._tagged(request, response)

    @staticmethod
    def _tagged(request: Request, response: Response) -> Response:
        """A GET whose answer could be kept gets an `ETag` (a hash of the bytes and media type) and a 304 when
        `If-None-Match` names it, so that browsers and CDNs keep it too, asking again each time (`no-cache`); on
        either backend, whether or not the response cache keeps the answer."""
        if request.method != "GET":
            return response
        tag = etag(response.headers["content-type"].encode() + b"\n" + response.body)
        headers = {"ETag": tag, "Cache-Control": "no-cache", "Vary": "Accept"}
        if none_match(request.headers.get("if-none-match"), tag):
            return Response(status_code=304, headers=headers)
        response.headers.update(headers)
        return response


def create_app(
    store: GraphStore,
    settings: Settings | None = None,
    on_startup: Callable[[GraphStore], Awaitable[None]] | None = None,
) -> Starlette:
    """Build the app around a store; `on_startup` runs after the store opens (e.g. to load seeds).

    Writers publish their changes to the app's broker, `app.state.events` (resolvers: `info.context.events`).
    """
    settings = settings or Settings()
    metrics = Metrics()
    events = PlaceEvents(settings.max_subscriptions, settings.subscription_queue)
    served = InstrumentedStore(store, metrics.store_seconds)  # the start-up hook gets the store as given

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.open()
        if on_startup is not None:
            await on_startup(store)
        heap.settle()
        graphql.data_sizes.refresh()  # the cost limit's figures, measured before the first request needs them
        try:
            yield
        finally:
            events.close()
            await store.close()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    async def readyz(request: Request) -> JSONResponse:
        try:
            await served.ping()
        except StoreUnavailable as exc:
            return JSONResponse({"status": "unavailable", "store": served.name, "reason": str(exc)}, status_code=503)
        return JSONResponse({"status": "ready", "store": served.name})

    async def prometheus(request: Request) -> Response:
        body, content_type = metrics.exposition()
        return Response(body, headers={"Content-Type": content_type})

    graphql = GraphQLApp(served, settings, metrics, DataSizesCache.of(store), events)
    locator = graphql.seeded.locator

    async def meeting_places(request: Request) -> Response:
        params = request.query_params
        bounds = maps.parse_bbox(params["bbox"]) if "bbox" in params else None
        kinds = maps.parse_kinds(params["kinds"]) if "kinds" in params else None
        activities = Asked.by_key(params.get("activities"), "activities", "Activity")
        tasks = Asked.by_key(params.get("tasks"), "tasks", "FamilyCentreTask")

        async def layer() -> dict[str, object]:
            places = await place_filter(served, kinds, activities, tasks)
            return await maps.meeting_places_layer(served, bounds, places)

        return await geojson(request, layer(), settings.request_timeout_s)

    async def municipalities(request: Request) -> Response:
        tolerance = maps.parse_tolerance(request.query_params.get("tolerance", str(maps.DEFAULT_TOLERANCE)))
        layer = maps.municipalities_layer(served, await locator.get(), tolerance)
        return await geojson(request, layer, settings.request_timeout_s)

    async def welfare_areas(request: Request) -> Response:
        tolerance = maps.parse_tolerance(request.query_params.get("tolerance", str(maps.DEFAULT_TOLERANCE)))
        layer = maps.welfare_areas_layer(served, await locator.get(), tolerance)
        return await geojson(request, layer, settings.request_timeout_s)

    graphql_route = Route("/graphql", graphql)  # any method: the view answers 405 as GraphQL
    app = Starlette(
        routes=[
            graphql_route,
            WebSocketRoute("/graphql", graphql),  # subscriptions (graph_api.schema.subscription)
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", prometheus),
            Route("/geojson/meeting-places", meeting_places),
            Route("/geojson/municipalities", municipalities),
            Route("/geojson/welfare-areas", welfare_areas),
            *page.routes(settings),
        ],
        middleware=[
            Middleware(
                RequestObserver,
                metrics=metrics,
                slow_request_ms=settings.slow_request_ms,
                log_requests=settings.log_requests,
                headers=NOSNIFF,  # on every answer
            ),
            *edge_middleware(settings),
            Middleware(KeptAnswers, route=graphql_route, path="/graphql", lookup=graphql.kept),
        ],
        exception_handlers={InputError: bad_parameter, StoreUnavailable: store_unavailable},  # type: ignore[dict-item]
        lifespan=lifespan,
    )
    app.state.events = events
    return app


def edge_middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: CORS headers on refusals too, then the body limit."""
    return [
        Middleware(PathCORSMiddleware, paths=["/graphql", "/geojson/"], allow_origins=settings.cors_origins),
        Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes),
    ]


async def geojson(request: Request, layer: Awaitable[dict[str, object]], timeout_s: float) -> Response:
    """The layer as `application/geo+json`, gzipped for clients that accept it (the municipality boundaries go
    from 220 to 60 kB), cacheable by browsers and proxies, 304 when unchanged; within the time budget (504
    past it) and only while the client is there, as a GraphQL request."""
    body = await within_budget(_encoded(layer), timeout_s, request.receive)
    if isinstance(body, Stopped):
        return JSONResponse({"error": {"message": stopped_message(body, timeout_s)}}, status_code=504)
    gzipped = "gzip" in request.headers.get("accept-encoding", "")  # as starlette's GZipMiddleware decides
    tag = etag(body, "gzip" if gzipped else "")  # each encoding is a representation of its own
    headers = {"ETag": tag, "Cache-Control": f"public, max-age={LAYER_MAX_AGE_S}", "Vary": "Accept-Encoding"}
    if none_match(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    if gzipped:
        body = await in_worker(gzip.compress, body, page.GZIP_LEVEL)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="application/geo+json", headers=headers)


async def _encoded(layer: Awaitable[dict[str, object]]) -> bytes:
    collection = await layer
    return await in_worker(lambda: json.dumps(collection, separators=(",", ":")).encode())


async def bad_parameter(request: Request, exc: InputError) -> JSONResponse:
    return JSONResponse({"error": {"parameter": exc.argument, "message": str(exc)}}, status_code=400)


async def store_unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
    return JSONResponse({"error": {"message": str(exc)}}, status_code=503)
