"""Specialist schedules: imported with their checks (clock, zone, overlaps, zero-length slots),
derived from the registry's assignments, and held every so many weeks."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from healthforce.access.clinics import ClinicRules, clinics_from_assignments
from healthforce.access.schedules import write_slots
from healthforce.access.slots import Recurring, generate
from healthforce.errors import ValidationError
from healthforce.store.models import Schedule, Slot
from healthforce.store.registry import Registry
from tests.access import add_cardiologist
from tests.indicators import registry

D = dt.date


def _schedules(**over: list[object]) -> dict[str, list[object]]:
    base: dict[str, list[object]] = {
        "external_id": ["S1", "S2"],
        "practitioner": ["W1", "W1"],
        "facility": ["F2", "F1"],
        "specialty": ["cardiology", "cardiology"],
        "weekday": [0, 0],
        "start_time": ["08:00", "13:00"],
        "end_time": ["12:00", "17:00"],
        "slot_minutes": [20, 30],
        "valid_from": [D(2025, 1, 1), D(2025, 1, 1)],
        "timezone": ["America/Caracas", "America/Caracas"],
    }
    base.update(over)
    return base


def _write(engine: Engine, columns: dict[str, list[object]]) -> None:
    with Registry(engine).change(actor="t", source="t") as c:
        c.upsert("schedules", columns)


def test_schedules_import_and_reimport_unchanged(db: Engine) -> None:
    registry.build(db)
    _write(db, _schedules())
    with Registry(db).change(actor="t", source="t") as c:
        again = c.upsert("schedules", _schedules())
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.parametrize(
    ("over", "field", "reason"),
    [
        ({"start_time": ["08:00", "11:00"]}, "start_time", "overlaps the same specialist"),
        ({"slot_minutes": [0, 30]}, "slot_minutes", ""),
        ({"start_time": ["8h", "13:00"]}, "start_time", "HH:MM"),
        ({"end_time": ["07:00", "17:00"]}, "end_time", "ends before it starts"),
        ({"timezone": ["Mars/Olympus", "UTC"]}, "timezone", "time zone"),
    ],
)
def test_bad_schedules_store_nothing(
    db: Engine, over: dict[str, list[object]], field: str, reason: str
) -> None:
    registry.build(db)
    with pytest.raises(ValidationError) as caught:
        _write(db, _schedules(**over))
    problem = caught.value.problems[0]
    assert problem.field == field
    assert reason in problem.reason
    with db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Schedule)).scalar() == 0


def test_overlap_with_a_stored_schedule_is_refused(db: Engine) -> None:
    registry.build(db)
    _write(db, {k: v[:1] for k, v in _schedules().items()})
    clash = {k: v[1:] for k, v in _schedules(start_time=["08:00", "10:00"]).items()}
    with pytest.raises(ValidationError, match="overlaps the same specialist's schedule S1"):
        _write(db, clash)
    later = {k: v[1:] for k, v in _schedules(valid_from=[D(2025, 1, 1), D(2025, 2, 1)]).items()}
    _write(db, later)  # afternoon: no clash


def test_clinics_from_assignments(db: Engine) -> None:
    registry.build(db)
    with Registry(db).change(actor="t", source="t") as c:
        add_cardiologist(c, weekly_hours=36.0)
    rules = ClinicRules(timezone="America/Caracas")
    made = clinics_from_assignments(Registry(db), D(2025, 1, 6), rules, actor="t")
    assert made.inserted == 4  # 36 h x 0.5 = 18 h: four half-days of 4 h
    with db.connect() as conn:
        rows = conn.execute(
            select(Schedule.weekday, Schedule.start_time).order_by(Schedule.external_id)
        ).all()
    assert len({d for d, _ in rows}) == 2  # two whole days, not four scattered mornings
    again = clinics_from_assignments(Registry(db), D(2025, 2, 6), rules, actor="t")
    assert again.inserted == 0
    assert write_slots(db, D(2025, 1, 6), D(2025, 1, 12)) == 4 * 12


def test_every_other_week() -> None:
    clinic = Recurring(2, dt.time(9), dt.time(10), 60, 1, D(2025, 1, 1), None, "UTC", every_weeks=2)
    days = [s[0].date() for s in generate(clinic, D(2025, 1, 1), D(2025, 2, 28))]
    assert days == [D(2025, 1, 1), D(2025, 1, 15), D(2025, 1, 29), D(2025, 2, 12), D(2025, 2, 26)]


def test_slots_follow_a_monthly_schedule(db: Engine) -> None:
    registry.build(db)
    _write(db, {k: v[:1] for k, v in _schedules(every_weeks=[4, 4]).items()})
    write_slots(db, D(2025, 1, 1), D(2025, 3, 31))
    with db.connect() as conn:
        n = conn.execute(select(func.count()).select_from(Slot)).scalar()
    assert n == 4 * 12  # Mondays 6 Jan, 3 Feb, 3 and 31 Mar; 12 slots of 20 minutes


def test_a_specialist_on_a_general_post_practises_their_specialty(db: Engine) -> None:
    registry.build(db)
    with Registry(db).change(actor="t", source="t") as c:
        c.upsert("worker_specialties", {"worker": ["W1"], "specialty": ["cardiology"]})
    rules = ClinicRules(timezone="UTC", levels=("1",))
    made = clinics_from_assignments(Registry(db), D(2025, 1, 6), rules, actor="t")
    assert made.inserted == 5  # W1 at F1 (first level): 40 h x 0.5 = 20 h, five half-days
    with db.connect() as conn:
        assert set(conn.execute(select(Schedule.specialty_code)).scalars()) == {"cardiology"}
    rules = ClinicRules(timezone="UTC", levels=("3",))
    assert clinics_from_assignments(Registry(db), D(2025, 1, 6), rules, actor="t").inserted == 0


def test_overlaps_are_compared_as_real_instants_across_zones(db: Engine) -> None:
    registry.build(db)
    caracas = {k: v[:1] for k, v in _schedules().items()}  # Monday 08-12 in Caracas (UTC-4)
    _write(db, caracas)
    # 08:00-10:00 in Guatemala (UTC-6) is 14:00-16:00 UTC: after the Caracas clinic ends (16:00).
    later = _schedules(
        start_time=["08:00", "10:00"],
        end_time=["12:00", "12:00"],
        timezone=["", "America/Guatemala"],
    )
    _write(db, {k: v[1:] for k, v in later.items()})
    # 06:00-08:00 in Guatemala is 12:00-14:00 UTC, inside the Caracas clinic (12:00-16:00 UTC):
    # the same local hours apart, one specialist in two places at once.
    clash = _schedules(
        external_id=["", "S3"],
        start_time=["", "06:00"],
        end_time=["", "08:00"],
        timezone=["", "America/Guatemala"],
    )
    with pytest.raises(ValidationError, match="overlaps the same specialist's schedule S1"):
        _write(db, {k: v[1:] for k, v in clash.items()})


def test_clinics_take_the_zone_of_their_place(db: Engine) -> None:
    registry.build(db)
    with Registry(db).change(actor="t", source="t") as c:
        add_cardiologist(c)
        c.update("areas", "VE-B", {"timezone": "America/Bogota"})  # the hospital's state
    made = clinics_from_assignments(Registry(db), D(2025, 1, 6), ClinicRules(), actor="t")
    assert made.inserted > 0
    with db.connect() as conn:
        zones = set(conn.execute(select(Schedule.timezone)).scalars())
    assert zones == {"America/Bogota"}
    with (
        pytest.raises(ValidationError, match="time zone"),
        Registry(db).change(actor="t", source="t") as c,
    ):
        c.update("areas", "VE-A", {"timezone": "Caracas"})
