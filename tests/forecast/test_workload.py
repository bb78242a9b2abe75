"""WISN for every facility from a workload file, against the manual's formulas worked by hand
(the one-facility function) and with units converted; bad rows located."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from healthforce.errors import ValidationError
from healthforce.forecast.need import Activity, Allowance, WorkingTime, wisn
from healthforce.forecast.workload import read_workload, summary, wisn_table

TIME = (
    "occupation,working_days,public_holidays,annual_leave,sick_leave,other_leave,hours_per_day\n"
    "2221,260,10,20,8,2,8\n"
)
WORK = [
    # facility, occupation, kind, activity, value, unit, annual_workload, staff
    ("F1", "2221", "service", "consultations", "15", "minutes", "12000", ""),
    ("F1", "2221", "service", "deliveries", "0.5", "per hour", "400", ""),
    ("", "2221", "category", "meetings", "96", "hours per year", "", ""),  # every facility
    ("", "2221", "category", "records", "10", "percent", "", ""),
    ("F1", "2221", "individual", "supervision", "200", "hours per year", "", "1"),
    ("F1", "2221", "individual", "training", "50", "hours per year", "", "2"),
    ("F2", "2221", "service", "consultations", "0.25", "hours", "6000", ""),
    ("F2", "2221", "individual", "mentoring", "2", "hours per week", "", "1"),
]
HEADER = "facility,occupation,kind,activity,value,unit,annual_workload,staff\n"


def _folder(tmp_path: Path, rows: list[tuple[str, ...]] = WORK, time: str = TIME) -> Path:
    (tmp_path / "working_time.csv").write_text(time, "utf-8")
    (tmp_path / "workload.csv").write_text(HEADER + "".join(",".join(r) + "\n" for r in rows))
    return tmp_path


def test_every_facility_as_the_manual_computes_one(tmp_path: Path) -> None:
    time, work = read_workload(_folder(tmp_path))
    current = pd.Series(
        [2.0, 1.0],
        index=pd.MultiIndex.from_tuples([("F1", "2221"), ("F2", "2221")]),
    )
    table = wisn_table(time, work, current).set_index("facility")
    hours = WorkingTime(260, 10, 20, 8, 2, 8)
    shared = [Allowance("meetings", hours=96), Allowance("records", percent=10)]
    one = wisn(
        hours,
        [Activity("c", 12_000, unit_hours=0.25), Activity("d", 400, rate_per_hour=0.5)],
        shared,
        [Allowance("s", hours=200, staff=1), Allowance("t", hours=50, staff=2)],
        current_staff=2,
    )
    assert table.loc["F1", "required"] == pytest.approx(one.required, abs=1e-12)
    assert table.loc["F1", "required"] == pytest.approx(2.724218, abs=1e-6)
    # 2 hours a week over the available weeks (220 days / 5) = 88 hours a year
    two = wisn(
        hours, [Activity("c", 6_000, unit_hours=0.25)], shared, [Allowance("m", hours=88)], 1
    )
    assert table.loc["F2", "required"] == pytest.approx(two.required, abs=1e-12)
    assert table.loc["F2", "difference"] == pytest.approx(two.difference, abs=1e-12)
    assert table.loc["F1", "ratio"] == pytest.approx(one.ratio, abs=1e-12)
    total = summary(table.reset_index()).set_index("occupation").loc["2221"]
    assert total["required"] == pytest.approx(one.required + two.required)
    assert (total["facilities"], total["facilities_short"]) == (2, 1)  # F2 within half a worker


def test_a_workload_file_with_problems_is_refused_by_row(tmp_path: Path) -> None:
    rows = [
        *WORK[:2],
        ("F1", "2221", "service", "visits", "ten", "minutes", "100", ""),  # row 4
        ("F1", "9999", "service", "visits", "10", "minutes", "100", ""),  # row 5
        ("F1", "2221", "service", "visits", "10", "fortnights", "100", ""),  # row 6
        ("F1", "2221", "individual", "x", "5", "percent", "", "1"),  # row 7
        ("", "2221", "service", "visits", "10", "minutes", "", ""),  # row 8
    ]
    with pytest.raises(ValidationError) as info:
        read_workload(_folder(tmp_path, rows))
    found = {(p.row, p.field) for p in info.value.problems}
    assert {(4, "value"), (5, "occupation"), (6, "unit"), (7, "unit")} <= found
    assert {(8, "facility"), (8, "annual_workload")} <= found
    assert all(p.source == str(tmp_path) for p in info.value.problems)


def test_the_wisn_command_counts_the_registrys_staff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select
    from typer.testing import CliRunner

    from healthforce.cli import app
    from healthforce.forecast.workload import current_staff
    from healthforce.ingest.demo import build_demo
    from healthforce.settings import get_settings
    from healthforce.store import Registry, make_engine, upgrade
    from healthforce.store.models import Facility
    from healthforce.store.timeline import reference_date

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = make_engine(url)
    upgrade(engine)
    build_demo(Registry(engine), workers=400, seed=5)
    with engine.connect() as conn:
        codes = conn.execute(select(Facility.code).order_by(Facility.code).limit(2)).scalars()
        first, second = list(codes)
    day = reference_date(engine)
    assert day is not None
    staff = current_staff(engine, day)
    rows = [
        (first, "2221", "service", "consultations", "15", "minutes", "12000", ""),
        (second, "2221", "service", "consultations", "15", "minutes", "6000", ""),
        ("", "2221", "category", "records", "10", "percent", "", ""),
    ]
    (tmp_path / "workload").mkdir()
    folder = _folder(tmp_path / "workload", rows)
    engine.dispose()
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    out = tmp_path / "wisn.csv"
    result = CliRunner().invoke(app, ["wisn", str(folder), "--output", str(out)])
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "Nursing professionals" in result.output
    written = pd.read_csv(out, encoding="utf-8-sig").set_index("facility")
    expected = staff.get((first, "2221"), 0.0)
    assert written.loc[first, "current"] == expected
    assert written.loc[first, "required"] == pytest.approx(12_000 * 0.25 / 1_760 / 0.9)
    (folder / "workload.csv").write_text(
        HEADER + "NOWHERE,2221,service,consultations,15,minutes,100,\n", "utf-8"
    )
    get_settings.cache_clear()
    unknown = CliRunner().invoke(app, ["wisn", str(folder)])
    get_settings.cache_clear()
    assert (
        unknown.exit_code == 1
        and "no such facility" in unknown.output
        and "row 2" in unknown.output
    )


def test_a_workload_saved_by_a_spanish_excel_reads_the_same(tmp_path: Path) -> None:
    """ ";"-separated, as Excel saves CSV in Spanish: read as the importer reads files."""
    (tmp_path / "a").mkdir()
    plain = read_workload(_folder(tmp_path / "a"))
    semi = tmp_path / "b"
    semi.mkdir()
    (semi / "working_time.csv").write_text(TIME.replace(",", ";"), "utf-8")
    (semi / "workload.csv").write_text(
        (HEADER + "".join(",".join(r) + "\n" for r in WORK)).replace(",", ";"), "utf-8"
    )
    again = read_workload(semi)
    pd.testing.assert_frame_equal(wisn_table(*plain), wisn_table(*again))
