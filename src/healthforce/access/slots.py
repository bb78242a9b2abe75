"""Slots from recurring schedules, in the clinic's local time, correct across daylight saving.

A schedule says "Tuesdays 08:00-12:00, 30-minute slots, 2 seats" in the clinic's time zone.
Slots are laid out on the local wall clock and stored in UTC. On the day clocks spring forward,
a wall time that does not exist makes no slot; on the day they fall back, a repeated wall time
makes one slot (its first occurrence).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.UTC


@dataclass(frozen=True)
class Recurring:
    weekday: int  # Monday = 0
    start: dt.time
    end: dt.time
    slot_minutes: int
    capacity: int
    valid_from: dt.date
    valid_to: dt.date | None
    timezone: str
    every_weeks: int = 1


def _exists(local: dt.datetime) -> bool:
    """False for a wall time skipped by a spring-forward change."""
    back = local.astimezone(UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def generate(
    schedule: Recurring, first: dt.date, last: dt.date
) -> list[tuple[dt.datetime, dt.datetime, int]]:
    """(start UTC, end UTC, seat) of every slot between ``first`` and ``last`` inclusive."""
    if schedule.slot_minutes <= 0:
        raise ValueError("slot length must be positive / la duración debe ser positiva")
    zone = ZoneInfo(schedule.timezone)
    out = []
    day = max(first, schedule.valid_from)
    stop = min(last, schedule.valid_to) if schedule.valid_to else last
    step = dt.timedelta(minutes=schedule.slot_minutes)
    # the clinic's first day; with every_weeks > 1 it is held every so many weeks from then
    origin = schedule.valid_from + dt.timedelta(
        days=(schedule.weekday - schedule.valid_from.weekday()) % 7
    )
    period = 7 * schedule.every_weeks
    while day <= stop:
        if day.weekday() == schedule.weekday and (day - origin).days % period == 0:
            wall = dt.datetime.combine(day, schedule.start)
            end_wall = dt.datetime.combine(day, schedule.end)
            while wall + step <= end_wall:
                start = wall.replace(tzinfo=zone, fold=0)
                finish = (wall + step).replace(tzinfo=zone, fold=0)
                if _exists(start) and _exists(finish):
                    for seat in range(1, schedule.capacity + 1):
                        out.append((start.astimezone(UTC), finish.astimezone(UTC), seat))
                wall += step
        day += dt.timedelta(days=1)
    return out
