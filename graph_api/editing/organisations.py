"""A district's own data as it edits it: its agreements with counties and municipalities, and its local
associations (their names and the municipalities they are active in).

An agreement is a relationship of its district, so the district's version guards them: making or ending one
is a change of the district, and two made at once cannot both take the same start date. Ending an agreement
keeps its source (a demo agreement ended is still demo data); what is made here has the source `api`.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from typing import Any

from strawberry import UNSET

from graph_api import relations
from graph_api.auth.permissions import require_agreement, require_association
from graph_api.editing.checks import text
from graph_api.editing.writer import EDIT_SOURCE, NodeEdit, Writer
from graph_api.errors import InputError, VersionConflict
from graph_api.models import Agreement, District, LocalAssociation, Node, NodeRef
from graph_api.schema.context import Context

PARTY_LABELS = frozenset({"WelfareArea", "Municipality"})
MAX_MUNICIPALITIES = 100


def agreement_fields(agreement: Agreement | None) -> object:
    if agreement is None:
        return None
    until = None if agreement.until is None else agreement.until.isoformat()
    return {"since": agreement.since.isoformat(), "until": until, "kind": agreement.kind}


async def _parties(ctx: Context, data: Any) -> tuple[District, Node]:
    district = await ctx.existing(data.district_id, "input.districtId", frozenset({"District"}))
    party = await ctx.existing(data.party_id, "input.partyId", PARTY_LABELS)
    assert isinstance(district, District)
    return district, party


def _check_dates(since: datetime.date, until: datetime.date | None) -> None:
    if until is not None and until < since:
        raise InputError("input.until", f"{until} is before the agreement's start, {since}")


async def _agreement(ctx: Context, district: District, party: Node, since: datetime.date) -> Agreement | None:
    """The district's agreement with the party that starts on `since`, read afresh."""
    found = await ctx.store.agreements(None, [NodeRef.of(district)])
    return next((a for a in found if NodeRef.of(a.party) == NodeRef.of(party) and a.since == since), None)


async def _write_agreement(
    writer: Writer, operation: str, district: District, before: Agreement | None, after: Agreement
) -> Agreement:
    properties = {"since": after.since, "until": after.until, "kind": after.kind}
    rel = writer.relationship(
        "HAS_AGREEMENT",
        district,
        NodeRef.of(after.party),
        after.source,
        **{k: v for k, v in properties.items() if v is not None},
    )
    field = f"agreement with {NodeRef.of(after.party)} since {after.since.isoformat()}"
    stamped = writer.stamped(district, district)
    edit = NodeEdit(district, stamped, {field: (agreement_fields(before), agreement_fields(after))})
    await writer.commit(operation, [edit], [rel])
    return dataclasses.replace(after, district=stamped)  # type: ignore[arg-type]


async def create_agreement(ctx: Context, writer: Writer, data: Any) -> Agreement:
    district, party = await _parties(ctx, data)
    require_agreement(writer.caller, NodeRef.of(district))
    _check_dates(data.since, data.until)
    if await _agreement(ctx, district, party, data.since) is not None:
        raise InputError(
            "input.since",
            f"{NodeRef.of(district)} has an agreement with {NodeRef.of(party)} since {data.since} already",
        )
    agreement = Agreement(district, party, data.since, data.until, text(data.kind, "input.kind"), EDIT_SOURCE)  # type: ignore[arg-type]
    return await _write_agreement(writer, "createAgreement", district, None, agreement)


async def end_agreement(ctx: Context, writer: Writer, data: Any) -> Agreement:
    district, party = await _parties(ctx, data)
    require_agreement(writer.caller, NodeRef.of(district))
    before = await _agreement(ctx, district, party, data.since)
    if before is None:
        raise InputError(
            "input.since", f"{NodeRef.of(district)} has no agreement with {NodeRef.of(party)} since {data.since}"
        )
    _check_dates(data.since, data.until)
    return await _write_agreement(
        writer, "endAgreement", district, before, dataclasses.replace(before, until=data.until)
    )


