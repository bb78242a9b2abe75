"""The registry's write API: every write is validated, runs in one transaction and is audited.

::

    registry = Registry(engine)
    with registry.change(actor="ana", source="workers.xlsx") as change:
        change.upsert("workers", {"external_id": [...], "sex": [...], ...})

A change is all-or-nothing: a validation problem raises :class:`ValidationError` before anything
is written, and any error inside the ``with`` block rolls the whole change back, audit included.

Audit rule: each change set records who, when and from what source. A row records the change set
that inserted it (``created_in``); updates get an audit entry with the changed fields' values
before and after, deletes one with the whole record before. A record's values at insertion are
its current values with later updates undone (:func:`healthforce.store.audit.as_inserted`). This
keeps bulk loads of millions of rows cheap without losing any state.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
import psycopg
from sqlalchemy import Column as SAColumn
from sqlalchemy import Connection, Engine, MetaData, Table, bindparam, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from healthforce.errors import (
    NotFoundError,
    Problem,
    StoreError,
    ValidationError,
    duplicate_reason,
)
from healthforce.reference.codes import AREA_LEVEL_DEPTH, name_key
from healthforce.store.models import Base
from healthforce.store.reading import Reading
from healthforce.store.schema import ENTITIES, EntitySpec
from healthforce.store.upkeep import Touched, after_change
from healthforce.store.validate import Column, check_columns, record_label

#: Entities whose rows are identified by their code (string primary key) rather than an id.
CODE_KEYED = frozenset(
    {"occupations", "cadres", "specialties", "competencies", "courses", "pathways"}
)
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


#: Rows per INSERT statement on SQLite (fewer when SQLite's parameter limit is lower).
ROWS_PER_INSERT = 100


class Change:
    """One open change set. Use through :meth:`Registry.change`."""

    def __init__(self, conn: Connection, change_set_id: int) -> None:
        self.conn = conn
        self.change_set_id = change_set_id
        self._audit: list[tuple[Any, ...]] = []
        self.touched = Touched()  # what derived tables must catch up with (store.upkeep)

    # -- references -------------------------------------------------------------------------
    def _rows_where_in(
        self, table: Table, column: str, values: list[Any], *selected: Any
    ) -> list[Any]:
        """Rows of ``table`` whose ``column`` is in ``values``: IN lists for a few values, a
        temporary table joined once for many (a million keys cost one join, not a thousand
        queries)."""
        target = table.c[column]
        cols = selected or (table,)
        if not values:
            return []
        if len(values) > 4 * _CHUNK:
            # Sorted keys span a range; when few stored rows fall in it (a first import, new
            # ids), read that range and filter here instead of shipping every key to the server.
            lo, hi = min(values), max(values)
            in_range = self.conn.execute(
                select(func.count()).select_from(table).where(target.between(lo, hi))
            ).scalar_one()
            if in_range <= len(values):
                wanted = set(values)
                rows = self.conn.execute(
                    select(*cols, target.label("_k")).where(target.between(lo, hi))
                )
                return [r[:-1] if selected else r for r in rows if r[-1] in wanted]
        if len(values) <= 4 * _CHUNK:
            out: list[Any] = []
            for start in range(0, len(values), _CHUNK):
                chunk = values[start : start + _CHUNK]
                out.extend(self.conn.execute(select(*cols).where(target.in_(chunk))))
            return out
        keys = Table(
            "hf_wanted_keys",
            MetaData(),
            SAColumn("k", target.type, primary_key=True),
            prefixes=["TEMPORARY"],
        )
        keys.create(self.conn)
        try:
            self._insert_rows(keys, ["k"], [(v,) for v in values])
            return list(self.conn.execute(select(*cols).join(keys, target == keys.c.k)))
        finally:
            keys.drop(self.conn)

    def resolve(self, entity: str, keys: set[str]) -> dict[str, Any]:
        """Natural key -> stored id, for the keys that exist."""
        spec = ENTITIES[entity]
        table = table_of(spec)
        wanted = [k for k in keys if k is not None]
        rows = self._rows_where_in(
            table, spec.key[0], wanted, table.c[spec.key[0]], table.c[id_column(entity)]
        )
        return dict(rows)

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
            present = set(values) - {None}
            ids: dict[Any, Any] = self.resolve(f.ref.entity, present)  # type: ignore[arg-type]
            unknown = present - ids.keys()  # rows are searched only when some key is unknown
            several: dict[object, list[str]] = {}
            if unknown and f.ref.entity == "areas":  # an area may be named instead of coded
                named, several = self._areas_named(unknown)
                ids.update(named)
                unknown -= ids.keys()
            resolved: Column = list(map(ids.get, values))
            for i in [i for i, v in enumerate(values) if v in unknown] if unknown else []:
                problems.append(
                    Problem(
                        spec.name,
                        record_label(spec, raw, i),
                        f.name,
                        values[i],
                        _ambiguous(values[i], several[values[i]])
                        if values[i] in several
                        else f"no such {f.ref.entity} / no existe en {ENTITIES[f.ref.entity].es}",
                        row=i,
                    )
                )
            columns[f.column] = resolved

    def _areas_named(self, names: set[object]) -> tuple[dict[object, int], dict[object, list[str]]]:
        """Areas written by their name (case, accents and spacing aside), where that name is
        one area's only; and the names several areas share, with their codes."""
        table = table_of(ENTITIES["areas"])
        by_name: dict[str, list[tuple[int, str]]] = {}
        for area_id, code, name in self.conn.execute(
            select(table.c.id, table.c.code, table.c.name)
        ):
            by_name.setdefault(name_key(name), []).append((area_id, code))
        found: dict[object, int] = {}
        several: dict[object, list[str]] = {}
        for value in names:
            areas = by_name.get(name_key(str(value)), [])
            if len(areas) == 1:
                found[value] = areas[0][0]
            elif areas:
                several[value] = sorted(code for _id, code in areas)
        return found, several

    # -- reading existing rows -----------------------------------------------------------------
    def _existing(
        self, spec: EntitySpec, keys: list[tuple[Any, ...]]
    ) -> dict[tuple[Any, ...], dict[str, Any]]:
        table = table_of(spec)
        key_cols = [spec.by_name[k].column for k in spec.key]
        firsts = list({k[0] for k in keys})
        rows = [r._mapping for r in self._rows_where_in(table, key_cols[0], firsts)]
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
        reading: Reading | None = None,
    ) -> WriteResult:
        """Insert new records and update changed ones, matched by the entity's natural key.

        With ``insert_only`` an existing key is a problem. With ``skip_invalid`` rows with
        problems are left out and reported; otherwise any problem raises ValidationError and
        nothing is written. ``dry_run`` does the whole write inside a savepoint and rolls it
        back, so it reports exactly what a real run would, database constraints included.
        ``reading`` says how raw file values are read (see :class:`Reading`).
        """
        if dry_run:
            savepoint = self.conn.begin_nested()
            touched = self.touched.copy()
            try:
                return self.upsert(
                    entity, raw, insert_only=insert_only, skip_invalid=skip_invalid, reading=reading
                )
            finally:
                savepoint.rollback()
                self._audit.clear()
                self.touched = touched
        spec = ENTITIES[entity]
        if entity == "areas" and "level" in raw:
            return self._upsert_areas(
                raw, insert_only=insert_only, skip_invalid=skip_invalid, reading=reading
            )
        return self._upsert(
            spec, raw, insert_only=insert_only, skip_invalid=skip_invalid, reading=reading
        )

    def _upsert(
        self,
        spec: EntitySpec,
        raw: Mapping[str, Sequence[object]],
        *,
        insert_only: bool,
        skip_invalid: bool,
        reading: Reading | None = None,
    ) -> WriteResult:
        entity = spec.name
        checked = check_columns(spec, raw, reading)
        columns, problems, n = checked.columns, checked.problems, checked.n
        if any(p.row is None for p in problems):
            raise ValidationError(problems)
        self._resolve_refs(spec, columns, n, problems, raw)
        for check in spec.checks:
            for row, name, value, reason in check(self.conn, columns, n):
                problems.append(
                    Problem(spec.name, record_label(spec, raw, row), name, value, reason, row=row)
                )
        for f in spec.fields:  # a blank is the field's default, on insert and on update alike
            if f.default is not None and (f.name in spec.key or f.name in raw):
                columns[f.column] = [f.default if v is None else v for v in columns[f.column]]
        key_cols = [spec.by_name[k].column for k in spec.key]
        keys = list(zip(*(columns[c] for c in key_cols), strict=True)) if n else []
        seen: dict[tuple[Any, ...], int] = {}
        # the common case, every key distinct, is found by one set (no loop in Python)
        repeated = len(set(keys)) < len(keys)
        # a key part already refused (an unknown reference, say) is no duplicate of another
        key_refused = {p.row for p in problems if p.field in spec.key} if repeated else set()
        for i, k in enumerate(keys if repeated else ()):
            if None in k or i in key_refused:
                continue
            if k in seen:
                problems.append(
                    _duplicate(spec, raw, i, spec.key[0], "/".join(map(str, k)), seen[k])
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
        if existing or bad:
            new = [i for i in range(n) if i not in bad and keys[i] not in existing]
        else:  # a batch of new records
            new = list(range(n))
        updates: list[dict[str, Any]] = []
        updated_rows: list[int] = []
        for i in range(n) if existing else ():
            old = existing.get(keys[i])
            if old is None or i in bad:
                continue
            changed = {c: columns[c][i] for c in store_cols if old[c] != columns[c][i]}
            if not changed:
                result.unchanged += 1
                continue
            updates.append({"_id": old[id_column(entity)], **changed})
            updated_rows.append(i)
            self.touched.note_before(spec.table, [old])
            self._log(
                spec,
                keys[i],
                "update",
                {c: _json(old[c]) for c in changed},
                {c: _json(v) for c, v in changed.items()},
            )
        # Inserts column-wise: the common case (a batch of new records) never loops in Python.
        whole = len(new) == n
        insert_columns: list[Sequence[Any]] = []
        for c in insert_cols:
            col = columns[c] if whole else [columns[c][i] for i in new]
            if c in defaults:
                col = [defaults[c] if v is None else v for v in col]
            insert_columns.append(col)
        insert_columns.append([self.change_set_id] * len(new))
        if self.conn.dialect.name == "sqlite":
            insert_columns = [sqlite_dates(c) for c in insert_columns]
        result.inserted, result.updated = len(new), len(updates)
        table = table_of(spec)
        numbered = bool(new) and "id" in table.c
        after = self._last_id(table) if numbered else 0
        try:
            with self.conn.begin_nested():  # a refusal is diagnosed, not passed on raw
                self._insert_columns(table, [*insert_cols, "created_in"], insert_columns)
                self._update_rows(spec, updates)
        except INTEGRITY_ERRORS as exc:
            located = self._refused_unique(spec, columns, keys, raw, [*new, *updated_rows])
            raise ValidationError(
                located
                or [Problem(spec.name, "*", "*", None, f"{REFUSED}: {_driver_message(exc)}")]
            ) from None
        if numbered:
            self.touched.note_inserted(spec.table, after, self._last_id(table))
        elif new:
            self.touched.note(spec.table)
        self.flush_audit()
        return result

    def _refused_unique(
        self,
        spec: EntitySpec,
        columns: dict[str, Column],
        keys: list[tuple[Any, ...]],
        raw: Mapping[str, Sequence[object]],
        rows: list[int],
    ) -> list[Problem]:
        """Why the database refused a write, by record and field: a value of a unique field
        (a national id, say) repeated in the batch or already held by another record."""
        table = table_of(spec)
        key_cols = [spec.by_name[k].column for k in spec.key]
        problems: list[Problem] = []
        for f in spec.fields:
            column = table.c.get(f.column)
            if column is None or not column.unique or [f.column] == key_cols:
                continue
            first: dict[object, int] = {}
            for i in rows:
                value = columns[f.column][i]
                if value is None:
                    continue
                if value in first:
                    problems.append(_duplicate(spec, raw, i, f.name, value, first[value]))
                else:
                    first[value] = i
            stored = self._rows_where_in(
                table, f.column, list(first), table.c[f.column], *(table.c[c] for c in key_cols)
            )
            holder = {r[0]: tuple(r[1:]) for r in stored}
            for value, i in first.items():
                other = holder.get(value)
                if other is not None and other != keys[i]:
                    label = "/".join(map(str, other))
                    problems.append(
                        Problem(
                            spec.name,
                            record_label(spec, raw, i),
                            f.name,
                            value,
                            f"already held by {label} / ya lo tiene {label}",
                            row=i,
                        )
                    )
        return sorted(problems, key=lambda p: (p.row or 0, p.field))

    def _upsert_areas(
        self,
        raw: Mapping[str, Sequence[object]],
        *,
        insert_only: bool,
        skip_invalid: bool,
        reading: Reading | None = None,
    ) -> WriteResult:
        """Areas reference their parent: write them level by level, top first, so that a
        parent in the same batch exists when its children are resolved."""
        levels = raw["level"]
        if not isinstance(levels, list):
            raw = {
                k: list(v) if isinstance(v, list) else v.to_pylist()  # type: ignore[attr-defined]
                for k, v in raw.items()
            }
            levels = raw["level"]
        depth = [AREA_LEVEL_DEPTH.get(str(v).strip().casefold(), 99) for v in levels]
        total = WriteResult("areas")
        for d in sorted(set(depth)):
            rows = [i for i, x in enumerate(depth) if x == d]
            part = {name: [col[i] for i in rows] for name, col in raw.items()}
            try:
                res = self._upsert(
                    ENTITIES["areas"],
                    part,
                    insert_only=insert_only,
                    skip_invalid=skip_invalid,
                    reading=reading,
                )
            except ValidationError as exc:
                raise ValidationError([_renumber(p, rows) for p in exc.problems]) from None
            total.inserted += res.inserted
            total.updated += res.updated
            total.unchanged += res.unchanged
            total.skipped += res.skipped
            total.problems.extend(_renumber(p, rows) for p in res.problems)
        return total

    def _insert_columns(self, table: Table, cols: list[str], columns: list[Sequence[Any]]) -> None:
        """Insert rows given column by column; on SQLite the statements' parameters are laid
        out row-major by NumPy (no Python loop over the rows)."""
        n = len(columns[0]) if columns else 0
        if not n:
            return
        if self.conn.dialect.name != "sqlite":
            self._insert_rows(table, cols, list(zip(*columns, strict=True)))
            return
        grid = np.empty((n, len(cols)), dtype=object)
        for j, column in enumerate(columns):
            grid[:, j] = column if isinstance(column, list) else list(column)
        self._insert_flat(table, cols, grid.ravel().tolist(), n)

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
        self._insert_flat(table, cols, list(chain.from_iterable(rows)), len(rows))

    def _insert_flat(self, table: Table, cols: list[str], flat: list[Any], n: int) -> None:
        """SQLite: ``n`` rows whose values are laid out row after row in ``flat``, many rows
        per statement (up to ROWS_PER_INSERT, within SQLite's limit on parameters), which
        saves a statement step and reset per row on large loads."""
        width = len(cols)
        one = "(" + ", ".join("?" for _ in cols) + ")"
        names = ", ".join(f'"{c}"' for c in cols)
        insert = f'INSERT INTO "{table.name}" ({names}) VALUES '
        k = max(1, min(ROWS_PER_INSERT, self._sqlite_max_params() // width))
        full = n // k * k
        step = k * width
        if full:
            batches = [tuple(flat[i : i + step]) for i in range(0, full * width, step)]
            self.conn.exec_driver_sql(insert + ", ".join([one] * k), batches)
        rest = [tuple(flat[i : i + width]) for i in range(full * width, n * width, width)]
        if rest:
            self.conn.exec_driver_sql(insert + one, rest)

    def _sqlite_max_params(self) -> int:
        """How many parameters this SQLite accepts in one statement (999 before 3.32)."""
        dbapi: Any = self.conn.connection.driver_connection
        try:
            return int(dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        except (AttributeError, sqlite3.Error):
            return 999

    def _last_id(self, table: Table) -> int:
        return int(self.conn.execute(select(func.max(table.c.id))).scalar_one() or 0)

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

    def _stored(self, entity: str, key: str | tuple[Any, ...]) -> tuple[list[Any], dict[str, Any]]:
        """One record as stored (references as ids), and the condition that finds it."""
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
        return where, dict(row)

    def _outward(self, spec: EntitySpec, row: dict[str, Any]) -> dict[str, object]:
        """A stored record as the outside world writes it (references as natural keys)."""
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

    def get(self, entity: str, key: str | tuple[Any, ...]) -> dict[str, object]:
        """One record as the outside world writes it (references as natural keys)."""
        return self._outward(ENTITIES[entity], self._stored(entity, key)[1])

    def delete(self, entity: str, key: str | tuple[Any, ...]) -> None:
        """Delete one record; refused by the database while other records point at it."""
        spec = ENTITIES[entity]
        where, stored = self._stored(entity, key)
        before = self._outward(spec, stored)
        keys = key if isinstance(key, tuple) else (key,)
        ids = dict(zip(spec.key, keys, strict=True))
        row_key = tuple(ids[k] for k in spec.key)
        self.touched.note_before(spec.table, [stored])
        self.conn.execute(table_of(spec).delete().where(*where))
        logged = {k: _json(v) for k, v in before.items()}
        logged["_row"] = {k: _json(v) for k, v in stored.items()}  # to put it back exactly
        self._log(spec, row_key, "delete", logged, None)
        self.flush_audit()

    def set_state(self, entity: str, key: str, values: Mapping[str, object]) -> dict[str, object]:
        """Fields a lifecycle moves (a referral's status and outcome), not a file: written as
        given to the record found by its single natural key, and logged like any update.
        Returns the record as it was."""
        spec = ENTITIES[entity]
        where, stored = self._stored(entity, key)
        before = self._outward(spec, stored)
        self.conn.execute(table_of(spec).update().where(*where).values(dict(values)))
        after = {**before, **values}
        self._log(
            spec,
            (key,),
            "update",
            {k: _json(v) for k, v in before.items() if k in values},
            {k: _json(v) for k, v in after.items() if k in values},
        )
        self.flush_audit()
        return before

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


def sqlite_dates(column: Sequence[Any]) -> Sequence[Any]:
    """Dates as ISO text for SQLite (what SQLAlchemy stores; no reliance on sqlite3's deprecated
    default adapters). Columns from large files carry their ISO text already."""
    iso = getattr(column, "iso", None)
    if iso is not None:
        return list(iso)
    sample = next((v for v in column if v is not None), None)
    if isinstance(sample, dt.date):
        return [v.isoformat() if isinstance(v, dt.date) else v for v in column]
    return column


def _duplicate(
    spec: EntitySpec,
    raw: Mapping[str, Sequence[object]],
    row: int,
    field: str,
    value: object,
    first: int,
) -> Problem:
    """Row ``row`` repeats, in ``field``, the value of row ``first`` of the same batch."""
    label = record_label(spec, raw, row)
    reason = duplicate_reason(first)
    return Problem(spec.name, label, field, value, reason, row=row, duplicate_of=first)


REFUSED = "the database refused the change / la base de datos rechazó el cambio"
#: A constraint refused a write: through SQLAlchemy, or from a driver used directly (COPY).
INTEGRITY_ERRORS = (IntegrityError, sqlite3.IntegrityError, psycopg.errors.IntegrityError)


def _driver_message(exc: Exception) -> str:
    """The driver's reason in one line (without its SQL, parameters or DETAIL lines)."""
    orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    return str(orig).strip().splitlines()[0]


def _renumber(p: Problem, rows: list[int]) -> Problem:
    return p.numbered(rows.__getitem__)


class Registry:
    """The registry on one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def change(self, *, actor: str, source: str, dry_run: bool = False) -> Iterator[Change]:
        """Open a change set; it commits when the block ends and rolls back on any error.

        A ``dry_run`` change does every write, so it finds every problem a real one would,
        database constraints included, and is then rolled back whole: it leaves nothing, not
        even its change set."""
        try:
            with self.engine.connect() as conn, conn.begin() as transaction:
                change_set = Base.metadata.tables["change_set"]
                cs_id = conn.execute(
                    change_set.insert()
                    .values(actor=actor, at=dt.datetime.now(dt.UTC), source=source)
                    .returning(change_set.c.id)
                ).scalar_one()
                change = Change(conn, cs_id)
                yield change
                if dry_run:
                    transaction.rollback()
                else:
                    after_change(conn, cs_id, change.touched)
        except IntegrityError as exc:
            raise StoreError(f"{REFUSED}: {_driver_message(exc)}") from exc
        except DBAPIError as exc:
            raise StoreError(
                f"database error / error de la base de datos: {_driver_message(exc)}"
            ) from exc


def _ambiguous(name: object, codes: list[str]) -> str:
    listed = ", ".join(codes)
    return (
        f"{name!r} names {len(codes)} areas ({listed}): write its code / {name!r} nombra "
        f"{len(codes)} áreas ({listed}): escriba su código"
    )
