"""Retention from the dated history, worked by hand: Kaplan–Meier over spells in the
workforce, spells still running censored on the date (never counted as departures)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from healthforce.forecast.retention import curves, retention, workforce_spells
from healthforce.store.registry import Registry

D = dt.date
ON = D(2025, 1, 1)
#: (worker, kind, date): seven spells, three of them still running on 1 January 2025.
HISTORY = [
    ("W1", "entry", D(2015, 1, 1)),
    ("W1", "exit", D(2017, 1, 1)),  # 2.00 years, left
    ("W2", "entry", D(2016, 1, 1)),
    ("W2", "exit", D(2020, 1, 1)),  # 4.00, left
    ("W3", "entry", D(2018, 1, 1)),  # 7.00, still in
    ("W4", "entry", D(2019, 1, 1)),
    ("W4", "emigration", D(2020, 1, 1)),  # 1.00 (365 days), left
    ("W5", "entry", D(2020, 1, 1)),
    ("W5", "exit", D(2021, 1, 1)),  # 1.00 (366 days), left
    ("W5", "return", D(2022, 1, 1)),  # 3.00, still in
    ("W6", "entry", D(2021, 1, 1)),  # 4.00, still in (the same length as W2's, which left)
]


def _registry(db: Engine) -> None:
    from healthforce.ingest.reference import seed_reference

    workers = sorted({w for w, _k, _d in HISTORY})
    with Registry(db).change(actor="test", source="history") as change:
        seed_reference(change)
        change.upsert(
            "areas",
            {
                "code": ["VEN", "VE-A"],
                "name": ["Venezuela", "A"],
                "level": ["country", "state"],
                "parent": [None, "VEN"],
            },
        )
        change.upsert(
            "workers",
            {
                "external_id": workers,
                "sex": ["F"] * len(workers),
                "occupation": ["2211"] * len(workers),
                "status": ["active"] * len(workers),
                "residence_area": ["VE-A"] * len(workers),
            },
        )
        change.upsert(
            "movements",
            {
                "external_id": [f"M{i}" for i in range(len(HISTORY))],
                "worker": [w for w, _k, _d in HISTORY],
                "kind": [k for _w, k, _d in HISTORY],
                "date": [d for _w, _k, d in HISTORY],
            },
        )


def test_kaplan_meier_by_hand(db: Engine) -> None:
    """Sorted: 1.00 left, 1.00 left, 2.00 left, 3.00 in, 4.00 left and 4.00 in (a departure
    counts before a censoring at the same time), 7.00 in. S falls to 6/7, 5/7, 4/7, then with
    three at risk at 4 years to 4/7 x 2/3 = 8/21: the median is 4 years."""
    _registry(db)
    spells = workforce_spells(db, ON)
    assert len(spells.frame) == 7 and int(spells.frame["ended"].sum()) == 4
    row = retention(spells, "all", minimum=1).iloc[0]
    assert (row["spells"], row["departures"]) == (7, 4)
    assert row["median_years"] == pytest.approx(1461 / 365.25)
    assert row["still_in_1y"] == pytest.approx(6 / 7)
    assert row["still_in_2y"] == pytest.approx(5 / 7)
    assert row["still_in_5y"] == pytest.approx(8 / 21)
    curve = curves(spells, "all", minimum=1)
    assert curve["still_in"].min() == pytest.approx(8 / 21)
    by_area = retention(spells, "area", minimum=1)
    assert list(by_area["group"]) == ["VE-A"]
    assert retention(spells, "area", minimum=8).empty  # too few spells to say anything


def test_the_retention_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from healthforce.cli import app
    from healthforce.settings import get_settings
    from healthforce.store import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'retention.db'}"
    engine = make_engine(url)
    upgrade(engine)
    _registry(engine)
    engine.dispose()
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    out = tmp_path / "retention.csv"
    result = CliRunner().invoke(
        app, ["retention", "--minimum", "1", "--on", "2025-01-01", "--output", str(out)]
    )
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "4.0" in result.output and "censored on 2025-01-01" in result.output
    assert out.read_text("utf-8-sig").splitlines()[0].startswith("group,")
    bad = CliRunner().invoke(app, ["retention", "--by", "planet"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
