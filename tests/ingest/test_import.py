"""Imports that ministries can trust: every bad input gives a clear error and stores nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, select

from healthforce.errors import FileFormatError
from healthforce.ingest import files
from healthforce.ingest.importer import import_file
from healthforce.ingest.mapping import load_mapping
from healthforce.store.models import Facility, ImportRun, Worker
from healthforce.store.registry import Registry
from tests.store.helpers import build_small, snapshot

HEADER = "external_id,sex,birth_date,occupation,status"


def _csv(tmp_path: Path, text: str, name: str = "w.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def registry(db: Engine) -> Registry:
    return build_small(db)


@pytest.fixture(params=["python-csv", "arrow-csv"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a CSV test through both readers: Python's csv (small files) and Arrow (large)."""
    if request.param == "arrow-csv":
        monkeypatch.setattr(files, "ARROW_THRESHOLD", 0)
    return str(request.param)


def test_a_good_file_is_stored_and_recorded(
    registry: Registry, reader: str, tmp_path: Path
) -> None:
    path = _csv(tmp_path, f"{HEADER}\nW10,F,1990-01-02,2211,active\nW11,M,1985-03-04,2221,active\n")
    report = import_file(registry, "workers", path, actor="clerk")
    assert report.outcome == "stored"
    assert (report.result.inserted, report.rows) == (2, 2)
    with registry.engine.connect() as conn:
        run = conn.execute(
            select(
                ImportRun.actor,
                ImportRun.file_name,
                ImportRun.inserted,
                ImportRun.outcome,
                ImportRun.file_sha256,
            )
        ).one()
    assert tuple(run[:4]) == ("clerk", "w.csv", 2, "stored")
    assert len(run[4]) == 64
    again = import_file(registry, "workers", path)
    assert (again.result.inserted, again.result.unchanged) == (0, 2)


def test_spanish_headers_semicolons_and_windows_1252(
    registry: Registry, reader: str, tmp_path: Path
) -> None:
    text = (
        "Identificador;Sexo;Fecha de nacimiento;Ocupación (CIUO-08);Situación\n"
        "W20;Femenino;31/12/1980;2211;Activo\n"
    )
    path = _csv(tmp_path, text, encoding="cp1252")
    report = import_file(registry, "workers", path)
    assert report.outcome == "stored", report.problems
    with registry.engine.connect() as conn:
        birth = conn.execute(
            select(Worker.birth_date).where(Worker.external_id == "W20")
        ).scalar_one()
    assert birth == dt.date(1980, 12, 31)


def test_values_as_excel_writes_them(registry: Registry, reader: str, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "area;year;sex;age_band;population\n"
        'XX;2024;T;total;1.234.567\nXX-A;2024;T;total;"12 500"\n'
        "XX-B;2024;T;total;3,5e3\n",
    )
    report = import_file(registry, "population", path)
    assert report.outcome == "rejected"  # 3,5e3 is not a whole number
    assert [(p.row, p.field) for p in report.problems] == [(4, "population")]
    path = _csv(
        tmp_path,
        "area;year;sex;age_band;population\n"
        'XX;2024;T;total;1.234.567\nXX-A;2024;T;total;"12 500"\n',
        "p.csv",
    )
    assert import_file(registry, "population", path).outcome == "stored"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["external_id", "sex", "birth_date", "occupation", "status", "residence_lat"])
    sheet.append([3001, "F", 29221, 2211.0, "active", "10,5"])  # serial date, code as number
    xlsx = tmp_path / "w.xlsx"
    book.save(xlsx)
    report = import_file(registry, "workers", xlsx)
    assert report.outcome == "stored", report.problems
    with registry.engine.connect() as conn:
        row = conn.execute(
            select(Worker.birth_date, Worker.occupation_code, Worker.residence_lat).where(
                Worker.external_id == "3001"
            )
        ).one()
    assert tuple(row) == (dt.date(1980, 1, 1), "2211", 10.5)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("", "empty", id="empty-file"),
        pytest.param(f"{HEADER}\n", "no data rows", id="header-only"),
    ],
)
def test_unreadable_files_name_the_file(
    registry: Registry, tmp_path: Path, text: str, reason: str
) -> None:
    path = _csv(tmp_path, text)
    before = snapshot(registry.engine)
    with pytest.raises(FileFormatError, match=reason) as info:
        import_file(registry, "workers", path)
    assert str(path) in str(info.value)
    assert snapshot(registry.engine) == before


