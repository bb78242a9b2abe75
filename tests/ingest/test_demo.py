"""The synthetic demo country: reproducible, realistic in its orders of magnitude, coherent."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import Engine, func, select

from healthforce.ingest.demo import DEMO_LABEL, build_demo
from healthforce.ingest.demo.calibration import calibrate
from healthforce.ingest.demo.network import TEAM_NORMS
from healthforce.store.models import (
    Area,
    AreaPopulation,
    Assignment,
    ChangeSet,
    Facility,
    Movement,
    Post,
    TrainingCohort,
    Worker,
)
from healthforce.store.registry import Registry

SMALL = 3_000


@pytest.fixture
def demo_db(db: Engine) -> Engine:
    build_demo(Registry(db), workers=SMALL, seed=7)
    return db


def _digest(engine: Engine) -> str:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Worker.external_id,
                Worker.sex,
                Worker.birth_date,
                Worker.occupation_code,
                Worker.status,
                Worker.residence_lat,
            ).order_by(Worker.external_id)
        ).all()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_calibration_reads_the_real_files() -> None:
    cal = calibrate()
    assert cal.population_by_year[2024] == 28_405_543
    assert (cal.doctors, cal.doctors_year) == (50_866, 2017)
    assert cal.emigrant_doctor_destinations["CHL"] == pytest.approx(2480 / 2731)


def test_demo_is_labelled_and_sized(demo_db: Engine) -> None:
    with demo_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Worker)).scalar_one() == SMALL
        source = conn.execute(select(ChangeSet.source)).scalar_one()
        states = conn.execute(select(func.count()).where(Area.level == "state")).scalar_one()
        facilities = conn.execute(select(Facility.type, func.count()).group_by(Facility.type)).all()
    assert DEMO_LABEL in source
    assert states == 25
    by_type = dict(facilities)
    assert by_type["primary_care_centre"] > by_type["diagnostic_centre"] > 0
    assert by_type["general_hospital"] > 0


def test_demo_is_reproducible(
    sqlite_engine: Engine, tmp_path_factory: pytest.TempPathFactory, demo_db: Engine
) -> None:
    from healthforce.store import make_engine, upgrade

    other = make_engine(f"sqlite:///{tmp_path_factory.mktemp('again') / 'r.db'}")
    upgrade(other)
    build_demo(Registry(other), workers=SMALL, seed=7)
    assert _digest(other) == _digest(demo_db)


def test_population_adds_up_to_the_world_bank_total(demo_db: Engine) -> None:
    with demo_db.connect() as conn:
        states = conn.execute(
            select(func.sum(AreaPopulation.population))
            .join(Area)
            .where(
                Area.level == "state",
                AreaPopulation.year == 2024,
                AreaPopulation.age_band == "total",
            )
        ).scalar_one()
        bands = conn.execute(
            select(func.sum(AreaPopulation.population))
            .join(Area)
            .where(
                Area.level == "state",
                AreaPopulation.year == 2024,
                AreaPopulation.age_band != "total",
            )
        ).scalar_one()
    assert abs(states - 28_405_543) < 50
    assert abs(bands - states) / states < 1e-4


def test_facilities_lie_inside_their_state(demo_db: Engine) -> None:
    with demo_db.connect() as conn:
        rows = conn.execute(
            select(Facility.latitude, Facility.longitude, Area.boundary).join(
                Area, Area.id == Facility.area_id
            )
        ).all()
    for lat, lon, boundary in rows[:500]:
        assert shapely.contains_xy(shape(json.loads(boundary)), lon, lat)


def test_workers_posts_and_assignments_are_coherent(demo_db: Engine) -> None:
    ref = dt.date(2025, 1, 1)
    with demo_db.connect() as conn:
        active = conn.execute(
            select(func.count()).where(Worker.status.in_(["active", "on_leave"]))
        ).scalar_one()
        open_assignments = conn.execute(
            select(func.count())
            .select_from(Assignment)
            .where((Assignment.end_date.is_(None)) | (Assignment.end_date >= ref))
        ).scalar_one()
        occupied = conn.execute(
            select(Assignment.post_id, func.count())
            .where((Assignment.end_date.is_(None)) | (Assignment.end_date >= ref))
            .group_by(Assignment.post_id)
            .having(func.count() > 1)
        ).all()
        mismatched = conn.execute(
            select(func.count())
            .select_from(Assignment)
            .join(Worker)
            .join(Post)
            .where(Post.occupation_code != Worker.occupation_code)
        ).scalar_one()
        terms = conn.execute(
            select(Assignment.start_date, Assignment.end_date).where(
                Assignment.contract_type == "cooperation", Assignment.end_date >= ref
            )
        ).all()
        emigrations = (
            conn.execute(select(Movement.destination_country).where(Movement.kind == "emigration"))
            .scalars()
            .all()
        )
        exits = conn.execute(
            select(func.count()).where(
                Worker.status.in_(["retired", "emigrated", "deceased", "left_sector"])
            )
        ).scalar_one()
    assert active == open_assignments
    assert occupied == []
    assert mismatched == 0
    assert terms and all((end - start).days == 730 for start, end in terms)
    assert emigrations and all(c for c in emigrations)
    assert 0.10 < exits / SMALL < 0.20


def test_every_primary_care_centre_has_its_norm_posts(demo_db: Engine) -> None:
    with demo_db.connect() as conn:
        rows = conn.execute(
            select(Post.occupation_code, func.count())
            .join(Facility)
            .where(Facility.type == "primary_care_centre")
            .group_by(Post.occupation_code)
        ).all()
        centres = conn.execute(
            select(func.count()).where(Facility.type == "primary_care_centre")
        ).scalar_one()
    assert dict(rows) == {occ: centres * n for occ, n in TEAM_NORMS["primary_care_centre"].items()}


def test_training_cohorts_are_consistent(demo_db: Engine) -> None:
    with demo_db.connect() as conn:
        rows = conn.execute(
            select(TrainingCohort.enrolled, TrainingCohort.graduated, TrainingCohort.dropped_out)
        ).all()
    assert rows
    assert all(g + d <= e for e, g, d in rows)


def test_demo_carries_courses_pathways_and_completions(demo_db: Engine) -> None:
    from healthforce.indicators.compute import compute
    from healthforce.store.models import Completion, Course, Pathway

    with demo_db.connect() as conn:
        courses = conn.execute(select(func.count()).select_from(Course)).scalar_one()
        pathways = conn.execute(select(func.count()).select_from(Pathway)).scalar_one()
        completions = conn.execute(select(func.count()).select_from(Completion)).scalar_one()
    assert courses >= 5
    assert pathways >= 3
    assert completions > SMALL / 2
    rates = compute(demo_db, 2024, level="country", codes=["PATHWAY_COMPLETION"])
    overall = rates[rates["grp"] == "all"]["value"].iloc[0]
    assert 0 < overall < 100


def test_the_stock_follows_the_flows_every_year(demo_db: Engine) -> None:
    """The demo has a real history, and the indicators read it: at country level, for every
    year, stock(Y) = stock(Y-1) + entries(Y) - exits(Y), each movement counted once (before:
    every past year's stock was today's, whatever the movements said)."""
    from healthforce.indicators.compute import compute

    with demo_db.connect() as conn:
        moves = conn.execute(select(Movement.kind, Movement.date)).all()

    def flows(year: int, kinds: tuple[str, ...]) -> int:
        return sum(1 for kind, day in moves if day.year == year and kind in kinds)

    def stock(year: int) -> int:
        table = compute(demo_db, year, level="country", codes=["PCT_FEMALE"])
        return int(table[table["grp"] == "all"]["denominator"].iloc[0])

    stocks = {year: stock(year) for year in range(2013, 2025)}
    for year in range(2014, 2025):
        entries = flows(year, ("entry", "return"))
        exits = flows(year, ("exit", "emigration"))
        assert stocks[year] == stocks[year - 1] + entries - exits, year
    assert stocks[2015] < stocks[2024]  # more entered than left since
    assert stocks[2024] == int(SMALL * 0.85)  # everyone active on the reference date
