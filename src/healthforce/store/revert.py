"""Undo a change set through the audit log (``healthforce revert CHANGESET``).

A change set's writes are all recorded: the rows it inserted carry its id (``created_in``), and
its updates and deletes are audit entries with the values before and after. Reverting it is a
new change set, itself audited (and so revertible), that

- deletes the rows it inserted (the rows that refer to others first),
- puts back the values its updates replaced, and
- re-inserts the records it deleted, with their ids, exactly as they were stored (and takes
  out again the records a revert put back),

after which the registry's tables hold what they held before it, row for row. It is refused,
with every reason listed and nothing written, when later changes depend on it: a later change
set changed or deleted a record it wrote, a record added later refers to one it added, or a
record it deleted has been added again since.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Engine, Table, func, insert, select

from healthforce.errors import NotFoundError, Problem, ValidationError
from healthforce.store.audit import key_where
from healthforce.store.batches import chunks
from healthforce.store.models import AuditEntry, Base, ChangeSet
from healthforce.store.registry import Change, Registry, id_column, table_of
from healthforce.store.schema import ENTITIES, EntitySpec

#: How many conflicts a refusal lists (it says how many more there are).
SHOWN = 20


@dataclass
class Reverted:
    """What a revert did (or, on a dry run, would do)."""

    change_set: int  # the change set reverted
    by: int  # the change set that reverted it
    deleted: dict[str, int] = field(default_factory=dict)  # rows it had inserted, per entity
    restored: int = 0  # updates undone
    reinserted: int = 0  # deletes undone


def _primary_key(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns)


def _key(spec: EntitySpec, row: dict[str, Any]) -> str:
    """A stored row's natural key as the audit log writes it."""
    columns = [spec.by_name[k].column for k in spec.key]
    return "/".join(
        str(row[c].isoformat() if isinstance(row[c], dt.date) else row[c]) for c in columns
    )


def _stored_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    """An audit entry's stored row with its column types back (dates from ISO text)."""
    out: dict[str, Any] = {}
    for column in table.columns:
        value = row.get(column.name)
        if value is not None and column.type.python_type is dt.date:
            value = dt.date.fromisoformat(str(value))
        elif value is not None and column.type.python_type is dt.datetime:
            value = dt.datetime.fromisoformat(str(value))
        out[column.name] = value
    return out


def _entries(change: Change, change_set: int) -> list[tuple[int, str, str, str, Any, Any]]:
    rows = change.conn.execute(
        select(
            AuditEntry.id,
            AuditEntry.entity,
            AuditEntry.entity_key,
            AuditEntry.action,
            AuditEntry.before,
            AuditEntry.after,
        )
        .where(AuditEntry.change_set_id == change_set)
        .order_by(AuditEntry.id.desc())  # undone newest first
    ).all()
    return [(r[0], r[1], r[2], r[3], _loads(r[4]), _loads(r[5])) for r in rows]


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _later_edits(change: Change, change_set: int, keys: dict[str, set[str]]) -> list[str]:
    """Later audit entries on the records the change set wrote."""
    found = []
    for entity, wanted in keys.items():
        for chunk in chunks(sorted(wanted)):
            rows = change.conn.execute(
                select(AuditEntry.change_set_id, AuditEntry.entity_key, AuditEntry.action)
                .where(
                    AuditEntry.entity == entity,
                    AuditEntry.entity_key.in_(chunk),
                    AuditEntry.change_set_id > change_set,
                )
                .order_by(AuditEntry.id)
            ).all()
            found += [
                f"{entity} {key}: {action} in the later change set {cs} / modificado después"
                for cs, key, action in rows
            ]
    return found


def _referring(change: Change, change_set: int, inserted: dict[str, list[int]]) -> list[str]:
    """Records added by later change sets that refer to records this one added."""
    found = []
    tables = {ENTITIES[e].table: e for e in inserted}
    for child in Base.metadata.sorted_tables:
        for fk in child.foreign_keys:
            parent = fk.column.table.name
            if parent not in tables or "created_in" not in child.c:
                continue
            if (
                tables[parent] not in inserted
                or fk.column.name != _primary_key(fk.column.table)[0].name
            ):
                continue
            ids = inserted[tables[parent]]
            column = child.c[fk.parent.name]
            for chunk in chunks(ids):
                n = change.conn.execute(
                    select(func.count())
                    .select_from(child)
                    .where(
                        column.in_(chunk),
                        (child.c.created_in.is_(None)) | (child.c.created_in != change_set),
                    )
                ).scalar_one()
                if n:
                    found.append(
                        f"{n:,} {child.name} record(s) added later refer to {parent} records "
                        f"this change set added / registros posteriores dependen de ellos"
                    )
                    break
    return found


