"""Slots of the registry's active schedules written for a horizon (idempotent: slots that
exist already are kept)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, insert, select

from healthforce.access.slots import Recurring, generate
from healthforce.store.models import Schedule, Slot
from healthforce.store.session import as_utc


def _time(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


def write_slots(engine: Engine, first: dt.date, last: dt.date) -> int:
    """Create the missing slots of every active schedule between two dates; returns how many."""
    with engine.begin() as conn:
        schedules = conn.execute(
            select(
                Schedule.id,
                Schedule.weekday,
                Schedule.start_time,
                Schedule.end_time,
                Schedule.slot_minutes,
                Schedule.capacity,
                Schedule.valid_from,
                Schedule.valid_to,
                Schedule.timezone,
                Schedule.every_weeks,
            ).where(Schedule.status == "active")
        ).all()
        existing = {
            (s, as_utc(start), seat)
            for s, start, seat in conn.execute(select(Slot.schedule_id, Slot.start, Slot.seat))
        }
        rows = []
        for sid, wd, start, end, minutes, capacity, valid_from, valid_to, zone, every in schedules:
            clinic = Recurring(
                wd, _time(start), _time(end), minutes, capacity, valid_from, valid_to, zone, every
            )
            for s, e, seat in generate(clinic, first, last):
                if (sid, s, seat) not in existing:
                    rows.append({"schedule_id": sid, "start": s, "end": e, "seat": seat})
        if rows:
            conn.execute(insert(Slot), rows)
    return len(rows)