async def _municipalities(ctx: Context, district: NodeRef | None, ids: list[str]) -> tuple[NodeRef, ...]:
    """The municipalities named, each one where the district works (an association of no district: none)."""
    if len(ids) > MAX_MUNICIPALITIES:
        raise InputError("input.municipalityIds", f"{len(ids)} municipalities; at most {MAX_MUNICIPALITIES}")
    refs = [
        NodeRef.of(await ctx.existing(id_, "input.municipalityIds", frozenset({"Municipality"})))
        for id_ in dict.fromkeys(ids)
    ]
    (links,) = await ctx.store.traverse_many([district], relations.DISTRICT_MUNICIPALITIES) if district else ([],)
    works_in = {NodeRef.of(link.node) for link in links}
    outside = [str(ref) for ref in refs if ref not in works_in]
    if outside:
        regions = f"{district}'s regions" if district else "the regions of its district, and it is a member of none"
        raise InputError("input.municipalityIds", f"{', '.join(outside)} lies outside {regions}")
    return tuple(sorted(refs, key=str))


async def create_association(ctx: Context, writer: Writer, data: Any) -> LocalAssociation:
    district = NodeRef.of(await ctx.existing(data.district_id, "input.districtId", frozenset({"District"})))
    ref = NodeRef("LocalAssociation", str(uuid.uuid4()))
    await require_association(ctx.store, writer.caller, ref, district)
    name_fi = text(data.name_fi, "input.nameFi")
    name_sv = None if data.name_sv is None else text(data.name_sv, "input.nameSv")
    municipalities = await _municipalities(ctx, district, data.municipality_ids or [])
    association = writer.stamped(LocalAssociation(ref.key, EDIT_SOURCE, name_fi, name_sv), None)
    rels = [writer.relationship("MEMBER_OF", association, district)]
    rels += [writer.relationship("ACTIVE_IN", association, m) for m in municipalities]
    related = {"district": (None, str(district)), "municipalities": (None, [str(m) for m in municipalities] or None)}
    await writer.commit("createLocalAssociation", [NodeEdit(None, association, related)], rels)
    return association  # type: ignore[return-value]


async def update_association(ctx: Context, writer: Writer, data: Any) -> LocalAssociation:
    """The association's names or municipalities; the caller's right comes first, as for a place (`editable`)."""
    association = await ctx.existing(data.id, "input.id", frozenset({"LocalAssociation"}))
    assert isinstance(association, LocalAssociation)
    ref = NodeRef.of(association)
    (district_links,) = await ctx.store.traverse_many([ref], relations.LOCAL_ASSOCIATION_DISTRICT)
    district = NodeRef.of(district_links[0].node) if district_links else None
    await require_association(ctx.store, writer.caller, ref, district)
    if association.version != data.expected_version:
        raise VersionConflict(str(ref), data.expected_version, association.version)
    changes: dict[str, object] = {}
    if data.name_fi is not UNSET:
        changes["name_fi"] = text(data.name_fi, "input.nameFi")
    if data.name_sv is not UNSET:
        changes["name_sv"] = None if data.name_sv is None else text(data.name_sv, "input.nameSv")
    updated = writer.stamped(dataclasses.replace(association, **changes), association)
    rels, replaces, related = [], [], {}
    if data.municipality_ids is not UNSET:
        municipalities = await _municipalities(ctx, district, data.municipality_ids or [])
        (links,) = await ctx.store.traverse_many([ref], relations.LOCAL_ASSOCIATION_MUNICIPALITIES)
        old = sorted(str(NodeRef.of(link.node)) for link in links)
        new = [str(m) for m in municipalities]
        if old != new:
            related["municipalities"] = (old or None, new or None)
        rels = [writer.relationship("ACTIVE_IN", updated, m) for m in municipalities]
        replaces = [(ref, "ACTIVE_IN")]
    await writer.commit("updateLocalAssociation", [NodeEdit(association, updated, related)], rels, replaces)
    return updated  # type: ignore[return-value]
