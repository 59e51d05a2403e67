"""The explorer's routes: the page at `/`, filled with the tile settings, and the package's static folder under
`/static/`.

Caching: the page is answered `no-cache` (it is small, and carries the settings and the policy, which a restart
may change), the files under /static/ `public, max-age=3600`. Their names carry no version or hash (there is no
build step to add one), so they cannot be cached for ever: an hour spares repeat visits the requests, bounds how
long a browser may mix an upgraded page with the files of the version before, and after it the ETag and
Last-Modified headers turn the request into a 304. Files are sent gzipped to browsers that accept it: a first
visit then moves a quarter to a third of the bytes (GraphiQL's 3.5 MB script: 0.73 MB).
"""

from __future__ import annotations

import html
import os
import string
from importlib.resources import files
from pathlib import PurePath
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

from graph_api import csp
from graph_api.explorer import STATIC_URL
from graph_api.explorer.tiles import tile_source
from graph_api.graphiql import VENDORED

if TYPE_CHECKING:
    from graph_api.settings import Settings

PACKAGE = "graph_api.explorer"
STATIC = "static"
TEMPLATE = "index.html"
PAGE_CACHE = "no-cache"
ASSET_CACHE = "public, max-age=3600"
GZIP_LEVEL = 6
"""zlib's default: level 9 takes about twice as long for a few per cent fewer bytes."""
GRAPHIQL_FILES = frozenset(VENDORED.values())


def routes(settings: Settings) -> list[BaseRoute]:
    """The page and all static files; with the explorer off, only the files GraphiQL loads (when it is on)."""
    if settings.explorer:
        return [page_route(settings), Mount(STATIC_URL, compressed(Assets()))]
    if settings.graphiql:
        return [Mount(STATIC_URL, compressed(Assets(only=GRAPHIQL_FILES)))]
    return []


def page_route(settings: Settings) -> Route:
    """GET (and HEAD) `/`: the page, rendered once, with its Content-Security-Policy."""
    template = string.Template((files(PACKAGE) / STATIC / TEMPLATE).read_text(encoding="utf-8"))
    body = template.safe_substitute(
        tile_url=html.escape(settings.tile_url, quote=True),
        tile_attribution=html.escape(settings.tile_attribution, quote=True),
    )
    headers = {"Content-Security-Policy": page_policy(settings.tile_url), "Cache-Control": PAGE_CACHE}

    async def page(request: Request) -> Response:
        return HTMLResponse(body, headers=headers)

    return Route("/", page, methods=["GET"])


def page_policy(tile_url: str) -> str:
    """Scripts from this origin only. Styles inline too: the `<style>` element Cytoscape.js inserts, and style
    attributes in the HTML of Leaflet's icons and popups. Images from here, `data:` (the page's icon) and the tile
    server."""
    tiles = [tile_source(tile_url)] if tile_url else []
    return csp.policy(
        {
            "script-src": ["'self'"],
            "style-src": ["'self'", "'unsafe-inline'"],
            "img-src": ["'self'", "data:", *tiles],
            "font-src": ["'self'"],
            "form-action": ["'self'"],
        }
    )


def compressed(assets: Assets) -> GZipMiddleware:
    return GZipMiddleware(assets, compresslevel=GZIP_LEVEL)


class Assets(StaticFiles):
    """The package's static folder, cacheable (see the module's docstring); only the files in `only` when given.
    The page's template is not served as a file: `/` serves it filled in."""

    def __init__(self, only: frozenset[str] | None = None) -> None:
        super().__init__(packages=[(PACKAGE, STATIC)])
        self.only = only

    async def get_response(self, path: str, scope: Scope) -> Response:
        name = PurePath(path).as_posix()
        if name == TEMPLATE or (self.only is not None and name not in self.only):
            raise HTTPException(status_code=404)
        return await super().get_response(path, scope)

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = ASSET_CACHE
        return response
