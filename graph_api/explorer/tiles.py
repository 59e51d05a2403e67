"""The explorer's tile layer: its URL template, checked at start-up, and the origin its tiles come from."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

PLACEHOLDERS = ("{z}", "{x}", "{y}")
SUBDOMAIN = "{s}"
LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


def tile_source(template: str) -> str:
    """The Content-Security-Policy source allowing the template's tiles: its scheme, host and port.

    Raises ValueError, naming GRAPH_API_TILE_URL, for a template the page could not use or the policy not name.
    """
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https"):
        raise invalid(template, "must be an http:// or https:// URL")
    missing = [placeholder for placeholder in PLACEHOLDERS if placeholder not in parts.path + parts.query]
    if missing:
        raise invalid(template, f"lacks {', '.join(missing)} (Leaflet's placeholders for the zoom, column and row)")
    return f"{parts.scheme}://{host_source(parts, template)}"


def host_source(parts: SplitResult, template: str) -> str:
    """Host and port. Leaflet's `{s}` (the provider's subdomains a, b, c...) may be in the host's first label,
    which becomes the policy's wildcard `*`."""
    labels = (parts.hostname or "").split(".")
    if SUBDOMAIN in labels[0] and len(labels) > 1:
        labels[0] = "*"
    try:
        port = "" if parts.port is None else f":{parts.port}"
    except ValueError:
        raise invalid(template, "has a port that is not a number from 0 to 65535") from None
    if "@" in parts.netloc or not all(LABEL.match(label) for label in labels[labels[0] == "*" :]):
        raise invalid(template, f"must name a host: letters, digits and hyphens, `{SUBDOMAIN}` in its first label")
    return ".".join(labels) + port


def invalid(template: str, problem: str) -> ValueError:
    return ValueError(f"GRAPH_API_TILE_URL {problem}: {template!r}")
