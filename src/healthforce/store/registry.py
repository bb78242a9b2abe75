"""The registry's write API: every write is validated, runs in one transaction and is audited.

::

    registry = Registry(engine)
    with registry.change(actor="ana", source="workers.xlsx") as change:
        change.upsert("workers", {"external_id": [...], "sex": [...], ...})

A change is all-or-nothing: a validation problem raises :class:`ValidationError` before anything
is written, and any error inside the ``with`` block rolls the whole change back, audit included.

Audit rule: each change set records who, when and from what source; each record it touches gets
an audit entry. Updates keep the changed fields' values before and after; deletes keep the whole
record before. Inserts keep only the record's key: its values at insertion are the current values
with later updates undone, which :meth:`Registry.history` reconstructs. This keeps bulk loads of
millions of rows cheap without losing any state.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from healthforce.errors import NotFoundError, Problem, StoreError, ValidationError
from healthforce.reference.codes import AREA_LEVEL_DEPTH
from healthforce.store.models import Base
from healthforce.store.schema import ENTITIES, EntitySpec
from healthforce.store.validate import Column, check_columns, record_label

#: Entities whose rows are identified by their code (string primary key) rather than an id.
CODE_KEYED = frozenset({"occupations", "cadres", "specialties"})
_CHUNK = 900  # stays under SQLite's bound-parameter limit
AUDIT_COLUMNS = ["change_set_id", "entity", "entity_key", "action", "before", "after"]


def table_of(spec: EntitySpec) -> Table:
    return Base.metadata.tables[spec.table]


def id_column(entity: str) -> str:
    return "code" if entity in CODE_KEYED else "id"


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass
class WriteResult:
    """What a write did: counts by outcome, and the problems of rows it skipped."""

    entity: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[Problem] = field(default_factory=list)


class Change:
    """One open change set. Use through :meth:`Registry.change`."""

    def __init__(self, conn: Connection, change_set_id: int) -> None:
        self.conn = conn
        self.change_set_id = change_set_id
        self._audit: list[tuple[Any, ...]] = []

    # -- references -------------------------------------------------------------------------
    def resolve(self, entity: str, keys: set[str]) -> dict[str, Any]:
        """Natural key -> stored id, for the keys that exist."""
        spec = ENTITIES[entity]
        table = table_of(spec)
        key_col, id_col = table.c[spec.key[0]], table.c[id_column(entity)]
        found: dict[str, Any] = {}
        wanted = sorted(k for k in keys if k is not None)
        if len(wanted) > 20 * _CHUNK:
            for k, i in self.conn.execute(select(key_col, id_col)):
                found[k] = i
            return {k: found[k] for k in wanted if k in found}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            for k, i in self.conn.execute(select(key_col, id_col).where(key_col.in_(chunk))):
                found[k] = i
        return found

    def _resolve_refs(
        self,
        spec: EntitySpec,
        columns: dict[str, Column],
        n: int,
        problems: list[Problem],
        raw: Mapping[str, Sequence[object]],
    ) -> None:
        for f in spec.fields:
            if f.ref is None:
                continue
            values = columns[f.name]
            ids = self.resolve(f.ref.entity, {v for v in values if v is not None})  # type: ignore[misc]
            resolved: Column = []
            for i, v in enumerate(values):
                if v is None:
                    resolved.append(None)
                elif v in ids:
                    resolved.append(ids[v])
                else:
                    resolved.append(None)
                    problems.append(
                        Problem(
                            spec.name,
                            record_label(spec, raw, i),
                            f.name,
                            v,
                            f"no such {f.ref.entity} / no existe en {ENTITIES[f.ref.entity].es}",
                            row=i,
                        )
                    )
            columns[f.column] = resolved

    # -- reading existing rows -----------------------------------------------------------------
    def _existing(
        self, spec: EntitySpec, keys: list[tuple[Any, ...]]
    ) -> dict[tuple[Any, ...], dict[str, Any]]:
        table = table_of(spec)
        key_cols = [spec.by_name[k].column for k in spec.key]
        first = table.c[key_cols[0]]
        firsts = sorted({k[0] for k in keys}, key=str)
        rows: list[Any] = []
        if len(firsts) > 20 * _CHUNK:
            rows = list(self.conn.execute(select(table)).mappings())
        else:
            for start in range(0, len(firsts), _CHUNK):
                chunk = firsts[start : start + _CHUNK]
                rows.extend(self.conn.execute(select(table).where(first.in_(chunk))).mappings())
        return {tuple(r[c] for c in key_cols): dict(r) for r in rows}

    # -- writing -----------------------------------------------------------------------------
    def upsert(
        self,
        entity: str,
        raw: Mapping[str, Sequence[object]],
        *,
        insert_only: bool = False,
        skip_invalid: bool = False,
        dry_run: bool = False,
    ) -> WriteResult:
        """Insert new records and update changed ones, matched by the entity's natural key.

        With ``insert_only`` an existing key is a problem. With ``skip_invalid`` rows with
        problems are left out and reported; otherwise any problem raises ValidationError and
        nothing is written. ``dry_run`` does the whole write inside a savepoint and rolls it
        back, so it reports exactly what a real run would, database constraints included.
        """
        if dry_run:
            savepoint = self.conn.begin_nested()
            try:
                return self.upsert(entity, raw, insert_only=insert_only, skip_invalid=skip_invalid)
            finally:
                savepoint.rollback()
                self._audit.clear()
        spec = ENTITIES[entity]
        if entity == "areas" and "level" in raw:
            return self._upsert_areas(raw, insert_only=insert_only, skip_invalid=skip_invalid)
        return self._upsert(spec, raw, insert_only=insert_only, skip_invalid=skip_invalid)

    def _upsert(
        self,
        spec: EntitySpec,
        raw: Mapping[str, Sequence[object]],
        *,
        insert_only: bool,
        skip_invalid: bool,
    ) -> WriteResult:
        entity = spec.name
        checked = check_columns(spec, raw)
        columns, problems, n = checked.columns, checked.problems, checked.n
        if any(p.row is None for p in problems):
            raise ValidationError(problems)
        self._resolve_refs(spec, columns, n, problems, raw)
        for name in spec.key:  # a blank optional key part is its default ("" partner)
            f = spec.by_name[name]
            if f.default is not None:
                columns[f.column] = [f.default if v is None else v for v in columns[f.column]]
        key_cols = [spec.by_name[k].column for k in spec.key]
        keys = list(zip(*(columns[c] for c in key_cols), strict=True)) if n else []
        seen: dict[tuple[Any, ...], int] = {}
        for i, k in enumerate(keys):
            if k in seen:
                problems.append(
                    Problem(
                        spec.name,
                        record_label(spec, raw, i),
                        spec.key[0],
                        "/".join(map(str, k)),
                        f"duplicate of row {seen[k]} in this batch / repetido (fila {seen[k]})",
                        row=i,
                    )
                )
            else:
                seen[k] = i
        existing = self._existing(spec, [k for k in keys if None not in k])
        if insert_only:
            for i, k in enumerate(keys):
                if k in existing:
                    problems.append(
                        Problem(
                            spec.name,
                            record_label(spec, raw, i),
                            spec.key[0],
                            "/".join(map(str, k)),
                            "already exists / ya existe",
                            row=i,
                        )
                    )
        result = WriteResult(entity)
        bad = {p.row for p in problems}
        if problems and not skip_invalid:
            raise ValidationError(sorted(problems, key=lambda p: (p.row or 0, p.field)))
        result.problems, result.skipped = problems, len(bad)
        store_cols = [f.column for f in spec.fields if f.name in raw or f.column in raw]
        store_cols = list(dict.fromkeys(store_cols + key_cols))
        defaults = {f.column: f.default for f in spec.fields if f.default is not None}
        insert_cols = list(dict.fromkeys(store_cols + list(defaults)))
        inserts: list[tuple[Any, ...]] = []
        updates: list[dict[str, Any]] = []
        for i in range(n):
            if i in bad:
                continue
            values = {c: columns[c][i] for c in store_cols}
            old = existing.get(keys[i])
            if old is None:
                inserts.append(
                    tuple(
                        defaults.get(c) if columns[c][i] is None else columns[c][i]
                        for c in insert_cols
                    )
                )
                continue
            changed = {c: v for c, v in values.items() if old[c] != v}
            if not changed:
                result.unchanged += 1
                continue
            updates.append({"_id": old[id_column(entity)], **changed})
            self._log(
                spec,
                keys[i],
                "update",
                {c: _json(old[c]) for c in changed},
                {c: _json(v) for c, v in changed.items()},
            )
        result.inserted, result.updated = len(inserts), len(updates)
        for k, row in zip(keys, range(n), strict=True):
            if row not in bad and k not in existing:
                self._log(spec, k, "insert", None, None)
        self._insert_rows(table_of(spec), insert_cols, inserts)
        self._update_rows(spec, updates)
        self.flush_audit()
        return result

    def _upsert_areas(
        self, raw: Mapping[str, Sequence[object]], *, insert_only: bool, skip_invalid: bool
    ) -> WriteResult:
        """Areas reference their parent: write them level by level, top first, so that a
        parent in the same batch exists when its children are resolved."""
        depth = [AREA_LEVEL_DEPTH.get(str(v).strip().casefold(), 99) for v in raw["level"]]
        total = WriteResult("areas")
        for d in sorted(set(depth)):
            rows = [i for i, x in enumerate(depth) if x == d]
            part = {name: [col[i] for i in rows] for name, col in raw.items()}
            try:
                res = self._upsert(
                    ENTITIES["areas"], part, insert_only=insert_only, skip_invalid=skip_invalid
                )
            except ValidationError as exc:
                raise ValidationError([_renumber(p, rows) for p in exc.problems]) from None
            total.inserted += res.inserted
            total.updated += res.updated
            total.unchanged += res.unchanged
            total.skipped += res.skipped
            total.problems.extend(_renumber(p, rows) for p in res.problems)
        return total

    def _insert_rows(self, table: Table, cols: list[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.conn.dialect.name == "postgresql":
            dbapi: Any = self.conn.connection.driver_connection
            names = ", ".join(f'"{c}"' for c in cols)
            with (
                dbapi.cursor() as cur,
                cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in cols)
        names = ", ".join(f'"{c}"' for c in cols)
        self.conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', rows)

    def _update_rows(self, spec: EntitySpec, updates: list[dict[str, Any]]) -> None:
        if not updates:
            return
        table = table_of(spec)
        idc = table.c[id_column(spec.name)]
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for u in updates:
            groups.setdefault(tuple(sorted(k for k in u if k != "_id")), []).append(u)
        for cols, rows in groups.items():
            stmt = (
                update(table).where(idc == bindparam("_id")).values({c: bindparam(c) for c in cols})
            )
            self.conn.execute(stmt, rows)

    def update(
        self, entity: str, key: str | tuple[Any, ...], changes: Mapping[str, object]
    ) -> WriteResult:
        """Change some fields of one existing record, found by its natural key."""
        spec = ENTITIES[entity]
        current = self.get(entity, key)
        raw: dict[str, list[object]] = {name: [value] for name, value in current.items()}
        for name, value in changes.items():
            if name not in spec.by_name:
                raise ValidationError(
                    [Problem(entity, str(key), name, value, "unknown field / campo desconocido")]
                )
            raw[name] = [value]
        result = self.upsert(entity, raw)
        if result.inserted:
            raise StoreError(f"{entity} {key}: key fields cannot change in an update")
        return result

    def get(self, entity: str, key: str | tuple[Any, ...]) -> dict[str, object]:
        """One record as the outside world writes it (references as natural keys)."""
        spec = ENTITIES[entity]
        keys = key if isinstance(key, tuple) else (key,)
        table = table_of(spec)
        where = []
        for name, value in zip(spec.key, keys, strict=True):
            f = spec.by_name[name]
            if f.ref is not None:
                ids = self.resolve(f.ref.entity, {str(value)})
                if str(value) not in ids:
                    raise NotFoundError(f"{entity} {key}: no such record / no existe")
                value = ids[str(value)]
            where.append(table.c[f.column] == value)
        row = self.conn.execute(select(table).where(*where)).mappings().first()
        if row is None:
            raise NotFoundError(f"{entity} {key}: no such record / no existe")
        out: dict[str, object] = {}
        for f in spec.fields:
            value = row[f.column]
            if f.ref is not None and value is not None:
                ref_spec = ENTITIES[f.ref.entity]
                ref_table = table_of(ref_spec)
                value = self.conn.execute(
                    select(ref_table.c[ref_spec.key[0]]).where(
                        ref_table.c[id_column(f.ref.entity)] == value
                    )
                ).scalar_one()
            out[f.name] = value
        return out

    def delete(self, entity: str, key: str | tuple[Any, ...]) -> None:
        """Delete one record; refused by the database while other records point at it."""
        spec = ENTITIES[entity]
        before = self.get(entity, key)
        table = table_of(spec)
        keys = key if isinstance(key, tuple) else (key,)
        ids = dict(zip(spec.key, keys, strict=True))
        row_key = tuple(ids[k] for k in spec.key)
        where = [
            table.c[spec.by_name[k].column]
            == (before[k] if spec.by_name[k].ref is None else self._ref_id(spec, k, before[k]))
            for k in spec.key
        ]
        self.conn.execute(table.delete().where(*where))
        self._log(spec, row_key, "delete", {k: _json(v) for k, v in before.items()}, None)
        self.flush_audit()

    def _ref_id(self, spec: EntitySpec, name: str, value: object) -> Any:
        ref = spec.by_name[name].ref
        assert ref is not None
        return self.resolve(ref.entity, {str(value)})[str(value)]

    # -- audit -------------------------------------------------------------------------------
    def _log(
        self,
        spec: EntitySpec,
        key: tuple[Any, ...],
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        self._audit.append(
            (
                self.change_set_id,
                spec.name,
                "/".join(str(_json(k)) for k in key),
                action,
                None if before is None else json.dumps(before, ensure_ascii=False),
                None if after is None else json.dumps(after, ensure_ascii=False),
            )
        )

    def flush_audit(self) -> None:
        if self._audit:
            self._insert_rows(Base.metadata.tables["audit_entry"], AUDIT_COLUMNS, self._audit)
            self._audit = []


def _renumber(p: Problem, rows: list[int]) -> Problem:
    if p.row is None:
        return p
    return Problem(p.entity, p.record, p.field, p.value, p.reason, row=rows[p.row], source=p.source)


class Registry:
    """The registry on one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def change(self, *, actor: str, source: str) -> Iterator[Change]:
        """Open a change set; it commits when the block ends and rolls back on any error."""
        try:
            with self.engine.begin() as conn:
                change_set = Base.metadata.tables["change_set"]
                cs_id = conn.execute(
                    change_set.insert()
                    .values(actor=actor, at=dt.datetime.now(dt.UTC), source=source)
                    .returning(change_set.c.id)
                ).scalar_one()
                yield Change(conn, cs_id)
        except IntegrityError as exc:
            raise StoreError(f"the database refused the change: {exc.orig}") from exc
        except DBAPIError as exc:
            raise StoreError(f"database error: {exc.orig}") from exc
