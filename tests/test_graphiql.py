"""GraphiQL's page loads its files from the package, not a CDN, and carries a Content-Security-Policy that lets
exactly its own scripts and styles run."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest
import strawberry.http.base

from graph_api.app import create_app
from graph_api.graphiql import NotVendored
from graph_api.settings import Settings
from graph_api.store.memory import MemoryStore
from tests.conftest import client_for

pytestmark = pytest.mark.anyio

TAG = re.compile(r"<(script|link|style)\b([^>]*)>(.*?)(?:</\1>|(?=<))", re.DOTALL)
ATTRIBUTE = re.compile(r'([a-z-]+)(?:="([^"]*)")?')


async def graphiql_page() -> httpx.Response:
    async with client_for(MemoryStore()) as client:
        return await client.get("/graphql", headers={"accept": "text/html"})


def directives(policy: str) -> dict[str, list[str]]:
    parsed = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in parsed}


def sha256_source(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


async def test_graphiql_policy_allows_every_script_and_style_of_the_page_and_nothing_inline_besides() -> None:
    response = await graphiql_page()
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    scripts, styles = set(policy["script-src"]), set(policy["style-src"])
    assert not scripts & {"'unsafe-inline'", "'unsafe-eval'", "*", "https:"}
    page_scripts, inline_scripts, page_styles = 0, set(), 0
    for tag, attributes, content in TAG.findall(response.text):
        attribute = dict(ATTRIBUTE.findall(attributes))
        if tag == "script" and "src" in attribute:
            page_scripts += 1
            assert attribute["src"].startswith("/static/") and "'self'" in scripts
        elif tag == "script":
            inline_scripts.add(sha256_source(content))
        elif tag == "link" and attribute.get("rel") == "stylesheet":
            page_styles += 1
            assert attribute["href"].startswith("/static/") and "'self'" in styles
        elif tag == "style":
            assert "'unsafe-inline'" in styles
    assert scripts == {"'self'", *inline_scripts}
    assert page_scripts >= 5
    assert page_styles >= 2
    assert policy["font-src"] == ["data:"]  # GraphiQL's stylesheet embeds its fonts
    assert policy["connect-src"] == ["'self'"]  # its queries go to /graphql itself
    assert policy["frame-ancestors"] == ["'none'"]


async def test_graphiql_loads_no_script_or_style_from_another_site() -> None:
    response = await graphiql_page()
    for _, attributes, _ in TAG.findall(response.text):
        attribute = dict(ATTRIBUTE.findall(attributes))
        url = attribute.get("src") or (attribute.get("href") if attribute.get("rel") == "stylesheet" else None)
        assert not (url or "").startswith(("http://", "https://", "//")), url
    assert "unpkg.com" not in response.text


async def test_graphiql_files_match_their_integrity_attributes() -> None:
    """Strawberry's subresource integrity hashes, kept: the browser checks the vendored copies against them."""
    async with client_for(MemoryStore()) as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
        checked = 0
        for _, attributes, _ in TAG.findall(page.text):
            attribute = dict(ATTRIBUTE.findall(attributes))
            if "integrity" in attribute:
                served = await client.get(attribute.get("src") or attribute["href"])
                digest = base64.b64encode(hashlib.sha384(served.content).digest()).decode()
                assert attribute["integrity"] == f"sha384-{digest}"
                checked += 1
    assert checked >= 7


def test_graphiql_naming_a_file_not_vendored_stops_the_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """As after an upgrade of strawberry whose page loads a new version from the CDN."""
    upgraded = '<script src="https://unpkg.com/graphiql@9.9.9/graphiql.min.js"></script>'
    monkeypatch.setattr(strawberry.http.base, "get_graphql_ide_html", lambda graphql_ide: upgraded)
    with pytest.raises(NotVendored, match=r"https://unpkg\.com/graphiql@9\.9\.9/graphiql\.min\.js"):
        create_app(MemoryStore(), Settings(_env_file=None))


async def test_graphiql_page_is_not_sniffed() -> None:
    response = await graphiql_page()
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
