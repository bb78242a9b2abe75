"""Waiting times that count the patients still waiting: the Kaplan–Meier median and % within
target against lifelines' fitter and a hand-worked case, the waiting list's size and age, and
the command line with its files."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from healthforce.access.waiting import TARGET_DAYS, kaplan_meier, waiting_times
from tests.access.test_booking import NOW, UTC, _setup
from tests.access.test_referrals import _refer


def test_kaplan_meier_equals_lifelines() -> None:
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(4)
    n = 3_000
    frame = pd.DataFrame(
        {
            "specialty": rng.choice(["a", "b", "c"], n),
            "priority": rng.choice(list(TARGET_DAYS), n),
            "days": rng.integers(0, 200, n),
            "seen": rng.random(n) < 0.7,
        }
    )
    ours = kaplan_meier(frame, ["specialty", "priority"], TARGET_DAYS).set_index(
        ["specialty", "priority"]
    )
    for (specialty, priority), g in frame.groupby(["specialty", "priority"]):
        fit = KaplanMeierFitter().fit(g["days"], g["seen"])
        row = ours.loc[(specialty, priority)]
        assert row["median_wait_days"] == fit.median_survival_time_
        seen_by_target = 1 - float(fit.survival_function_at_times(TARGET_DAYS[priority]).iloc[0])
        assert row["within_target"] == pytest.approx(seen_by_target)


def test_by_hand_the_waiting_are_not_left_out() -> None:
    # Seen after 10, 20 and 30 days; three still waiting after 40 days. A median of the seen
    # says 20 days; the patients still waiting say at least half wait over 30: S(30) = 0.5.
    frame = pd.DataFrame(
        {
            "specialty": ["x"] * 6,
            "priority": ["routine"] * 6,
            "days": [10, 20, 30, 40, 40, 40],
            "seen": [True, True, True, False, False, False],
        }
    )
    row = kaplan_meier(frame, ["specialty"]).iloc[0]
    assert row["median_wait_days"] == 30  # S: 5/6, 4/6, 3/6 = 0.5 at day 30
    still = frame.assign(seen=[True, True, False, False, False, False])
    row = kaplan_meier(still, ["specialty"]).iloc[0]
    assert pd.isna(row["median_wait_days"])  # half are not yet estimated seen: unknown


def test_waiting_list_and_censored_waits_from_the_registry(db: Engine) -> None:
    slots = _setup(db, days=6)  # Wednesday 8 January 2025
    from healthforce.access.booking import book_slot

    for i in range(3):
        _refer(db, f"S{i}", requested_on=dt.date(2025, 1, 1))
        book_slot(db, f"S{i}", slots[i], now=NOW)
    for i in range(3):
        _refer(db, f"W{i}", requested_on=dt.date(2024, 12, 1))
    as_of = dt.datetime(2025, 1, 20, tzinfo=dt.UTC)
    table = waiting_times(db, dt.date(2024, 1, 1), dt.date(2025, 12, 31), as_of, by=["specialty"])
    row = table.iloc[0]
    assert (row["referrals"], row["seen"], row["waiting"]) == (6, 3, 3)
    assert row["waiting_median_days"] == 50  # 1 December to 20 January
    assert row["waiting_over_target"] == 0  # routine: 90 days
    # Seen after 7 days (three); waiting 50 days (three, censored): S(7) = 0.5.
    assert row["median_wait_days"] == 7
    # Every patient seen was seen in time (a plain share would say 100 %), but half are still
    # waiting with their outcome unknown: the estimate says 50 %, not 100.
    assert row["within_target_pct"] == pytest.approx(50.0)
    early = waiting_times(db, dt.date(2024, 1, 1), dt.date(2025, 12, 31), NOW, by=["specialty"])
    assert early.iloc[0]["seen"] == 0  # on 6 January no appointment had come yet


def test_waiting_times_from_the_command_line(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from pathlib import Path

    from typer.testing import CliRunner

    from healthforce.access.booking import book_slot
    from healthforce.cli import app
    from healthforce.settings import get_settings
    from healthforce.store import upgrade

    upgrade(sqlite_engine)
    slots = _setup(sqlite_engine, days=6)
    _refer(sqlite_engine, "S0", requested_on=dt.date(2025, 1, 1))
    book_slot(sqlite_engine, "S0", slots[0], now=NOW)
    _refer(sqlite_engine, "W0", requested_on=dt.date(2024, 12, 1))
    _refer(sqlite_engine, "W1", requested_on=dt.date(2024, 12, 2))
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", sqlite_engine.url.render_as_string())
    monkeypatch.setenv("COLUMNS", "250")
    get_settings.cache_clear()
    run = CliRunner().invoke
    shown = run(app, ["access", "waiting", "--on", "2025-01-20", "--by", "specialty"])
    assert shown.exit_code == 0, shown.output
    assert "Cardiología" in shown.output and "Mediana de espera" in shown.output
    assert "desconocida" in shown.output  # one of three seen: the median is not yet known
    out = Path(str(tmp_path)) / "waiting.csv"
    wrote = run(
        app, ["access", "waiting", "--on", "2025-01-20", "--output", str(out), "--lang", "en"]
    )
    assert wrote.exit_code == 0, wrote.output
    text = out.read_text("utf-8-sig")
    assert "Waiting past target" in text and "Cardiology" in text and "Routine" in text
    bad = run(app, ["access", "waiting", "--output", str(out.with_suffix(".pdf"))])
    assert bad.exit_code != 0 and "--output" in bad.output
    get_settings.cache_clear()


def test_figures_default_to_the_end_of_the_access_data_not_the_machines_today(
    db: Engine,
) -> None:
    from healthforce.access.booking import book_slot
    from healthforce.access.waiting import access_as_of

    slots = _setup(db, days=6)  # a clinic on Wednesday 8 January 2025
    _refer(db, "S0", requested_on=dt.date(2025, 1, 6))
    book_slot(db, "S0", slots[0], now=NOW)
    as_of = access_as_of(db)
    assert as_of.date() == dt.date(2025, 1, 9) and as_of.utcoffset() == dt.timedelta(hours=-4)
    live = dt.datetime(2025, 1, 7, 12, tzinfo=UTC)
    assert access_as_of(db, now=live) == live  # a registry in daily use: now
