"""Person-level records for signed-in users, always inside their scope: list, read, change,
export. Used by both the private JSON API and the private pages (one implementation).

A record outside the user's scope is answered exactly like a record that does not exist, so
nobody learns what lies in another region.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, func, or_, select

from healthforce.errors import NotFoundError, Problem
from healthforce.exports.tables import read_entity
from healthforce.store.approvals import approval_fields, propose
from healthforce.store.models import Area, Facility, Post, Worker
from healthforce.store.registry import Change, Registry
from healthforce.store.schema import ENTITIES
from healthforce.users import Principal
from healthforce.web.private import scope
from healthforce.web.private.auth import Forbidden
from healthforce.web.private.scope import AnySelect

Editable = str  # "workers", "facilities" or "posts"


@dataclass(frozen=True)
class Kind:
    """One kind of record: its scope check, the fields that must stay inside the scope, and
    the list view (columns, the tables they need, the scope as a WHERE, the search)."""

    in_scope: Callable[[Connection, Principal, str], bool]
    guarded: dict[str, Callable[[Connection, Principal, Any], bool]]
    columns: Callable[[], list[tuple[str, Any]]]
    joined: Callable[[AnySelect], AnySelect]
    scope_where: Callable[[Principal], ColumnElement[bool] | None]
    search: Callable[[str], ColumnElement[bool]]


def _worker_in_scope(conn: Connection, who: Principal, key: str) -> bool:
    return scope.worker_in_scope(conn, who, key, dt.date.today())


def _worker_columns() -> list[tuple[str, Any]]:
    return [
        ("external_id", Worker.external_id),
        ("sex", Worker.sex),
        ("birth_date", Worker.birth_date),
        ("occupation", Worker.occupation_code),
        ("status", Worker.status),
    ]


def _facility_columns() -> list[tuple[str, Any]]:
    return [
        ("code", Facility.code),
        ("name", Facility.name),
        ("type", Facility.type),
        ("level_of_care", Facility.level_of_care),
        ("area", Area.code),
    ]


def _post_columns() -> list[tuple[str, Any]]:
    return [
        ("external_id", Post.external_id),
        ("facility", Facility.code),
        ("occupation", Post.occupation_code),
        ("specialty", Post.specialty_code),
        ("funded", Post.funded),
    ]


KINDS: dict[Editable, Kind] = {
    "workers": Kind(
        _worker_in_scope,
        {"residence_area": scope.area_in_scope},
        _worker_columns,
        lambda q: q,
        lambda who: scope.worker_filter(who, dt.date.today()),
        lambda text: Worker.external_id.ilike(f"%{text}%"),
    ),
    "facilities": Kind(
        scope.facility_in_scope,
        {"area": scope.area_in_scope},
        _facility_columns,
        lambda q: q.outerjoin(Area, Area.id == Facility.area_id),
        scope.facility_filter,
        lambda text: or_(Facility.code.ilike(f"%{text}%"), Facility.name.ilike(f"%{text}%")),
    ),
    "posts": Kind(
        scope.post_in_scope,
        {"facility": lambda c, w, v: v is None or scope.facility_in_scope(c, w, str(v))},
        _post_columns,
        lambda q: q.join(Facility, Facility.id == Post.facility_id),
        scope.facility_filter,
        lambda text: Post.external_id.ilike(f"%{text}%"),
    ),
}


def _not_found(entity: str, key: str) -> NotFoundError:
    return NotFoundError(f"{entity} {key}: no such record in your area / no existe en su área")


def _records(who: Principal, entity: Editable, q: str = "") -> AnySelect:
    """The records of the kind inside the user's scope (matching ``q``), in key order, with the
    columns the user may read."""
    kind = KINDS[entity]
    hidden = scope.hidden_fields(who, entity)
    cols = [(n, c) for n, c in kind.columns() if n not in hidden]
    query = kind.joined(select(*(c.label(n) for n, c in cols)))
    where = kind.scope_where(who)
    if where is not None:
        query = query.where(where)
    if q:
        query = query.where(kind.search(q))
    return query.order_by(cols[0][1])


def count_records(engine: Engine, who: Principal, entity: Editable, q: str = "") -> int:
    query = _records(who, entity, q).order_by(None)
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def list_records(
    engine: Engine, who: Principal, entity: Editable, q: str = "", limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """A page of records inside the user's scope (optionally matching ``q``), and the total."""
    with engine.connect() as conn:
        rows = conn.execute(_records(who, entity, q).limit(limit).offset(offset)).mappings()
        page = [dict(r) for r in rows]
    return page, count_records(engine, who, entity, q)


