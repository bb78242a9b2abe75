"""Booking: the earliest suitable slot within a travel limit from the referring facility,
honouring priority; the waiting list when none fits; never two live appointments in a slot.

The guarantee is the database's: partial unique indexes on the slot and on the referral of live
appointments. Two requests racing for one slot cannot both commit (the loser is told "slot
taken", or tries the next slot), nor can two requests give one referral two appointments. A
retried request with the same idempotency key returns the booking it made; the key used for
another request (another referral or another slot) is refused, never replayed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from healthforce.errors import HealthforceError, NotFoundError
from healthforce.geo.sphere import haversine_km
from healthforce.store.models import (
    Appointment,
    AppointmentEvent,
    Facility,
    Schedule,
    ServiceRequest,
    Slot,
)
from healthforce.store.models.access import LIVE
from healthforce.store.session import as_utc, in_zone

#: Days within which each priority must be seen (configurable per call).
PRIORITY_DAYS = {"urgent": 7, "priority": 30, "routine": None}
#: Referral statuses that need no slot.
DONE = ("closed", "booked", "cancelled")


class SlotTaken(HealthforceError):  # noqa: N818 - reads as what happened
    """The slot already holds a live appointment."""


class BookingRefused(HealthforceError):  # noqa: N818
    """The request cannot be booked (past slot, cancelled clinic, closed referral ...)."""


class KeyReused(HealthforceError):  # noqa: N818
    """An idempotency key already used for another request (HTTP 409)."""


def fingerprint(request_ext: str, slot_id: int | None) -> str:
    """What an idempotency key is bound to: the referral, and the slot asked for (or none:
    the earliest suitable one)."""
    asked = "earliest" if slot_id is None else str(slot_id)
    return hashlib.sha256(f"{request_ext}\x1f{asked}".encode()).hexdigest()


def _replay(conn: Connection, key: str, request_ext: str, print_: str) -> Booking | None:
    """The booking an earlier request with this key made, if it was this same request."""
    found = conn.execute(
        select(
            Appointment.id,
            Appointment.slot_id,
            Slot.start,
            Appointment.idempotency_fingerprint,
        )
        .join(Slot, Slot.id == Appointment.slot_id)
        .where(Appointment.idempotency_key == key)
    ).first()
    if found is None:
        return None
    if found[3] is not None and found[3] != print_:
        raise KeyReused(
            f"idempotency key {key!r} was used for another request than referral {request_ext} "
            "here; use a new key / la clave de idempotencia ya se usó para otra solicitud"
        )
    return Booking(found[0], found[1], as_utc(found[2]), replayed=True)


@dataclass(frozen=True)
class Booking:
    appointment_id: int
    slot_id: int
    start: dt.datetime
    replayed: bool = False  # an earlier booking found by its idempotency key


def book_slot(
    engine: Engine,
    request_ext: str,
    slot_id: int,
    *,
    now: dt.datetime,
    idempotency_key: str | None = None,
    actor: str = "system",
    bound_to: str | None = None,
) -> Booking:
    """Book one given slot for a referral; SlotTaken when someone else holds it.
    ``bound_to`` is the request the idempotency key belongs to (default: this slot)."""
    print_ = bound_to or fingerprint(request_ext, slot_id)
    with engine.begin() as conn:
        if idempotency_key:
            replay = _replay(conn, idempotency_key, request_ext, print_)
            if replay is not None:
                return replay
        request = conn.execute(
            select(ServiceRequest.id, ServiceRequest.status).where(
                ServiceRequest.external_id == request_ext
            )
        ).first()
        if request is None:
            raise NotFoundError(f"referral {request_ext}: no such referral / no existe")
        _refuse_if_done(request_ext, request[1])
        start = bookable_start(conn, slot_id, now)
    try:
        with engine.begin() as conn:
            appointment = conn.execute(
                insert(Appointment)
                .values(
                    slot_id=slot_id,
                    request_id=request[0],
                    status="booked",
                    idempotency_key=idempotency_key,
                    idempotency_fingerprint=print_ if idempotency_key else None,
                    created_at=now,
                )
                .returning(Appointment.id)
            ).scalar_one()
            record_event(conn, appointment, None, "booked", now, actor)
            conn.execute(
                update(ServiceRequest)
                .where(ServiceRequest.id == request[0])
                .values(status="booked")
            )
            mark_seen_on(conn, [request[0]])
    except IntegrityError as exc:
        clash = str(exc.orig).lower()
        if idempotency_key and "idempotency" in clash:
            return book_slot(
                engine,
                request_ext,
                slot_id,
                now=now,
                idempotency_key=idempotency_key,
                actor=actor,
                bound_to=print_,
            )
        if "request" in clash:  # the referral's index, by name (PostgreSQL) or column (SQLite)
            raise BookingRefused(
                f"referral {request_ext} already has a live appointment / la referencia ya "
                "tiene una cita vigente"
            ) from None
        raise SlotTaken(f"slot {slot_id} is taken / el cupo ya está ocupado") from None
    return Booking(appointment, slot_id, start)


def _refuse_if_done(request_ext: str, status: str) -> None:
    from healthforce.reference.codes import REFERRAL_STATUS

    if status in DONE:
        raise BookingRefused(
            f"referral {request_ext} is {status}: it has no need of a slot / "
            f"la referencia está {REFERRAL_STATUS.label(status, 'es').lower()}"
        )


def book(
    engine: Engine,
    request_ext: str,
    *,
    now: dt.datetime,
    max_km: float = 100.0,
    priority_days: dict[str, int | None] | None = None,
    idempotency_key: str | None = None,
    actor: str = "system",
) -> Booking | None:
    """The earliest free slot of the referral's specialty within ``max_km`` of the referring
    facility and within its priority's limit; None (and the referral waits) when none fits."""
    limits = priority_days or PRIORITY_DAYS
    with engine.connect() as conn:
        if idempotency_key:  # before the search: the slot it holds is no longer free
            replay = _replay(conn, idempotency_key, request_ext, fingerprint(request_ext, None))
            if replay is not None:
                return replay
        req = conn.execute(
            select(
                ServiceRequest.specialty_code,
                ServiceRequest.priority,
                Facility.latitude,
                Facility.longitude,
                ServiceRequest.status,
            )
            .join(Facility, Facility.id == ServiceRequest.referring_facility_id)
            .where(ServiceRequest.external_id == request_ext)
        ).first()
        if req is None:
            raise NotFoundError(f"referral {request_ext}: no such referral / no existe")
        _refuse_if_done(request_ext, req[4])
        limit = limits.get(req[1])
        latest = now + dt.timedelta(days=limit) if limit is not None else None
        live = select(Appointment.slot_id).where(Appointment.status.in_(LIVE))
        stmt = (
            select(Slot.id, Slot.start, Facility.latitude, Facility.longitude)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .join(Facility, Facility.id == Schedule.facility_id)
            .where(
                Schedule.specialty_code == req[0],
                Schedule.status == "active",
                Slot.status == "free",
                Slot.start > now,
                Slot.id.not_in(live),
            )
            .order_by(Slot.start, Slot.id)
        )
        if latest is not None:
            stmt = stmt.where(Slot.start <= latest)
        candidates = conn.execute(stmt).all()
    for slot_id, _start, lat, lon in candidates:
        from_lat, from_lon = req[2], req[3]
        if (
            from_lat is not None
            and from_lon is not None
            and lat is not None
            and lon is not None
            and float(haversine_km(from_lat, from_lon, lat, lon)) > max_km
        ):
            continue
        try:
            return book_slot(
                engine,
                request_ext,
                slot_id,
                now=now,
                idempotency_key=idempotency_key,
                actor=actor,
                bound_to=fingerprint(request_ext, None),
            )
        except SlotTaken:
            continue
    with engine.begin() as conn:
        conn.execute(
            update(ServiceRequest)
            .where(
                ServiceRequest.external_id == request_ext,
                ServiceRequest.status.in_(("open", "waiting")),
            )
            .values(status="waiting")
        )
    return None


