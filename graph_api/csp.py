"""Content-Security-Policy headers for the pages the service serves (the explorer at `/`, GraphiQL on GET /graphql).

Every page starts from the same locked-down base: nothing is allowed unless a directive allows it, no `<base>`
rewrites URLs, no other site frames the page, and fetches go to this origin only (the API itself).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

BASE = {
    "default-src": ["'none'"],
    "connect-src": ["'self'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
}


def policy(directives: Mapping[str, Sequence[str]]) -> str:
    """The header's value: the base, with the page's own directives added (or replacing the base's)."""
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in {**BASE, **directives}.items())
