"""`X-Content-Type-Options: nosniff` on every answer, so no browser runs a JSON or GeoJSON answer as a script.

Set by `RequestObserver` with the request id, in the one pass over the answer's headers every answer takes
(a middleware of its own wrapping `send` again cost ~5% of a cached answer)."""

from __future__ import annotations

NOSNIFF = {"X-Content-Type-Options": "nosniff"}
