"""An appointment's life after booking: confirmed, attended, missed (no-show), rescheduled; and
its history, one event per change, written in the same transaction as the change.

    booked -> confirmed -> attended | no_show
    booked | confirmed -> cancelled (see booking.cancel) | rescheduled (a new appointment)

Attended and no-show are recorded only once the slot has begun. Rescheduling moves the referral
to another slot in one transaction: if that slot is taken, nothing changes and the appointment
keeps its slot (a referral is never left without one by a failed move).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from healthforce.access.booking import (
    Booking,
    BookingRefused,
    SlotTaken,
    bookable_start,
    mark_seen_on,
    record_event,
)
from healthforce.errors import NotFoundError
from healthforce.store.models import (
    Appointment,
    AppointmentEvent,
    ServiceRequest,
    Slot,
)
from healthforce.store.session import as_utc

NEXT = {
    "booked": {"confirmed", "attended", "no_show"},
    "confirmed": {"attended", "no_show"},
}
CLOSING = {"attended", "no_show"}  # the referral is closed


def set_status(
    engine: Engine, appointment_id: int, status: str, *, now: dt.datetime, actor: str = "system"
) -> None:
    """Confirm an appointment, or record that the patient came or did not."""
    with engine.begin() as conn:
        row = conn.execute(
            select(Appointment.status, Appointment.request_id, Slot.start)
            .join(Slot, Slot.id == Appointment.slot_id)
            .where(Appointment.id == appointment_id)
        ).first()
        if row is None:
            raise NotFoundError(f"appointment {appointment_id}: no such appointment / no existe")
        current, request_id, start = row
        if status not in NEXT.get(current, set()):
            raise BookingRefused(
                f"appointment {appointment_id} is {current}: cannot become {status} / "
                f"la cita está {current}: no puede pasar a {status}"
            )
        if status in CLOSING and as_utc(start) > now:
            raise BookingRefused(
                f"appointment {appointment_id} has not begun: cannot be {status} yet / "
                "la cita no ha comenzado"
            )
        conn.execute(
            update(Appointment).where(Appointment.id == appointment_id).values(status=status)
        )
        record_event(conn, appointment_id, current, status, now, actor)
        if status in CLOSING:
            conn.execute(
                update(ServiceRequest)
                .where(ServiceRequest.id == request_id)
                .values(status="closed")
            )


def reschedule(
    engine: Engine, appointment_id: int, slot_id: int, *, now: dt.datetime, actor: str = "system"
) -> Booking:
    """Move a booked or confirmed appointment to another free slot of an active clinic."""
    try:
        with engine.begin() as conn:
            row = conn.execute(
                select(Appointment.status, Appointment.request_id).where(
                    Appointment.id == appointment_id
                )
            ).first()
            if row is None:
                raise NotFoundError(f"appointment {appointment_id}: no such appointment")
            if row[0] not in ("booked", "confirmed"):
                raise BookingRefused(
                    f"appointment {appointment_id} is {row[0]}: cannot be rescheduled / "
                    "no se puede reprogramar"
                )
            start = bookable_start(conn, slot_id, now)
            conn.execute(
                update(Appointment)
                .where(Appointment.id == appointment_id)
                .values(status="rescheduled")
            )
            record_event(conn, appointment_id, row[0], "rescheduled", now, actor)
            new = conn.execute(
                insert(Appointment)
                .values(slot_id=slot_id, request_id=row[1], status="booked", created_at=now)
                .returning(Appointment.id)
            ).scalar_one()
            record_event(conn, new, None, "booked", now, actor)
            mark_seen_on(conn, [row[1]])
    except IntegrityError:
        raise SlotTaken(f"slot {slot_id} is taken / el cupo ya está ocupado") from None
    return Booking(new, slot_id, start)


def history(engine: Engine, appointment_id: int) -> list[dict[str, Any]]:
    """The appointment's events, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                AppointmentEvent.at,
                AppointmentEvent.from_status,
                AppointmentEvent.to_status,
                AppointmentEvent.actor,
            )
            .where(AppointmentEvent.appointment_id == appointment_id)
            .order_by(AppointmentEvent.id)
        ).all()
    return [
        {"at": as_utc(at).isoformat(), "from": before, "to": after, "actor": actor}
        for at, before, after, actor in rows
    ]
