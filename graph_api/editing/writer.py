"""Writing one edit: versions compared and set, the audit written in the same transaction, open maps told.

Every mutation ends here, so every edit is stamped, versioned, audited and published alike. What an edit
creates has the source `api`; what it changes keeps its source (a demo place a partner corrected is still the
demo data), and gets `updatedAt`, so that loading the seeds again never overwrites it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from graph_api.audit import as_fields, field_changes
from graph_api.auth.caller import Caller
from graph_api.live import Change as PlaceChange
from graph_api.live import PlaceChanged, PlaceEvents
from graph_api.models import Change, Dataset, MeetingPlace, Node, NodeRef, Relationship
from graph_api.store.base import GraphStore

EDIT_SOURCE = "api"
"""The source of what an edit creates: a partner's own data, kept by this service."""


@dataclass(frozen=True, slots=True)
class NodeEdit:
    """One node before (None: new) and after an edit, and what changed in its relationships (by field name)."""

    before: Node | None
    after: Node
    related: dict[str, tuple[object, object]] = field(default_factory=dict)


@dataclass
class Writer:
    """What every edit of one request needs: the store, who writes, when, the request it came in."""

    store: GraphStore
    caller: Caller
    request_id: str | None
    events: PlaceEvents
    now: datetime.datetime = field(default_factory=lambda: datetime.datetime.now(datetime.UTC))

    def stamped(self, node: Node, before: Node | None) -> Node:
        """The node as this edit writes it: changed now, one version on from `before`."""
        version = 1 if before is None else before.version + 1
        return dataclasses.replace(node, updated_at=self.now, version=version)

    def relationship(
        self, type_: str, start: Node, end: NodeRef, source: str = EDIT_SOURCE, **properties: object
    ) -> Relationship:
        """A relationship this edit writes, stamped as the node it starts from."""
        return Relationship(type_, NodeRef.of(start), end, source, {**properties, "updated_at": self.now})

    async def commit(
        self,
        operation: str,
        edits: Sequence[NodeEdit],
        relationships: Iterable[Relationship] = (),
        replaces: Iterable[tuple[NodeRef, str]] = (),
    ) -> None:
        """Write the edits in one transaction, each node expected at the version it had when read.

        Shielded from the request's cancellation: a client that leaves, or a time budget that runs out, while
        the store writes never leaves the write half-known. Open maps hear of each meeting place once it is kept.
        """
        dataset = Dataset([edit.after for edit in edits], list(relationships), frozenset(replaces))
        expected = {NodeRef.of(edit.after): 0 if edit.before is None else edit.before.version for edit in edits}
        changes = [
            Change(
                at=self.now,
                actor=self.caller.actor,
                organisation=str(self.caller.organisation),
                operation=operation,
                node=str(NodeRef.of(edit.after)),
                fields=as_fields({**field_changes(edit.before, edit.after), **edit.related}),
                request_id=self.request_id,
                version=edit.after.version,
            )
            for edit in edits
        ]
        await asyncio.shield(self._kept(dataset, expected, changes, edits))

    async def _kept(
        self, dataset: Dataset, expected: dict[NodeRef, int], changes: list[Change], edits: Sequence[NodeEdit]
    ) -> None:
        """Write, then publish: one task, so that a write kept after its request was stopped is still published."""
        await self.store.load(dataset, expected=expected, changes=changes)
        for edit in edits:
            if isinstance(edit.after, MeetingPlace):
                before = edit.before if isinstance(edit.before, MeetingPlace) else None
                change = (
                    PlaceChange.CREATED
                    if before is None
                    else PlaceChange.WITHDRAWN
                    if edit.after.is_withdrawn
                    else PlaceChange.UPDATED
                )
                self.events.publish(PlaceChanged(change, place=edit.after, before=before, at=self.now))
