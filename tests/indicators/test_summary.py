"""The store's indicator summaries: every change leaves them exactly as a rebuild from the
registry would, on SQLite and on PostgreSQL (the ``db`` fixture); changes they cannot follow row
by row leave them stale, and the next read rebuilds them."""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, select, text, update

import healthforce.indicators  # noqa: F401  (registers the summaries' upkeep)
from healthforce.errors import NotFoundError, StoreError, ValidationError
from healthforce.indicators import summary
from healthforce.indicators.compute import compute
from healthforce.store import make_engine, upgrade
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
        summary.build(conn, YEAR, "VEN", carry=False)
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
    monkeypatch.setattr("healthforce.store.upkeep.DEFAULT_UPKEEP", ())
    monkeypatch.setattr("healthforce.store.upkeep._defaults_loaded", False)
    _change(registry, lambda c: c.update("workers", "W1", {"sex": "M"}))
    assert _stale(registry)
    assert _UPKEEP  # the registration itself is untouched


def test_the_upkeep_does_not_depend_on_what_the_process_imported(
    sqlite_engine: Engine,
) -> None:
    """Before: a process that wrote without having imported healthforce.indicators left the
    summaries stale (or, worse, depended on import order)."""
    upgrade(sqlite_engine)
    build(sqlite_engine)
    summary.current(sqlite_engine, YEAR, "VEN")
    registry = sqlite_engine
    code = (
        "import sys\n"
        "from healthforce.store import Registry, make_engine\n"
        f"engine = make_engine({str(registry.url)!r})\n"
        "with Registry(engine).change(actor='t', source='t') as c:\n"
        "    c.update('workers', 'W1', {'sex': 'M'})\n"
        "print('healthforce.indicators.summary' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True", out.stderr[-500:]
    assert not _stale(registry)


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


def _dates(first: int, last: int) -> st.SearchStrategy[dt.date]:
    return st.dates(D(first, 1, 1), D(last, 12, 31))


WORKERS = st.sampled_from(["W1", "W2", "W3", "W4", "W5", "W6", "W7"])
POSTS = st.sampled_from(["P1", "P2", "P3", "P4", "P5"])
RANDOM_EDITS = st.one_of(
    st.tuples(
        st.just("workers"),
        WORKERS,
        st.fixed_dictionaries(
            {},
            optional={
                "sex": st.sampled_from(["F", "M"]),
                "status": st.sampled_from(["active", "on_leave", "retired", "emigrated"]),
                "occupation": st.sampled_from(["2211", "2221", "3221"]),
                "training_country": st.sampled_from(["VEN", "CUB", "COL", None]),
                "birth_country": st.sampled_from(["VEN", "CUB"]),
                "residence_area": st.sampled_from(["VE-A", "VE-B"]),
                "birth_date": _dates(1950, 2004),
            },
        ),
    ),
    st.tuples(
        st.just("assignments"),
        st.sampled_from(["A1", "A2", "A3", "A5"]),
        st.fixed_dictionaries(
            {},
            optional={
                "post": POSTS,
                "end_date": st.one_of(st.none(), _dates(2024, 2026)),
                "contract_type": st.sampled_from(["permanent", "cooperation"]),
                "sector": st.sampled_from(["public", "private_fp"]),
            },
        ),
    ),
    st.tuples(
        st.just("new assignment"),
        WORKERS,
        st.fixed_dictionaries({"post": POSTS, "start_date": _dates(2022, 2025)}),
    ),
    st.tuples(
        st.just("posts"),
        POSTS,
        st.fixed_dictionaries(
            {},
            optional={
                "facility": st.sampled_from(["F1", "F2"]),
                "funded": st.booleans(),
                "occupation": st.sampled_from(["2211", "2221", "3221"]),
            },
        ),
    ),
    st.tuples(
        st.just("facilities"),
        st.sampled_from(["F1", "F2"]),
        st.fixed_dictionaries(
            {},
            optional={
                "type": st.sampled_from(["primary_care_centre", "general_hospital"]),
                "level_of_care": st.sampled_from(["1", "2", "3"]),
                "area": st.sampled_from(["VE-A", "VE-B"]),
                "status": st.sampled_from(["open", "closed"]),
            },
        ),
    ),
    st.tuples(
        st.just("new movement"),
        WORKERS,
        st.fixed_dictionaries(
            {
                "kind": st.sampled_from(["entry", "exit", "emigration", "transfer"]),
                "date": _dates(2023, 2025),
                "origin_area": st.sampled_from(["VE-A", "VE-B", None]),
            }
        ),
    ),
    st.tuples(st.just("delete movement"), st.sampled_from(["M1", "M2", "M3", "M4", "M5"])),
)


def _apply(c: Change, edit: tuple[Any, ...], n: int) -> None:
    kind, key = edit[0], edit[1]
    fields = edit[2] if len(edit) > 2 else {}
    if kind == "new assignment":
        c.upsert("assignments", {"external_id": [f"AX{n}"], "worker": [key]} | _cols(fields))
    elif kind == "new movement":
        c.upsert("movements", {"external_id": [f"MX{n}"], "worker": [key]} | _cols(fields))
    elif kind == "delete movement":
        c.delete("movements", key)
    elif fields:
        c.update(kind, key, fields)


def _cols(fields: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [v] for k, v in fields.items()}


@settings(max_examples=25, deadline=None, derandomize=True)
@given(edits=st.lists(RANDOM_EDITS, min_size=1, max_size=6))
def test_random_edits_keep_the_summaries_as_a_rebuild_would(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[Any, ...]]
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('summary') / 'registry.db'}")
    try:
        upgrade(engine)
        build(engine)
        summary.current(engine, YEAR, "VEN")
        for n, edit in enumerate(edits):
            # a refused edit is rolled back whole: the summaries must still be right
            with (
                contextlib.suppress(ValidationError, NotFoundError, StoreError),
                Registry(engine).change(actor="test", source="summary") as c,
            ):
                _apply(c, edit, n)
            assert not _stale(engine)
            _assert_as_rebuilt(engine)
    finally:
        engine.dispose()


