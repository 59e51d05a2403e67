"""Text matching the way Finnish and Swedish speakers type: case and diacritics do not matter."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """`Jyväskylä` and `jyvaskyla` fold alike, as do `Åbo` and `abo`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
