"""The committed seeds are exactly what the loader commands write."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest

from loaders.demo import generate_demo
from loaders.reference import import_reference
from tests.conftest import ROOT, SEEDS

SHARED_DATA = ROOT.parent / "shared" / "data"


def differing_files(left: Path, right: Path) -> list[str]:
    names = sorted(
        {p.relative_to(left).as_posix() for p in left.rglob("*.*")}
        | {p.relative_to(right).as_posix() for p in right.rglob("*.*")}
    )
    return [
        n
        for n in names
        if not (left / n).exists() or not (right / n).exists() or not filecmp.cmp(left / n, right / n, shallow=False)
    ]


def test_demo_generation_is_deterministic_and_committed(tmp_path: Path) -> None:
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    shutil.rmtree(copy / "demo")
    counts = generate_demo(copy)
    assert 550 <= counts["MeetingPlace"] <= 600
    assert differing_files(SEEDS / "demo", copy / "demo") == []


def test_another_random_seed_gives_other_demo_data(tmp_path: Path) -> None:
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    generate_demo(copy, seed=1)
    assert "nodes/MeetingPlace.csv" in differing_files(SEEDS / "demo", copy / "demo")


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="the project's shared/data is not beside this checkout")
def test_reference_seeds_are_what_import_reference_writes(tmp_path: Path) -> None:
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS / "reference", copy / "reference")
    import_reference(SHARED_DATA, copy)
    assert differing_files(SEEDS / "reference", copy / "reference") == []
