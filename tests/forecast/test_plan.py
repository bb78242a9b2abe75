"""The planning run on the demo registry: loader, need, gap, scenarios, CLI and figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from healthforce.cli import app
from healthforce.forecast.figures import fan_chart, gap_by_area
from healthforce.forecast.loader import load_supply
from healthforce.forecast.plan import plan
from healthforce.ingest.demo import build_demo
from healthforce.settings import get_settings
from healthforce.store import Registry, make_engine, upgrade
from healthforce.store.models import Assignment, Worker


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("plan") / "demo.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    build_demo(Registry(engine), workers=4_000, seed=3)
    return engine


def test_loader_counts_the_active_workforce(demo: Engine) -> None:
    dims, params = load_supply(demo, horizon=10)
    assert dims.base_year == 2025
    assert len(dims.areas) == 25
    with demo.connect() as conn:
        open_now = conn.execute(
            select(func.count())
            .select_from(Assignment)
            .join(Worker)
            .where(
                Worker.status.in_(["active", "on_leave"]),
                (Assignment.end_date.is_(None)) | (Assignment.end_date >= "2025-01-01"),
            )
        ).scalar_one()
    assert params.cooperation is not None
    assert params.stock.sum() + params.cooperation.stock.sum() == open_now
    assert params.cooperation.stock.sum() > 0
    assert params.pipeline.intake.sum() > 0
    assert 0 < float(params.emigration.mean()) < 0.05


def test_plan_table_and_scenarios(demo: Engine, tmp_path: Path) -> None:
    scenario = tmp_path / "more.toml"
    scenario.write_text('name = "more"\n[intake]\nall = 2.0\n')
    result = plan(demo, scenarios=[scenario], draws=50, horizon=10, seed=1)
    table = result.table()
    assert set(table["scenario"]) == {"baseline", "more"}
    assert {"p5", "p50", "p95"} <= set(table.columns)
    np.testing.assert_allclose(table["gap"], table["supply"] - table["need"])
    national = result.national()
    last = national[national["year"] == 2035].groupby("scenario")["supply"].sum()
    assert last["more"] > last["baseline"]
    assert isinstance(fan_chart(table, "2211").to_dict(), dict)
    assert len(gap_by_area(table, "2211", 2035).data[0].y) == 25


def test_forecast_cli(demo: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", demo.url.render_as_string())
    get_settings.cache_clear()
    runner = CliRunner()
    shown = runner.invoke(app, ["forecast", "--horizon", "10"])
    assert shown.exit_code == 0, shown.output
    assert "2211" in shown.output
    out = tmp_path / "f.csv"
    written = runner.invoke(
        app, ["forecast", "--horizon", "5", "--format", "csv", "--output", str(out)]
    )
    assert written.exit_code == 0, written.output
    assert len(pd.read_csv(out)) == 6 * 25 * 12
    bad = tmp_path / "bad.toml"
    bad.write_text("[intake]\nall = -1\n")
    refused = runner.invoke(app, ["forecast", "--scenario", str(bad)])
    assert refused.exit_code == 1
    assert "intake.all" in refused.output
    get_settings.cache_clear()
