"""Who is making a write: the organisation a verified token speaks for, and what it may do."""

from __future__ import annotations

from dataclasses import dataclass

from graph_api.models import NodeRef

PLACES_WRITE = "places:write"
"""Create, edit and withdraw meeting places and their hours; create and edit local associations."""
AGREEMENTS_WRITE = "agreements:write"
"""Make and end a district's agreements."""
ADMIN = "admin"
"""Everything, for every organisation, and the whole audit."""
SCOPES = (PLACES_WRITE, AGREEMENTS_WRITE, ADMIN)

ORGANISATION_LABELS = ("District", "LocalAssociation", "Organization", "FamilyCentre")
"""The node types a caller may speak for: those that run meeting places (`loaders.importing.ORGANISER_LABELS`)."""


@dataclass(frozen=True, slots=True)
class Caller:
    """A verified caller. `subject` is the key's id or the token's `sub`; `key_id` is None for a token."""

    subject: str
    organisation: NodeRef
    scopes: frozenset[str]
    key_id: str | None = None

    @property
    def actor(self) -> str:
        """Who made a change, as the audit records it: `key:ID` or `oidc:SUBJECT`."""
        return f"key:{self.key_id}" if self.key_id is not None else f"oidc:{self.subject}"

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.scopes

    def __str__(self) -> str:
        """How error messages name the caller: `Key ab12 of District:uusimaa`."""
        who = f"Key {self.key_id}" if self.key_id is not None else f"Token subject {self.subject!r}"
        return f"{who} of {self.organisation}"