def cancel(
    engine: Engine,
    appointment_id: int,
    *,
    now: dt.datetime,
    max_km: float = 100.0,
    actor: str = "system",
) -> Booking | None:
    """Cancel an appointment (its referral is open again); the freed slot goes to the waiting
    list in priority order (urgent, priority, routine; then oldest referral). Returns the new
    booking, if any."""
    with engine.begin() as conn:
        freed = cancel_in(conn, appointment_id, now, actor, referral_status="open")
    return offer_slot(engine, *freed, now=now, actor=actor)


def cancel_in(
    conn: Connection,
    appointment_id: int,
    now: dt.datetime,
    actor: str,
    *,
    referral_status: str | None,
) -> tuple[int, str]:
    """Cancel a booked or confirmed appointment inside an open transaction (its referral set
    to ``referral_status`` unless None); the freed slot and its specialty."""
    row = conn.execute(
        select(Appointment.slot_id, Appointment.request_id, Appointment.status).where(
            Appointment.id == appointment_id, Appointment.status.in_(("booked", "confirmed"))
        )
    ).first()
    if row is None:
        raise NotFoundError(
            f"appointment {appointment_id}: no booked appointment to cancel / no existe"
        )
    conn.execute(
        update(Appointment).where(Appointment.id == appointment_id).values(status="cancelled")
    )
    record_event(conn, appointment_id, row[2], "cancelled", now, actor)
    mark_seen_on(conn, [row[1]])
    if referral_status is not None:
        conn.execute(
            update(ServiceRequest).where(ServiceRequest.id == row[1]).values(status=referral_status)
        )
    specialty = conn.execute(
        select(Schedule.specialty_code)
        .join(Slot, Slot.schedule_id == Schedule.id)
        .where(Slot.id == row[0])
    ).scalar_one()
    return int(row[0]), str(specialty)


