"""Entity tags: validators that let browsers, proxies and CDNs ask again with `If-None-Match` and get a 304."""

from __future__ import annotations

import hashlib


def etag(body: bytes, variant: str = "") -> str:
    """A strong tag of the body; `variant` names the representation (an encoding, a media type) when several are."""
    digest = hashlib.sha256(body).hexdigest()[:32]
    return f'"{digest}-{variant}"' if variant else f'"{digest}"'


def none_match(if_none_match: str | None, tag: str) -> bool:
    """Whether `If-None-Match` lists the tag (weakly compared, as RFC 9110 has it for this header) or is `*`."""
    if not if_none_match:
        return False
    listed = {candidate.strip().removeprefix("W/") for candidate in if_none_match.split(",")}
    return "*" in listed or tag in listed
