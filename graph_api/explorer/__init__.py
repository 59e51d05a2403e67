"""The map explorer: the page at `/` and, under `/static/`, its scripts and the vendored libraries (GraphiQL's
among them), all shipped in the package so that nothing is built at install time or fetched from a CDN."""

from __future__ import annotations

STATIC_URL = "/static"
"""Where the package's `static` folder is served."""
