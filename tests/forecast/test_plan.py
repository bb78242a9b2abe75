"""The planning run on the demo registry: loader, need, gap, scenarios, CLI and figures."""

from __future__ import annotations

import datetime as dt
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
from healthforce.forecast.supply import project_supply
from healthforce.settings import get_settings
from healthforce.store.models import Assignment, Worker


@pytest.fixture
def demo(planning_demo: Engine) -> Engine:
    return planning_demo


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


def test_transfers_between_states_are_flows(demo: Engine) -> None:
    """The history's transfers between states become yearly transfer rates (origin row,
    destination column), and the projection moves workers by them."""
    from healthforce.store.areas import states
    from healthforce.store.models import Movement

    dims, params = load_supply(demo, horizon=5)
    assert params.migration is not None
    found = states(demo)
    with demo.connect() as conn:
        moves = conn.execute(
            select(Worker.occupation_code, Movement.origin_area_id, Movement.destination_area_id)
            .join(Worker, Worker.id == Movement.worker_id)
            .where(
                Movement.kind == "transfer",
                Movement.date >= dt.date(2020, 1, 1),
                Movement.date < dt.date(2025, 1, 1),
            )
        ).all()
    between = [(occ, found.of[o], found.of[d]) for occ, o, d in moves if found.of[o] != found.of[d]]
    assert between  # the demo's history moves workers between states
    occ, origin, dest = between[0]
    k, i, j = dims.occupations.index(occ), dims.areas.index(origin), dims.areas.index(dest)
    count = sum(1 for m in between if m == (occ, origin, dest))
    heads = max(params.stock[k, i].sum(), 1)
    assert params.migration[k, i, j] == pytest.approx(count / 5 / heads)
    moved = project_supply(dims, params).flows["migration_in"].sum()
    assert moved > 0


def test_what_the_supply_rests_on_is_said(demo: Engine) -> None:
    """Occupations without training data are named (no graduates, never silently zero) and
    the cooperation staff's replacement is stated."""
    result = plan(demo, horizon=5)
    _dims, params = load_supply(demo, horizon=5)
    untrained = [
        occ
        for k, occ in enumerate(result.dims.occupations)
        if not params.pipeline.intake[..., k, :].any()
    ]
    said = " ".join(result.notes)
    assert untrained and all(occ in said for occ in untrained)
    assert "no graduates are projected" in said and "no se proyectan egresados" in said
    assert "cooperation staff leave at the end of their 2-year terms, 0% replaced" in said


def test_a_scenario_sets_its_own_need_norm(demo: Engine, tmp_path: Path) -> None:
    scenario = tmp_path / "norm.toml"
    scenario.write_text('name = "norm"\n[need]\ntarget_year = 2030\n"3253" = 50\n')
    result = plan(demo, scenarios=[scenario], horizon=10)
    national = result.national().set_index(["scenario", "year", "occupation"])
    base = national.loc[("baseline", 2030, "3253"), "need"]
    norm = national.loc[("norm", 2030, "3253"), "need"]
    population = result.population[5].sum()
    assert norm == pytest.approx(population * 50 / 10_000) and norm > base
    assert national.loc[("norm", 2025, "3253"), "need"] == pytest.approx(
        national.loc[("baseline", 2025, "3253"), "need"]
    )  # the straight line starts at today's density


