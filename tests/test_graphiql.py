"""GraphiQL's page carries a Content-Security-Policy that lets exactly its own scripts and styles run."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

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
    page_scripts = page_styles = 0
    for tag, attributes, content in TAG.findall(response.text):
        attribute = dict(ATTRIBUTE.findall(attributes))
        if tag == "script":
            page_scripts += 1
            assert (attribute["src"] if "src" in attribute else sha256_source(content)) in scripts
        elif tag == "link" and attribute.get("rel") == "stylesheet":
            page_styles += 1
            assert attribute["href"] in styles
        elif tag == "style":
            assert "'unsafe-inline'" in styles
    assert page_scripts == len(scripts) >= 5
    assert page_styles >= 2
    assert policy["font-src"] == ["data:"]  # GraphiQL's stylesheet embeds its fonts
    assert policy["connect-src"] == ["'self'"]  # its queries go to /graphql itself
    assert policy["frame-ancestors"] == ["'none'"]


async def test_graphiql_page_is_not_sniffed() -> None:
    response = await graphiql_page()
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