def _inserted(change: Change, change_set: int) -> dict[str, list[dict[str, Any]]]:
    """The rows the change set inserted, per entity."""
    out = {}
    for entity, spec in ENTITIES.items():
        table = table_of(spec)
        rows = [
            dict(r)
            for r in change.conn.execute(
                select(table).where(table.c.created_in == change_set)
            ).mappings()
        ]
        if rows:
            out[entity] = rows
    return out


def _find(change: Change, spec: EntitySpec, key: str) -> dict[str, Any] | None:
    table = table_of(spec)
    row = change.conn.execute(select(table).where(*key_where(spec, key))).mappings().first()
    return None if row is None else dict(row)


def revert(engine: Engine, change_set: int, *, actor: str, dry_run: bool = False) -> Reverted:
    """Undo a change set (see the module's text); ValidationError lists why it cannot be."""
    registry = Registry(engine)
    with registry.change(actor=actor, source=_source(change_set), dry_run=dry_run) as change:
        exists = change.conn.execute(
            select(ChangeSet.id).where(ChangeSet.id == change_set)
        ).scalar()
        if exists is None or change_set == change.change_set_id:
            raise NotFoundError(f"change set {change_set}: no such change set / no existe")
        undone = change.conn.execute(
            select(ChangeSet.id).where(
                ChangeSet.source == _source(change_set), ChangeSet.id != change.change_set_id
            )
        ).scalar()
        if undone is not None:
            redone = change.conn.execute(
                select(ChangeSet.id).where(ChangeSet.source == _source(undone))
            ).scalar()
            reason = (
                f"already reverted by the later change set {undone} (revert that one to redo "
                f"it) / ya revertido por el conjunto {undone}"
                if redone is None
                else f"reverted by change set {undone} and redone by {redone}: revert {redone} "
                f"to undo it again / revertido por {undone} y rehecho por {redone}"
            )
            _refuse(change_set, [reason])
        done = Reverted(change_set, change.change_set_id)
        entries = _entries(change, change_set)
        inserted = _inserted(change, change_set)
        written: dict[str, set[str]] = {}
        for _id, entity, key, _action, _before, _after in entries:
            written.setdefault(entity, set()).add(key)
        for entity, rows in inserted.items():
            written.setdefault(entity, set()).update(_key(ENTITIES[entity], r) for r in rows)
        for _id, entity, key, action, _before, _after in entries:
            if action == "insert":  # a record it put back (reverting a delete): taken out
                row = _find(change, ENTITIES[entity], key)
                if row is not None:
                    inserted.setdefault(entity, []).append(row)
        conflicts = _later_edits(change, change_set, written)
        ids = {
            e: [r[pk[0].name] for r in rows]
            for e, rows in inserted.items()
            if len(pk := _primary_key(table_of(ENTITIES[e]))) == 1
        }
        conflicts += _referring(change, change_set, ids)
        for _id, entity, key, action, _before, _after in entries:
            if action == "delete" and _find(change, ENTITIES[entity], key) is not None:
                conflicts.append(f"{entity} {key}: added again since / agregado de nuevo")
        if conflicts:
            _refuse(change_set, conflicts)
        _delete_inserted(change, inserted, done)
        for _id, entity, key, action, before, after in entries:
            if action == "update":
                _undo_update(change, ENTITIES[entity], key, before, after)
                done.restored += 1
        deleted: dict[str, list[dict[str, Any]]] = {}
        for _id, entity, _k, action, before, _after in entries:
            if action == "delete":
                deleted.setdefault(entity, []).append(before)
        for entity in ENTITIES:  # referred-to tables first
            for before in _parents_first(ENTITIES[entity], deleted.get(entity, [])):
                _undo_delete(change, ENTITIES[entity], before)
                done.reinserted += 1
        change.flush_audit()
    return done


