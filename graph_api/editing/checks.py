"""An edit's texts checked by the importers' rules (`loaders.importing.check_text`, `check_postal_code`), as errors
on the input field.

Every free text of every mutation passes the same rule: ends trimmed, not empty, not too long, and no control
character (a NUL or a line break is a paste gone wrong, and would be kept, or silently made a space, otherwise).
Anything else, quotes and markup too, is kept as given: it is data, never run.
"""

from __future__ import annotations

from graph_api.errors import InputError
from graph_api.geo.geocoding import MAX_ADDRESS_LENGTH
from graph_api.schema.inputs import check_address
from loaders.importing import MAX_TEXT_LENGTH, check_postal_code, check_text


def text(value: str | None, argument: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    if value is None:
        raise InputError(argument, "cannot be null: it is required")
    try:
        return check_text(value, max_length)
    except ValueError as exc:
        raise InputError(argument, str(exc)) from None


def optional_text(value: str | None, argument: str, max_length: int = MAX_TEXT_LENGTH) -> str | None:
    return None if value is None else text(value, argument, max_length)


def address_text(value: str, argument: str) -> str:
    """An address by the text rule, then as geocoders see it (runs of spaces made one)."""
    return check_address(text(value, argument, MAX_ADDRESS_LENGTH), argument)


def postal_code(value: str | None, argument: str) -> str | None:
    """A postal code by the rule every importer applies too; None clears it."""
    if value is None:
        return None
    try:
        return check_postal_code(value)
    except ValueError as exc:
        raise InputError(argument, str(exc)) from None
