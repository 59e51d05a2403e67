"""The map explorer's page at `/`, and the files under `/static/` that it and GraphiQL load, from the package."""

from __future__ import annotations

import glob
import hashlib
import re
import tomllib
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import PurePosixPath
from urllib.parse import urljoin

import httpx
import pydantic
import pytest

from graph_api.settings import Settings
from graph_api.store.memory import MemoryStore
from tests.conftest import ROOT, client_for

pytestmark = pytest.mark.anyio

STATIC = ROOT / "graph_api" / "explorer" / "static"
VENDOR = STATIC / "vendor"
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


class Page(HTMLParser):
    """A page's `<meta>` contents and every URL its elements name in `src` or `href`."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.urls: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "meta" and "name" in attributes:
            self.meta[str(attributes["name"])] = str(attributes["content"])
        self.urls += [str(value) for name, value in attrs if name in ("src", "href")]


def settings(**values: str | bool) -> Settings:
    return Settings(_env_file=None, **values)


async def get(path: str, config: Settings | None = None, **headers: str) -> httpx.Response:
    async with client_for(MemoryStore(), config) as client:
        return await client.get(path, headers=headers)


def directives(policy: str) -> dict[str, list[str]]:
    parsed = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in parsed}


async def test_page_fills_in_the_tile_settings_html_escaped() -> None:
    tile_url = "https://{s}.tiles.example.fi/{z}/{x}/{y}.png?style=light&lang=fi"
    attribution = 'Kartta "<b>Esimerkki</b>" & co'
    response = await get("/", settings(GRAPH_API_TILE_URL=tile_url, GRAPH_API_TILE_ATTRIBUTION=attribution))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "$tile" not in response.text
    assert "<b>" not in response.text and "&quot;&lt;b&gt;Esimerkki&lt;/b&gt;&quot; &amp; co" in response.text
    meta = Page(response.text).meta
    assert meta["graph-api-tile-url"] == tile_url
    assert meta["graph-api-tile-attribution"] == attribution


async def test_page_defaults_to_openstreetmap_tiles_with_their_attribution() -> None:
    meta = Page((await get("/")).text).meta
    assert meta["graph-api-tile-url"] == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert meta["graph-api-tile-attribution"] == "© OpenStreetMap contributors"


async def test_page_policy_runs_only_the_servers_scripts_and_shows_images_of_the_tile_origin() -> None:
    response = await get("/", settings(GRAPH_API_TILE_URL="https://{s}.tiles.example.fi:8443/{z}/{x}/{y}.png"))
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:", "https://*.tiles.example.fi:8443"]
    assert policy["connect-src"] == ["'self'"]  # /graphql and /geojson/*
    assert policy["base-uri"] == policy["frame-ancestors"] == ["'none'"]


async def test_page_without_tiles_names_no_tile_origin_and_leaves_the_tile_url_empty() -> None:
    response = await get("/", settings(GRAPH_API_TILE_URL=""))
    assert directives(response.headers["content-security-policy"])["img-src"] == ["'self'", "data:"]
    assert Page(response.text).meta["graph-api-tile-url"] == ""


async def test_page_answers_head_and_is_revalidated_on_each_visit() -> None:
    async with client_for(MemoryStore()) as client:
        response = await client.head("/")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("page", "accept"), [("/", "text/html"), ("/graphql", "text/html")], ids=["explorer", "graphiql"]
)
async def test_every_file_a_page_loads_is_served_by_the_app_with_its_content_type(page: str, accept: str) -> None:
    """Elements' `src` and `href`, and the images their stylesheets name: all from the app, none from elsewhere."""
    async with client_for(MemoryStore()) as client:
        html = (await client.get(page, headers={"accept": accept})).text
        urls = [url for url in Page(html).urls if not url.startswith(("#", "data:"))]
        assert urls
        for url in urls:
            assert url.startswith("/static/"), url
            response = await client.get(url)
            assert response.status_code == 200, url
            assert response.headers["content-type"].split(";")[0] == CONTENT_TYPES[PurePosixPath(url).suffix], url
            if url.endswith(".css"):
                named = [urljoin(url, found) for found in CSS_URL.findall(response.text) if "data:" not in found]
                for image in (found for found in named if not found.endswith("#default#VML")):
                    assert (await client.get(image)).status_code == 200, image