def _every_year(conn: Connection, years: range) -> dict[str, pd.DataFrame]:
    out = {}
    for table in summary.TABLES:
        frame = pd.read_sql(
            text(f"SELECT * FROM {table} WHERE year BETWEEN {years[0]} AND {years[-1]}"), conn
        )
        out[table] = frame.sort_values(list(frame.columns), ignore_index=True)
    return out


def _assert_carried_as_built(db: Engine, years: range) -> None:
    """Every year's summaries carried over from the year before's (the first built from the
    registry) equal those built for each year from the registry alone."""
    home = summary.home_of(db)
    with db.connect() as conn:
        conn.execute(text("DELETE FROM summary_year"))
        for year in years:
            summary.build(conn, year, home, carry=False)
        alone = _every_year(conn, years)
        conn.rollback()
    with db.begin() as conn:
        conn.execute(text("DELETE FROM summary_year"))
    for year in years:  # the first from the registry, each other from the one before
        assert summary.current(db, year, home) is True
    with db.connect() as conn:
        carried = _every_year(conn, years)
    for table in ("summary_worker", "summary_workforce", "summary_age", "summary_flow"):
        assert len(alone[table]) > 0, table
    for table in summary.TABLES:
        pd.testing.assert_frame_equal(carried[table], alone[table], obj=table)


def test_years_carried_over_equal_years_built_from_the_registry(db: Engine) -> None:
    """On a demo country with eleven years of history."""
    from healthforce.ingest.demo import build_demo

    build_demo(Registry(db), workers=2_000, seed=11)
    _assert_carried_as_built(db, range(2014, 2025))


def test_every_kind_of_dated_fact_is_carried_over(db: Engine) -> None:
    """On the golden registry and three workers whose facts change by a single date each:
    a birth (a worker without history is not in the workforce before it), an assignment's end
    without a movement, and a status date without one."""
    from tests.indicators import golden

    golden.build(db)
    with Registry(db).change(actor="test", source="dates") as c:
        c.upsert(
            "workers",
            {
                "external_id": ["X1", "X2", "X3"],
                "sex": ["F", "M", "F"],
                "birth_date": [D(2016, 5, 1), D(1980, 1, 1), D(1970, 1, 1)],
                "occupation": ["2221", "2211", "2221"],
                "residence_area": ["VE-A", "VE-B", "VE-A"],
                "status": ["active", "active", "retired"],
                "status_date": [None, None, D(2019, 3, 1)],
            },
        )
        c.upsert(
            "posts",
            {
                "external_id": ["PX2", "PX3"],
                "facility": ["F1", "F2"],
                "occupation": ["2211", "2221"],
            },
        )
        c.upsert(
            "assignments",
            {
                "external_id": ["AX2", "AX3"],
                "worker": ["X2", "X3"],
                "post": ["PX2", "PX3"],
                "start_date": [D(2015, 1, 1), D(2014, 1, 1)],
                "end_date": [D(2018, 6, 30), None],
            },
        )
    _assert_carried_as_built(db, golden.YEARS)


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
def test_statements_compiled_once_are_each_year_own(dialect: str) -> None:
    """Each summary statement is compiled once for a stand-in year and written for the year
    asked for: the result must be the year's own compilation, for every statement."""
    from healthforce.indicators import summary as s

    for year in (2015, 2024):
        for table in s.FACTS:
            for restricted in (False, True):
                wanted = s._compile_insert(table, dialect, year, "VEN", restricted)
                assert s._insert_sql(table, dialect, year, "VEN", restricted) == wanted
        assert s._changed_sql(dialect, year) == s._compile_changed(dialect, year)
        assert s._completed_sql(dialect, year) == s._compile_completed(dialect, year)
        assert s._pathway_sql(dialect, year) == s._compile_pathway(dialect, year)
