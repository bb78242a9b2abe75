"""Specialist access in the demo country: clinics for a sample of hospital specialists (from
their assignments), slots around the reference date, referrals from nearby first-level
centres, a history of attended, missed and cancelled appointments, and the latest referrals
booked through the real booking path (or put on the waiting list).

Everything is synthetic, seeded and written through the registry or the booking functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Engine, func, insert, select, update

from healthforce.access.booking import PRIORITY_ORDER, book, mark_seen_on
from healthforce.access.clinics import ClinicRules, clinics_from_assignments
from healthforce.access.schedules import write_slots
from healthforce.geo.sphere import haversine_km
from healthforce.store.models import (
    Appointment,
    AppointmentEvent,
    Assignment,
    Facility,
    Post,
    Schedule,
    ServiceRequest,
    Slot,
    Worker,
)
from healthforce.store.models.workforce import assignment_open_on, practised_specialty
from healthforce.store.registry import Registry
from healthforce.store.session import as_utc

PRIORITIES = np.array(["routine", "priority", "urgent"])


@dataclass(frozen=True)
class AccessDemo:
    clinics: int
    slots: int
    referrals: int
    appointments: int
    waiting: int


def seed_access(
    registry: Registry,
    day: dt.date,
    *,
    specialists: int = 60,
    weeks_back: int = 10,
    weeks_ahead: int = 4,
    timezone: str | None = None,  # default: each facility's zone
    seed: int = 0,
) -> AccessDemo:
    """Build the demo's specialist access around ``day`` (the demo's reference date)."""
    engine = registry.engine
    rng = np.random.default_rng(seed)
    with engine.connect() as conn:
        candidates = (
            conn.execute(
                select(Worker.external_id)
                .join(Assignment, Assignment.worker_id == Worker.id)
                .join(Post, Post.id == Assignment.post_id)
                .join(Facility, Facility.id == Post.facility_id)
                .where(
                    assignment_open_on(day),
                    practised_specialty().is_not(None),
                    Facility.level_of_care.in_(("2", "3")),
                    Facility.latitude.is_not(None),
                )
                .distinct()
                .order_by(Worker.external_id)
            )
            .scalars()
            .all()
        )
    chosen = rng.choice(candidates, size=min(specialists, len(candidates)), replace=False)
    start = day - dt.timedelta(weeks=weeks_back)
    rules = ClinicRules(clinic_share=0.2, timezone=timezone, levels=("2", "3"))
    made = clinics_from_assignments(
        registry, start, rules, actor="demo", only=[str(c) for c in chosen]
    )
    slots = write_slots(engine, start, day + dt.timedelta(weeks=weeks_ahead))
    referrals = _referrals(engine, start, day, rng)
    appointments = _history(engine, day, rng)
    waiting = 0
    now = dt.datetime.combine(day, dt.time(7), dt.UTC)
    recent = _unbooked(engine, day - dt.timedelta(days=2))
    for ext in recent:
        if book(engine, ext, now=now, max_km=150.0, idempotency_key=f"demo-{ext}") is None:
            waiting += 1
    return AccessDemo(
        made.inserted, slots, referrals, appointments + len(recent) - waiting, waiting
    )


def _referrals(engine: Engine, start: dt.date, day: dt.date, rng: np.random.Generator) -> int:
    """Referrals from the first-level centres within 60 km of each clinic: per specialty, a
    tenth more than its clinics' seats up to ``day``, so that queues form."""
    first = dt.datetime.combine(start, dt.time(), dt.UTC)
    last = dt.datetime.combine(day, dt.time(), dt.UTC)
    with engine.connect() as conn:
        clinics = conn.execute(
            select(Schedule.specialty_code, Facility.latitude, Facility.longitude)
            .join(Facility, Facility.id == Schedule.facility_id)
            .distinct()
        ).all()
        seats = dict(
            conn.execute(
                select(Schedule.specialty_code, func.count())
                .join(Slot, Slot.schedule_id == Schedule.id)
                .where(Slot.start >= first, Slot.start < last)
                .group_by(Schedule.specialty_code)
            ).all()
        )
        centres = conn.execute(
            select(Facility.id, Facility.latitude, Facility.longitude).where(
                Facility.level_of_care == "1", Facility.latitude.is_not(None)
            )
        ).all()
    if not clinics or not centres:
        return 0
    c_id = np.array([c[0] for c in centres])
    c_lat = np.array([c[1] for c in centres], dtype=float)
    c_lon = np.array([c[2] for c in centres], dtype=float)
    near_by: dict[str, set[int]] = {}
    for specialty, lat, lon in clinics:
        if lat is None or lon is None:
            continue
        near = np.flatnonzero(haversine_km(float(lat), float(lon), c_lat, c_lon) <= 60)
        picked = rng.choice(near, size=min(8, near.size), replace=False)
        near_by.setdefault(str(specialty), set()).update(int(c_id[i]) for i in picked)
    days = (day - start).days
    rows: list[dict[str, object]] = []
    for specialty, ids in sorted(near_by.items()):
        pool = sorted(ids)
        if not pool:
            continue
        for _ in range(rng.poisson(1.1 * seats.get(specialty, 0))):
            rows.append(
                {
                    "external_id": f"REF{len(rows):07d}",
                    "referring_facility_id": pool[int(rng.integers(len(pool)))],
                    "patient_ref": f"PAC-{rng.integers(10**8):08d}",
                    "specialty_code": specialty,
                    "priority": str(rng.choice(PRIORITIES, p=[0.7, 0.2, 0.1])),
                    "requested_on": start + dt.timedelta(days=int(rng.integers(0, days + 1))),
                    "status": "open",
                }
            )
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(ServiceRequest), rows)
    return len(rows)


