"""Global ids (`Municipality:091`) and opaque page cursors, both checked before use."""

from __future__ import annotations

import base64
import binascii

from graph_api.errors import InputError
from graph_api.models import NodeRef


def parse_global_id(value: str, argument: str, labels: frozenset[str] | None = None) -> NodeRef:
    """The node a global id names; `labels` limits which types the argument accepts."""
    ref = NodeRef.parse(value)
    if ref is None:
        raise InputError(argument, f"{value!r} is not a global id of the form Type:key (e.g. Municipality:091)")
    if labels is not None and ref.label not in labels:
        raise InputError(argument, f"{value!r} is a {ref.label}; expected the id of a {' or '.join(sorted(labels))}")
    return ref


def encode_cursor(label: str, key: str) -> str:
    """A cursor pointing after the item of a list of `label` with this key (a node's key, an import's number)."""
    return base64.urlsafe_b64encode(f"{label}:{key}".encode()).decode()


def decode_cursor(cursor: str, label: str, argument: str = "after") -> str:
    """The key a cursor of a list of `label` points after."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
    except (UnicodeError, binascii.Error, ValueError):
        text = ""
    ref_label, sep, key = text.partition(":")
    if ref_label != label or not sep or not key:
        raise InputError(argument, f"{cursor!r} is not a cursor of this list")
    return key
