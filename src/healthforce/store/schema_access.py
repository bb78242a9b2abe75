"""Entity specifications of specialist access: schedules, with the checks a clinic needs beyond
its fields (times on the clock, a known time zone, no overlap with the same specialist's other
clinics in the same file or already stored, compared as real instants across zones), and
referrals, created by file, form, API or command and then moved only by their lifecycle."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import Connection, select

from healthforce.store.models import Schedule, ServiceRequest
from healthforce.store.spec import EntitySpec, Ref, Rule, _f

_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

#: One finding of a record check: (row, field, value, reason).
Finding = tuple[int, str, object, str]


@cache
def _zones() -> frozenset[str]:
    """The IANA time zones this machine knows (read from disk once, not on every write)."""
    return frozenset(available_timezones())


def known_zone(name: str) -> bool:
    return name in _zones()


def check_zones(conn: Connection, columns: dict[str, Sequence[Any]], n: int) -> list[Finding]:
    """Each given time zone is one the IANA database knows."""
    return [
        (i, "timezone", z, "unknown time zone (IANA, e.g. America/Caracas) / zona horaria")
        for i, z in enumerate(columns.get("timezone", ()))
        if z is not None and not known_zone(str(z))
    ]


WEEK = 7 * 24 * 60


def _utc_minutes(weekday: int, clock: str, zone: str, on: dt.date) -> int:
    """Minutes into the UTC week of a local weekday and time, on the first such weekday from
    ``on`` (so clinics in different zones compare as real instants)."""
    day = on + dt.timedelta(days=(weekday - on.weekday()) % 7)
    hours, minutes = map(int, clock.split(":"))
    try:
        tz: dt.tzinfo = ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        tz = dt.UTC
    at = dt.datetime.combine(day, dt.time(hours, minutes), tz).astimezone(dt.UTC)
    return at.weekday() * 24 * 60 + at.hour * 60 + at.minute


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    a_end, b_end = a["valid_to"], b["valid_to"]
    if a["valid_from"] is not None and b["valid_from"] is not None:
        if not (
            (b_end is None or a["valid_from"] <= b_end)
            and (a_end is None or b["valid_from"] <= a_end)
        ):
            return False
        on = max(a["valid_from"], b["valid_from"])
    else:
        on = a["valid_from"] or b["valid_from"] or dt.date(2025, 1, 1)
    spans = []
    for s in (a, b):
        zone = str(s["timezone"] or "UTC")
        start = _utc_minutes(int(s["weekday"]), str(s["start_time"]), zone, on)
        end = _utc_minutes(int(s["weekday"]), str(s["end_time"]), zone, on)
        spans.append((start, end if end > start else end + WEEK))
    (s1, e1), (s2, e2) = spans
    return any(s1 < e2 + k and s2 + k < e1 for k in (-WEEK, 0, WEEK))


def _describe(s: dict[str, Any]) -> str:
    return (
        f"{s['external_id']} ({WEEKDAYS_EN[s['weekday']]} {s['start_time']}-{s['end_time']} "
        f"{s['timezone']})"
    )


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
    fields: tuple[str, ...] = ("external_id", "weekday", "start_time", "end_time")
    fields += ("valid_from", "valid_to", "timezone")
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


#: Statuses a referral may be written with from a file, a form or the API; the others come from
#: booking and the counter-referral only.
WRITABLE_STATUS = ("open",)


def check_referrals(conn: Connection, columns: dict[str, Sequence[Any]], n: int) -> list[Finding]:
    """A new referral starts open; a stored one keeps the status its lifecycle gave it (a file
    cannot book, close or cancel a referral); an outcome needs its date and vice versa."""
    found: list[Finding] = []
    keys = [str(k) for k in columns.get("external_id", ())]
    stored = dict(
        conn.execute(
            select(ServiceRequest.external_id, ServiceRequest.status).where(
                ServiceRequest.external_id.in_(set(keys))
            )
        ).all()
    )
    statuses = columns.get("status", [None] * n)
    outcomes = columns.get("outcome", [None] * n)
    dates = columns.get("outcome_on", [None] * n)
    for i in range(n):
        status, before = statuses[i], stored.get(keys[i])
        if status is not None and status != (before or "open"):
            found.append(
                (
                    i,
                    "status",
                    status,
                    f"a referral's status changes by booking, cancelling or its outcome (stored: "
                    f"{before or 'new'}) / el estado cambia al agendar, anular o contrarreferir",
                )
            )
        if (outcomes[i] is None) != (dates[i] is None):
            found.append(
                (
                    i,
                    "outcome_on" if dates[i] is None else "outcome",
                    dates[i] if outcomes[i] is None else outcomes[i],
                    "an outcome and its date go together / el resultado y su fecha van juntos",
                )
            )
    return found


REFERRAL = EntitySpec(
    "referrals",
    "service_request",
    ("external_id",),
    (
        _f(
            "external_id",
            "str",
            "Identificador de la referencia",
            "Referral identifier",
            required=True,
            max_length=64,
            identifier=True,
        ),
        _f(
            "referring_facility",
            "ref",
            "Establecimiento que refiere",
            "Referring facility",
            required=True,
            ref=Ref("facilities", "referring_facility_id"),
        ),
        _f(
            "patient_ref",
            "str",
            "Paciente (referencia seudónima)",
            "Patient (pseudonymous reference)",
            required=True,
            max_length=64,
            identifier=True,
            private=True,
        ),
        _f(
            "specialty",
            "ref",
            "Especialidad solicitada",
            "Specialty requested",
            required=True,
            ref=Ref("specialties", "specialty_code"),
        ),
        _f(
            "priority",
            "code",
            "Prioridad",
            "Priority",
            code_list="referral_priority",
            default="routine",
        ),
        _f(
            "requested_on",
            "date",
            "Fecha de la referencia",
            "Referred on",
            required=True,
            not_future=True,
        ),
        _f("status", "code", "Estado", "Status", code_list="referral_status", default="open"),
        _f(
            "clinical_text",
            "str",
            "Motivo clínico",
            "Clinical reason",
            max_length=4000,
            private=True,
        ),
        _f(
            "outcome",
            "code",
            "Contrarreferencia (resultado)",
            "Counter-referral (outcome)",
            code_list="referral_outcome",
        ),
        _f("outcome_on", "date", "Fecha de la contrarreferencia", "Outcome date"),
        _f(
            "outcome_note",
            "str",
            "Indicaciones al establecimiento que refirió",
            "Instructions to the referring facility",
            max_length=4000,
            private=True,
        ),
    ),
    rules=(
        Rule(
            "requested_on",
            "outcome_on",
            False,
            "la contrarreferencia es anterior a la referencia",
            "the outcome comes before the referral",
        ),
    ),
    checks=(check_referrals,),
    es="Referencias a especialistas",
    en="Specialist referrals",
)
