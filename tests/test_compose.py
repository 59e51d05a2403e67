"""compose.yaml runs Neo4j 5.26 and the API the way the API expects to find it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph_api.settings import Settings
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_neo4j_service_is_the_lts_community_image_with_a_volume_and_a_health_check(compose: dict[str, Any]) -> None:
    neo4j = compose["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert "7687:7687" in neo4j["ports"]
    assert any(volume.endswith(":/data") for volume in neo4j["volumes"])
    assert neo4j["volumes"][0].split(":")[0] in compose["volumes"]
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")


def test_neo4j_keeps_connections_alive_only_while_streaming(compose: dict[str, Any]) -> None:
    """Else it hints a read timeout, and the Python driver times every socket read (README: Running on Neo4j)."""
    setting = compose["services"]["neo4j"]["environment"]["NEO4J_server_bolt_connection__keep__alive__for__requests"]
    assert setting == "STREAMING"


@pytest.mark.parametrize("service", ["api", "load"])
def test_api_and_loader_are_built_here_and_wait_for_a_healthy_neo4j(compose: dict[str, Any], service: str) -> None:
    spec = compose["services"][service]
    assert spec["build"] == "."
    assert spec["depends_on"]["neo4j"] == {"condition": "service_healthy"}
    env = spec["environment"]
    assert env["GRAPH_BACKEND"] == "neo4j"
    assert env["NEO4J_URI"] == "bolt://neo4j:7687"
    assert env["NEO4J_USER"] == "neo4j", "the image's admin user is always neo4j"
    assert env["NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD") and "NEO4J_DATABASE" in env


def test_api_serves_after_the_seeds_are_loaded(compose: dict[str, Any]) -> None:
    api = compose["services"]["api"]
    assert api["depends_on"]["load"] == {"condition": "service_completed_successfully"}
    assert compose["services"]["load"]["command"] == ["graph-api", "load"]
    assert "8000:8000" in api["ports"]
    assert api["environment"]["GRAPH_API_PORT"] == "8000" and api["environment"]["GRAPH_API_HOST"] == "0.0.0.0"
    assert "/readyz" in " ".join(api["healthcheck"]["test"])


def test_every_variable_given_to_the_api_is_a_setting(compose: dict[str, Any]) -> None:
    aliases = {field.alias for field in Settings.model_fields.values()}
    assert set(compose["services"]["api"]["environment"]) <= aliases


def test_dockerfile_copies_what_exists_and_serves() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for source in re.findall(r"^COPY (.+) \S+$", dockerfile, flags=re.MULTILINE):
        for name in source.split():
            assert (ROOT / name).exists(), name
    assert 'CMD ["graph-api", "serve"]' in dockerfile
    assert Path(ROOT / "seeds").is_dir() and "GRAPH_API_SEEDS=/app/seeds" in dockerfile


def test_dockerfile_gives_the_embedded_store_a_data_folder_it_may_write() -> None:
    """The image's user has no home, so the default (the user's data directory) could not be created."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "GRAPH_API_DATA=/app/data" in dockerfile and "chown graph-api /app/data" in dockerfile
    assert "VOLUME /app/data" in dockerfile


def test_dockerfile_gives_the_derived_data_a_cache_folder_it_may_write() -> None:
    """The same for `GRAPH_API_CACHE`: without it the gazetteer could not be kept, and each start would warn."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "GRAPH_API_CACHE=/app/cache" in dockerfile and "chown graph-api /app/data /app/cache" in dockerfile