def test_a_scenario_plans_on_wisn_where_a_workload_file_covers_facilities(
    demo: Engine, tmp_path: Path
) -> None:
    """Where the file covers a state's facilities, need is the staff their workload requires,
    growing with the state's population; elsewhere the default need."""
    from healthforce.store.areas import states
    from healthforce.store.models import Facility

    with demo.connect() as conn:
        code, area = conn.execute(
            select(Facility.code, Facility.area_id).order_by(Facility.code).limit(1)
        ).one()
    state = states(demo).of[area]
    folder = tmp_path / "workload"
    folder.mkdir()
    (folder / "working_time.csv").write_text(
        "occupation,working_days,public_holidays,annual_leave,sick_leave,other_leave,"
        "hours_per_day\n2221,260,10,20,8,2,8\n"
    )
    (folder / "workload.csv").write_text(
        "facility,occupation,kind,activity,value,unit,annual_workload,staff\n"
        f"{code},2221,service,consultations,15,minutes,17600,\n"  # 17,600 x 0.25 h / 1,760 h
    )
    scenario = tmp_path / "wisn.toml"
    scenario.write_text('name = "wisn"\n[need]\nwisn = "workload"\n')
    result = plan(demo, scenarios=[scenario], horizon=5)
    need = result.needs["wisn"]
    k, j = result.dims.occupations.index("2221"), result.dims.areas.index(state)
    assert need[0, k, j] == pytest.approx(2.5)
    growth = result.population[:, j] / result.population[0, j]
    np.testing.assert_allclose(need[:, k, j], 2.5 * growth)
    others = [a for a in range(len(result.dims.areas)) if a != j]
    from healthforce.forecast.plan import ratio_need

    today = ratio_need(result.dims, result.params, result.population, {})  # the [need] default
    np.testing.assert_allclose(need[:, k, others], today[:, k, others])
    missing = tmp_path / "missing.toml"
    missing.write_text('[need]\nwisn = "nowhere.xlsx"\n')
    from healthforce.errors import ValidationError

    with pytest.raises(ValidationError, match="no such workload file"):
        plan(demo, scenarios=[missing], horizon=5)


def test_a_scenario_plans_a_service_on_need(demo: Engine, tmp_path: Path) -> None:
    """[need.service."2222"]: midwives for births to women 15-49, from each state's own
    population by sex and age (the demo's 2024 bands)."""
    from healthforce.store.areas import states
    from healthforce.store.models import AreaPopulation

    women = {"15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49"}
    state_of = states(demo).of
    part: dict[str, float] = {}
    whole: dict[str, float] = {}
    with demo.connect() as conn:
        for area, sex, band, people in conn.execute(
            select(
                AreaPopulation.area_id,
                AreaPopulation.sex,
                AreaPopulation.age_band,
                AreaPopulation.population,
            ).where(AreaPopulation.year == 2024, AreaPopulation.age_band != "total")
        ):
            state = state_of[area]
            if sex in ("F", "M"):
                whole[state] = whole.get(state, 0) + people
            if sex == "F" and band in women:
                part[state] = part.get(state, 0) + people
    scenario = tmp_path / "births.toml"
    scenario.write_text(
        'name = "births"\n[need.service."2222"]\npopulation = "F 15-49"\nrate = 0.06\n'
        "services = 4\nminutes = 60\nhours_per_fte = 1600\n"
    )
    result = plan(demo, scenarios=[scenario], horizon=5)
    k = result.dims.occupations.index("2222")
    share = np.array([part[a] / whole[a] for a in result.dims.areas])
    per_head = float(result.params.fte[k])
    expected = result.population * share[None, :] * 0.06 * 4 * 60 / 60 / 1600 / per_head
    np.testing.assert_allclose(result.needs["births"][:, k, :], expected)


def test_plan_table_and_scenarios(demo: Engine, tmp_path: Path) -> None:
    scenario = tmp_path / "more.toml"
    scenario.write_text('name = "more"\n[intake]\nall = 2.0\n')
    result = plan(demo, scenarios=[scenario], draws=50, horizon=10, seed=1)
    table = result.table()
    assert set(table["scenario"]) == {"baseline", "more"}
    assert {"p5", "p50", "p95"} <= set(table.columns)
    np.testing.assert_allclose(table["gap"], table["supply"] - table["need"])
    np.testing.assert_allclose(table["gap_fte"], table["fte"] - table["need_fte"], atol=1e-6)
    per_head = dict(zip(result.dims.occupations, result.runs["baseline"].fte_per_head, strict=True))
    sample = table[table["scenario"] == "baseline"].head(50)
    np.testing.assert_allclose(
        sample["need_fte"], sample["need"] * sample["occupation"].map(per_head), rtol=1e-6
    )
    national = result.national()
    last = national[national["year"] == 2035].groupby("scenario")["supply"].sum()
    assert last["more"] > last["baseline"]
    assert isinstance(fan_chart(table, "2211").to_dict(), dict)
    assert len(gap_by_area(table, "2211", 2035).data[0].y) == 25


