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

from sqlalchemy import Connection, Engine, func, or_, select

from healthforce.errors import NotFoundError
from healthforce.store.models import Area, Facility, Post, Worker
from healthforce.store.registry import Change, Registry
from healthforce.store.schema import ENTITIES
from healthforce.users import Principal
from healthforce.web.private import scope

Editable = str  # "workers", "facilities" or "posts"


@dataclass(frozen=True)
class Kind:
    in_scope: Callable[[Connection, Principal, str], bool]
    #: fields whose new value must stay inside the user's scope, with how to check it
    guarded: dict[str, Callable[[Connection, Principal, Any], bool]]
    #: list columns: (name, SQL expression)
    columns: Callable[[], list[tuple[str, Any]]]


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
    "workers": Kind(_worker_in_scope, {"residence_area": scope.area_in_scope}, _worker_columns),
    "facilities": Kind(scope.facility_in_scope, {"area": scope.area_in_scope}, _facility_columns),
    "posts": Kind(
        scope.post_in_scope,
        {"facility": lambda c, w, v: v is None or scope.facility_in_scope(c, w, str(v))},
        _post_columns,
    ),
}

#: Fields never shown to anyone but a signed-in user (and never in a public schema).
PRIVATE_FIELDS = {name: [f.name for f in ENTITIES[name].fields if f.private] for name in KINDS}


def _not_found(entity: str, key: str) -> NotFoundError:
    return NotFoundError(f"{entity} {key}: no such record in your area / no existe en su área")


def list_records(
    engine: Engine, who: Principal, entity: Editable, q: str = "", limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """A page of records inside the user's scope (optionally matching ``q``), and the total."""
    kind = KINDS[entity]
    cols = kind.columns()
    query = select(*(c.label(n) for n, c in cols))
    like = f"%{q}%"
    search: Any
    if entity == "workers":
        where, search = scope.worker_filter(who, dt.date.today()), Worker.external_id.ilike(like)
    elif entity == "facilities":
        query = query.outerjoin(Area, Area.id == Facility.area_id)
        where = scope.facility_filter(who)
        search = or_(Facility.code.ilike(like), Facility.name.ilike(like))
    else:
        query = query.join(Facility, Facility.id == Post.facility_id)
        where, search = scope.facility_filter(who), Post.external_id.ilike(like)
    if where is not None:
        query = query.where(where)
    if q:
        query = query.where(search)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = conn.execute(query.order_by(cols[0][1]).limit(limit).offset(offset)).mappings()
        return [dict(r) for r in rows], int(total)


def get_record(engine: Engine, who: Principal, entity: Editable, key: str) -> dict[str, object]:
    with engine.connect() as conn:
        if not KINDS[entity].in_scope(conn, who, key):
            raise _not_found(entity, key)
        return Change(conn, 0).get(entity, key)


def update_record(
    engine: Engine, who: Principal, entity: Editable, key: str, changes: dict[str, object]
) -> dict[str, object]:
    """Change fields of one record through the audited registry, inside the user's scope: the
    record must be inside before, and guarded fields (an area, a facility) must stay inside."""
    kind = KINDS[entity]
    with engine.connect() as conn:
        if not kind.in_scope(conn, who, key):
            raise _not_found(entity, key)
        for name, check in kind.guarded.items():
            if name in changes and not check(conn, who, changes[name]):
                raise _not_found(entity, f"{key} ({name} = {changes[name]})")
    with Registry(engine).change(actor=who.username, source=f"web: edit {entity}") as change:
        change.update(entity, key, changes)
        return change.get(entity, key)


def export_rows(engine: Engine, who: Principal, entity: Editable) -> list[dict[str, Any]]:
    """Every record of the entity inside the user's scope (a person-level export)."""
    return list_records(engine, who, entity, limit=10**9)[0]
