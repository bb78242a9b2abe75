"""Values read as people wrote them: each problem users met is first shown as it was (a year
taken for an Excel serial, "0,500" read as 500, duplicates naming row 0, one bad reference
cascading into duplicates, a dry run leaving a change set, a formula accepted as an id, an XLSX
read without a size limit), then as it is now refused or read right, with its row and column."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from healthforce.cli import app
from healthforce.ingest import files, importer
from healthforce.ingest.importer import import_file
from healthforce.ingest.mapping import Mapping
from healthforce.settings import get_settings
from healthforce.store.models import AreaPopulation, Worker
from healthforce.store.registry import Registry
from tests.ingest.test_import import HEADER, reader, registry
from tests.ingest.test_import import _csv as csv_file
from tests.store.helpers import snapshot

__all__ = ["reader", "registry"]  # the fixtures, shared with the import tests


def _csv(tmp_path: Path, text: str, name: str = "w.csv") -> Path:
    return csv_file(tmp_path, text, name)


def _xlsx(tmp_path: Path, rows: list[list[object]], name: str = "w.xlsx") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _birth(registry: Registry, external_id: str) -> object:
    with registry.engine.connect() as conn:
        return conn.execute(
            select(Worker.birth_date).where(Worker.external_id == external_id)
        ).scalar_one()


def _located(problems: list[object]) -> list[tuple[object, ...]]:
    return [(p.row, p.field, p.value) for p in problems]  # type: ignore[attr-defined]


# -- dates ---------------------------------------------------------------------------------------


def test_a_year_alone_is_not_an_excel_serial(
    registry: Registry, reader: str, tmp_path: Path
) -> None:
    """Before: "1985" was taken for Excel serial 1985 and stored as 1905-06-07."""
    before = snapshot(registry.engine)
    report = import_file(registry, "workers", _csv(tmp_path, f"{HEADER}\nW70,F,1985,2211,active\n"))
    assert report.outcome == "rejected"
    assert _located(report.problems) == [(2, "birth_date", "1985")]
    assert "year alone" in report.problems[0].reason
    assert snapshot(registry.engine)["worker"] == before["worker"]


def test_serial_numbers_only_from_numeric_xlsx_cells(registry: Registry, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["external_id", "sex", "birth_date", "occupation", "status"],
        ["W71", "F", 29221, "2211", "active"],  # a number cell: Excel's serial for 1980-01-01
        ["W72", "F", 1985, "2211", "active"],  # a year typed in a number cell
        ["W73", "F", "29221", "2211", "active"],  # the serial as text is no date
    ]
    report = import_file(registry, "workers", _xlsx(tmp_path, rows))
    assert [(p.row, p.field) for p in report.problems] == [(3, "birth_date"), (4, "birth_date")]
    assert "year alone" in report.problems[0].reason
    report = import_file(registry, "workers", _xlsx(tmp_path, rows[:2], "ok.xlsx"))
    assert report.outcome == "stored"
    assert _birth(registry, "W71") == dt.date(1980, 1, 1)


def test_day_month_order_is_detected_declared_or_refused(
    registry: Registry, reader: str, tmp_path: Path
) -> None:
    ambiguous = f"{HEADER}\nW74,F,05/06/1990,2211,active\n"
    report = import_file(registry, "workers", _csv(tmp_path, ambiguous))
    assert _located(report.problems) == [(2, "birth_date", "05/06/1990")]
    assert "ambiguous date" in report.problems[0].reason
    # another date of the file shows the day first: the whole file is read day-first
    shown = ambiguous + "W75,F,31/12/1980,2211,active\n"
    assert import_file(registry, "workers", _csv(tmp_path, shown, "d.csv")).outcome == "stored"
    assert _birth(registry, "W74") == dt.date(1990, 6, 5)
    # declared: month first, by order or by locale
    declared = Mapping(date_order="mdy")
    report = import_file(registry, "workers", _csv(tmp_path, ambiguous, "m.csv"), mapping=declared)
    assert report.outcome == "stored" and _birth(registry, "W74") == dt.date(1990, 5, 6)
    us = Mapping(locale="en_US")
    import_file(
        registry, "workers", _csv(tmp_path, shown.replace("31/12", "12/31"), "u.csv"), mapping=us
    )
    assert _birth(registry, "W75") == dt.date(1980, 12, 31)
    # a file that writes both orders is refused, not read half right
    mixed = f"{HEADER}\nW76,F,31/12/1980,2211,active\nW77,F,12/31/1980,2211,active\n"
    report = import_file(registry, "workers", _csv(tmp_path, mixed, "x.csv"))
    assert [p.row for p in report.problems] == [2, 3]
    assert all("day-first and month-first" in p.reason for p in report.problems)


# -- numbers -------------------------------------------------------------------------------------


def _lat(registry: Registry, external_id: str) -> object:
    with registry.engine.connect() as conn:
        return conn.execute(
            select(Worker.residence_lat).where(Worker.external_id == external_id)
        ).scalar_one()


def test_an_ambiguous_number_is_refused_not_guessed(
    registry: Registry, reader: str, tmp_path: Path
) -> None:
    """Before: "0,500" in a number column became 500."""
    text = f'{HEADER},residence_lat\nW80,F,1990-01-01,2211,active,"0,500"\n'
    report = import_file(registry, "workers", _csv(tmp_path, text))
    assert _located(report.problems) == [(2, "residence_lat", "0,500")]
    assert "ambiguous number" in report.problems[0].reason
    es = import_file(registry, "workers", _csv(tmp_path, text), mapping=Mapping(locale="es_VE"))
    assert es.outcome == "stored" and _lat(registry, "W80") == 0.5
    # the file's other numbers show a decimal comma: the file is read that way
    shown = text + 'W81,F,1990-01-01,2211,active,"10,25"\n'
    assert import_file(registry, "workers", _csv(tmp_path, shown, "s.csv")).outcome == "stored"
    assert (_lat(registry, "W80"), _lat(registry, "W81")) == (0.5, 10.25)


def test_numbers_for_the_declared_locale(registry: Registry, reader: str, tmp_path: Path) -> None:
    text = "area;year;sex;age_band;population\nXX;2024;T;total;1.234\nXX-A;2024;T;total;2.345.678\n"
    before = snapshot(registry.engine)
    report = import_file(registry, "population", _csv(tmp_path, text))
    assert report.outcome == "stored"  # "2.345.678" shows the point groups thousands
    text = "area;year;sex;age_band;population\nXX;2023;T;total;1.234\n"
    report = import_file(registry, "population", _csv(tmp_path, text, "p.csv"))
    assert _located(report.problems) == [(2, "population", "1.234")]
    report = import_file(
        registry, "population", _csv(tmp_path, text, "p.csv"), mapping=Mapping(locale="en_US")
    )
    assert report.outcome == "rejected" and "not a whole number" in report.problems[0].reason
    report = import_file(
        registry, "population", _csv(tmp_path, text, "p.csv"), mapping=Mapping(locale="es")
    )
    assert report.outcome == "stored"
    with registry.engine.connect() as conn:
        stored = dict(
            conn.execute(
                select(AreaPopulation.year, AreaPopulation.population).where(
                    AreaPopulation.population.in_([1234, 2345678])
                )
            ).all()
        )
    assert stored == {2023: 1234, 2024: 2345678}
    assert snapshot(registry.engine)["area_population"] == before["area_population"] + 3


def test_cli_locale_and_date_order_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEALTHFORCE_DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    path = _csv(tmp_path, f'{HEADER},residence_lat\nW82,F,05/06/1990,2211,active,"0,500"\n')
    refused = runner.invoke(app, ["import", "workers", str(path)])
    assert refused.exit_code == 1 and "ambiguous" in refused.output
    bad = runner.invoke(app, ["import", "workers", str(path), "--locale", "xx_YY"])
    assert bad.exit_code == 1 and "unknown locale" in bad.output and "Traceback" not in bad.output
    ok = runner.invoke(
        app, ["import", "workers", str(path), "--locale", "es_VE", "--date-order", "mdy"]
    )
    assert ok.exit_code == 0, ok.output
    get_settings.cache_clear()


# -- rows as the user sees them, without cascades ------------------------------------------------


def test_duplicates_name_the_spreadsheet_row(
    registry: Registry, reader: str, tmp_path: Path
) -> None:
    """Before: "duplicate of row 0", two rows above the file's row 2."""
    text = (
        f"{HEADER}\nW90,F,1990-01-01,2211,active\nW91,F,1990-01-01,2211,active\n"
        "W90,M,1991-01-01,2211,active\n"
    )
    report = import_file(registry, "workers", _csv(tmp_path, text))
    assert [(p.row, p.reason.split(" / ")[0]) for p in report.problems] == [
        (4, "duplicate of row 2")
    ]


