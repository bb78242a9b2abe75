"""Specialist clinics taken from the registry: each specialist's open assignment gives recurring
half-day clinics of the specialty practised there (the post's, or the worker's registered
specialty) at the post's facility.

A specialist gives ``clinic_share`` of their weekly hours (``weekly_hours``, or 40 x FTE) to
outpatient clinics, in half-day sessions of ``session_hours``; sessions are spread over the week
(mornings first), starting on a weekday that depends on the specialist so that a facility's
clinics do not all fall on Monday. Half-days the specialist already holds in another schedule
are skipped. An assignment whose clinics exist already is left as it is, so running it again
changes nothing; writing goes through the audited registry, with its checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Engine, select

from healthforce.store.areas import area_zones
from healthforce.store.models import Assignment, Facility, Post, Schedule, Worker
from healthforce.store.models.workforce import assignment_open_on, practised_specialty
from healthforce.store.registry import Registry, WriteResult

HALF_DAYS = (("08:00", "12:00"), ("13:00", "17:00"))


@dataclass(frozen=True)
class ClinicRules:
    clinic_share: float = 0.5
    session_hours: float = 4.0
    slot_minutes: int = 20
    timezone: str | None = None  # default: the zone of each facility's area
    max_sessions: int = 10  # five days, two half-days
    levels: tuple[str, ...] = ()  # levels of care with clinics (default: every level)


def _sessions(weekly_hours: float | None, fte: float, rules: ClinicRules) -> int:
    hours = (weekly_hours if weekly_hours is not None else 40.0 * fte) * rules.clinic_share
    return max(1, min(rules.max_sessions, int(hours // rules.session_hours)))


def clinic_rows(
    engine: Engine, day: dt.date, rules: ClinicRules, only: Collection[str] | None = None
) -> dict[str, list[object]]:
    """The schedules the open specialist assignments on ``day`` call for, as importer columns
    (``only``: these workers' external ids)."""
    specialty = practised_specialty()
    where = [Facility.level_of_care.in_(rules.levels)] if rules.levels else []
    if only is not None:
        where.append(Worker.external_id.in_(list(only)))
    with engine.connect() as conn:
        found = conn.execute(
            select(
                Assignment.external_id,
                Assignment.weekly_hours,
                Assignment.fte,
                Worker.id,
                Worker.external_id,
                Facility.code,
                specialty,
                Facility.area_id,
            )
            .join(Post, Post.id == Assignment.post_id)
            .join(Worker, Worker.id == Assignment.worker_id)
            .join(Facility, Facility.id == Post.facility_id)
            .where(assignment_open_on(day), specialty.is_not(None), *where)
            .order_by(Worker.id, Assignment.external_id)
        ).all()
        held: dict[int, set[tuple[int, str]]] = {}
        done: set[str] = set()  # assignments whose clinics exist already
        for worker_id, ext, weekday, start in conn.execute(
            select(
                Schedule.practitioner_id,
                Schedule.external_id,
                Schedule.weekday,
                Schedule.start_time,
            ).where(Schedule.status == "active")
        ):
            done.add(ext.rsplit(":", 3)[0])
            held.setdefault(worker_id, set()).add((weekday, start))
    columns: dict[str, list[object]] = {
        name: []
        for name in (
            "external_id",
            "practitioner",
            "facility",
            "specialty",
            "weekday",
            "start_time",
            "end_time",
            "slot_minutes",
            "valid_from",
            "timezone",
        )
    }
    given = rules.timezone
    zone_of = area_zones(engine).of if given is None else (lambda _area: given)
    for ext, weekly, fte, worker_id, worker_ext, facility, practised, area_id in found:
        if ext in done:
            continue
        taken = held.setdefault(worker_id, set())
        order = [(d % 5, half) for d in range(worker_id, worker_id + 5) for half in HALF_DAYS]
        wanted = _sessions(weekly, fte, rules)
        for weekday, (start, end) in order:
            if wanted == 0:
                break
            if (weekday, start) in taken:
                continue
            taken.add((weekday, start))
            wanted -= 1
            for name, value in (
                ("external_id", f"{ext}:{weekday}:{start}"),
                ("practitioner", worker_ext),
                ("facility", facility),
                ("specialty", practised),
                ("weekday", weekday),
                ("start_time", start),
                ("end_time", end),
                ("slot_minutes", rules.slot_minutes),
                ("valid_from", day),
                ("timezone", zone_of(area_id)),
            ):
                columns[name].append(value)
    return columns


def clinics_from_assignments(
    registry: Registry,
    day: dt.date,
    rules: ClinicRules,
    *,
    actor: str,
    only: Collection[str] | None = None,
) -> WriteResult:
    """Write (or keep) the clinics of every specialist assignment open on ``day``."""
    columns = clinic_rows(registry.engine, day, rules, only)
    with registry.change(actor=actor, source="access clinics from assignments") as change:
        return change.upsert("schedules", columns)