async def test_static_files_are_cacheable_and_answer_304_while_unchanged() -> None:
    async with client_for(MemoryStore()) as client:
        response = await client.get("/static/vendor/leaflet/leaflet.js")
        assert response.headers["cache-control"] == "public, max-age=3600"
        again = await client.get(
            "/static/vendor/leaflet/leaflet.js", headers={"if-none-match": response.headers["etag"]}
        )
    assert again.status_code == 304
    assert again.headers["cache-control"] == "public, max-age=3600"


async def test_static_files_are_gzipped_for_browsers_that_accept_it() -> None:
    async with client_for(MemoryStore()) as client:
        plain = await client.get("/static/vendor/leaflet/leaflet.js", headers={"accept-encoding": "identity"})
        gzipped = await client.get("/static/vendor/leaflet/leaflet.js", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert gzipped.headers["content-encoding"] == "gzip"
    assert gzipped.content == plain.content  # httpx decodes it
    assert gzipped.num_bytes_downloaded < len(plain.content) / 2


async def test_static_does_not_serve_the_page_unfilled() -> None:
    assert (await get("/static/index.html")).status_code == 404


def manifest() -> dict[str, dict[str, str]]:
    """vendor/README.md's table: each file's row by its path under vendor/."""
    rows = [
        [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        for line in (VENDOR / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("|") and not line.startswith("|--")
    ]
    header, *body = rows
    return {row[header.index("File")]: dict(zip(header, row, strict=True)) for row in body}


def test_vendored_files_are_exactly_those_the_manifest_lists_with_their_size_and_sha256() -> None:
    listed = manifest()
    shipped = {path.relative_to(VENDOR).as_posix(): path for path in VENDOR.rglob("*") if path.is_file()}
    del shipped["README.md"]
    assert set(shipped) == set(listed)
    for name, path in shipped.items():
        content = path.read_bytes()
        assert (len(content), hashlib.sha256(content).hexdigest()) == (
            int(listed[name]["Bytes"]),
            listed[name]["sha256"],
        )


def test_every_vendored_library_ships_its_licence() -> None:
    libraries = {PurePosixPath(name).parts[0] for name in manifest()}
    assert all((VENDOR / library / "LICENSE").is_file() for library in libraries)


def test_package_data_covers_the_static_folder() -> None:
    """So that a wheel (a non-editable install) carries the page and its files: setuptools globs the patterns."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["graph_api.explorer"]
    declared = {name for pattern in patterns for name in glob.glob(pattern, root_dir=STATIC.parent, recursive=True)}
    shipped = {path.relative_to(STATIC.parent).as_posix() for path in STATIC.rglob("*") if path.is_file()}
    assert shipped <= declared
    assert (files("graph_api.explorer") / "static" / "index.html").is_file()


@pytest.mark.parametrize(
    "tile_url",
    [
        "ftp://tiles.example.fi/{z}/{x}/{y}.png",
        "tiles.example.fi/{z}/{x}/{y}.png",
        "https://tiles.example.fi/{z}/{x}.png",
        "https://tiles.{s}.example.fi/{z}/{x}/{y}.png",
        "https://user:secret@tiles.example.fi/{z}/{x}/{y}.png",
    ],
)
def test_tile_url_setting_refuses_what_the_page_cannot_load(tile_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPH_API_TILE_URL", tile_url)
    with pytest.raises(pydantic.ValidationError, match="GRAPH_API_TILE_URL"):
        Settings(_env_file=None)