def test_wrong_encoding(registry: Registry, tmp_path: Path) -> None:
    path = _csv(tmp_path, f"{HEADER}\nW30,F,1990-01-01,2211,active\n", encoding="utf-16")
    with pytest.raises(FileFormatError, match="UTF-16"):
        import_file(registry, "workers", path)


def test_truncated_xlsx(registry: Registry, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    path = tmp_path / "cut.xlsx"
    book.save(path)
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(FileFormatError, match="truncated or damaged"):
        import_file(registry, "workers", path)


@pytest.mark.parametrize(
    ("text", "row", "column", "reason"),
    [
        pytest.param(
            f"{HEADER},shoe_size\nW40,F,1990-01-01,2211,active,42\n",
            None,
            "shoe_size",
            "unknown column",
            id="unknown-column",
        ),
        pytest.param(
            "external_id,sex,status\nW41,F,active\n",
            None,
            "occupation",
            "required column missing",
            id="missing-required-column",
        ),
        pytest.param(
            f"{HEADER}\nW42,F,1990-01-01,2211,active\nW42,M,1991-01-01,2211,active\n",
            3,
            "external_id",
            "duplicate",
            id="duplicate-in-file",
        ),
        pytest.param(
            f"{HEADER}\nW43,F,31/02/1990,2211,active\n",
            2,
            "birth_date",
            "not a date",
            id="impossible-date",
        ),
        pytest.param(
            f"{HEADER}\nW44,F,1990-01-01,2211,retiredish\n",
            2,
            "status",
            "unknown code",
            id="unknown-code",
        ),
    ],
)
def test_bad_rows_store_nothing(
    registry: Registry,
    reader: str,
    tmp_path: Path,
    text: str,
    row: int | None,
    column: str,
    reason: str,
) -> None:
    before = snapshot(registry.engine)
    report = import_file(registry, "workers", _csv(tmp_path, text))
    assert report.outcome == "rejected"
    match = [p for p in report.problems if p.field == column and reason in p.reason]
    assert match, report.problems
    assert match[0].row == row
    assert match[0].source == str(tmp_path / "w.csv")
    after = snapshot(registry.engine)
    assert after["import_run"] == before["import_run"] + 1  # the attempt is recorded
    assert {k: v for k, v in after.items() if k != "import_run"} == {
        k: v for k, v in before.items() if k != "import_run"
    }


def test_reference_to_a_missing_facility(registry: Registry, reader: str, tmp_path: Path) -> None:
    path = _csv(tmp_path, "external_id,facility,occupation\nP10,F1,2211\nP11,NOWHERE,2211\n")
    report = import_file(registry, "posts", path)
    assert report.outcome == "rejected"
    assert [(p.row, p.field, p.value) for p in report.problems] == [(3, "facility", "NOWHERE")]
    report = import_file(registry, "posts", path, skip_invalid=True)
    assert (report.outcome, report.result.inserted) == ("partial", 1)


def test_duplicates_against_the_database_update_not_duplicate(
    registry: Registry, reader: str, tmp_path: Path
) -> None:
    path = _csv(tmp_path, f"{HEADER}\nW1,F,1980-05-01,2211,retired\n")
    report = import_file(registry, "workers", path)
    assert (report.result.updated, report.result.inserted) == (1, 0)
    with registry.engine.connect() as conn:
        assert (
            conn.execute(select(Worker.status).where(Worker.external_id == "W1")).scalar_one()
            == "retired"
        )


def test_formula_cells(registry: Registry, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["external_id", "sex", "occupation", "status"])
    sheet.append(["W50", "F", "=2200+11", "active"])  # no computed value saved by openpyxl
    path = tmp_path / "f.xlsx"
    book.save(path)
    report = import_file(registry, "workers", path)
    assert report.outcome == "rejected"
    assert report.problems[0].row == 2
    assert "formula" in report.problems[0].reason


def test_dry_run_validates_and_stores_nothing(registry: Registry, tmp_path: Path) -> None:
    before = snapshot(registry.engine)
    path = _csv(tmp_path, f"{HEADER}\nW60,F,1990-01-01,2211,active\n")
    report = import_file(registry, "workers", path, dry_run=True)
    assert (report.outcome, report.result.inserted) == ("dry-run", 1)
    after = snapshot(registry.engine)
    assert after["worker"] == before["worker"]
    assert after["audit_entry"] == before["audit_entry"]
    assert after["change_set"] == before["change_set"]  # not even an empty change set
    assert after == before


def test_a_crash_in_the_middle_leaves_the_database_as_it_was(
    registry: Registry, tmp_path: Path
) -> None:
    rows = "".join(f"X{i},F,1990-01-01,2211,active\n" for i in range(120_000))
    path = _csv(tmp_path, f"{HEADER}\n{rows}")
    before = snapshot(registry.engine)
    with pytest.raises(RuntimeError, match="simulated crash"):
        import_file(registry, "workers", path, fail_after_rows=50_000)
    after = snapshot(registry.engine)
    assert {k: v for k, v in after.items() if k != "import_run"} == {
        k: v for k, v in before.items() if k != "import_run"
    }


def test_a_50_mb_file(sqlite_engine: Engine, tmp_path: Path) -> None:
    """A large file streams through in chunks, inside one transaction."""
    from healthforce.store import upgrade

    upgrade(sqlite_engine)
    registry = build_small(sqlite_engine)
    pad = "x" * 60
    path = tmp_path / "big.csv"
    rows = 0
    with path.open("w") as handle:
        handle.write(f"{HEADER},licence_number,national_id\n")
        while handle.tell() < 50 * 2**20:
            handle.write(f"{pad[:30]}{rows},F,1990-01-01,2211,active,{pad},N{pad[:40]}{rows}\n")
            rows += 1
    assert path.stat().st_size >= 50 * 2**20
    seen: list[int] = []
    report = import_file(registry, "workers", path, progress=lambda done, _n: seen.append(done))
    assert report.outcome == "stored", report.problems[:3]
    assert report.result.inserted == rows
    assert len(seen) > 1
    assert seen[-1] == rows


def test_chile_facility_list_through_the_shipped_mapping(db: Engine, shared_data: Path) -> None:
    registry = build_small(db)
    mapping = load_mapping(
        Path(__file__).resolve().parents[2]
        / "src"
        / "healthforce"
        / "ingest"
        / "mappings"
        / "chile_deis_facilities.toml"
    )
    path = shared_data / "facilities" / "chile_deis_establecimientos_20260310.csv"
    report = import_file(registry, "facilities", path, mapping=mapping)
    assert report.outcome == "stored", report.problems[:5]
    assert report.result.inserted == 5_237
    assert len([w for w in report.warnings if "coordinates" in w.reason]) == 91
    with db.connect() as conn:
        hospital = conn.execute(
            select(Facility.type, Facility.level_of_care).where(Facility.code == "126704")
        ).one()
        no_coords = (
            conn.execute(select(Facility.code).where(Facility.latitude.is_(None))).scalars().all()
        )
    assert tuple(hospital) == ("general_hospital", "1")
    assert len(no_coords) == 91
    again = import_file(registry, "facilities", path, mapping=mapping)
    assert (again.result.inserted, again.result.unchanged) == (0, 5_237)
