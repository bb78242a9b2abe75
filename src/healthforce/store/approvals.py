"""Maker–checker for the fields the entity spec marks ``approval`` (documents, licences): a
change by a user who may not approve waits as a proposal until another user approves it (then
it is written through the registry, audited like any edit, and names its change set) or
rejects it. A proposal is checked when made (a wrong value is refused at once, nothing waits)
and again when approved: if the field has changed since, the approval is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert, select, update

from healthforce.errors import HealthforceError, NotFoundError
from healthforce.store.models import PendingChange
from healthforce.store.registry import Registry, _json
from healthforce.store.schema import ENTITIES


def approval_fields(entity: str) -> frozenset[str]:
    return frozenset(f.name for f in ENTITIES[entity].fields if f.approval)


@dataclass(frozen=True)
class Proposal:
    id: int
    entity: str
    key: str
    field: str
    before: Any
    after: Any
    proposed_by: str
    proposed_at: dt.datetime
    status: str
    decided_by: str | None


def propose(
    engine: Engine, entity: str, key: str, changes: Mapping[str, object], *, by: str
) -> list[int]:
    """Record proposed changes to approval fields of one record; each is validated now (a
    dry run of the edit), so only changes that would be accepted wait. Returns their ids."""
    registry = Registry(engine)
    with registry.change(actor=by, source="proposal check", dry_run=True) as change:
        before = change.get(entity, key)
        change.update(entity, key, changes)
        after = change.get(entity, key)
    now = dt.datetime.now(dt.UTC)
    ids = []
    with engine.begin() as conn:
        for name in changes:
            if _json(before[name]) == _json(after[name]):
                continue  # no change: nothing to approve
            ids.append(
                int(
                    conn.execute(
                        insert(PendingChange)
                        .values(
                            entity=entity,
                            entity_key=key,
                            field=name,
                            before=_json(before[name]),
                            after=_json(after[name]),
                            proposed_by=by,
                            proposed_at=now,
                            status="pending",
                        )
                        .returning(PendingChange.id)
                    ).scalar_one()
                )
            )
    return ids


def proposals(engine: Engine, status: str | None = "pending") -> list[Proposal]:
    """Proposals, newest first (pending ones by default)."""
    table = PendingChange.__table__
    query = select(table).order_by(table.c.id.desc())
    if status:
        query = query.where(table.c.status == status)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        Proposal(
            r["id"],
            r["entity"],
            r["entity_key"],
            r["field"],
            r["before"],
            r["after"],
            r["proposed_by"],
            r["proposed_at"],
            r["status"],
            r["decided_by"],
        )
        for r in rows
    ]


def decide(engine: Engine, proposal_id: int, *, approve: bool, by: str) -> int | None:
    """Approve (write it, audited; returns the change set) or reject a pending proposal. The
    proposer cannot decide their own; a field changed since the proposal cannot be approved."""
    with engine.connect() as conn:
        row = (
            conn.execute(select(PendingChange.__table__).where(PendingChange.id == proposal_id))
            .mappings()
            .first()
        )
    if row is None or row["status"] != "pending":
        raise NotFoundError(
            f"proposal {proposal_id}: no such pending change / no hay tal cambio pendiente"
        )
    if row["proposed_by"] == by:
        raise HealthforceError(
            "a change is approved by someone other than who proposed it / un cambio lo aprueba "
            "otra persona"
        )
    change_set = None
    now = dt.datetime.now(dt.UTC)
    if approve:
        registry = Registry(engine)
        source = f"approval of {row['proposed_by']}'s change #{proposal_id}"
        with registry.change(actor=by, source=source) as change:
            current = change.get(row["entity"], row["entity_key"])[row["field"]]
            if _json(current) != row["before"]:
                raise HealthforceError(
                    f"{row['entity']} {row['entity_key']}: {row['field']} changed since the "
                    "proposal; ask for a new one / cambió desde la propuesta"
                )
            change.update(row["entity"], row["entity_key"], {row["field"]: row["after"]})
            change_set = change.change_set_id
    with engine.begin() as conn:
        conn.execute(
            update(PendingChange)
            .where(PendingChange.id == proposal_id, PendingChange.status == "pending")
            .values(
                status="approved" if approve else "rejected",
                decided_by=by,
                decided_at=now,
                change_set_id=change_set,
            )
        )
    return change_set
