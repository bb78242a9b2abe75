"""Specialist access across the network, named after FHIR resources (Schedule, Slot,
ServiceRequest, Appointment) so a FHIR interface can map them one to one.

No slot ever holds two live appointments, and no referral either: partial unique indexes on
``appointment(slot_id)`` and ``appointment(request_id)`` for live statuses enforce it in the
database (SQLite and PostgreSQL alike), so concurrent requests cannot both succeed. A
retried request with the same idempotency key finds the booking it made.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from healthforce.store.models.base import Audited, Base

LIVE = ("booked", "confirmed", "attended", "no_show")


class Schedule(Audited, Base):
    """A specialist's recurring clinic: weekday, local times, slot length, seats per slot, and
    every how many weeks it is held (an outreach clinic may come once a month)."""

    __tablename__ = "schedule"
    __table_args__ = (
        CheckConstraint("slot_minutes > 0", name="slot_positive"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("every_weeks BETWEEN 1 AND 8", name="every_weeks_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    practitioner_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"))
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialty.code"))
    weekday: Mapped[int]  # Monday = 0
    start_time: Mapped[str] = mapped_column(String(5))  # HH:MM local
    end_time: Mapped[str] = mapped_column(String(5))
    slot_minutes: Mapped[int]
    capacity: Mapped[int] = mapped_column(default=1)
    every_weeks: Mapped[int] = mapped_column(default=1)  # 1 weekly, 2 fortnightly ...
    valid_from: Mapped[dt.date]
    valid_to: Mapped[dt.date | None]
    timezone: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12), default="active")


class Slot(Audited, Base):
    __tablename__ = "slot"
    __table_args__ = (
        UniqueConstraint("schedule_id", "start", "seat"),
        Index("ix_slot_start", "start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedule.id"))
    start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    end: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    seat: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(12), default="free")  # free, cancelled


class ServiceRequest(Audited, Base):
    """A referral to a specialty; the patient is a pseudonymous reference."""

    __tablename__ = "service_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    referring_facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"))
    patient_ref: Mapped[str] = mapped_column(String(64))
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialty.code"))
    priority: Mapped[str] = mapped_column(String(10), default="routine")
    requested_on: Mapped[dt.date]
    #: open, waiting, booked, closed (seen or missed), cancelled.
    status: Mapped[str] = mapped_column(String(12), default="open")
    clinical_text: Mapped[str | None] = mapped_column(Text)  # private
    #: The counter-referral: what the specialist sends back to the referring facility.
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_on: Mapped[dt.date | None]
    outcome_note: Mapped[str | None] = mapped_column(Text)  # private
    #: The local day of the referral's live appointment (its wait ends then), kept by every
    #: booking write (``access.booking.mark_seen_on``): waiting times read one table.
    seen_on: Mapped[dt.date | None]


class Appointment(Audited, Base):
    __tablename__ = "appointment"
    __table_args__ = (
        Index(
            "uq_appointment_live_slot",
            "slot_id",
            unique=True,
            sqlite_where=text("status IN ('booked', 'confirmed', 'attended', 'no_show')"),
            postgresql_where=text("status IN ('booked', 'confirmed', 'attended', 'no_show')"),
        ),
        Index("ix_appointment_request", "request_id"),
        Index(
            "uq_appointment_live_request",
            "request_id",
            unique=True,
            sqlite_where=text("status IN ('booked', 'confirmed', 'attended', 'no_show')"),
            postgresql_where=text("status IN ('booked', 'confirmed', 'attended', 'no_show')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id"))
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"))
    status: Mapped[str] = mapped_column(String(12), default="booked")
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    #: What the key was first used for (referral and slot): a key reused for another request
    #: is refused, not replayed.
    idempotency_fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AppointmentEvent(Base):
    """Every change of an appointment's status: when, from what, to what, and by whom."""

    __tablename__ = "appointment_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointment.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(100))
