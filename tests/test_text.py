from __future__ import annotations

import pytest

from graph_api.text import fold


@pytest.mark.parametrize(
    ("typed", "name"),
    [("jyvaskyla", "Jyväskylä"), ("ABO", "Åbo"), ("mantta", "Mänttä"), ("porvoo", "PORVOO"), ("oeland", "oeland")],
)
def test_fold_makes_typed_and_official_names_equal(typed: str, name: str) -> None:
    assert fold(typed) == fold(name)
