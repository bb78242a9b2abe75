"""Reading the audit log: a record's history, and its values when it was inserted.

A row knows the change set that inserted it (``created_in``); updates and deletes are audit
entries (see :mod:`healthforce.store.registry`). The values a record had when it was inserted
are its current values with every later update undone, newest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, select

from healthforce.errors import NotFoundError
from healthforce.store.models import AuditEntry, ChangeSet
from healthforce.store.registry import _json, table_of
from healthforce.store.schema import ENTITIES, EntitySpec


@dataclass(frozen=True, slots=True)
class AuditRecord:
    change_set: int
    actor: str
    at: dt.datetime
    source: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def key_where(spec: EntitySpec, key: str) -> list[ColumnElement[bool]]:
    """The condition finding a record by its key as the audit log writes it ("W1", or
    "5/2024/T/total": stored key values joined by "/", dates in ISO form)."""
    table = table_of(spec)
    where = []
    for name, part in zip(spec.key, key.split("/"), strict=True):
        column = table.c[spec.by_name[name].column]
        kind = column.type.python_type
        value: Any = dt.date.fromisoformat(part) if kind is dt.date else kind(part)
        where.append(column == value)
    return where


def _row(engine: Engine, entity: str, key: str) -> dict[str, Any] | None:
    spec = ENTITIES[entity]
    with engine.connect() as conn:
        row = conn.execute(select(table_of(spec)).where(*key_where(spec, key))).mappings().first()
    return None if row is None else dict(row)


def history(engine: Engine, entity: str, key: str) -> list[AuditRecord]:
    """Every change of one record, oldest first: its insert, then its audit entries. ``key``
    is the natural key as the audit entry writes it ("W1", or "5/2024/T/total")."""
    records: list[AuditRecord] = []
    row = _row(engine, entity, key)
    created = row.get("created_in") if row else None
    if created is not None:
        with engine.connect() as conn:
            cs = conn.execute(
                select(ChangeSet.actor, ChangeSet.at, ChangeSet.source).where(
                    ChangeSet.id == created
                )
            ).one()
        records.append(AuditRecord(created, cs[0], cs[1], cs[2], "insert", None, None))
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
        records.extend(AuditRecord(*r) for r in conn.execute(stmt))
    return records


def as_inserted(engine: Engine, entity: str, key: str) -> dict[str, Any]:
    """The record's stored column values as they were when it was inserted."""
    row = _row(engine, entity, key)
    if row is None:
        raise NotFoundError(f"{entity} {key}: no such record / no existe")
    values = row
    for record in reversed(history(engine, entity, key)):
        if record.action == "update" and record.before:
            values.update(record.before)
    return {k: _json(v) for k, v in values.items()}