def _parents_first(spec: EntitySpec, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Deleted records in an order the database accepts them back: by primary key, and in a
    table that refers to itself (areas), each record after the one it refers to."""
    table = table_of(spec)
    pk = _primary_key(table)
    own = [fk for fk in table.foreign_keys if fk.column.table is table]

    def stored(record: dict[str, Any]) -> dict[str, Any]:
        return record.get("_row") or {}

    ordered = sorted(records, key=lambda r: tuple(str(stored(r).get(c.name)) for c in pk))
    if not own or len(pk) != 1 or own[0].column.name != pk[0].name:
        return ordered
    column = own[0].parent.name
    pending = {stored(r).get(pk[0].name): r for r in ordered}
    placed: list[dict[str, Any]] = []
    while pending:  # each round: the records whose parent is not waiting to go in
        ready = [k for k, r in pending.items() if stored(r).get(column) not in pending]
        for k in ready or list(pending):  # none ready: a cycle, which the database names
            placed.append(pending.pop(k))
    return placed


def _source(change_set: int) -> str:
    """How a revert names itself in the change sets' list (and how it is found again)."""
    return f"revert of change set {change_set}"


def _refuse(change_set: int, conflicts: list[str]) -> None:
    shown = [
        Problem("change_set", str(change_set), "*", None, reason) for reason in conflicts[:SHOWN]
    ]
    if len(conflicts) > SHOWN:
        more = len(conflicts) - SHOWN
        shown.append(Problem("change_set", str(change_set), "*", None, f"… {more:,} more / más"))
    raise ValidationError(shown)


def _delete_inserted(
    change: Change, inserted: dict[str, list[dict[str, Any]]], done: Reverted
) -> None:
    """The rows the change set inserted, deleted (referring tables first) and audited."""
    for entity in reversed(list(ENTITIES)):
        rows = inserted.get(entity)
        if not rows:
            continue
        spec = ENTITIES[entity]
        table = table_of(spec)
        change.touched.note_before(spec.table, rows)
        for row in rows:
            change._log(spec, _keys(spec, row), "delete", {"_row": _jsonable(row)}, None)
        pk = _primary_key(table)
        if len(pk) == 1:
            for chunk in chunks([r[pk[0].name] for r in rows]):
                change.conn.execute(table.delete().where(pk[0].in_(chunk)))
        else:
            for row in rows:
                change.conn.execute(table.delete().where(*(c == row[c.name] for c in pk)))
        change.flush_audit()
        done.deleted[entity] = len(rows)


def _keys(spec: EntitySpec, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[spec.by_name[k].column] for k in spec.key)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}


def _undo_update(
    change: Change, spec: EntitySpec, key: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Put back the values an update replaced (the record holds what it wrote: checked)."""
    row = _find(change, spec, key)
    if row is None:  # deleted since: found by the later-edits check before any write
        raise NotFoundError(f"{spec.name} {key}: no longer exists / ya no existe")
    table = table_of(spec)
    typed = _stored_row(table, {**row, **before})
    restored = {c: typed[c] for c in before}
    change.touched.note_before(spec.table, [row])
    change._update_rows(spec, [{"_id": row[id_column(spec.name)], **restored}])
    now = {c: _jsonable(row)[c] for c in before}
    change._log(spec, _keys(spec, row), "update", now, dict(before))


def _undo_delete(change: Change, spec: EntitySpec, before: dict[str, Any]) -> None:
    """Re-insert a deleted record exactly as it was stored (its id and change set kept)."""
    table = table_of(spec)
    stored = before.get("_row")
    if stored is None:  # deleted before deletes kept the stored row: by its fields
        fields = {k: [v] for k, v in before.items() if k in spec.by_name}
        change.upsert(spec.name, fields)
        return
    row = _stored_row(table, stored)
    change.conn.execute(insert(table).values(**row))
    change.touched.note_before(spec.table, [row])
    change._log(spec, _keys(spec, row), "insert", None, {"_row": _jsonable(row)})


def change_sets(engine: Engine, last: int = 20) -> Iterable[tuple[int, str, dt.datetime, str]]:
    """The latest change sets (id, actor, when, source), newest first."""
    with engine.connect() as conn:
        return conn.execute(
            select(ChangeSet.id, ChangeSet.actor, ChangeSet.at, ChangeSet.source)
            .order_by(ChangeSet.id.desc())
            .limit(last)
        ).all()
