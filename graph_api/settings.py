"""Configuration from environment variables (and a `.env` file), read and validated once at start-up."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from graph_api import __version__
from graph_api.explorer.tiles import tile_source
from graph_api.geo.geocoding import Geocoder, Provider
from graph_api.live import DEFAULT_MAX_SUBSCRIPTIONS, DEFAULT_QUEUE_SIZE
from graph_api.observability.logs import LogFormat
from graph_api.store.base import GraphStore

DEFAULT_SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
DEFAULT_MAX_COST = 500_000
MEMORY_PER_COST = 1024
"""Bytes a request may allocate per unit of its estimated cost: measured at about 250 (tests/api/test_memory.py
holds the bound), with room to spare."""
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = "© OpenStreetMap contributors"
DEFAULT_GEOCODER_URLS = {
    Provider.NOMINATIM: "https://nominatim.openstreetmap.org",
    Provider.PELIAS: "https://api.digitransit.fi/geocoding",
}


class Settings(BaseSettings):
    """Each field is read from the environment variable named by its alias."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    backend: Literal["memory", "neo4j"] = Field(
        default="memory",
        alias="GRAPH_BACKEND",
        description="Where the graph lives: `memory` (networkx, in process) or `neo4j`.",
    )
    host: str = Field(default="127.0.0.1", alias="GRAPH_API_HOST", description="Address to listen on.")
    port: int = Field(default=8000, ge=1, le=65535, alias="GRAPH_API_PORT", description="Port to listen on.")
    seeds_dir: Path = Field(
        default=DEFAULT_SEEDS_DIR, alias="GRAPH_API_SEEDS", description="Seed folder loaded into the embedded store."
    )
    data_dir: Path = Field(
        default=Path(platformdirs.user_data_dir("graph-api")),
        alias="GRAPH_API_DATA",
        description="The embedded store's data folder: a SQLite database keeping every import, applied over the "
        "seeds at start.",
    )
    cache_dir: Path = Field(
        default=Path(platformdirs.user_cache_dir("graph-api")) / "derived",
        alias="GRAPH_API_CACHE",
        description="Folder where what is derived from the seeds (the gazetteer, the populated places) is kept "
        "between runs, under a hash of the seed files and the code: rebuilt whenever either changes.",
    )
    data_poll_s: float = Field(
        default=2.0,
        gt=0,
        le=3600,
        alias="GRAPH_API_DATA_POLL",
        description="Seconds between two looks of a running server at the data folder for other processes' imports.",
    )
    import_max_mb: float = Field(
        default=20,
        gt=0,
        alias="GRAPH_API_IMPORT_MAX_SIZE",
        description="Megabytes an import file (or one PTV answer) may have; a larger one is refused whole.",
    )
    ptv_url: str = Field(
        default="https://api.palvelutietovaranto.suomi.fi",
        pattern=r"^https?://[^/]+",
        alias="PTV_API_URL",
        description="The base URL of PTV's Open API (v11 is read under /api/v11/).",
    )
    ptv_timeout_s: float = Field(
        default=10.0, gt=0, le=300, alias="PTV_TIMEOUT", description="Seconds one PTV request may take."
    )
    ptv_retries: int = Field(
        default=3,
        ge=0,
        le=10,
        alias="PTV_RETRIES",
        description="How many times a PTV request that failed for a passing reason (timeout, 429, 5xx) is retried.",
    )
    graphiql: bool = Field(default=True, alias="GRAPH_API_GRAPHIQL", description="Serve GraphiQL on GET /graphql.")
    explorer: bool = Field(
        default=True,
        alias="GRAPH_API_EXPLORER",
        description="Serve the map explorer on GET / (and its files under /static/).",
    )
    tile_url: str = Field(
        default=DEFAULT_TILE_URL,
        alias="GRAPH_API_TILE_URL",
        description="The explorer's map tiles, an http(s) URL template with `{z}`, `{x}` and `{y}` (and `{s}` in the "
        "host's first label for subdomains); empty: no tiles, the municipality boundaries alone.",
    )
    tile_attribution: str = Field(
        default=DEFAULT_TILE_ATTRIBUTION,
        alias="GRAPH_API_TILE_ATTRIBUTION",
        description="The credit the tiles' provider asks for, shown on the explorer's map under the tiles.",
    )
    max_page_size: int = Field(
        default=100, ge=1, le=1000, alias="GRAPH_API_MAX_PAGE_SIZE", description="Largest `first` a list accepts."
    )
    max_cost: int = Field(
        default=DEFAULT_MAX_COST,
        ge=1,
        alias="GRAPH_API_MAX_COST",
        description="The largest estimated cost an operation may have; above it, it is refused before it runs.",
    )
    max_request_memory_mb: int = Field(
        default=512,
        ge=1,
        alias="GRAPH_API_MAX_REQUEST_MEMORY",
        description="Megabytes one request may grow the process by: with MEMORY_PER_COST bytes per unit of "
        "estimated cost, a lower ceiling on the cost than GRAPH_API_MAX_COST when it is the smaller.",
    )
    document_cache_size: int = Field(
        default=256,
        ge=0,
        alias="GRAPH_API_DOCUMENT_CACHE_SIZE",
        description="How many distinct query documents' parses and validations are kept (least recently used go).",
    )
    response_cache_entries: int = Field(
        default=1024,
        ge=0,
        alias="GRAPH_API_RESPONSE_CACHE_ENTRIES",
        description="How many answers to queries are kept until the data changes (least recently used go); "
        "0 keeps none. Answers that depend on who asks or on the time now are never kept.",
    )
    response_cache_mb: float = Field(
        default=64.0,
        ge=0,
        alias="GRAPH_API_RESPONSE_CACHE_MB",
        description="Megabytes of JSON the kept answers may hold in all; an answer larger than this is not kept.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=["*"],
        alias="GRAPH_API_CORS_ORIGINS",
        description="Origins whose pages may call /graphql and /geojson/*: comma-separated or JSON; `*` for any.",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        alias="GRAPH_API_MAX_BODY_BYTES",
        description="Largest request body read; a larger one is answered 413 before it is read whole.",
    )
    log_format: LogFormat = Field(
        default="text",
        alias="GRAPH_API_LOG_FORMAT",
        description="Log lines as `text`, or as `json`: one JSON object a line.",
    )
    slow_request_ms: float = Field(
        default=1000,
        ge=0,
        alias="GRAPH_API_SLOW_REQUEST_MS",
        description="Requests slower than this many milliseconds are logged at WARNING, with their cost estimate.",
    )
    log_requests: bool = Field(
        default=False,
        alias="GRAPH_API_LOG_REQUESTS",
        description="Log a line at INFO for every request; by default only the slow ones are (at WARNING, with their "
        "cost estimate), and /metrics counts them all. The line costs a fifth of an answer from the response cache.",
    )
    request_timeout_s: float = Field(
        default=5.0,
        gt=0,
        le=3600,
        alias="GRAPH_API_REQUEST_TIMEOUT",
        description="Seconds a GraphQL request may run before it is stopped and answered with a TIMEOUT error.",
    )
    max_subscriptions: int = Field(
        default=DEFAULT_MAX_SUBSCRIPTIONS,
        ge=0,
        alias="GRAPH_API_MAX_SUBSCRIPTIONS",
        description="Most `placesChanged` subscriptions open at once in the process; past it a new one is refused.",
    )
    subscription_queue: int = Field(
        default=DEFAULT_QUEUE_SIZE,
        ge=1,
        le=100_000,
        alias="GRAPH_API_SUBSCRIPTION_QUEUE",
        description="Changes a subscription may fall behind its client before it is ended as too slow.",
    )
    neo4j_uri: str = Field(default="bolt://localhost:7687", alias="NEO4J_URI", description="Neo4j's Bolt URI.")
    neo4j_user: str = Field(default="neo4j", alias="NEO4J_USER", description="Neo4j user.")
    neo4j_password: SecretStr = Field(default=SecretStr(""), alias="NEO4J_PASSWORD", description="Neo4j password.")
    neo4j_database: str = Field(default="neo4j", alias="NEO4J_DATABASE", description="Neo4j database to use.")
    neo4j_timeout_s: float = Field(
        default=1.5, gt=0, le=60, alias="NEO4J_TIMEOUT", description="Seconds a read may try to reach Neo4j."
    )
    neo4j_query_timeout_s: float = Field(
        default=10.0, gt=0, le=600, alias="NEO4J_QUERY_TIMEOUT", description="Seconds a read may run on Neo4j."
    )
    geocoder: Provider = Field(
        default=Provider.OFFLINE,
        alias="GEOCODER",
        description="Who turns addresses into points: `offline` (the shipped gazetteer), `nominatim` or `pelias`.",
    )
    geocoder_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/]+",
        alias="GEOCODER_URL",
        description="The provider's base URL; by default OpenStreetMap's Nominatim or Digitransit's Pelias.",
    )
    geocoder_api_key: SecretStr | None = Field(default=None, alias="GEOCODER_API_KEY", description="Pelias API key.")
    geocoder_api_key_header: str | None = Field(
        default=None,
        alias="GEOCODER_API_KEY_HEADER",
        description="Send the key in this header (`digitransit-subscription-key`) instead of `api_key=`.",
    )
    geocoder_user_agent: str = Field(
        default=f"graph-api/{__version__}",
        alias="GEOCODER_USER_AGENT",
        description="Who is asking; Nominatim's policy wants it to name your application.",
    )
    geocoder_min_delay_s: float = Field(
        default=1.0, ge=0, le=60, alias="GEOCODER_MIN_DELAY", description="Seconds between two provider requests."
    )
    geocoder_timeout_s: float = Field(
        default=3.0,
        gt=0,
        le=60,
        alias="GEOCODER_TIMEOUT",
        description="Seconds an online lookup may take, waiting its turn included, before the gazetteer answers.",
    )
    geocoder_cache_dir: Path = Field(
        default=Path.home() / ".cache" / "graph-api" / "geocoder",
        alias="GEOCODER_CACHE",
        description="Folder of the online providers' answer cache, kept across restarts.",
    )
    geocoder_cache_mb: int = Field(
        default=100,
        ge=1,
        alias="GEOCODER_CACHE_SIZE",
        description="Megabytes the providers' answer cache may take on disk; the least recently used go first.",
    )

    oidc_issuer: str | None = Field(
        default=None,
        alias="OIDC_ISSUER",
        description="OpenID Connect: the issuer (`iss`) whose JWTs are accepted as bearer tokens; with "
        "OIDC_AUDIENCE and OIDC_JWKS_URL, or none of the three (API keys only).",
    )
    oidc_audience: str | None = Field(
        default=None, alias="OIDC_AUDIENCE", description="OpenID Connect: the audience (`aud`) a JWT must name."
    )
    oidc_jwks_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/]+",
        alias="OIDC_JWKS_URL",
        description="OpenID Connect: the issuer's JSON Web Key Set, whose public keys sign its JWTs.",
    )
    oidc_organisation_claim: str = Field(
        default="org",
        min_length=1,
        alias="OIDC_ORGANISATION_CLAIM",
        description="The JWT claim naming the caller's organisation as a global id, e.g. `District:uusimaa`.",
    )
    oidc_scope_claim: str = Field(
        default="scope",
        min_length=1,
        alias="OIDC_SCOPE_CLAIM",
        description="The JWT claim holding the caller's scopes (space-separated, or a list); unknown ones are ignored.",
    )
    oidc_leeway_s: float = Field(
        default=30, ge=0, le=300, alias="OIDC_LEEWAY", description="Seconds of clock skew allowed on `exp` and `nbf`."
    )
    oidc_timeout_s: float = Field(
        default=3.0, gt=0, le=60, alias="OIDC_TIMEOUT", description="Seconds fetching the JWKS may take."
    )
    oidc_jwks_cache_s: float = Field(
        default=300,
        gt=0,
        alias="OIDC_JWKS_CACHE",
        description="Seconds the JWKS is kept before it is fetched again; a JWT signed by a key not in it "
        "(rotation) has it fetched at once.",
    )
    oidc_jwks_refetch_s: float = Field(
        default=30,
        ge=0,
        alias="OIDC_JWKS_REFETCH_INTERVAL",
        description="Seconds at least between two fetches of the JWKS for unknown key ids, so that made-up "
        "tokens cannot flood the issuer.",
    )

    @property
    def import_max_bytes(self) -> int:
        """`import_max_mb` in bytes: a megabyte is 1,000,000 bytes, as file sizes are shown."""
        return int(self.import_max_mb * 1_000_000)

    @property
    def cost_ceiling(self) -> int:
        """The largest estimated cost allowed: `max_cost`, or less where the memory allowed is smaller."""
        return min(self.max_cost, self.max_request_memory_mb * 2**20 // MEMORY_PER_COST)

    @property
    def oidc_enabled(self) -> bool:
        """Whether JWTs are accepted: issuer, audience and JWKS URL are all set."""
        return bool(self.oidc_issuer and self.oidc_audience and self.oidc_jwks_url)

    @model_validator(mode="after")
    def oidc_complete(self) -> Settings:
        """OIDC needs all of issuer, audience and JWKS URL: a partial set is a mistake, not a way to switch it off."""
        given = {
            "OIDC_ISSUER": self.oidc_issuer,
            "OIDC_AUDIENCE": self.oidc_audience,
            "OIDC_JWKS_URL": self.oidc_jwks_url,
        }
        missing = [name for name, value in given.items() if not value]
        if 0 < len(missing) < len(given):
            raise ValueError(f"OpenID Connect needs {', '.join(missing)} as well as the other OIDC_ settings")
        return self

    @field_validator("tile_url")
    @classmethod
    def tile_template(cls, value: str) -> str:
        """Empty, or a URL the page can fetch tiles from and the Content-Security-Policy can name."""
        if value:
            tile_source(value)
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def split_origins(cls, value: object) -> object:
        """`https://a.fi, https://b.fi` as well as `["https://a.fi", "https://b.fi"]`."""
        if isinstance(value, str):
            text = value.strip()
            return (
                json.loads(text) if text.startswith("[") else [part.strip() for part in text.split(",") if part.strip()]
            )
        return value

    def create_geocoder(self) -> Geocoder:
        """The configured geocoder: the offline gazetteer, made on the first address asked; or an online one,
        falling back to the gazetteer, made here since a provider's timeout would leave no time to make it."""
        from graph_api.geo.gazetteer import Gazetteer, OfflineGeocoder

        if self.geocoder is Provider.OFFLINE:
            return OfflineGeocoder(self.seeds_dir, self.cache_dir)
        from graph_api.geo import online
        from graph_api.geo.areas import MunicipalityLocator

        url = self.geocoder_url or DEFAULT_GEOCODER_URLS[self.geocoder]
        if self.geocoder is Provider.NOMINATIM:
            search, interpret = (
                online.nominatim(url, self.geocoder_user_agent, self.geocoder_timeout_s),
                online.nominatim_result,
            )
        else:
            key = None if self.geocoder_api_key is None else self.geocoder_api_key.get_secret_value()
            search = online.pelias(
                url, key, self.geocoder_api_key_header, self.geocoder_user_agent, self.geocoder_timeout_s
            )
            interpret = online.pelias_result
        return online.OnlineGeocoder(
            self.geocoder,
            search,
            interpret,
            fallback=Gazetteer.from_seeds(self.seeds_dir, self.cache_dir),
            locator=MunicipalityLocator.from_seeds(self.seeds_dir),
            cache_dir=self.geocoder_cache_dir,
            cache_mb=self.geocoder_cache_mb,
            min_delay_s=self.geocoder_min_delay_s,
            timeout_s=self.geocoder_timeout_s,
        )

    def create_store(self) -> GraphStore:
        """The configured backend, not yet opened."""
        if self.backend == "neo4j":
            from graph_api.store.neo4j import Neo4jStore

            return Neo4jStore(
                self.neo4j_uri,
                self.neo4j_user,
                self.neo4j_password.get_secret_value(),
                self.neo4j_database,
                self.neo4j_timeout_s,
                self.neo4j_query_timeout_s,
            )
        from graph_api.store.datafolder import DataFolder
        from graph_api.store.memory import MemoryStore

        return MemoryStore(DataFolder(self.data_dir), self.data_poll_s)
