"""Reading the audit log: a record's history, and its values when it was inserted.

Inserts are logged by key only (see :mod:`healthforce.store.registry`); the values a record had
when it was inserted are its current values with every later update undone, newest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from healthforce.errors import NotFoundError
from healthforce.store.models import AuditEntry, ChangeSet
from healthforce.store.registry import _json, table_of
from healthforce.store.schema import ENTITIES


@dataclass(frozen=True, slots=True)
class AuditRecord:
    change_set: int
    actor: str
    at: dt.datetime
    source: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def history(engine: Engine, entity: str, key: str) -> list[AuditRecord]:
    """Every audited change of one record, oldest first. ``key`` as in the audit entry."""
    stmt = (
        select(
            AuditEntry.change_set_id,
            ChangeSet.actor,
            ChangeSet.at,
            ChangeSet.source,
            AuditEntry.action,
            AuditEntry.before,
            AuditEntry.after,
        )
        .join(ChangeSet, ChangeSet.id == AuditEntry.change_set_id)
        .where(AuditEntry.entity == entity, AuditEntry.entity_key == key)
        .order_by(AuditEntry.id)
    )
    with engine.connect() as conn:
        return [AuditRecord(*row) for row in conn.execute(stmt)]


def as_inserted(engine: Engine, entity: str, key: str) -> dict[str, Any]:
    """The record's stored column values as they were when it was inserted."""
    spec = ENTITIES[entity]
    table = table_of(spec)
    columns = [table.c[spec.by_name[k].column] for k in spec.key]
    parts = key.split("/")
    where = [c == c.type.python_type(p) for c, p in zip(columns, parts, strict=True)]
    with engine.connect() as conn:
        row = conn.execute(select(table).where(*where)).mappings().first()
    if row is None:
        raise NotFoundError(f"{entity} {key}: no such record / no existe")
    values = dict(row)
    for record in reversed(history(engine, entity, key)):
        if record.action == "update" and record.before:
            values.update(record.before)
    return {k: _json(v) for k, v in values.items()}
