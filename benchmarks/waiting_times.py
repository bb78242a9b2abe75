"""Benchmark: the waiting-time figures (Kaplan–Meier median and % within target with the patients
still waiting censored, the waiting list) for 1,000,000 referrals on SQLite.

Ours: ``healthforce.access.waiting.waiting_times`` (the database counts referrals by group,
day waited and outcome, from the referral table alone: each referral keeps its appointment's
day; then one numpy pass for every group). Peer, in the same run: the same
counted rows through lifelines' ``KaplanMeierFitter`` (with the counts as weights), one fit per
group. The read is timed apart. Target (issue 21): the figures for 1,000,000 referrals in at
most 2 s.

    .venv/bin/python benchmarks/waiting_times.py [--referrals 1000000] [--backend postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, create_engine, insert, select, text
from tests.indicators import registry

from healthforce.access.booking import mark_seen_on
from healthforce.access.waiting import TARGET_DAYS, kaplan_meier, waiting_times, waits
from healthforce.store import make_engine, upgrade
from healthforce.store.models import (
    Appointment,
    Facility,
    Schedule,
    ServiceRequest,
    Slot,
    Specialty,
    Worker,
)

AS_OF = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
PG = os.environ.get(
    "HEALTHFORCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@contextmanager
def registry_on(backend: str, folder: Path) -> Iterator[Engine]:
    """An empty registry: a SQLite file in ``folder``, or a fresh PostgreSQL schema (dropped
    after)."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{folder / 'waiting.db'}")
        yield engine
        engine.dispose()
        return
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(PG, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def build(engine: Engine, n: int) -> None:
    upgrade(engine)
    registry.build(engine)
    rng = np.random.default_rng(0)
    with engine.begin() as conn:
        specialties = list(conn.execute(select(Specialty.code)).scalars())[:20]
        facilities = list(conn.execute(select(Facility.id)).scalars())
        doctor = conn.execute(select(Worker.id).limit(1)).scalar_one()
        schedule = conn.execute(
            insert(Schedule)
            .values(
                external_id="B1",
                practitioner_id=doctor,
                facility_id=facilities[-1],
                specialty_code=specialties[0],
                weekday=0,
                start_time="08:00",
                end_time="12:00",
                slot_minutes=20,
                valid_from=dt.date(2023, 1, 1),
                timezone="America/Caracas",
            )
            .returning(Schedule.id)
        ).scalar_one()
        requested = dt.date(2024, 1, 1) + np.array(
            [dt.timedelta(days=int(d)) for d in rng.integers(0, 366, n)]
        )
        seen = rng.random(n) < 0.7
        wait = rng.gamma(2.0, 20.0, n).astype(int)
        chunk = 100_000
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            conn.execute(
                insert(ServiceRequest),
                [
                    {
                        "id": i + 1,
                        "external_id": f"R{i}",
                        "referring_facility_id": facilities[i % len(facilities)],
                        "patient_ref": f"P{i}",
                        "specialty_code": specialties[i % len(specialties)],
                        "priority": ("routine", "priority", "urgent")[i % 3],
                        "requested_on": requested[i],
                        "status": "closed" if seen[i] else "waiting",
                    }
                    for i in range(lo, hi)
                ],
            )
            booked = [i for i in range(lo, hi) if seen[i]]
            conn.execute(
                insert(Slot),
                [
                    {
                        "id": i + 1,
                        "schedule_id": schedule,
                        "start": dt.datetime.combine(requested[i], dt.time(12), dt.UTC)
                        + dt.timedelta(days=int(wait[i])),
                        "end": dt.datetime.combine(requested[i], dt.time(12), dt.UTC)
                        + dt.timedelta(days=int(wait[i]), minutes=20),
                        "seat": i + 1,  # one seat each: no two rows share (clinic, start, seat)
                        "status": "free",
                    }
                    for i in booked
                ],
            )
            conn.execute(
                insert(Appointment),
                [
                    {
                        "slot_id": i + 1,
                        "request_id": i + 1,
                        "status": "attended",
                        "created_at": AS_OF,
                    }
                    for i in booked
                ],
            )


def mark(engine: Engine) -> None:
    """Each referral's day of appointment, as every booking write keeps it (in the migration
    and the demo, this same pass)."""
    with engine.begin() as conn:
        mark_seen_on(conn, None)


def analyse(engine: Engine) -> None:
    """The planner's statistics after a bulk load (what autovacuum does for a live registry)."""
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, registry_on(args.backend, Path(tmp)) as engine:
        started = time.perf_counter()
        build(engine, args.referrals)
        mark(engine)
        analyse(engine)
        print(f"built {args.referrals:,} referrals in {time.perf_counter() - started:.0f} s")
        first, last = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
        started = time.perf_counter()
        table = waiting_times(engine, first, last, AS_OF)
        ours = time.perf_counter() - started
        started = time.perf_counter()
        frame = waits(engine, first, last, AS_OF)
        read = time.perf_counter() - started
        started = time.perf_counter()
        kaplan_meier(frame, ["specialty", "priority"], TARGET_DAYS)
        ours_km = time.perf_counter() - started

        from lifelines import KaplanMeierFitter

        started = time.perf_counter()
        for (_s, priority), g in frame.groupby(["specialty", "priority"]):
            fit = KaplanMeierFitter().fit(g["days"], g["seen"], weights=g["n"])
            _ = fit.median_survival_time_
            _ = fit.survival_function_at_times(TARGET_DAYS[str(priority)])
        peer_km = time.perf_counter() - started
    print(f"waiting times for {args.referrals:,} referrals ({len(table)} groups), {args.backend}")
    print(f"  ours, whole figures (read + estimate + waiting list): {ours:6.2f} s (target 2 s)")
    print(f"  the read alone: {read:.2f} s; the Kaplan-Meier pass alone: {ours_km:.3f} s")
    print(f"  peer, lifelines one fit per group, same rows: {peer_km:.3f} s")
    print(f"  ratio peer/ours (estimate): {peer_km / ours_km:.1f}x")


if __name__ == "__main__":
    main()