def test_duplicates_across_chunks_name_the_spreadsheet_row(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "CHUNK", 2)
    text = f"{HEADER}\n" + "".join(f"W9{i},F,1990-01-01,2211,active\n" for i in range(4))
    text += "W91,M,1991-01-01,2211,active\n"
    report = import_file(registry, "workers", _csv(tmp_path, text))
    assert [(p.row, p.duplicate_of) for p in report.problems] == [(6, 3)]
    assert "duplicate of row 3" in report.problems[0].reason


def test_one_unknown_reference_does_not_cascade(
    registry: Registry, reader: str, tmp_path: Path
) -> None:
    """Before: rows with an unknown area all had the same (blank) key, and each was also
    reported as a duplicate of the first."""
    text = "area;year;sex;age_band;population\n" + "".join(
        f"NOWHERE-{i};2024;T;total;100\n" for i in range(5)
    )
    report = import_file(registry, "population", _csv(tmp_path, text))
    assert [(p.row, p.field) for p in report.problems] == [(r, "area") for r in range(2, 7)]
    assert all("no such areas" in p.reason for p in report.problems)


# -- dry run ------------------------------------------------------------------------------------


def test_dry_run_writes_nothing_at_all(registry: Registry, reader: str, tmp_path: Path) -> None:
    """Before: a dry run left an empty change set (shown by `healthforce status`) and an
    import record."""
    before = snapshot(registry.engine)
    good = _csv(tmp_path, f"{HEADER}\nW60,F,1990-01-01,2211,active\nW1,F,1980-05-01,2211,retired\n")
    report = import_file(registry, "workers", good, dry_run=True)
    assert (report.outcome, report.result.inserted, report.result.updated) == ("dry-run", 1, 1)
    assert report.import_run_id is None
    bad = _csv(tmp_path, f"{HEADER}\nW61,X,1990-01-01,2211,active\n", "bad.csv")
    assert import_file(registry, "workers", bad, dry_run=True).outcome == "rejected"
    assert snapshot(registry.engine) == before
    with registry.engine.connect() as conn:
        status = conn.execute(select(Worker.status).where(Worker.external_id == "W1")).scalar()
    assert status != "retired"


