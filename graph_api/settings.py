"""Configuration from environment variables (and a `.env` file), read and validated once at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph_api.store.base import GraphStore
from graph_api.store.memory import MemoryStore

DEFAULT_SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


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
    graphiql: bool = Field(default=True, alias="GRAPH_API_GRAPHIQL", description="Serve GraphiQL on GET /graphql.")
    max_page_size: int = Field(
        default=100, ge=1, le=1000, alias="GRAPH_API_MAX_PAGE_SIZE", description="Largest `first` a list accepts."
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
        return MemoryStore()
