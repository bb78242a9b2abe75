"""A referral's life from intake to outcome, every step audited:

    created (open) -> waiting | booked -> closed (attended or missed) -> counter-referral
    open | waiting | booked -> cancelled (withdrawn; a live appointment is cancelled with it)

A referral is created by a file, a form, the API or the command line, all through the registry
and its checks (:data:`healthforce.store.schema_access.REFERRAL`). Booking, confirming,
attending and missing are in :mod:`healthforce.access.booking` and
:mod:`healthforce.access.appointments`; withdrawing a referral and the counter-referral (the
outcome the specialist sends back to the referring facility) are here, written through the
registry so they are in the audit log and can be reverted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from healthforce.access.booking import Booking, BookingRefused, cancel_in, offer_slot
from healthforce.errors import NotFoundError
from healthforce.reference.codes import REFERRAL_OUTCOME, Lang
from healthforce.store.models import (
    Appointment,
    Facility,
    Schedule,
    ServiceRequest,
    Slot,
    Specialty,
)
from healthforce.store.models.access import LIVE
from healthforce.store.registry import Registry, WriteResult
from healthforce.store.session import as_utc, in_zone

#: Statuses from which a referral can still be withdrawn.
WITHDRAWABLE = ("open", "waiting", "booked")


def refer(
    registry: Registry, record: Mapping[str, object], *, actor: str, source: str = "referral"
) -> WriteResult:
    """Create one referral (open); its identifier must be new. Refused with located problems
    (ValidationError) when a field is wrong; nothing is written then."""
    record = {k: v for k, v in record.items() if v is not None}
    with registry.change(actor=actor, source=source) as change:
        return change.upsert("referrals", {k: [v] for k, v in record.items()}, insert_only=True)


def withdraw(engine: Engine, external_id: str, *, now: dt.datetime, actor: str) -> Booking | None:
    """Cancel a referral that is no longer needed; its live appointment, if any, is cancelled
    too and the slot offered to the waiting list (the booking made with it is returned)."""
    freed: tuple[int, str] | None = None
    registry = Registry(engine)
    with registry.change(actor=actor, source=f"referral {external_id} cancelled") as change:
        status = change.conn.execute(
            select(ServiceRequest.status).where(ServiceRequest.external_id == external_id)
        ).scalar()
        if status is None:
            raise NotFoundError(f"referral {external_id}: no such referral / no existe")
        if status not in WITHDRAWABLE:
            raise BookingRefused(
                f"referral {external_id} is {status}: it cannot be cancelled / la referencia "
                "ya no puede anularse"
            )
        live = change.conn.execute(
            select(Appointment.id)
            .join(ServiceRequest, ServiceRequest.id == Appointment.request_id)
            .where(
                ServiceRequest.external_id == external_id,
                Appointment.status.in_(("booked", "confirmed")),
            )
        ).scalar()
        if live is not None:
            freed = cancel_in(change.conn, live, now, actor, referral_status=None)
        change.set_state("referrals", external_id, {"status": "cancelled"})
    return offer_slot(engine, *freed, now=now, actor=actor) if freed else None


def counter_refer(
    engine: Engine,
    external_id: str,
    outcome: str,
    *,
    on: dt.date | None = None,
    note: str | None = None,
    actor: str,
) -> dt.date:
    """Record the counter-referral: the outcome the specialist sends back to the referring
    facility, once the referral is closed (the patient was seen, or did not come). Dated
    ``on``, by default the day of the appointment in its clinic's zone; returns the date."""
    if outcome not in REFERRAL_OUTCOME.labels:
        raise BookingRefused(
            f"outcome {outcome!r}: one of / uno de {', '.join(REFERRAL_OUTCOME.codes)}"
        )
    registry = Registry(engine)
    with registry.change(actor=actor, source=f"referral {external_id} outcome") as change:
        row = change.conn.execute(
            select(
                ServiceRequest.status, ServiceRequest.requested_on, ServiceRequest.seen_on
            ).where(ServiceRequest.external_id == external_id)
        ).first()
        if row is None:
            raise NotFoundError(f"referral {external_id}: no such referral / no existe")
        if row[0] != "closed":
            raise BookingRefused(
                f"referral {external_id} is {row[0]}: the outcome comes after the appointment / "
                "la contrarreferencia se registra después de la cita"
            )
        if on is None:  # the day of the appointment, in its clinic's zone (kept on the referral)
            on = row[2] or row[1]
        if on < row[1]:
            raise BookingRefused(
                f"outcome date {on} is before the referral ({row[1]}) / la fecha es anterior a "
                "la referencia"
            )
        change.set_state(
            "referrals",
            external_id,
            {"outcome": outcome, "outcome_on": on, "outcome_note": note},
        )
    return on


@dataclass(frozen=True)
class ReferralView:
    """One referral as a person reads it: names, labels, the appointment in local time."""

    external_id: str
    referring: str
    specialty_es: str
    specialty_en: str
    priority: str
    requested_on: dt.date
    status: str
    appointment_id: int | None
    appointment_at: dt.datetime | None  # in the clinic's zone
    clinic: str | None
    outcome: str | None


