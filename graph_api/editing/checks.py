"""An edit's texts checked by the importers' rule (`loaders.importing.check_text`), as errors on the input field."""

from __future__ import annotations

from graph_api.errors import InputError
from loaders.importing import check_text


def text(value: str | None, argument: str) -> str:
    if value is None:
        raise InputError(argument, "cannot be null: it is required")
    try:
        return check_text(value)
    except ValueError as exc:
        raise InputError(argument, str(exc)) from None


def optional_text(value: str | None, argument: str) -> str | None:
    return None if value is None else text(value, argument)
