"""The four shared public datasets import, with their spot values, and revisions never double."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from healthforce.errors import FileFormatError
from healthforce.ingest.public import import_public
from healthforce.store.models import Observation
from healthforce.store.registry import Registry


def _value(engine: Engine, indicator: str, location: str, year: int, partner: str = "") -> float:
    with engine.connect() as conn:
        return float(
            conn.execute(
                select(Observation.value).where(
                    Observation.indicator == indicator,
                    Observation.location == location,
                    Observation.year == year,
                    Observation.partner == partner,
                )
            ).scalar_one()
        )


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Observation)).scalar_one())


def test_who_world_bank_and_oecd_spot_values(db: Engine, shared_data: Path) -> None:
    registry = Registry(db)
    who = import_public(
        registry,
        "who-gho",
        shared_data / "who_gho" / "HWF_0001-0005_medical_doctors.csv",
        vintage="2023-01",
    )
    assert who.result.inserted == 11_712
    import_public(
        registry, "worldbank", shared_data / "worldbank" / "SP.POP.TOTL.csv", vintage="2025-07-01"
    )
    oecd = import_public(
        registry,
        "oecd",
        shared_data / "oecd" / "HEALTH_WFMI_FTDS_2018_by_origin.csv",
        vintage="2020-01",
    )
    assert oecd.result.inserted == 1_576
    assert _value(db, "HWF_0001", "VEN", 2017) == pytest.approx(16.643)
    assert _value(db, "SP.POP.TOTL", "VEN", 2024) == 28_405_543
    assert _value(db, "FTDS", "CHL", 2018, partner="VEN") == 2_480
    with db.connect() as conn:
        aggregates = set(
            conn.execute(
                select(Observation.location).where(
                    Observation.source == "World Bank", Observation.is_country.is_(False)
                )
            ).scalars()
        )
    assert {"LCN", "WLD"} <= aggregates
    assert "VEN" not in aggregates


def test_a_revised_vintage_replaces_and_an_older_one_does_not(db: Engine, tmp_path: Path) -> None:
    registry = Registry(db)
    header = '"GHO (CODE)","YEAR (CODE)","REGION (CODE)","COUNTRY (CODE)","Numeric","Comments"\n'
    first = tmp_path / "v1.csv"
    first.write_text(
        header + '"HWF_0001","2017","AMR","VEN","16.643",""\n'
        '"HWF_0001","2018","AMR","VEN","16.9",""\n'
    )
    revised = tmp_path / "v2.csv"
    revised.write_text(header + '"HWF_0001","2017","AMR","VEN","17.1","revised"\n')
    import_public(registry, "who-gho", first, vintage="2022-06")
    report = import_public(registry, "who-gho", revised, vintage="2024-06")
    assert (report.result.updated, report.result.inserted) == (1, 0)
    assert _value(db, "HWF_0001", "VEN", 2017) == pytest.approx(17.1)
    assert _count(db) == 2
    stale = import_public(registry, "who-gho", first, vintage="2020-01")
    assert stale.result.updated == 0
    assert _value(db, "HWF_0001", "VEN", 2017) == pytest.approx(17.1)
    assert _count(db) == 2


def test_the_current_who_portal_layout(db: Engine, tmp_path: Path) -> None:
    columns = [
        "IndicatorCode",
        "Indicator",
        "ValueType",
        "ParentLocationCode",
        "Location type",
        "SpatialDimValueCode",
        "Location",
        "Period type",
        "Period",
        "IsLatestYear",
        "Dim1 type",
        "Dim1",
        "Dim1ValueCode",
        "FactValueNumeric",
        "FactValueNumericLow",
        "FactValueNumericHigh",
        "Value",
        "FactComments",
        "Language",
        "DateModified",
    ]
    row = [
        "HWF_0006",
        "Nursing and midwifery personnel (per 10 000 population)",
        "numeric",
        "AMR",
        "Country",
        "VEN",
        "Venezuela",
        "Year",
        "2018",
        "true",
        "",
        "",
        "",
        "20.013",
        "",
        "",
        "20.01",
        "",
        "EN",
        "2024-01-01",
    ]
    path = tmp_path / "portal.csv"
    path.write_text(",".join(columns) + "\n" + ",".join(row) + "\n")
    import_public(Registry(db), "who-gho", path)  # its DateModified is its vintage
    assert _value(db, "HWF_0006", "VEN", 2018) == pytest.approx(20.013)


def test_oecd_non_country_origins_are_marked(db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "oecd.csv"
    path.write_text(
        "COU,Country,VAR,Variable,CO2,Country of origin,YEA,Year,Value,Flag Codes,"
        "Flags\nCHL,Chile,FTDS,x,TOT,Total,2018,2018,5000,,\n"
        "CHL,Chile,FTDS,x,OTH,Others n.e.c.,2018,2018,20,E,Estimated\n"
        "CHL,Chile,FTDS,x,VEN,Venezuela,2018,2018,2480,,\n"
    )
    import_public(Registry(db), "oecd", path, vintage="2020-01-01")
    with db.connect() as conn:
        rows = dict(conn.execute(select(Observation.partner, Observation.partner_is_country)).all())
        flag = conn.execute(
            select(Observation.flag).where(Observation.partner == "OTH")
        ).scalar_one()
    assert rows == {"TOT": False, "OTH": False, "VEN": True}
    assert flag == "E"


def test_a_file_that_is_not_the_source_says_so(db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(FileFormatError, match="not a World Bank CSV"):
        import_public(Registry(db), "worldbank", path, vintage="2024-01-01")


WB_DOWNLOAD = (
    '"Data Source","World Development Indicators",\n'
    "\n"
    '"Last Updated Date","2024-06-28",\n'
    "\n"
    '"Country Name","Country Code","Indicator Name","Indicator Code","2022","2023",\n'
    '"Venezuela, RB","VEN","Population, total","SP.POP.TOTL","28301696","28838499",\n'
    '"World","WLD","Population, total","SP.POP.TOTL","7951150369","",\n'
)


def _runs(engine: Engine) -> list[tuple[str, str | None]]:
    from healthforce.store.models import ImportRun

    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(ImportRun.outcome, ImportRun.message))]


def test_the_world_banks_download_layout_with_its_date(db: Engine, tmp_path: Path) -> None:
    """Metadata lines, a wide table of years with an empty trailing column, aggregates: read
    as the World Bank writes it, its "Last Updated Date" the vintage."""
    path = tmp_path / "API_SP.POP.TOTL_DS2_en_csv_v2.csv"
    path.write_text(WB_DOWNLOAD, encoding="utf-8-sig")
    report = import_public(Registry(db), "worldbank", path)
    assert report.ok and report.result.inserted == 3  # the world's empty 2023 is no figure
    assert _value(db, "SP.POP.TOTL", "VEN", 2023) == 28_838_499
    with db.connect() as conn:
        vintages = set(conn.execute(select(Observation.vintage)).scalars())
        world = conn.execute(
            select(Observation.is_country).where(Observation.location == "WLD")
        ).scalar_one()
    assert vintages == {"2024-06-28"} and world is False


def test_an_xlsx_and_a_semicolon_file_no_data_and_periods(db: Engine, tmp_path: Path) -> None:
    """A WHO export saved as XLSX, or with ";" (as Excel saves CSV in Spanish): "No data" is
    a missing figure and a period "2019-2020" its last year, noted."""
    import openpyxl

    header = ["GHO (CODE)", "YEAR (CODE)", "COUNTRY (CODE)", "REGION (CODE)", "Numeric"]
    rows = [
        ["HWF_0001", "2019-2020", "VEN", "AMR", "17.1"],
        ["HWF_0001", "2018", "VEN", "AMR", "No data"],
        ["HWF_0001", "2017", "VEN", "AMR", 16.6],
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    for r in [header, *rows]:
        sheet.append(r)
    xlsx = tmp_path / "who.xlsx"
    book.save(xlsx)
    report = import_public(Registry(db), "who-gho", xlsx, vintage="1 Feb 2024")
    assert report.ok and report.result.inserted == 2
    assert _value(db, "HWF_0001", "VEN", 2020) == pytest.approx(17.1)
    semicolons = tmp_path / "who.csv"
    semicolons.write_text(
        ";".join(header) + "\n" + ";".join(["HWF_0002", "2021", "VEN", "AMR", "4.5"]) + "\n"
    )
    assert import_public(Registry(db), "who-gho", semicolons, vintage="2024-02-01").ok
    with db.connect() as conn:
        comment, vintage = conn.execute(
            select(Observation.comment, Observation.vintage).where(Observation.year == 2020)
        ).one()
    assert "2019-2020" in comment and vintage == "2024-02-01"  # "1 Feb 2024", as a date


def test_bad_public_files_are_refused_located_logged_and_write_nothing(
    db: Engine, tmp_path: Path
) -> None:
    header = "GHO (CODE),YEAR (CODE),COUNTRY (CODE),REGION (CODE),Numeric\n"
    cut = tmp_path / "cut.csv"
    cut.write_text(header + "HWF_0001,2017,VEN,AMR,16.6\nHWF_0001,2018,VE")
    report = import_public(Registry(db), "who-gho", cut, vintage="2024-01-01")
    assert report.outcome == "rejected" and _count(db) == 0
    (problem,) = report.problems
    assert problem.row == 3 and "cut short" in problem.reason and problem.source == str(cut)
    garbled = tmp_path / "garbled.csv"
    garbled.write_text(header + "HWF_0001,twenty,VEN,AMR,abc\n")
    report = import_public(Registry(db), "who-gho", garbled, vintage="2024-01-01")
    assert {(p.row, p.field) for p in report.problems} == {(2, "Numeric")}
    undated = tmp_path / "undated.csv"
    undated.write_text(header + "HWF_0001,2017,VEN,AMR,16.6\n")
    with pytest.raises(FileFormatError, match="--vintage"):
        import_public(Registry(db), "who-gho", undated)
    with pytest.raises(FileFormatError, match="not a date"):
        import_public(Registry(db), "who-gho", undated, vintage="soon")
    assert _count(db) == 0
    outcomes = _runs(db)
    assert [o for o, _m in outcomes] == ["rejected"] * 4
    assert all(m for _o, m in outcomes)  # each with its reason


def test_an_older_file_never_reverts_newer_figures(db: Engine, tmp_path: Path) -> None:
    """Vintages compare as dates: "1 Feb 2024" is newer than "2022-01-24"."""
    header = "GHO (CODE),YEAR (CODE),COUNTRY (CODE),REGION (CODE),Numeric\n"
    newer, older = tmp_path / "newer.csv", tmp_path / "older.csv"
    newer.write_text(header + "HWF_0001,2017,VEN,AMR,16.6\n")
    older.write_text(header + "HWF_0001,2017,VEN,AMR,12.0\n")
    import_public(Registry(db), "who-gho", newer, vintage="1 Feb 2024")
    report = import_public(Registry(db), "who-gho", older, vintage="2022-01-24")
    assert report.result.unchanged == 1 and report.result.updated == 0
    assert _value(db, "HWF_0001", "VEN", 2017) == pytest.approx(16.6)