# -- identifiers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://x.example","ok")', "'=HYPERLINK(1)", "+58 412", "-1", "@SUM(A1)", "a\tb"],
)
def test_a_formula_is_no_identifier(
    registry: Registry, reader: str, tmp_path: Path, value: str
) -> None:
    """Before: `=HYPERLINK(...)` was accepted as a national id."""
    quoted = '"' + value.replace('"', '""') + '"'
    text = f"{HEADER},national_id\nW95,F,1990-01-01,2211,active,{quoted}\n"
    report = import_file(registry, "workers", _csv(tmp_path, text))
    assert [(p.row, p.field) for p in report.problems] == [(2, "national_id")]
    assert "not an identifier" in report.problems[0].reason
    text = f"{quoted.replace('national', 'x')},F,1990-01-01,2211,active\n"
    report = import_file(registry, "workers", _csv(tmp_path, f"{HEADER}\n{text}", "k.csv"))
    assert [p.field for p in report.problems] == ["external_id"]


def test_identifiers_people_use_are_accepted(registry: Registry, tmp_path: Path) -> None:
    text = (
        f"{HEADER},national_id\nVE-12.345/678,F,1990-01-01,2211,active,V-12345678\n"
        "Ñandú_1,F,1990-01-01,2211,active,E 81.234.567\n"
    )
    assert import_file(registry, "workers", _csv(tmp_path, text)).outcome == "stored"


# -- XLSX safety --------------------------------------------------------------------------------


def test_an_xlsx_that_unpacks_past_the_limit_is_refused(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows: list[list[object]] = [["external_id", "sex", "occupation", "status"]]
    rows += [[f"W{i}", "F", "2211", "active"] for i in range(20_000)]
    path = _xlsx(tmp_path, rows)
    monkeypatch.setenv("HEALTHFORCE_XLSX_MAX_UNPACKED_MB", "1")
    get_settings.cache_clear()
    before = snapshot(registry.engine)
    try:
        with pytest.raises(files.FileFormatError, match="more than the limit of 1 MB"):
            import_file(registry, "workers", path)
    finally:
        get_settings.cache_clear()
    assert snapshot(registry.engine) == before


def test_an_xlsx_with_xml_entities_is_refused(registry: Registry, tmp_path: Path) -> None:
    """A "billion laughs" sheet: defusedxml refuses the entity declarations."""
    path = _xlsx(
        tmp_path, [["external_id", "sex", "occupation", "status"], ["W1", "F", "2211", "active"]]
    )
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(bomb, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                laughs = (
                    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
                )
                body = data.split(b"?>", 1)[-1]  # without its own XML declaration
                data = laughs + body.replace(b"<sheetData>", b"<sheetData>&lol2;", 1)
            dst.writestr(info, data)
    before = snapshot(registry.engine)
    with pytest.raises(files.FileFormatError, match="XML entities"):
        import_file(registry, "workers", bomb)
    assert snapshot(registry.engine) == before


def test_a_document_already_held_is_a_located_problem(
    registry: Registry, reader: str, tmp_path: Path
) -> None:
    """Before: the database's raw message (a unique constraint's name, its DETAIL line)."""
    with registry.change(actor="t", source="t") as change:
        change.update("workers", "W1", {"national_id": "V-111"})
    before = snapshot(registry.engine)
    text = (
        f"{HEADER},national_id\nW96,F,1990-01-01,2211,active,V-111\n"
        "W97,F,1990-01-01,2211,active,V-222\nW98,M,1990-01-01,2211,active,V-222\n"
    )
    report = import_file(registry, "workers", _csv(tmp_path, text))
    assert report.outcome == "rejected"
    assert [(p.row, p.field, p.value, p.reason.split(" / ")[0]) for p in report.problems] == [
        (2, "national_id", "V-111", "already held by W1"),
        (4, "national_id", "V-222", "duplicate of row 3"),
    ]
    assert snapshot(registry.engine)["worker"] == before["worker"]