def _history(engine: Engine, day: dt.date, rng: np.random.Generator) -> int:
    """Referrals made more than two days before ``day`` get the earliest free slot of their
    specialty after their date (urgent first); past ones were attended (85 %), missed (10 %)
    or cancelled (5 %)."""
    cutoff = day - dt.timedelta(days=2)
    order = PRIORITY_ORDER
    with engine.connect() as conn:
        requests = sorted(
            conn.execute(
                select(
                    ServiceRequest.id,
                    ServiceRequest.specialty_code,
                    ServiceRequest.requested_on,
                    ServiceRequest.priority,
                ).where(ServiceRequest.requested_on < cutoff)
            ).all(),
            key=lambda r: (r[2], order[r[3]], r[0]),
        )
        free: dict[str, list[tuple[dt.datetime, int]]] = {}
        for specialty, slot_id, when in conn.execute(
            select(Schedule.specialty_code, Slot.id, Slot.start)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .order_by(Slot.start, Slot.id)
        ):
            free.setdefault(specialty, []).append((as_utc(when), slot_id))
    now = dt.datetime.combine(day, dt.time(7), dt.UTC)
    appointments: list[dict[str, object]] = []
    outcome: dict[str, list[int]] = {"closed": [], "booked": [], "waiting": []}
    for rid, specialty, requested, _priority in requests:
        queue = free.get(specialty, [])
        earliest = dt.datetime.combine(requested + dt.timedelta(days=1), dt.time(), dt.UTC)
        i = 0
        while i < len(queue) and queue[i][0] < earliest:
            i += 1
        if i >= len(queue):
            continue
        when, slot_id = queue.pop(i)
        status = "booked"
        if when < now:
            status = str(rng.choice(["attended", "no_show", "cancelled"], p=[0.85, 0.10, 0.05]))
        appointments.append(
            {
                "slot_id": slot_id,
                "request_id": rid,
                "status": status,
                "created_at": dt.datetime.combine(requested, dt.time(9), dt.UTC),
            }
        )
        after = {"attended": "closed", "no_show": "closed", "cancelled": "waiting"}
        outcome[after.get(status, "booked")].append(rid)
    with engine.begin() as conn:
        if appointments:
            conn.execute(insert(Appointment), appointments)
            _events(conn)
            mark_seen_on(conn, None)
        for status, ids in outcome.items():
            if ids:
                conn.execute(
                    update(ServiceRequest).where(ServiceRequest.id.in_(ids)).values(status=status)
                )
    return len(appointments)


def _events(conn: Connection) -> None:
    """The history of the demo's past appointments: booked when the referral was handled, then
    attended, missed or cancelled at the slot's time."""
    rows = conn.execute(
        select(Appointment.id, Appointment.status, Appointment.created_at, Slot.start).join(
            Slot, Slot.id == Appointment.slot_id
        )
    ).all()
    events: list[dict[str, object]] = []
    for aid, status, created, start in rows:
        events.append(
            {
                "appointment_id": aid,
                "at": created,
                "from_status": None,
                "to_status": "booked",
                "actor": "demo",
            }
        )
        if status != "booked":
            events.append(
                {
                    "appointment_id": aid,
                    "at": start,
                    "from_status": "booked",
                    "to_status": status,
                    "actor": "demo",
                }
            )
    conn.execute(insert(AppointmentEvent), events)


def _unbooked(engine: Engine, since: dt.date) -> list[str]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(ServiceRequest.external_id)
                .where(ServiceRequest.status == "open", ServiceRequest.requested_on >= since)
                .order_by(ServiceRequest.requested_on, ServiceRequest.external_id)
            ).scalars()
        )