def get_record(engine: Engine, who: Principal, entity: Editable, key: str) -> dict[str, object]:
    """One record inside the user's scope, with the fields the user may read."""
    with engine.connect() as conn:
        if not KINDS[entity].in_scope(conn, who, key):
            raise _not_found(entity, key)
        record = Change(conn, 0).get(entity, key)
    hidden = scope.hidden_fields(who, entity)
    return {k: v for k, v in record.items() if k not in hidden}


def update_record(
    engine: Engine, who: Principal, entity: Editable, key: str, changes: dict[str, object]
) -> dict[str, object]:
    """Change fields of one record through the audited registry, inside the user's scope: the
    record must be inside before, and guarded fields (an area, a facility) must stay inside."""
    kind = KINDS[entity]
    if scope.hidden_fields(who, entity) & changes.keys():
        raise Forbidden  # a field the user may not read is not theirs to write either
    with engine.connect() as conn:
        if not kind.in_scope(conn, who, key):
            raise _not_found(entity, key)
        for name, check in kind.guarded.items():
            if name in changes and not check(conn, who, changes[name]):
                raise _not_found(entity, f"{key} ({name} = {changes[name]})")
    held: dict[str, object] = {}
    if not scope.allowed(who, "approve_changes"):  # maker-checker: these wait for approval
        needs = approval_fields(entity)
        held = {k: v for k, v in changes.items() if k in needs}
        changes = {k: v for k, v in changes.items() if k not in needs}
    pending = propose(engine, entity, key, held, by=who.username) if held else []
    if changes:
        with Registry(engine).change(actor=who.username, source=f"web: edit {entity}") as c:
            c.update(entity, key, changes)
            record = c.get(entity, key)
    else:  # nothing written now: no empty change set
        with Registry(engine).change(actor=who.username, source="read", dry_run=True) as c:
            record = c.get(entity, key)
    if pending:
        record = {**record, "_pending_approval": pending}
    return record


def export_rows(engine: Engine, who: Principal, entity: Editable) -> dict[str, list[object]]:
    """Every record of the entity inside the user's scope, column-wise with the import
    template's fields (references by natural key) that the user may read: a person-level
    export that imports back as it is."""
    with engine.connect() as conn:
        keys = set(conn.execute(select(_records(who, entity).subquery().c[0])).scalars())
    data = read_entity(engine, entity)
    spec = ENTITIES[entity]
    key = data[spec.key[0]]
    rows = [i for i, k in enumerate(key) if k in keys]
    hidden = scope.hidden_fields(who, entity)
    return {f.name: [data[f.name][i] for i in rows] for f in spec.fields if f.name not in hidden}


OUTSIDE = "not in your area / fuera de su área"


def scope_problems(
    engine: Engine, who: Principal, entity: str, columns: dict[str, list[object]]
) -> list[Problem]:
    """Why rows of a file (columns by field, rows from 0) may not be imported by a user with an
    area: a record that exists outside the area (answered like one that does not exist
    anywhere), or a new or changed record whose area, residence or facility lies outside (a new
    one must name it). Users without an area (national) get no problems."""
    if who.area_ids is None:
        return []
    spec = ENTITIES[entity]
    if entity not in KINDS:
        return [Problem(entity, "*", "*", None, OUTSIDE)]
    kind = KINDS[entity]
    keys = [None if v is None else str(v).strip() or None for v in columns.get(spec.key[0], [])]
    with engine.connect() as conn:
        inside = set(conn.execute(select(_records(who, entity).subquery().c[0])).scalars())
        existing = set(Change(conn, 0).resolve(entity, {k for k in keys if k}))
        checked: dict[tuple[str, object], bool] = {}
        problems: list[Problem] = []
        for i, key in enumerate(keys):
            if key is None:
                continue  # the importer reports the missing key
            if key in existing and key not in inside:
                problems.append(Problem(entity, key, spec.key[0], key, OUTSIDE, row=i))
                continue
            stored = Change(conn, 0).get(entity, key) if key in existing else {}
            for name, check in kind.guarded.items():
                value = columns.get(name, [None] * len(keys))[i]
                value = None if value is None or not str(value).strip() else str(value).strip()
                if key in existing and (value is None or value == stored.get(name)):
                    continue  # unchanged, or blanked: stays where its other links put it
                if (name, value) not in checked:
                    checked[name, value] = value is not None and check(conn, who, value)
                if not checked[name, value]:
                    problems.append(Problem(entity, key, name, value, OUTSIDE, row=i))
    return problems
