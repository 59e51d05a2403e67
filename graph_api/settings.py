"""Configuration from environment variables (and a `.env` file), read and validated once at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import DirectoryPath, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


class Settings(BaseSettings):
    """Each field is read from the environment variable named by its alias."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    backend: Literal["memory"] = Field(
        default="memory", alias="GRAPH_BACKEND", description="Where the graph lives: `memory` (networkx, in process)."
    )
    host: str = Field(default="127.0.0.1", alias="GRAPH_API_HOST", description="Address to listen on.")
    port: int = Field(default=8000, ge=1, le=65535, alias="GRAPH_API_PORT", description="Port to listen on.")
    seeds_dir: DirectoryPath = Field(
        default=DEFAULT_SEEDS_DIR, alias="GRAPH_API_SEEDS", description="Seed folder loaded into the embedded store."
    )
    graphiql: bool = Field(default=True, alias="GRAPH_API_GRAPHIQL", description="Serve GraphiQL on GET /graphql.")
    max_page_size: int = Field(
        default=100, ge=1, le=1000, alias="GRAPH_API_MAX_PAGE_SIZE", description="Largest `first` a list accepts."
    )