#: The waiting list's order: priority first, then the oldest referral.
PRIORITY_ORDER = {"urgent": 0, "priority": 1, "routine": 2}


def offer_slot(
    engine: Engine, slot_id: int, specialty: str, *, now: dt.datetime, actor: str
) -> Booking | None:
    """Give a freed slot to the first referral of the waiting list that can take it."""
    with engine.connect() as conn:
        waiting = conn.execute(
            select(
                ServiceRequest.external_id, ServiceRequest.priority, ServiceRequest.requested_on
            ).where(ServiceRequest.status == "waiting", ServiceRequest.specialty_code == specialty)
        ).all()
    order = PRIORITY_ORDER
    for ext, _p, _d in sorted(waiting, key=lambda r: (order.get(r[1], 3), r[2], r[0])):
        try:
            return book_slot(engine, ext, slot_id, now=now, actor=actor)
        except (SlotTaken, BookingRefused):
            continue
    return None


def bookable_start(conn: Connection, slot_id: int, now: dt.datetime) -> dt.datetime:
    """The slot's start, if it can take a booking now: it exists, lies ahead, and its clinic
    is active; otherwise a clear refusal."""
    slot = conn.execute(
        select(Slot.start, Slot.status, Schedule.status)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .where(Slot.id == slot_id)
    ).first()
    if slot is None:
        raise NotFoundError(f"slot {slot_id}: no such slot / no existe")
    start = as_utc(slot[0])
    if start <= now:
        raise BookingRefused(f"slot {slot_id} is in the past / ya pasó")
    if slot[1] == "cancelled" or slot[2] != "active":
        raise BookingRefused(f"slot {slot_id}: the clinic is cancelled / clínica cancelada")
    return start


def record_event(
    conn: Connection,
    appointment_id: int,
    before: str | None,
    after: str,
    at: dt.datetime,
    actor: str,
) -> None:
    """One line of an appointment's history, in the same transaction as the change."""
    conn.execute(
        insert(AppointmentEvent).values(
            appointment_id=appointment_id, at=at, from_status=before, to_status=after, actor=actor
        )
    )


def seats_used(engine: Engine) -> np.ndarray:
    """Live appointments per slot (for checks: never above 1)."""
    with engine.connect() as conn:
        slots = (
            conn.execute(select(Appointment.slot_id).where(Appointment.status.in_(LIVE)))
            .scalars()
            .all()
        )
    return np.bincount(np.asarray(slots, dtype=np.int64), minlength=1)


def slot_place(engine: Engine, slot_id: int) -> tuple[str, str]:
    """Where a slot is held: the facility's name and the clinic's time zone."""
    with engine.connect() as conn:
        row = conn.execute(
            select(Facility.name, Schedule.timezone)
            .join(Schedule, Schedule.facility_id == Facility.id)
            .join(Slot, Slot.schedule_id == Schedule.id)
            .where(Slot.id == slot_id)
        ).one()
    return str(row[0]), str(row[1])


def mark_seen_on(conn: Connection, request_ids: list[int] | None) -> None:
    """Set each referral's ``seen_on`` to the local day (in its clinic's zone) of its live
    appointment, or None when it has none; every referral when ``request_ids`` is None.
    Called in the transaction of every write that books, moves or cancels an appointment."""

    from healthforce.store.models import Base

    live = (
        select(Appointment.request_id, Slot.start, Schedule.timezone)
        .join(Slot, Slot.id == Appointment.slot_id)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .where(Appointment.status.in_(LIVE))
    )
    table = Base.metadata.tables["service_request"]
    if request_ids is not None:
        live = live.where(Appointment.request_id.in_(request_ids))
        conn.execute(update(table).where(table.c.id.in_(request_ids)).values(seen_on=None))
    else:
        conn.execute(update(table).values(seen_on=None))
    days = [
        {"rid": rid, "day": in_zone(start, zone).date()} for rid, start, zone in conn.execute(live)
    ]
    if days:
        conn.execute(
            update(table).where(table.c.id == bindparam("rid")).values(seen_on=bindparam("day")),
            days,
        )
