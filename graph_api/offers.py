"""What meeting places offer, as clients ask by it: MLL's activities, and THL's family-centre tasks they serve.

Every question about places (coverage, gaps, nearby, map views, clusters, layers, reports) takes activities and
tasks alike: ids checked to exist and to be of the right type, an empty list refused (`graph_api.restrictions`),
and national activities alone refused, since no place offers a phone line, a chat or a website. GraphQL names
nodes by global id (`Activity:family-cafes`); URLs and the command line by key (`family-cafes`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graph_api.errors import InputError
from graph_api.models import Activity, ActivityChannel, MeetingPlaceKind, Node, NodeRef
from graph_api.restrictions import comma_separated, restriction
from graph_api.store.base import GraphStore, PlaceFilter

NOUNS = {"Activity": "activity", "FamilyCentreTask": "family-centre task"}
MAX_IDS = 100
"""More than there are activities and tasks: a longer list is a client's mistake, refused before any read."""


@dataclass(frozen=True, slots=True)
class Asked:
    """The nodes one argument names (None when it was left out), with the argument's name for its errors."""

    argument: str
    label: str
    refs: frozenset[NodeRef] | None

    @classmethod
    def by_key(cls, text: str | None, argument: str, label: str) -> Asked:
        """Comma-separated keys, as a URL parameter or a command-line option gives them."""
        keys = None if text is None else comma_separated(text)
        check_count(keys, argument)
        return cls.of(None if keys is None else [NodeRef(label, key) for key in keys], argument, label)

    @classmethod
    def of(cls, refs: Sequence[NodeRef] | None, argument: str, label: str) -> Asked:
        """Refs already counted with `check_count`: a caller checks the count before it parses a long list."""
        return cls(argument, label, restriction(refs, argument, NOUNS[label]))

    @property
    def keys(self) -> frozenset[str] | None:
        return None if self.refs is None else frozenset(ref.key for ref in self.refs)


async def place_filter(
    store: GraphStore,
    kinds: frozenset[MeetingPlaceKind] | None,
    activities: Asked,
    tasks: Asked,
    open_at: datetime.datetime | None = None,
) -> PlaceFilter:
    """The places a client asked for, once every activity and task named is known (one read for all)."""
    asked = sorted((activities.refs or frozenset()) | (tasks.refs or frozenset()), key=str)
    # No read when none is named: most requests name none, and the store's timing would count a call for nothing.
    found = dict(zip(asked, await store.get_many(asked), strict=True)) if asked else {}
    for argument in (activities, tasks):
        missing = sorted(str(ref) for ref in argument.refs or () if found[ref] is None)
        if missing:
            raise InputError(argument.argument, f"no {argument.label} has the id {', '.join(missing)}")
    if activities.refs is not None and len(national(found[ref] for ref in activities.refs)) == len(activities.refs):
        raise InputError(
            activities.argument,
            f"{', '.join(sorted(map(str, activities.refs)))}: national activities (phone lines, chats, websites) are "
            "offered at no place, so no place can count; ask by a local activity or a task (taskCoverage lists the "
            "national activities serving each task)",
        )
    return PlaceFilter(kinds=kinds, activities=activities.keys, tasks=tasks.keys, open_at=open_at)


def check_count(values: Sequence[object] | None, argument: str) -> None:
    if values is not None and len(values) > MAX_IDS:
        raise InputError(argument, f"names {len(values)} nodes; at most {MAX_IDS}")


def national(nodes: Iterable[Node | None]) -> list[Activity]:
    """The national activities among the nodes: they reach everyone, at no place."""
    return [node for node in nodes if isinstance(node, Activity) and node.channel is ActivityChannel.NATIONAL]
