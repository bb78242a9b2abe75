"""Indicator outputs: XLSX with metadata, DHIS2 payload, WHO comparison, CLI, reference page."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from healthforce.cli import app
from healthforce.indicators.compute import compute
from healthforce.indicators.outputs import (
    compare_with_who,
    dhis2,
    public,
    reference_page,
    write_xlsx,
)
from healthforce.settings import get_settings
from healthforce.store import Registry, upgrade
from tests.indicators import registry

DOCS = Path(__file__).resolve().parents[2] / "docs" / "indicators.md"


@pytest.fixture
def small(sqlite_engine: Engine) -> Engine:
    upgrade(sqlite_engine)
    registry.build(sqlite_engine)
    return sqlite_engine


def test_public_tables_hide_small_cells(small: Engine) -> None:
    table = public(small, [2024], codes=["PCT_FEMALE"], level="state")
    row = table[(table["area"] == "VE-A") & (table["grp"] == "all")].iloc[0]
    assert row["suppressed"]  # 2 of 2 women: counts under 5 are not published
    assert row["value"] != row["value"]  # NaN


def test_xlsx_has_one_sheet_per_indicator_and_metadata(small: Engine, tmp_path: Path) -> None:
    path = tmp_path / "i.xlsx"
    write_xlsx(public(small, [2024], codes=["DENSITY", "VACANCY_RATE"]), path, threshold=5)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["DENSITY", "VACANCY_RATE", "metadata"]
    meta = list(book["metadata"].values)
    header = meta[0]
    assert "suppression" in header
    assert any("Counts of people from 1 to 4 are withheld" in str(v) for v in meta[1])


def test_dhis2_payload(small: Engine) -> None:
    table = compute(small, 2024, codes=["DENSITY"])
    payload = dhis2(
        table,
        {
            "data_elements": {"DENSITY": "deAll", "DENSITY:medical_doctors": "deDoc"},
            "org_units": {"VE-A": "ouA"},
        },
    )
    values = {
        (v["dataElement"], v["orgUnit"], v["period"]): v["value"] for v in payload["dataValues"]
    }
    assert values == {("deAll", "ouA", "2024"): "2", ("deDoc", "ouA", "2024"): "1"}


def test_national_density_beside_who(small: Engine, tmp_path: Path) -> None:
    path = tmp_path / "who.csv"
    path.write_text(
        '"GHO (CODE)","YEAR (CODE)","REGION (CODE)","COUNTRY (CODE)","Numeric"\n'
        '"HWF_0001","2024","AMR","VEN","1.5"\n'
    )
    from healthforce.ingest.public import import_public

    import_public(Registry(small), "who-gho", path, vintage="2024-01-01")
    national = compute(small, 2024, level="country", codes=["DENSITY"])
    compared = compare_with_who(small, national).set_index("group")
    doctors = compared.loc["medical_doctors"]
    assert doctors["registry_per_10k"] == pytest.approx(2 / 30_000 * 1e4)
    assert doctors["difference"] == pytest.approx(2 / 3 - 1.5)


def test_cli_formats(small: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", small.url.render_as_string())
    get_settings.cache_clear()
    runner = CliRunner()
    for fmt in ("csv", "json", "parquet", "xlsx"):
        out = tmp_path / f"i.{fmt}"
        result = runner.invoke(
            app, ["indicators", "--year", "2024", "--format", fmt, "--output", str(out), "--public"]
        )
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    records = json.loads((tmp_path / "i.json").read_text())
    assert {"code", "area", "grp", "value", "suppressed"} <= set(records[0])
    get_settings.cache_clear()


def test_reference_page_is_in_step_with_the_catalogue() -> None:
    assert DOCS.read_text("utf-8").strip() == reference_page().strip()
