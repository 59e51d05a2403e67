"""`Lazy`: made on first use, once however many ask at the same time, and never on the event loop."""

from __future__ import annotations

import threading

import anyio
import pytest

from graph_api.lazy import Lazy

pytestmark = pytest.mark.anyio


async def test_lazy_is_made_once_for_everyone_asking_while_it_is_made() -> None:
    made, release = [], threading.Event()

    def make() -> str:
        release.wait(5)
        made.append("made")
        return "value"

    lazy = Lazy(make)
    got: list[str] = []

    async def ask() -> None:
        got.append(await lazy.get())

    async with anyio.create_task_group() as group:
        for _ in range(5):
            group.start_soon(ask)
        await anyio.sleep(0.05)
        assert got == []  # all waiting, and the event loop free meanwhile (this test runs on it)
        release.set()
    assert (made, got, await lazy.get()) == (["made"], ["value"] * 5, "value")


async def test_lazy_asked_by_a_request_that_is_over_is_still_made_for_the_next() -> None:
    release = threading.Event()
    lazy = Lazy(lambda: release.wait(5) and "value")
    with anyio.move_on_after(0.05):
        await lazy.get()
    release.set()
    assert await lazy.get() == "value"
