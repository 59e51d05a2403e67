"""The Content-Security-Policy of GraphiQL's page: exactly its scripts and stylesheets, read from the page itself.

Reading them from strawberry's HTML keeps the policy right when strawberry changes its CDN links or inline
script. Scripts run only from those URLs and the inline script's hash (no `unsafe-inline`, no `eval`); styles
also allow inline, because GraphiQL's dialogs insert `<style>` elements while it runs.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

FIXED_DIRECTIVES = [
    "default-src 'none'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "font-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
]


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
            self.scripts.append(str(attributes["src"]))
        elif tag == "script":
            self._inline = []
        elif tag == "link" and "stylesheet" in (attributes.get("rel") or "").split():
            self.stylesheets.append(str(attributes["href"]))

    def handle_data(self, data: str) -> None:
        if self._inline is not None:
            self._inline.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._inline is not None:
            digest = hashlib.sha256("".join(self._inline).encode()).digest()
            self.inline_scripts.append(f"'sha256-{base64.b64encode(digest).decode()}'")
            self._inline = None


def content_security_policy(html: str) -> str:
    page = PageSources()
    page.feed(html)
    page.close()
    scripts = " ".join([*page.scripts, *page.inline_scripts])
    styles = " ".join([*page.stylesheets, "'unsafe-inline'"])
    return "; ".join([*FIXED_DIRECTIVES, f"script-src {scripts}", f"style-src {styles}"])