def referral_views(
    engine: Engine,
    *,
    status: str | None = None,
    facility: str | None = None,
    limit: int | None = None,
) -> tuple[list[ReferralView], int]:
    """Referrals, newest first (with a status, or from a facility), and how many there are in
    all (so a caller shows how many it left out)."""
    live = (
        select(
            Appointment.request_id,
            Appointment.id.label("appointment_id"),
            Slot.start,
            Schedule.timezone,
            Facility.name.label("clinic"),
        )
        .join(Slot, Slot.id == Appointment.slot_id)
        .join(Schedule, Schedule.id == Slot.schedule_id)
        .join(Facility, Facility.id == Schedule.facility_id)
        .where(Appointment.status.in_(LIVE))
        .subquery()
    )
    where: list[Any] = []
    if status:
        where.append(ServiceRequest.status == status)
    if facility:
        where.append(Facility.code == facility)
    query = (
        select(
            ServiceRequest.external_id,
            Facility.name,
            Specialty.name_es,
            Specialty.name_en,
            ServiceRequest.priority,
            ServiceRequest.requested_on,
            ServiceRequest.status,
            live.c.appointment_id,
            live.c.start,
            live.c.timezone,
            live.c.clinic,
            ServiceRequest.outcome,
        )
        .join(Facility, Facility.id == ServiceRequest.referring_facility_id)
        .join(Specialty, Specialty.code == ServiceRequest.specialty_code)
        .outerjoin(live, live.c.request_id == ServiceRequest.id)
        .where(*where)
        .order_by(ServiceRequest.requested_on.desc(), ServiceRequest.external_id)
    )
    with engine.connect() as conn:
        total = conn.execute(
            select(func.count())
            .select_from(ServiceRequest)
            .join(Facility, Facility.id == ServiceRequest.referring_facility_id)
            .where(*where)
        ).scalar_one()
        rows = conn.execute(query.limit(limit) if limit else query).all()
    views = []
    for r in rows:
        at = in_zone(r[8], r[9]) if r[8] is not None else None
        views.append(ReferralView(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], at, r[10], r[11]))
    return views, int(total)


def appointment_rows(engine: Engine, lang: Lang) -> tuple[list[str], list[list[object]]]:
    """Every appointment as a table people read (header in ``lang``): referral, referring
    facility, clinic, specialty, start in the clinic's local time with its zone, status."""
    from healthforce.reference.codes import APPOINTMENT_STATUS

    clinic = aliased(Facility)
    referring = aliased(Facility)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Appointment.id,
                ServiceRequest.external_id,
                referring.name,
                clinic.name,
                Specialty.name_es,
                Specialty.name_en,
                Slot.start,
                Schedule.timezone,
                Appointment.status,
            )
            .join(ServiceRequest, ServiceRequest.id == Appointment.request_id)
            .join(referring, referring.id == ServiceRequest.referring_facility_id)
            .join(Slot, Slot.id == Appointment.slot_id)
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .join(clinic, clinic.id == Schedule.facility_id)
            .join(Specialty, Specialty.code == Schedule.specialty_code)
            .order_by(Slot.start, Appointment.id)
        ).all()
    es = lang == "es"
    header = (
        [
            *("Cita", "Referencia", "Establecimiento que refiere", "Consulta", "Especialidad"),
            *("Fecha y hora local", "Zona horaria", "Estado"),
        ]
        if es
        else [
            *("Appointment", "Referral", "Referring facility", "Clinic", "Specialty"),
            *("Local date and time", "Time zone", "Status"),
        ]
    )
    out: list[list[object]] = []
    for aid, ext, source, place, sp_es, sp_en, start, zone, status in rows:
        local = in_zone(start, zone)
        out.append(
            [
                aid,
                ext,
                source,
                place,
                sp_es if es else sp_en,
                local.strftime("%Y-%m-%d %H:%M"),
                zone,
                APPOINTMENT_STATUS.label(status, lang),
            ]
        )
    return header, out


def slot_rows(engine: Engine, lang: Lang) -> tuple[list[str], list[list[object]]]:
    """Every slot as a table people read: clinic, specialty, local start and end with the
    zone, seat, and whether it is free, taken or cancelled."""
    clinic = aliased(Facility)
    with engine.connect() as conn:
        taken = set(
            conn.execute(select(Appointment.slot_id).where(Appointment.status.in_(LIVE))).scalars()
        )
        rows = conn.execute(
            select(
                Slot.id,
                clinic.name,
                Specialty.name_es,
                Specialty.name_en,
                Slot.start,
                Slot.end,
                Schedule.timezone,
                Slot.seat,
                Slot.status,
            )
            .join(Schedule, Schedule.id == Slot.schedule_id)
            .join(clinic, clinic.id == Schedule.facility_id)
            .join(Specialty, Specialty.code == Schedule.specialty_code)
            .order_by(Slot.start, Slot.id)
        ).all()
    es = lang == "es"
    header = (
        [
            *("Cupo", "Consulta", "Especialidad", "Inicio (hora local)", "Fin (hora local)"),
            *("Zona horaria", "Asiento", "Estado"),
        ]
        if es
        else [
            *("Slot", "Clinic", "Specialty", "Start (local time)", "End (local time)"),
            *("Time zone", "Seat", "Status"),
        ]
    )
    states = {
        "free": ("libre", "free"),
        "taken": ("ocupado", "taken"),
        "cancelled": ("anulado", "cancelled"),
    }
    out: list[list[object]] = []
    for sid, place, sp_es, sp_en, start, end, zone, seat, status in rows:
        tz = ZoneInfo(zone)
        state = "cancelled" if status == "cancelled" else "taken" if sid in taken else "free"
        out.append(
            [
                sid,
                place,
                sp_es if es else sp_en,
                as_utc(start).astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                as_utc(end).astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                zone,
                seat,
                states[state][0 if es else 1],
            ]
        )
    return header, out
