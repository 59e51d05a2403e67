"""What every resolver gets: the store, behind DataLoaders that batch each relation per request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from starlette.datastructures import State
from strawberry.dataloader import DataLoader

from graph_api.auth.authenticate import Authenticator
from graph_api.auth.caller import Caller
from graph_api.editing.writer import Writer
from graph_api.errors import InputError
from graph_api.geo.geocoding import Geocoder, Geocoding
from graph_api.live import PlaceEvents
from graph_api.models import Agreement, Link, Node, NodeRef
from graph_api.relations import Path
from graph_api.response_cache import not_cacheable
from graph_api.schema.data_sizes import DataSizesCache
from graph_api.schema.ids import parse_global_id
from graph_api.seed_data import SeedData
from graph_api.store.base import GraphStore


@dataclass
class Context:
    """One per request: DataLoaders cache per request, so no answer outlives it. A websocket connection's
    context lives as long as the connection, so each change it pushes starts afresh (`forget_loaded`)."""

    store: GraphStore
    seeded: SeedData
    geocoder: Geocoder
    max_page_size: int
    data_sizes: DataSizesCache
    max_cost: int
    state: State
    authenticator: Authenticator
    events: PlaceEvents
    websocket: bool = False
    authorization: str | None = None
    """The request's `Authorization` header: verified only when a mutation (or the audit) asks who calls."""
    request_id: str | None = None
    _caller: Caller | None = None
    _nodes: DataLoader[NodeRef, Node | None] | None = None
    _paths: dict[Path, DataLoader[NodeRef, list[Link]]] = field(default_factory=dict)
    _agreements: DataLoader[tuple[NodeRef, int | None], list[Agreement]] | None = None
    _geocodings: DataLoader[str, Geocoding] | None = None

    async def caller(self) -> Caller:
        """Who the request's token says calls, verified once a request; `Unauthenticated` if it proves nothing."""
        not_cacheable()
        if self._caller is None:
            self._caller = await self.authenticator.caller(self.authorization)
        return self._caller

    async def writer(self) -> Writer:
        """What a mutation writes through: the caller verified, this request's id, the maps to tell."""
        return Writer(self.store, await self.caller(), self.request_id, self.events)

    def forget_loaded(self) -> None:
        """Drops what the loaders hold, so the next answer reads the store as it is now."""
        self._nodes = self._agreements = self._geocodings = None
        self._paths = {}

    def record_cost(self, cost: int) -> None:
        """The operation's estimated cost, on the request's state where the logs find it."""
        self.state.cost_estimate = cost

    async def geocode(self, address: str) -> Geocoding:
        """Geocoded once per request, so `geocode` and `nearby(near: {address})` side by side agree. Not kept in
        the response cache: an online geocoder answers by its own cache and rules (a fallback while it is down)."""
        not_cacheable()
        if self._geocodings is None:
            self._geocodings = DataLoader(load_fn=self._load_geocodings)
        return await self._geocodings.load(address)

    async def _load_geocodings(self, addresses: Sequence[str]) -> list[Geocoding]:
        return [await self.geocoder.geocode(address) for address in addresses]

    def _node_loader(self) -> DataLoader[NodeRef, Node | None]:
        if self._nodes is None:
            self._nodes = DataLoader(load_fn=self.store.get_many)
        return self._nodes

    async def node(self, ref: NodeRef) -> Node | None:
        return await self._node_loader().load(ref)

    async def existing(self, global_id: str, argument: str, labels: frozenset[str] | None = None) -> Node:
        """The node a client's id names, or an `InputError` on `argument`: malformed, wrong type or unknown."""
        ref = parse_global_id(global_id, argument, labels)
        node = await self.node(ref)
        if node is None:
            raise InputError(argument, f"no {ref.label} has the id {ref}")
        return node

    async def nodes(self, refs: Sequence[NodeRef]) -> list[Node | None]:
        return list(await self._node_loader().load_many(refs))

    async def links(self, start: Node, path: Path) -> list[Link]:
        loader = self._paths.get(path)
        if loader is None:
            loader = self._paths[path] = DataLoader(load_fn=lambda refs: self.store.traverse_many(refs, path))
        return await loader.load(NodeRef.of(start))

    async def related(self, start: Node, path: Path) -> list[Node]:
        return [link.node for link in await self.links(start, path)]

    async def related_one(self, start: Node, path: Path) -> Node | None:
        nodes = await self.related(start, path)
        return nodes[0] if nodes else None

    async def agreements(self, node: Node, year: int | None) -> list[Agreement]:
        """The agreements the node is a party to or holds as a district, batched per year."""
        if self._agreements is None:
            self._agreements = DataLoader(load_fn=self._load_agreements)
        return await self._agreements.load((NodeRef.of(node), year))

    async def _load_agreements(self, keys: Sequence[tuple[NodeRef, int | None]]) -> list[list[Agreement]]:
        found: dict[tuple[NodeRef, int | None], list[Agreement]] = {key: [] for key in keys}
        for year in {year for _, year in keys}:
            for agreement in await self.store.agreements(year, [ref for ref, y in keys if y == year]):
                for node in (agreement.district, agreement.party):
                    found.get((NodeRef.of(node), year), []).append(agreement)
        return [found[key] for key in keys]
