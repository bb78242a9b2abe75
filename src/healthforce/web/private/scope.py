"""What each role may do, and where: the authorization matrix in one table, and the areas a
record belongs to.

A worker belongs to the areas of the facilities of their open assignments, or, with none, to
their area of residence; a facility to its area; a post to its facility's area; a referral to
its referring facility's area. A regional manager or data clerk reaches a record when one of
its areas lies in their area's subtree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, TypeAlias

from sqlalchemy import ColumnElement, Connection, Select, exists, select
from sqlalchemy.orm import aliased

from healthforce.store.models import (
    Appointment,
    Area,
    Assignment,
    Facility,
    Post,
    Schedule,
    ServiceRequest,
    Slot,
    Worker,
)
from healthforce.store.models.workforce import assignment_open_on
from healthforce.store.schema import ENTITIES
from healthforce.users import Principal

#: A SELECT of any columns (SQLAlchemy types selects by their columns).
AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"

Action = Literal[
    "read",  # person-level records, inside the user's scope
    "read_private",  # the fields the entity spec marks private (ids, birth date, home)
    "write",
    "export_persons",
    "import_files",
    "run_scenarios",
    "view_audit",
    "book",
    "manage_users",
    "approve_changes",  # fields the entity spec marks for approval (maker-checker)
]

ALLOWED: dict[str, frozenset[str]] = {
    "admin": frozenset(
        {
            "read",
            "read_private",
            "write",
            "export_persons",
            "import_files",
            "run_scenarios",
            "view_audit",
            "book",
            "manage_users",
            "approve_changes",
        }
    ),
    "national_planner": frozenset(
        {
            *("read", "write", "export_persons", "import_files", "run_scenarios", "view_audit"),
            *("book", "approve_changes"),
        }
    ),
    # a regional manager manages the people of their region; a planner plans with aggregates
    # and a data clerk keeps records without needing anyone's documents or home
    "regional_manager": frozenset(
        {
            *("read", "read_private", "write", "export_persons", "import_files", "book"),
            "approve_changes",
        }
    ),
    "data_clerk": frozenset({"read", "write", "book"}),
}


def allowed(who: Principal, action: Action) -> bool:
    return action in ALLOWED.get(who.role, frozenset())


def hidden_fields(who: Principal, entity: str) -> frozenset[str]:
    """The entity's private fields (by the spec), unless the user's role may read them."""
    if allowed(who, "read_private"):
        return frozenset()
    return frozenset(f.name for f in ENTITIES[entity].fields if f.private)


def hidden_columns(who: Principal) -> dict[str, frozenset[str]]:
    """Entity -> the store columns of its private fields the user may not read (for the
    audit log, which records store columns)."""
    if allowed(who, "read_private"):
        return {}
    return {
        name: frozenset(f.column for f in spec.fields if f.private)
        for name, spec in ENTITIES.items()
        if any(f.private for f in spec.fields)
    }


def worker_filter(who: Principal, day: dt.date) -> ColumnElement[bool] | None:
    """A WHERE clause on Worker for the user's scope (None: no limit)."""
    if who.area_ids is None:
        return None
    areas = list(who.area_ids)
    works_here = exists(
        select(Assignment.id)
        .join(Post, Post.id == Assignment.post_id)
        .join(Facility, Facility.id == Post.facility_id)
        .where(
            Assignment.worker_id == Worker.id,
            assignment_open_on(day),
            Facility.area_id.in_(areas),
        )
    )
    works_anywhere = exists(
        select(Assignment.id).where(Assignment.worker_id == Worker.id, assignment_open_on(day))
    )
    return works_here | (~works_anywhere & Worker.residence_area_id.in_(areas))


def facility_filter(who: Principal) -> ColumnElement[bool] | None:
    return None if who.area_ids is None else Facility.area_id.in_(list(who.area_ids))


def _found(conn: Connection, query: AnySelect, where: ColumnElement[bool] | None) -> bool:
    return conn.execute(query if where is None else query.where(where)).first() is not None


def worker_in_scope(conn: Connection, who: Principal, external_id: str, day: dt.date) -> bool:
    query = select(Worker.id).where(Worker.external_id == external_id)
    return _found(conn, query, worker_filter(who, day))


def facility_in_scope(conn: Connection, who: Principal, code: str) -> bool:
    return _found(conn, select(Facility.id).where(Facility.code == code), facility_filter(who))


def _through_facility(
    conn: Connection, who: Principal, key: Any, fk: Any, external_id: str
) -> bool:
    """A record found by ``key`` == external_id, in scope through the facility ``fk`` names."""
    query = select(key).join(Facility, Facility.id == fk).where(key == external_id)
    return _found(conn, query, facility_filter(who))


def post_in_scope(conn: Connection, who: Principal, external_id: str) -> bool:
    return _through_facility(conn, who, Post.external_id, Post.facility_id, external_id)


def referral_filter(who: Principal) -> ColumnElement[bool] | None:
    """Referrals a user works on: from a facility in their area, or booked at a clinic in it
    (the hospital records the outcome of referrals from another region)."""
    if who.area_ids is None:
        return None
    areas = list(who.area_ids)
    referring, clinic = aliased(Facility), aliased(Facility)  # never the outer query's
    from_here = select(referring.id).where(referring.area_id.in_(areas))
    at_clinic = exists(
        select(Appointment.id)
        .join(Slot, Slot.id == Appointment.slot_id)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .join(clinic, clinic.id == Schedule.facility_id)
        .where(Appointment.request_id == ServiceRequest.id, clinic.area_id.in_(areas))
    )
    return ServiceRequest.referring_facility_id.in_(from_here) | at_clinic


def referral_in_scope(conn: Connection, who: Principal, external_id: str) -> bool:
    query = select(ServiceRequest.id).where(ServiceRequest.external_id == external_id)
    return _found(conn, query, referral_filter(who))


def area_in_scope(conn: Connection, who: Principal, area_code: object) -> bool:
    """A value written into an area field (a facility's area, a residence) must stay inside."""
    if who.area_ids is None or area_code is None:
        return True
    found = conn.execute(select(Area.id).where(Area.code == str(area_code))).scalar()
    return found in who.area_ids
