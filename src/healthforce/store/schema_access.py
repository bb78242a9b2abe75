"""Entity specification of specialist schedules, with the checks a clinic needs beyond its
fields: times on the clock, a known time zone, and no overlap with the same specialist's other
clinics (in the same file or already stored)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import Connection, select

from healthforce.store.models import Schedule
from healthforce.store.spec import EntitySpec, Ref, Rule, _f

_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

#: One finding of a record check: (row, field, value, reason).
Finding = tuple[int, str, object, str]


@cache
def _zones() -> frozenset[str]:
    """The IANA time zones this machine knows (read from disk once, not on every write)."""
    return frozenset(available_timezones())


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a["weekday"] != b["weekday"]:
        return False
    if not (a["start_time"] < b["end_time"] and b["start_time"] < a["end_time"]):
        return False
    a_end, b_end = a["valid_to"], b["valid_to"]
    if a["valid_from"] is None or b["valid_from"] is None:
        return True
    return (b_end is None or a["valid_from"] <= b_end) and (
        a_end is None or b["valid_from"] <= a_end
    )


def _describe(s: dict[str, Any]) -> str:
    return f"{s['external_id']} ({WEEKDAYS_EN[s['weekday']]} {s['start_time']}-{s['end_time']})"


def check_schedules(conn: Connection, columns: dict[str, Sequence[Any]], n: int) -> list[Finding]:
    """Clock times, time zones, and overlaps with the same specialist's other schedules."""
    found: list[Finding] = []
    zones = _zones()
    needed: tuple[str, ...] = ("external_id", "practitioner_id", "weekday", "start_time")
    needed += ("end_time",)
    needed += ("valid_from", "valid_to", "timezone", "status")
    rows: list[dict[str, Any]] = [
        {c: columns[c][i] if c in columns else None for c in needed} for i in range(n)
    ]
    ok = []
    for i, r in enumerate(rows):
        bad = False
        for name in ("start_time", "end_time"):
            v = r[name]
            if v is not None and not _CLOCK.match(str(v)):
                found.append((i, name, v, "not a time HH:MM / no es una hora HH:MM"))
                bad = True
        if r["status"] not in (None, "active", "cancelled"):
            found.append((i, "status", r["status"], "active or cancelled / active o cancelled"))
        if r["timezone"] is not None and r["timezone"] not in zones:
            found.append((i, "timezone", r["timezone"], "unknown time zone / zona horaria"))
        if not bad and None not in (r["start_time"], r["end_time"]):
            if r["end_time"] <= r["start_time"]:
                found.append(
                    (i, "end_time", r["end_time"], "ends before it starts / termina antes")
                )
            elif r["practitioner_id"] is not None and r["status"] != "cancelled":
                ok.append(i)
    by_practitioner: dict[int, list[dict[str, Any]]] = {}
    ids = {rows[i]["practitioner_id"] for i in ok}
    batch_ext = {rows[i]["external_id"] for i in range(n)}
    fields = ("external_id", "weekday", "start_time", "end_time", "valid_from", "valid_to")
    if ids:
        stored = conn.execute(
            select(Schedule.practitioner_id, *(getattr(Schedule, f) for f in fields)).where(
                Schedule.practitioner_id.in_(ids), Schedule.status != "cancelled"
            )
        )
        for p, *values in stored:
            if values[0] not in batch_ext:  # a record being rewritten is checked as new
                by_practitioner.setdefault(p, []).append(dict(zip(fields, values, strict=True)))
    for i in ok:
        r = rows[i]
        others = by_practitioner.setdefault(int(r["practitioner_id"]), [])
        clash = next((o for o in others if _overlaps(r, o)), None)
        if clash is not None:
            found.append(
                (
                    i,
                    "start_time",
                    r["start_time"],
                    f"overlaps the same specialist's schedule {_describe(clash)} / se superpone "
                    "con otra agenda del mismo especialista",
                )
            )
        else:
            others.append(r)
    return found


SCHEDULE = EntitySpec(
    "schedules",
    "schedule",
    ("external_id",),
    (
        _f(
            "external_id",
            "str",
            "Identificador de la agenda",
            "Schedule identifier",
            required=True,
            max_length=64,
            identifier=True,
        ),
        _f(
            "practitioner",
            "ref",
            "Especialista (identificador del trabajador)",
            "Specialist (worker identifier)",
            required=True,
            ref=Ref("workers", "practitioner_id"),
        ),
        _f(
            "facility",
            "ref",
            "Establecimiento",
            "Facility",
            required=True,
            ref=Ref("facilities", "facility_id"),
        ),
        _f(
            "specialty",
            "ref",
            "Especialidad",
            "Specialty",
            required=True,
            ref=Ref("specialties", "specialty_code"),
        ),
        _f(
            "weekday",
            "int",
            "Día de la semana (0 = lunes)",
            "Weekday (0 = Monday)",
            required=True,
            minimum=0,
            maximum=6,
        ),
        _f(
            "start_time",
            "str",
            "Hora de inicio (HH:MM)",
            "Start time (HH:MM)",
            required=True,
            max_length=5,
        ),
        _f(
            "end_time",
            "str",
            "Hora de término (HH:MM)",
            "End time (HH:MM)",
            required=True,
            max_length=5,
        ),
        _f(
            "slot_minutes",
            "int",
            "Duración del cupo (minutos)",
            "Slot length (minutes)",
            required=True,
            minimum=1,
            maximum=480,
        ),
        _f(
            "capacity",
            "int",
            "Pacientes por cupo",
            "Patients per slot",
            minimum=1,
            maximum=50,
            default=1,
        ),
        _f(
            "every_weeks",
            "int",
            "Cada cuántas semanas",
            "Every how many weeks",
            minimum=1,
            maximum=8,
            default=1,
        ),
        _f("valid_from", "date", "Vigente desde", "Valid from", required=True),
        _f("valid_to", "date", "Vigente hasta", "Valid to"),
        _f(
            "timezone",
            "str",
            "Zona horaria (IANA)",
            "Time zone (IANA)",
            required=True,
            max_length=60,
        ),
        _f(
            "status",
            "str",
            "Estado (active, cancelled)",
            "Status (active, cancelled)",
            max_length=12,
            default="active",
        ),
    ),
    rules=(
        Rule("valid_from", "valid_to", False, "termina antes de empezar", "ends before it starts"),
    ),
    checks=(check_schedules,),
    es="Agendas de especialistas",
    en="Specialist schedules",
)
