"""Applying a placement plan: every conflict listed and nothing written; a plan older than the
registry refused unless re-validated; applied once (again: nothing to do); transfers between
states recorded; undone exactly by ``revert``. On SQLite and PostgreSQL (the ``db`` fixture)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from healthforce.deploy.apply import COMPUTED_AT, apply_plan, latest_change_set
from healthforce.errors import ValidationError
from healthforce.store.models import Assignment, Movement, Worker
from healthforce.store.registry import Registry
from healthforce.store.revert import revert
from tests.store.helpers import build_small, snapshot
from tests.store.test_revert import tables

D = dt.date
START = D(2025, 2, 1)


@pytest.fixture
def registry(db: Engine) -> Registry:
    """The small registry, and: W3 retired; W4 holding P3 since 2020; W6 with a post from
    June 2025; W7 at P4 in state B since 2021 (to be moved to P5 in state A); W8 holding P6."""
    registry = build_small(db)
    doctor = {"sex": "F", "birth_date": D(1985, 1, 1), "occupation": "2211", "status": "active"}
    people = ["W3", "W4", "W5", "W6", "W7", "W8"]
    with registry.change(actor="t", source="more") as c:
        c.upsert(
            "workers",
            {
                "external_id": people,
                **{k: [v] * len(people) for k, v in doctor.items()},
            },
        )
        c.update("workers", "W3", {"status": "retired"})
        c.upsert(
            "posts",
            {
                "external_id": ["P3", "P4", "P5", "P6", "P7"],
                "facility": ["F1", "F2", "F1", "F1", "F2"],
                "occupation": ["2211"] * 5,
            },
        )
        c.upsert(
            "assignments",
            {
                "external_id": ["A4", "A6", "A7", "A8"],
                "worker": ["W4", "W6", "W7", "W8"],
                "post": ["P3", "P7", "P4", "P6"],
                "start_date": [D(2020, 1, 1), D(2025, 6, 1), D(2021, 3, 1), D(2022, 1, 1)],
            },
        )
    return registry


def _plan(tmp_path: Path, rows: list[tuple[str, str]], computed_at: int | None = None) -> Path:
    frame = pd.DataFrame(rows, columns=["worker", "post"])
    if computed_at is not None:
        frame[COMPUTED_AT] = computed_at
    path = tmp_path / "plan.csv"
    frame.to_csv(path, index=False)
    return path


def test_every_conflict_is_listed_and_nothing_written(registry: Registry, tmp_path: Path) -> None:
    path = _plan(
        tmp_path,
        [
            ("WX", "P1"),  # row 2: no such worker
            ("W1", "PX"),  # row 3: no such post
            ("W2", "P5"),  # row 4: a nurse into a doctor's post
            ("W3", "P1"),  # row 5: retired
            ("W5", "P3"),  # row 6: P3 held by W4, whom the plan does not move
            ("W6", "P6"),  # row 7: W6 starts elsewhere in June; P6 held by W8
            ("W5", "P1"),  # row 8: W5 twice
        ],
    )
    counts = snapshot(registry.engine)
    with pytest.raises(ValidationError) as refused:
        apply_plan(registry, path, start=START, actor="t")
    found = {
        (p.row, p.field, p.reason.split(" / ")[0].split(",")[0]) for p in refused.value.problems
    }
    text = " | ".join(str(p) for p in refused.value.problems)
    assert (2, "worker", "no such worker") in found
    assert (3, "post", "no such post") in found
    assert "row 4, plan W2: field 'post'" in text and "not for the worker's occupation" in text
    assert "Personal de enfermería" in text or "Nursing" in text or "2221" in text
    assert "row 5, plan W3" in text and "not in the workforce on 2025-02-01" in text
    assert "row 6, plan W5" in text and "held on 2025-02-01 by worker W4" in text
    assert "row 7, plan W6" in text and "already has an assignment from 2025-06-01" in text
    assert "held on 2025-02-01 by worker W8" in text
    assert "row 8, plan W5" in text and "placed twice (also row 6)" in text
    assert all(p.source == str(path) for p in refused.value.problems)
    assert snapshot(registry.engine) == counts


def test_applied_once_with_transfers_then_undone_exactly(
    registry: Registry, tmp_path: Path
) -> None:
    engine = registry.engine
    before = tables(engine)
    computed = latest_change_set(engine)
    # W7 moves from P4 (state B) to P5 (state A) and W8 from P6 (A) to P7 (B): two transfers;
    # W4 stays in P3; W1 takes P1; W5 takes P6, which W8 leaves
    path = _plan(
        tmp_path,
        [("W7", "P5"), ("W4", "P3"), ("W1", "P1"), ("W8", "P7"), ("W5", "P6")],
        computed,
    )
    dry = apply_plan(registry, path, start=START, actor="t", dry_run=True)
    assert (dry.inserted, dry.change_set) == (4, None) and tables(engine) == before
    done = apply_plan(registry, path, start=START, actor="t")
    assert (done.inserted, done.ended, done.unchanged, done.transfers) == (4, 2, 1, 2)
    with engine.connect() as conn:
        ended = conn.execute(
            select(Assignment.end_date).where(Assignment.external_id == "A7")
        ).scalar_one()
        moves = conn.execute(
            select(Movement.kind, Movement.date)
            .join(Worker, Worker.id == Movement.worker_id)
            .where(Worker.external_id == "W7")
        ).all()
    assert ended == D(2025, 1, 31)
    assert [tuple(m) for m in moves] == [("transfer", START)]
    again = apply_plan(registry, path, start=START, actor="t")
    assert again.applied_before == done.change_set and again.inserted == 0
    assert done.change_set is not None
    revert(engine, done.change_set, actor="t")
    assert tables(engine) == before


def test_a_plan_older_than_the_registry_needs_revalidating(
    registry: Registry, tmp_path: Path
) -> None:
    computed = latest_change_set(registry.engine)
    path = _plan(tmp_path, [("W1", "P1")], computed)
    with registry.change(actor="t", source="later") as c:
        c.update("workers", "W2", {"sex": "F"})
    with pytest.raises(ValidationError, match="the registry has changed since"):
        apply_plan(registry, path, start=START, actor="t")
    done = apply_plan(registry, path, start=START, actor="t", revalidate=True)
    assert done.inserted == 1


def test_the_workers_to_place_are_those_in_the_workforce_on_the_date(
    registry: Registry,
) -> None:
    """Who can be placed on a date comes from the dated history, not today's status: a doctor
    who enters in 2026 is not placed on 1 January 2025; one who retired in mid-2026 is."""
    from healthforce.deploy.plan import build_problem

    doctor = {"sex": "F", "birth_date": D(1980, 1, 1), "occupation": "2211"}
    with registry.change(actor="t", source="dates") as c:
        c.upsert(
            "workers",
            {
                "external_id": ["W9", "W10"],
                "status": ["active", "retired"],
                "status_date": [None, D(2026, 6, 1)],
                **{k: [v, v] for k, v in doctor.items()},
            },
        )
        c.upsert(
            "movements",
            {"external_id": ["M9"], "worker": ["W9"], "kind": ["entry"], "date": [D(2026, 1, 1)]},
        )
    problem = build_problem(registry.engine, ["2211"], on=D(2025, 1, 1))
    placeable = set(problem.placement.worker_ids.tolist())
    assert "W10" in placeable and "W9" not in placeable
    assert "W1" in placeable and "W3" not in placeable  # W3 retired, with no date


def test_a_fixed_term_ends_the_assignment_and_rotation_reads_it(
    registry: Registry, tmp_path: Path
) -> None:
    """Two-year terms of the community programme: applied with a contract type and a term, the
    assignments end with it, and the rotation plan of the quarter it ends in lists the worker."""
    from healthforce.deploy.apply import term_end
    from healthforce.deploy.plan import rotation_from_registry

    assert term_end(D(2025, 2, 1), 24) == D(2027, 1, 31)
    assert term_end(D(2025, 1, 31), 1) == D(2025, 2, 27)  # the shorter month's last day, less one
    with registry.change(actor="t", source="coordinates") as c:
        c.update("facilities", "F1", {"latitude": 10.5, "longitude": -66.9})
    path = _plan(tmp_path, [("W1", "P1")], latest_change_set(registry.engine))
    apply_plan(
        registry,
        path,
        start=START,
        actor="t",
        contract_type="cooperation",
        term_months=24,
        revalidate=True,
    )
    with registry.engine.connect() as conn:
        row = conn.execute(
            select(Assignment.end_date, Assignment.contract_type, Assignment.term_months)
            .join(Worker, Worker.id == Assignment.worker_id)
            .where(Worker.external_id == "W1")
        ).one()
    assert tuple(row) == (D(2027, 1, 31), "cooperation", 24)
    rotation = rotation_from_registry(registry.engine, ["2211"], D(2026, 10, 1), quarters=2)
    assert "W1" in set(rotation["worker"])


def test_a_rotation_plan_is_applied_a_quarter_at_a_time(registry: Registry, tmp_path: Path) -> None:
    """W1 on a two-year cooperation term in P1 (F1, its only doctor) to 31 January 2027. W20,
    a planned arrival (an entry dated 15 January 2027, no post), replaces W1 from 1 February
    2027, the day after the term ends; applied for 2027-Q1 with a new two-year term, then
    undone exactly. With the arrival only in April, W1 stays on and is extended to 31 March,
    the day before W20 starts."""
    from healthforce.deploy.plan import rotation_from_registry

    with registry.change(actor="t", source="coordinates") as c:
        c.update("facilities", "F1", {"latitude": 10.5, "longitude": -66.9})
    first = _plan(tmp_path, [("W1", "P1")], latest_change_set(registry.engine))
    apply_plan(
        registry,
        first,
        start=START,
        actor="t",
        contract_type="cooperation",
        term_months=24,
        revalidate=True,
    )

    def arriving(day: dt.date) -> None:
        with registry.change(actor="t", source=f"cohort {day}") as c:
            c.upsert(
                "workers",
                {
                    "external_id": ["W20"],
                    "sex": ["F"],
                    "birth_date": [D(1998, 1, 1)],
                    "occupation": ["2211"],
                    "status": ["active"],
                    "residence_lat": [10.4],
                    "residence_lon": [-66.8],
                },
            )
            c.upsert(
                "movements",
                {"external_id": ["M20"], "worker": ["W20"], "kind": ["entry"], "date": [day]},
            )

    arriving(D(2027, 1, 15))
    plan = rotation_from_registry(registry.engine, ["2211"], D(2026, 10, 1), quarters=4)
    row = plan.set_index("worker").loc["W1"]
    assert (row["replacement"], row["post"], row["starts"]) == ("W20", "P1", D(2027, 2, 1))
    path = tmp_path / "rotation.csv"
    plan.to_csv(path, index=False)
    before = tables(registry.engine)
    done = apply_plan(
        registry,
        path,
        start=None,
        actor="t",
        quarter="2027-Q1",
        contract_type="cooperation",
        term_months=24,
    )
    assert done.inserted == 1 and done.change_set is not None
    with registry.engine.connect() as conn:
        placed = conn.execute(
            select(Assignment.start_date, Assignment.end_date)
            .join(Worker, Worker.id == Assignment.worker_id)
            .where(Worker.external_id == "W20")
        ).one()
    assert tuple(placed) == (D(2027, 2, 1), D(2029, 1, 31))
    again = apply_plan(registry, path, start=None, actor="t", quarter="2027-Q1")
    assert again.applied_before == done.change_set
    revert(registry.engine, done.change_set, actor="t")
    assert tables(registry.engine) == before


def test_a_last_doctor_who_stays_on_is_extended_until_replaced(
    registry: Registry, tmp_path: Path
) -> None:
    """W1 is the only doctor of a rural post F9 (its term ends on 31 January 2027); nobody
    arrives before W20 on 1 April: W1 stays on to 31 March, W20 starts on 1 April."""
    from healthforce.deploy.plan import rotation_from_registry

    with registry.change(actor="t", source="a rural post") as c:
        c.upsert(
            "facilities",
            {
                "code": ["F9"],
                "name": ["Ambulatorio rural 9"],
                "type": ["primary_care_centre"],
                "level_of_care": ["1"],
                "ownership": ["public"],
                "area": ["XX-A-1"],
                "latitude": [10.5],
                "longitude": [-66.9],
            },
        )
        c.upsert("posts", {"external_id": ["P9"], "facility": ["F9"], "occupation": ["2211"]})
    first = _plan(tmp_path, [("W1", "P9")], latest_change_set(registry.engine))
    apply_plan(registry, first, start=START, actor="t", term_months=24, revalidate=True)
    with registry.change(actor="t", source="cooperation") as c:
        c.update("assignments", _assignment_of(registry, "W1"), {"contract_type": "cooperation"})
        c.upsert(
            "workers",
            {
                "external_id": ["W20"],
                "sex": ["F"],
                "occupation": ["2211"],
                "status": ["active"],
                "residence_lat": [10.4],
                "residence_lon": [-66.8],
            },
        )
        c.upsert(
            "movements",
            {"external_id": ["M20"], "worker": ["W20"], "kind": ["entry"], "date": [D(2027, 4, 1)]},
        )
    plan = rotation_from_registry(registry.engine, ["2211"], D(2026, 10, 1), quarters=4)
    row = plan.set_index("worker").loc["W1"]
    assert row["status"] == "extended (last doctor), replaced in 2027-Q2"
    assert row["starts"] == D(2027, 4, 1)
    path = tmp_path / "rotation.csv"
    plan.to_csv(path, index=False)
    done = apply_plan(registry, path, start=None, actor="t", quarter="2027-Q2", term_months=24)
    assert done.inserted == 1
    with registry.engine.connect() as conn:
        ends = dict(
            conn.execute(
                select(Worker.external_id, Assignment.end_date).join(
                    Worker, Worker.id == Assignment.worker_id
                )
            ).all()
        )
    assert ends["W1"] == D(2027, 3, 31) and ends["W20"] == D(2029, 3, 31)


def _assignment_of(registry: Registry, worker: str) -> str:
    with registry.engine.connect() as conn:
        return str(
            conn.execute(
                select(Assignment.external_id)
                .join(Worker, Worker.id == Assignment.worker_id)
                .where(Worker.external_id == worker)
            ).scalar_one()
        )