def test_national_bands_are_percentiles_of_summed_draws(demo: Engine) -> None:
    """The national band is the percentiles of each draw's national sum, not the sum of the
    states' percentiles (which is wider: the states do not all fall short together)."""
    result = plan(demo, draws=60, horizon=5, seed=2)
    national = result.national().set_index(["scenario", "year", "occupation"])
    k, t = result.dims.occupations.index("2211"), 5
    sums = result.draws["baseline"].total[t, :, k, :].sum(axis=-1)
    row = national.loc[("baseline", 2030, "2211")]
    for q in (5, 10, 50, 90, 95):
        assert row[f"p{q}"] == pytest.approx(np.percentile(sums, q))
    # need and gap are drawn too: each draw's gap is its supply less its need (its population)
    gaps = sums - result.need_draws["baseline"][t, :, k, :].sum(axis=-1)
    for q in (5, 50, 95):
        assert row[f"gap_p{q}"] == pytest.approx(np.percentile(gaps, q))
    assert row["need_p5"] < row["need"] < row["need_p95"]
    known = national.loc[("baseline", 2025, "2211")]  # the base year's population is known
    assert known["need_p5"] == pytest.approx(known["need_p95"]) == pytest.approx(known["need"])
    table = result.table()
    by_state = table[(table["year"] == 2030) & (table["occupation"] == "2211")]
    assert by_state["p95"].sum() - by_state["p5"].sum() > row["p95"] - row["p5"]
    drawn = fan_chart(result.national().reset_index(), "2211").to_dict()["data"]
    assert any(trace.get("name") == "5-95 %" for trace in drawn)
    plain = fan_chart(table, "2211").to_dict()["data"]  # by area: no band that does not add up
    assert not any(trace.get("name") == "5-95 %" for trace in plain)


