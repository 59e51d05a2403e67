"""GraphiQL's page: strawberry's, loading the vendored copies of its files, and a Content-Security-Policy that
allows exactly its scripts and stylesheets, read from the page itself.

Strawberry's page loads React, GraphiQL and its plugin from unpkg.com, so GraphiQL would be blank without
internet; the package serves the same files, at the same versions (graph_api/explorer/static/vendor/README.md),
and the page's `integrity` attributes still hold for them. A page naming a URL the table does not know stops the
start-up, so that an upgrade of strawberry cannot bring the CDN back unnoticed.

Reading the policy from the page keeps it right when strawberry changes its inline script. Scripts run only from
this origin and the inline script's hash (no `unsafe-inline`, no `eval`); styles also allow inline, because
GraphiQL's dialogs insert `<style>` elements while it runs.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

from graph_api import csp
from graph_api.explorer import STATIC_URL

UNPKG = "https://unpkg.com/"
VENDORED = {
    f"{UNPKG}react@18.2.0/umd/react.production.min.js": "vendor/react/react.production.min.js",
    f"{UNPKG}react-dom@18.2.0/umd/react-dom.production.min.js": "vendor/react-dom/react-dom.production.min.js",
    f"{UNPKG}js-cookie@3.0.5/dist/js.cookie.min.js": "vendor/js-cookie/js.cookie.min.js",
    f"{UNPKG}graphiql@3.8.3/graphiql.min.css": "vendor/graphiql/graphiql.min.css",
    f"{UNPKG}graphiql@3.8.3/graphiql.min.js": "vendor/graphiql/graphiql.min.js",
    f"{UNPKG}@graphiql/plugin-explorer@1.0.2/dist/style.css": "vendor/graphiql-plugin-explorer/style.css",
    f"{UNPKG}@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "vendor/graphiql-plugin-explorer/index.umd.js",
}
"""Each file strawberry's page loads, and its copy in the package's static folder."""
ABSOLUTE_URL = re.compile(r"https?://[^\s\"'<>`)]+")
XML_NAMESPACES = "http://www.w3.org/"
"""Names, not files: the page's SVG icon declares its namespace, which nothing fetches."""


class NotVendored(RuntimeError):
    """Strawberry's GraphiQL page names a file the package does not ship."""


def served_locally(html: str) -> str:
    """The page with each of its files loaded from the package; NotVendored when it names any other URL."""
    unknown = sorted(
        {url for url in ABSOLUTE_URL.findall(html) if url not in VENDORED and not url.startswith(XML_NAMESPACES)}
    )
    if unknown:
        raise NotVendored(
            f"strawberry's GraphiQL page loads {', '.join(unknown)}, which the package does not ship: vendor it "
            "under graph_api/explorer/static/vendor/ (see its README.md) and add it to graph_api.graphiql.VENDORED"
        )
    for url, path in VENDORED.items():
        html = html.replace(url, f"{STATIC_URL}/{path}")
    return html


class PageSources(HTMLParser):
    """Collects a page's script and stylesheet URLs and the hashes of its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.inline_scripts: list[str] = []
        self._inline: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("src"):
            self.scripts.append(source(str(attributes["src"])))
        elif tag == "script":
            self._inline = []
        elif tag == "link" and "stylesheet" in (attributes.get("rel") or "").split():
            self.stylesheets.append(source(str(attributes["href"])))

    def handle_data(self, data: str) -> None:
        if self._inline is not None:
            self._inline.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._inline is not None:
            digest = hashlib.sha256("".join(self._inline).encode()).digest()
            self.inline_scripts.append(f"'sha256-{base64.b64encode(digest).decode()}'")
            self._inline = None


def source(url: str) -> str:
    """A policy's source for the URL: a path on this server is `'self'` (a source cannot be a bare path)."""
    return "'self'" if url.startswith("/") and not url.startswith("//") else url


def content_security_policy(html: str) -> str:
    page = PageSources()
    page.feed(html)
    page.close()
    return csp.policy(
        {
            "script-src": list(dict.fromkeys([*page.scripts, *page.inline_scripts])),
            "style-src": list(dict.fromkeys([*page.stylesheets, "'unsafe-inline'"])),
            "img-src": ["'self'", "data:"],
            "font-src": ["data:"],  # GraphiQL's stylesheet embeds its fonts
            "form-action": ["'none'"],
        }
    )
