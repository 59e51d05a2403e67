"""The root query: lookups by id, lists, proximity and agreements."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graph_api import maps
from graph_api.errors import InputError
from graph_api.geo.geocoding import MAX_RESULTS
from graph_api.models import NodeRef, Point
from graph_api.relations import MUNICIPALITIES_OF_AREA, MUNICIPALITY_MEETING_PLACES, Path
from graph_api.restrictions import non_empty, restriction
from graph_api.schema.audit import changes
from graph_api.schema.context import Context
from graph_api.schema.coverage import (
    AreaCoverage,
    CoverageGaps,
    TaskCoverage,
    coverage_field,
    coverage_gaps_field,
    task_coverage_field,
)
from graph_api.schema.ids import parse_global_id
from graph_api.schema.imports import imports
from graph_api.schema.inputs import (
    FILTERS,
    ActivityIds,
    BoundsInput,
    IncludeWithdrawn,
    MeetingPlaceFilter,
    MunicipalityFilter,
    NearInput,
    OpenAt,
    TaskIds,
    bounds_of,
    check_address,
    check_latitude,
    check_longitude,
    check_moment,
    check_range,
    check_year,
    near_point,
    places_asked,
    search_text,
)
from graph_api.schema.network import agreement_history, area_network, partners_of, path, relations
from graph_api.schema.pagination import DEFAULT_PAGE_SIZE, Connection, connection, page_query
from graph_api.schema.types import (
    Activity,
    Agreement,
    Clusters,
    District,
    FamilyCentreTask,
    Geocoding,
    MeetingPlace,
    MeetingPlaceKind,
    Municipality,
    NearbyHit,
    Node,
    PlacesInBounds,
    Region,
    WelfareArea,
    WhereIs,
    where_is,
)

MAX_RADIUS_KM = 1000.0
DEFAULT_RADIUS_KM = 10.0
MAX_NEARBY = 100
DEFAULT_NEARBY = 20
MAX_IN_BOUNDS = 1000
DEFAULT_IN_BOUNDS = 500
MAX_IDS = 100
DEFAULT_GEOCODE = 5


async def _keys_in_areas(
    info: Info[Context, None], area_ids: Iterable[str] | None, extra: Path, argument: str
) -> frozenset[str] | None:
    """Keys of the municipalities (or, with `extra`, what `extra` leads to) in any of the areas; None for all."""
    areas_asked = restriction(area_ids, argument, "area id")
    if areas_asked is None:
        return None
    labels = frozenset(MUNICIPALITIES_OF_AREA)
    areas = await asyncio.gather(*(info.context.existing(area_id, argument, labels) for area_id in sorted(areas_asked)))
    refs = [NodeRef.of(area) for area in areas]
    keys: set[str] = set()
    for ref in refs:
        links = await info.context.store.traverse_many([ref], (*MUNICIPALITIES_OF_AREA[ref.label], *extra))
        keys.update(link.node.key for link in links[0])
    return frozenset(keys)


@strawberry.type
class Query:
    @strawberry.field(description="The node with this global id, or null if there is none.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        return await info.context.node(parse_global_id(id, "id"))

    @strawberry.field(description=f"The nodes with these global ids (at most {MAX_IDS}), null where there is none.")
    async def nodes(self, info: Info[Context, None], ids: list[strawberry.ID]) -> list[Node | None]:
        non_empty(ids, "ids", "id")
        if len(ids) > MAX_IDS:
            raise InputError("ids", f"{len(ids)} ids asked; at most {MAX_IDS} at a time")
        return await info.context.nodes([parse_global_id(value, "ids") for value in ids])

    @strawberry.field(description="The 19 regions (maakunnat), Åland included.")
    async def regions(self, info: Info[Context, None]) -> list[Region]:
        return await info.context.store.every("Region")  # type: ignore[return-value]

    @strawberry.field(description="The 21 wellbeing services counties and the City of Helsinki.")
    async def welfare_areas(self, info: Info[Context, None]) -> list[WelfareArea]:
        return await info.context.store.every("WelfareArea")  # type: ignore[return-value]

    @strawberry.field(description="MLL's 10 district organisations.")
    async def districts(self, info: Info[Context, None]) -> list[District]:
        return await info.context.store.every("District")  # type: ignore[return-value]

    @strawberry.field(description="The MLL activity types.")
    async def activities(self, info: Info[Context, None]) -> list[Activity]:
        return await info.context.store.every("Activity")  # type: ignore[return-value]

    @strawberry.field(description="THL's four family-centre tasks.")
    async def family_centre_tasks(self, info: Info[Context, None]) -> list[FamilyCentreTask]:
        return await info.context.store.every("FamilyCentreTask")  # type: ignore[return-value]

    @strawberry.field(description="Municipalities in code order, a page at a time.")
    async def municipalities(
        self,
        info: Info[Context, None],
        filter: MunicipalityFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
    ) -> Connection[Municipality]:
        filter = filter or MunicipalityFilter()
        keys = await _keys_in_areas(info, filter.area_ids, (), "filter.areaIds")
        query = page_query(
            "Municipality",
            first,
            after,
            info.context.max_page_size,
            keys=keys,
            search=search_text(filter.search, "filter.search"),
        )
        return connection(await info.context.store.find("Municipality", query))

    @strawberry.field(description="Meeting places in key order, a page at a time.")
    async def meeting_places(
        self,
        info: Info[Context, None],
        filter: MeetingPlaceFilter | None = None,
        first: int = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        open_at: OpenAt = None,
        include_withdrawn: IncludeWithdrawn = False,
    ) -> Connection[MeetingPlace]:
        filter = filter or MeetingPlaceFilter()
        keys = await _keys_in_areas(info, filter.area_ids, MUNICIPALITY_MEETING_PLACES, "filter.areaIds")
        moment = check_moment(open_at, "openAt")
        places = await places_asked(
            info.context.store, filter.kinds, filter.activity_ids, filter.task_ids, moment, prefix="filter."
        )
        query = page_query(
            "MeetingPlace",
            first,
            after,
            info.context.max_page_size,
            keys=keys,
            places=places,
            search=search_text(filter.search, "filter.search"),
            include_withdrawn=include_withdrawn,
        )
        return connection(await info.context.store.find("MeetingPlace", query))

    @strawberry.field(description=f"Meeting places within `radiusKm` (geodesic, WGS-84), nearest first. {FILTERS}")
    async def nearby(
        self,
        info: Info[Context, None],
        near: NearInput,
        radius_km: float = DEFAULT_RADIUS_KM,
        limit: int = DEFAULT_NEARBY,
        kinds: list[MeetingPlaceKind] | None = None,
        open_at: OpenAt = None,
        activity_ids: ActivityIds = None,
        task_ids: TaskIds = None,
    ) -> list[NearbyHit]:
        center = near_point(near)
        check_range(radius_km, 0, MAX_RADIUS_KM, "radiusKm", low_open=True)
        check_range(limit, 1, MAX_NEARBY, "limit")
        moment = check_moment(open_at, "openAt")
        places = await places_asked(info.context.store, kinds, activity_ids, task_ids, moment)
        if isinstance(center, str):
            found = await info.context.geocode(center)
            if not found.results:
                raise InputError("near.address", found.reason or "nothing found")
            center = found.results[0].location
        return await info.context.store.nearby(center, radius_km, limit, places)  # type: ignore[return-value]

    @strawberry.field(description=f"Meeting places inside a map view, in key order. {FILTERS}")
    async def in_bounds(
        self,
        info: Info[Context, None],
        bounds: BoundsInput,
        kinds: list[MeetingPlaceKind] | None = None,
        limit: int = DEFAULT_IN_BOUNDS,
        open_at: OpenAt = None,
        activity_ids: ActivityIds = None,
        task_ids: TaskIds = None,
    ) -> PlacesInBounds:
        box = bounds_of(bounds)
        check_range(limit, 1, MAX_IN_BOUNDS, "limit")
        moment = check_moment(open_at, "openAt")
        places = await places_asked(info.context.store, kinds, activity_ids, task_ids, moment)
        return await info.context.store.in_bounds(box, limit, places)  # type: ignore[return-value]

    @strawberry.field(
        description="Meeting places inside a map view counted per cell, for a zoomed-out map. `zoom` is the map's on "
        f"256-px tiles (Leaflet's `getZoom()`; MapLibre's, rounded down, + 1), from 0 to {maps.MAX_ZOOM}; each cell "
        f"is a 64-px square on such a map, the slippy-map tile at `zoom` + 2. {FILTERS}"
    )
    async def clusters(
        self,
        info: Info[Context, None],
        bounds: BoundsInput,
        zoom: int,
        kinds: list[MeetingPlaceKind] | None = None,
        activity_ids: ActivityIds = None,
        task_ids: TaskIds = None,
    ) -> Clusters:
        box = bounds_of(bounds)
        places = await places_asked(info.context.store, kinds, activity_ids, task_ids)
        return await maps.place_clusters(info.context.store, box, zoom, places)  # type: ignore[return-value]

    @strawberry.field(description=f"Meeting places as a GeoJSON FeatureCollection, for a map layer. {FILTERS}")
    async def meeting_places_geo_json(
        self,
        info: Info[Context, None],
        bounds: BoundsInput | None = None,
        kinds: list[MeetingPlaceKind] | None = None,
        activity_ids: ActivityIds = None,
        task_ids: TaskIds = None,
    ) -> JSON:
        box = None if bounds is None else bounds_of(bounds)
        places = await places_asked(info.context.store, kinds, activity_ids, task_ids)
        return await maps.meeting_places_layer(info.context.store, box, places)

    @strawberry.field(
        description="Municipality boundaries as GeoJSON, simplified by `tolerance` degrees, for a choropleth."
    )
    async def municipalities_geo_json(
        self, info: Info[Context, None], tolerance: float = maps.DEFAULT_TOLERANCE
    ) -> JSON:
        return await maps.municipalities_layer(info.context.store, await info.context.seeded.locator.get(), tolerance)

    @strawberry.field(description="County (and Helsinki) boundaries as GeoJSON, simplified by `tolerance` degrees.")
    async def welfare_areas_geo_json(
        self, info: Info[Context, None], tolerance: float = maps.DEFAULT_TOLERANCE
    ) -> JSON:
        return await maps.welfare_areas_layer(info.context.store, await info.context.seeded.locator.get(), tolerance)

    @strawberry.field(
        description="The places an address, postal code or place name may mean, best first; "
        "case, diacritics and Finnish or Swedish names do not matter."
    )
    async def geocode(self, info: Info[Context, None], address: str, limit: int = DEFAULT_GEOCODE) -> Geocoding:
        text = check_address(address, "address")
        check_range(limit, 1, MAX_RESULTS, "limit")
        found = await info.context.geocode(text)
        return Geocoding(address=text, results=found.results[:limit], reason=found.reason)  # type: ignore[arg-type]

    @strawberry.field(
        description="The municipality, county, region, MLL districts and postal code area a point lies in."
    )
    async def where_is(self, info: Info[Context, None], lat: float, lon: float) -> WhereIs:
        return await where_is(info, Point(check_latitude(lat, "lat"), check_longitude(lon, "lon")))

    @strawberry.field(description="Agreements in force at some time in `year`; all of them when no year is given.")
    async def agreements(self, info: Info[Context, None], year: int | None = None) -> list[Agreement]:
        return await info.context.store.agreements(check_year(year))  # type: ignore[return-value]

    # Relations for partners, resolved in graph_api.schema.network.
    relations = relations
    path = path
    partners = partners_of
    agreement_history = agreement_history
    network = area_network
    coverage: AreaCoverage = coverage_field
    coverage_gaps: CoverageGaps = coverage_gaps_field
    task_coverage: TaskCoverage = task_coverage_field

    # Where the data came from: graph_api.schema.imports; who changed what: graph_api.schema.audit.
    imports = imports
    changes = changes