def test_forecast_cli(demo: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", demo.url.render_as_string())
    get_settings.cache_clear()
    runner = CliRunner()
    shown = runner.invoke(app, ["forecast", "--horizon", "10"])
    assert shown.exit_code == 0, shown.output
    assert "2211" in shown.output
    monkeypatch.setenv("COLUMNS", "250")
    banded = runner.invoke(app, ["forecast", "--horizon", "5", "--draws", "20"])
    assert banded.exit_code == 0, banded.output
    for heading in ("necesidad", "gap FTE", "the median [10th, 90th percentile]"):
        assert heading in " ".join(banded.output.split())
    out = tmp_path / "f.csv"
    written = runner.invoke(
        app, ["forecast", "--horizon", "5", "--format", "csv", "--output", str(out)]
    )
    assert written.exit_code == 0, written.output
    long = pd.read_csv(out)  # a row per figure, with its unit and names
    state_supply = long[(long["level"] == "state") & (long["measure"] == "supply")]
    assert len(state_supply) == 6 * 25 * 12
    assert {"occupation_es", "occupation_en", "area_name", "unit"} <= set(long.columns)
    assert long["unit"].notna().all() and state_supply["area_name"].notna().all()
    retired = long[(long["level"] == "state") & (long["measure"] == "retirement")]
    assert (
        len(retired) == 5 * 25 * 12 and (retired["unit"] == "personas al año / people a year").all()
    )
    aged = long[long["measure"] == "headcount"]
    assert set(aged["sex"].dropna()) == {"F", "M"} and "75-79" in set(aged["age_band"])
    book_path = tmp_path / "f.xlsx"
    booked = runner.invoke(
        app,
        [
            "forecast",
            "--horizon",
            "5",
            "--draws",
            "20",
            "--format",
            "xlsx",
            "--output",
            str(book_path),
        ],
    )
    assert booked.exit_code == 0, booked.output
    import openpyxl

    book = openpyxl.load_workbook(book_path, read_only=True)
    assert book.sheetnames == [
        "Supuestos - Assumptions",
        "Nacional - National",
        "Estados - States",
        "Flujos - Flows",
        "Edad y sexo - Age and sex",
    ]
    flows_sheet = list(book["Flujos - Flows"].iter_rows(values_only=True))
    assert "Flujo" in flows_sheet[0] and any("Retirements" in row for row in flows_sheet[1:])
    ages_sheet = list(book["Edad y sexo - Age and sex"].iter_rows(values_only=True))
    assert "Edad / Age" in ages_sheet[0] and any("60-64" in row for row in ages_sheet[1:])
    said = {r[0]: r[1] for r in book["Supuestos - Assumptions"].iter_rows(values_only=True)}
    assert "sintéticos" in str(said["Datos / Data"])  # a demo's projection says so
    assert said["Fecha base / Base date"] == "2025-01-01"
    assert "20 Monte Carlo draws" in said["Incertidumbre / Uncertainty"]
    heading = next(book["Nacional - National"].iter_rows(values_only=True))
    assert "Ocupación" in heading and "Oferta / Supply (personas / headcount)" in heading
    bad = tmp_path / "bad.toml"
    bad.write_text("[intake]\nall = -1\n")
    refused = runner.invoke(app, ["forecast", "--scenario", str(bad)])
    assert refused.exit_code == 1
    assert "intake.all" in refused.output
    shaken = runner.invoke(
        app, ["forecast", "--tornado", "--occupation", "2211", "--target-year", "2030"]
    )
    assert shaken.exit_code == 0, shaken.output
    assert "New training intake" in shaken.output and "never cohorts already" in shaken.output
    closing = runner.invoke(
        app, ["forecast", "--close", "--occupation", "2211", "--target-year", "2034"]
    )
    assert closing.exit_code == 0, closing.output
    assert "National / Nacional" in closing.output
    unknown = runner.invoke(app, ["forecast", "--close", "--occupation", "9999"])
    assert unknown.exit_code != 0 and "Traceback" not in unknown.output
    back = runner.invoke(app, ["forecast", "--backcast", "2019", "--output", str(out)])
    assert back.exit_code == 0, back.output
    assert "Back-cast" in back.output and "Generalist" in back.output
    assert set(pd.read_csv(out)["year"]) == {2020, 2021, 2022, 2023, 2024, 2025}
    outside = runner.invoke(app, ["forecast", "--backcast", "1900"])
    assert outside.exit_code == 1 and "Traceback" not in outside.output
    get_settings.cache_clear()


def test_a_backcast_judges_the_engine_against_the_history(demo: Engine) -> None:
    """`forecast --backcast`: project from a past year, compare with what was recorded."""
    from healthforce.errors import OutsideDataError
    from healthforce.forecast.backcast import backcast, mape
    from healthforce.forecast.loader import base_date_of, load_supply
    from healthforce.forecast.supply import project_supply

    engine = demo
    last = base_date_of(engine).year
    table = backcast(engine, last - 4)
    assert sorted(set(table["year"])) == list(range(last - 3, last + 1))
    # "recorded" is the engine's own base stock on that 1 January
    dims, params = load_supply(engine, horizon=1, base_date=dt.date(last - 1, 1, 1))
    recorded = project_supply(dims, params).total[0, 0].sum(axis=1)
    row = table[table["year"] == last - 1].set_index("occupation")
    for k, occupation in enumerate(dims.occupations):
        assert row.loc[occupation, "recorded"] == pytest.approx(recorded[k])
    errors = (table["projected"] - table["recorded"]) / table["recorded"] * 100
    assert np.allclose(errors, table["error_pct"], equal_nan=True)
    summary = mape(table)
    assert (summary["years"] == 4).all() and (summary["mape"] >= 0).all()
    with pytest.raises(OutsideDataError, match="base year must lie inside the history"):
        backcast(engine, last)


def test_the_flows_and_ages_add_up_to_the_headcount(demo: Engine) -> None:
    """Nationally, each year's change of supply is its entries less its exits (transfers
    between states cancel out); the age and sex rows add up to the aged workforce."""
    result = plan(demo, horizon=5)
    flows = result.flows()
    national = flows.groupby(["year", "occupation", "flow"])["value"].sum().unstack("flow")
    ins = ["graduates", "immigration", "returns", "cooperation_arrivals"]
    outs = ["retirement", "mortality", "other_exit", "emigration", "aged_out"]
    change = national[ins].sum(axis=1) - national[[*outs, "cooperation_leaving"]].sum(axis=1)
    base = result.runs["baseline"]
    for (year, occupation), delta in change.items():
        k = result.dims.occupations.index(occupation)
        t = year - result.dims.base_year
        assert float(base.total[t + 1, 0, k].sum() - base.total[t, 0, k].sum()) == pytest.approx(
            delta, abs=1e-6
        )
    assert national["migration_in"].sum() == pytest.approx(national["migration_out"].sum())
    people = result.age_sex()
    by_year = people[people["scenario"] == "baseline"].groupby("year")["headcount"].sum()
    assert by_year.to_numpy() == pytest.approx(base.headcount[:, 0].sum(axis=(1, 2)))
