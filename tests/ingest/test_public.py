"""The four shared public datasets import, with their spot values, and revisions never double."""

from __future__ import annotations

import datetime as dt
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
    import_public(registry, "worldbank", shared_data / "worldbank" / "SP.POP.TOTL.csv")
    oecd = import_public(
        registry, "oecd", shared_data / "oecd" / "HEALTH_WFMI_FTDS_2018_by_origin.csv"
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
    import_public(Registry(db), "who-gho", path, today=dt.date(2025, 1, 1))
    assert _value(db, "HWF_0006", "VEN", 2018) == pytest.approx(20.013)


def test_oecd_non_country_origins_are_marked(db: Engine, tmp_path: Path) -> None:
    path = tmp_path / "oecd.csv"
    path.write_text(
        "COU,Country,VAR,Variable,CO2,Country of origin,YEA,Year,Value,Flag Codes,"
        "Flags\nCHL,Chile,FTDS,x,TOT,Total,2018,2018,5000,,\n"
        "CHL,Chile,FTDS,x,OTH,Others n.e.c.,2018,2018,20,E,Estimated\n"
        "CHL,Chile,FTDS,x,VEN,Venezuela,2018,2018,2480,,\n"
    )
    import_public(Registry(db), "oecd", path)
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
    with pytest.raises(FileFormatError, match="not a long-form World Bank CSV"):
        import_public(Registry(db), "worldbank", path)
