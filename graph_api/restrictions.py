"""The one rule for list arguments and list URL parameters: an explicitly empty list is an error.

Left out (or null), a list that restricts an answer means no restriction. Given but empty, it would answer
nothing or everything depending on the field, and is always a client's mistake, so every such list, in
GraphQL and in URLs, is checked here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TypeVar

from graph_api.errors import InputError

T = TypeVar("T")


def non_empty(values: Collection[T], argument: str, noun: str) -> Collection[T]:
    """A list the client must give, checked to name at least one `noun`."""
    if not values:
        raise InputError(argument, f"is empty: name at least one {noun}")
    return values


def comma_separated(text: str) -> list[str]:
    """The items of a list as a URL parameter or a command-line option gives it: `a, b,` is `a` and `b`."""
    return [item.strip() for item in text.split(",") if item.strip()]


def restriction(values: Iterable[T] | None, argument: str, noun: str) -> frozenset[T] | None:
    """The values to keep, or None for no restriction when the argument was left out."""
    return None if values is None else chosen(values, argument, noun)


def chosen(values: Iterable[T], argument: str, noun: str) -> frozenset[T]:
    """The values of a restricting argument that was given, checked to name at least one `noun`."""
    kept = frozenset(values)
    if not kept:
        raise InputError(argument, f"is empty: name at least one {noun}, or leave it out for all")
    return kept
