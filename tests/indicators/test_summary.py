"""The store's indicator summaries: every change leaves them exactly as a rebuild from the
registry would, on SQLite and on PostgreSQL (the ``db`` fixture); changes they cannot follow row
by row leave them stale, and the next read rebuilds them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import pytest
from sqlalchemy import Connection, Engine, select, text, update

import healthforce.indicators  # noqa: F401  (registers the summaries' upkeep)
from healthforce.indicators import summary
from healthforce.indicators.compute import compute
from healthforce.store.models import SummaryYear
from healthforce.store.registry import Change, Registry
from healthforce.store.upkeep import _UPKEEP
from tests.indicators.registry import build

D = dt.date
YEAR = 2024


def _read(conn: Connection) -> dict[str, pd.DataFrame]:
    out = {}
    for table in summary.TABLES:
        frame = pd.DataFrame(
            conn.execute(text(f"SELECT * FROM {table} WHERE year = {YEAR}")).mappings().all()
        )
        if len(frame):
            frame = frame.sort_values(list(frame.columns), ignore_index=True)
        out[table] = frame
    return out


def _assert_as_rebuilt(engine: Engine) -> None:
    with engine.connect() as conn:
        kept = _read(conn)
        conn.rollback()
        summary.build(conn, YEAR, "VEN")
        rebuilt = _read(conn)
        conn.rollback()
    for table in summary.TABLES:
        pd.testing.assert_frame_equal(kept[table], rebuilt[table], obj=table)
    assert sum(len(f) for f in rebuilt.values()) > 0


def _stale(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.execute(select(SummaryYear.stale).where(SummaryYear.year == YEAR)).scalar_one()
        )


def _change(engine: Engine, write: Callable[[Change], object]) -> None:
    with Registry(engine).change(actor="test", source="summary") as c:
        write(c)


EDITS: list[tuple[str, Callable[[Change], object]]] = [
    ("worker's sex", lambda c: c.update("workers", "W1", {"sex": "M"})),
    ("worker leaves", lambda c: c.update("workers", "W2", {"status": "retired"})),
    ("worker's training", lambda c: c.update("workers", "W3", {"training_country": "COL"})),
    (
        "new worker on a post",
        lambda c: (
            c.upsert(
                "workers",
                {
                    "external_id": ["W8"],
                    "sex": ["F"],
                    "birth_date": [D(1999, 2, 2)],
                    "occupation": ["2221"],
                    "status": ["active"],
                    "residence_area": ["VE-B"],
                },
            ),
            c.upsert(
                "assignments",
                {
                    "external_id": ["A8"],
                    "worker": ["W8"],
                    "post": ["P4"],
                    "start_date": [D(2024, 8, 1)],
                },
            ),
        ),
    ),
    ("assignment ends", lambda c: c.update("assignments", "A1", {"end_date": D(2024, 6, 30)})),
    ("post moves", lambda c: c.update("posts", "P3", {"facility": "F1"})),
    ("post unfunded", lambda c: c.update("posts", "P2", {"funded": False})),
    (
        "facility changes type",
        lambda c: c.update("facilities", "F2", {"type": "primary_care_centre", "area": "VE-A"}),
    ),
    ("facility closes", lambda c: c.update("facilities", "F1", {"status": "closed"})),
    (
        "movement recorded",
        lambda c: c.upsert(
            "movements",
            {
                "external_id": ["M9"],
                "worker": ["W4"],
                "kind": ["emigration"],
                "date": [D(2024, 10, 1)],
                "origin_area": ["VE-B"],
                "reason": ["migration"],
            },
        ),
    ),
    ("movement deleted", lambda c: c.delete("movements", "M5")),
    ("movement redated", lambda c: c.update("movements", "M1", {"date": D(2023, 12, 1)})),
    (
        "course completed",
        lambda c: c.upsert(
            "completions",
            {"worker": ["W7"], "course": ["C1"], "completed_on": [D(2024, 1, 1)]},
        ),
    ),
    ("completion deleted", lambda c: c.delete("completions", ("W1", "C2", D(2020, 1, 1)))),
    ("assignment deleted", lambda c: c.delete("assignments", "A3")),
]


@pytest.fixture
def registry(db: Engine) -> Engine:
    build(db)
    assert summary.current(db, YEAR, "VEN") is True  # built on first use
    assert summary.current(db, YEAR, "VEN") is False  # then current
    return db


def test_every_change_keeps_the_summaries_as_a_rebuild_would(registry: Engine) -> None:
    _assert_as_rebuilt(registry)
    for name, edit in EDITS:
        _change(registry, edit)
        assert not _stale(registry), name
        try:
            _assert_as_rebuilt(registry)
        except AssertionError as exc:
            raise AssertionError(f"after '{name}': {exc}") from exc


def test_catalogue_after_changes_equals_a_fresh_registry_catalogue(registry: Engine) -> None:
    for _, edit in EDITS:
        _change(registry, edit)
    kept = compute(registry, YEAR)
    with registry.begin() as conn:
        conn.execute(update(SummaryYear).values(stale=True))
    rebuilt = compute(registry, YEAR)
    pd.testing.assert_frame_equal(kept, rebuilt)


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: c.update("courses", "C1", {"validity_years": 5}),
        lambda c: c.upsert(
            "team_norms",
            {"facility_type": ["general_hospital"], "occupation": ["2221"], "headcount": [2]},
        ),
        lambda c: c.update("areas", "VE-B", {"urban_rural": "urban"}),
    ],
    ids=["course validity", "team norm", "area"],
)
def test_changes_felt_beyond_their_rows_leave_the_summaries_stale(
    registry: Engine, edit: Callable[[Change], object]
) -> None:
    _change(registry, edit)
    assert _stale(registry)
    assert summary.current(registry, YEAR, "VEN") is True
    assert not _stale(registry)
    _assert_as_rebuilt(registry)


def test_a_large_change_leaves_them_stale(
    registry: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(summary, "LARGEST_DELTA", 1)
    _change(registry, lambda c: c.update("facilities", "F2", {"level_of_care": "3"}))
    assert _stale(registry)


def test_without_the_upkeep_a_change_leaves_them_stale(
    registry: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("healthforce.store.upkeep._UPKEEP", [])
    _change(registry, lambda c: c.update("workers", "W1", {"sex": "M"}))
    assert _stale(registry)
    assert _UPKEEP  # the registration itself is untouched


def test_a_failed_change_leaves_them_as_they_were(registry: Engine) -> None:
    with registry.connect() as conn:
        before = _read(conn)

    def failing(c: Change) -> None:
        c.update("workers", "W1", {"sex": "M"})
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        _change(registry, failing)
    with registry.connect() as conn:
        after = _read(conn)
    for table in summary.TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)
