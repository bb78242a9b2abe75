"""UN World Population Prospects files as the UN publishes them: the CSV (plain or gzip) and
the XLSX workbook, the registry country's rows only, age groups from 80 summed into 80+,
estimates and one projection variant, other sources' figures kept, bad files refused."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from healthforce.errors import FileFormatError
from healthforce.ingest.wpp import band_of, import_wpp
from healthforce.store.models import Area, AreaPopulation
from healthforce.store.registry import Registry

HEADER = (
    "SortOrder,LocID,Notes,ISO3_code,ISO2_code,SDMX_code,LocTypeID,LocTypeName,ParentID,"
    "Location,VarID,Variant,Time,MidPeriod,AgeGrp,AgeGrpStart,AgeGrpSpan,PopMale,PopFemale,"
    "PopTotal"
)
GROUPS = [*(f"{a}-{a + 4}" for a in range(0, 100, 5)), "100+"]


def _male(year: int, i: int) -> float:
    return round(500 - 20 * i + (year - 2023) * 1.5, 3)


def _female(year: int, i: int) -> float:
    return round(510 - 19 * i + (year - 2023) * 1.25, 3)


def _csv(rows: list[tuple[str, str, int]]) -> str:
    """Rows for (country, variant, year), every age group, in thousands."""
    lines = [HEADER]
    for iso3, variant, year in rows:
        for i, group in enumerate(GROUPS):
            start = int(group.rstrip("+").split("-")[0])
            m, f = _male(year, i), _female(year, i)
            lines.append(
                f"1,320,,{iso3},{iso3[:2]},{iso3[:2]},4,Country/Area,916,Name,2,{variant},"
                f"{year},{year}.5,{group},{start},5,{m},{f},{round(m + f, 3)}"
            )
    return "\n".join(lines) + "\n"


def _country(db: Engine, code: str = "GTM", name: str = "Guatemala") -> None:
    with Registry(db).change(actor="test", source="country") as change:
        change.upsert("areas", {"code": [code], "name": [name], "level": ["country"]})


def _population(db: Engine) -> dict[tuple[int, str, str], tuple[int, str]]:
    with db.connect() as conn:
        rows = conn.execute(
            select(
                AreaPopulation.year,
                AreaPopulation.sex,
                AreaPopulation.age_band,
                AreaPopulation.population,
                AreaPopulation.source,
            ).join(Area, Area.id == AreaPopulation.area_id)
        )
        return {(r[0], r[1], r[2]): (r[3], r[4]) for r in rows}


def test_age_groups_become_the_registrys_bands() -> None:
    assert band_of("25-29") == "25-29"
    assert band_of("7") == "5-9"  # a single age
    assert band_of("85-89") == band_of("100+") == band_of("80+") == "80+"
    assert band_of("0-9") is None and band_of("all") is None


def test_the_csv_download_gzipped_with_other_countries_and_variants(
    db: Engine, tmp_path: Path
) -> None:
    _country(db)
    with Registry(db).change(actor="test", source="census") as change:  # the census' figure
        change.upsert(
            "population",
            {"area": ["GTM"], "year": [2023], "population": [17_600_000], "source": ["INE"]},
        )
    path = tmp_path / "WPP2024_PopulationByAge5GroupSex_Medium.csv.gz"
    text = _csv([("GTM", "Medium", 2023), ("GTM", "Medium", 2030), ("GTM", "High", 2030)])
    text += _csv([("VEN", "Medium", 2030)]).split("\n", 1)[1]
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    report = import_wpp(Registry(db), path)
    assert report.ok, report.problems
    got = _population(db)
    old = [i for i, g in enumerate(GROUPS) if int(g.rstrip("+").split("-")[0]) >= 80]
    assert got[(2030, "F", "80+")] == (
        round(1000 * sum(_female(2030, i) for i in old)),
        "UN WPP 2024 Medium",
    )
    assert got[(2030, "M", "0-4")][0] == round(1000 * _male(2030, 0))
    assert got[(2030, "T", "total")][0] == pytest.approx(
        1000 * sum(_male(2030, i) + _female(2030, i) for i in range(len(GROUPS))), abs=1
    )
    # the High variant is left out; the census' 2023 total is kept, its bands come from WPP
    assert got[(2023, "T", "total")] == (17_600_000, "INE")
    assert got[(2023, "T", "25-29")][1] == "UN WPP 2024 Medium"
    assert {band for (_y, _s, band) in got} == {
        *(f"{a}-{a + 4}" for a in range(0, 80, 5)),
        "80+",
        "total",
    }
    assert "Guatemala's population by sex and age 2023-2030" in report.warnings[0].reason
    again = import_wpp(Registry(db), path)  # idempotent
    assert again.result.inserted == again.result.updated == 0


def test_the_excel_workbook_with_its_title_lines_and_variant_sheets(
    db: Engine, tmp_path: Path
) -> None:
    import openpyxl

    _country(db, "VEN", "Venezuela")
    book = openpyxl.Workbook()
    header = [
        "Index",
        "Variant",
        "Region, subregion, country or area *",
        "Notes",
        "Location code",
        "ISO3 Alpha-code",
        "ISO2 Alpha-code",
        "SDMX code**",
        "Type",
        "Parent code",
        "Year",
        *GROUPS,
    ]
    for sheet, variant, year in (
        (book.active, "Estimates", 2023),
        (book.create_sheet("Medium variant"), "Medium", 2030),
        (book.create_sheet("High variant"), "High", 2030),
    ):
        assert sheet is not None
        sheet.title = sheet.title if variant != "Estimates" else "Estimates"
        sheet.append(["United Nations"])
        sheet.append(["Population Division"])
        sheet.append(["World Population Prospects 2024"])
        sheet.append(["Total population (both sexes combined) by five-year age group"])
        sheet.append([])
        sheet.append(header)
        sheet.append(
            [1, variant, "Venezuela", None, 862, "VEN", "VE", 862, "Country/Area", 931, year]
            + [_male(year, i) + _female(year, i) for i in range(len(GROUPS))]
        )
    path = tmp_path / "WPP2024_POP_F02_1_POPULATION_5-YEAR_AGE_GROUPS_BOTH_SEXES.xlsx"
    book.save(path)
    report = import_wpp(Registry(db), path, variant="High")
    assert report.ok, report.problems
    got = _population(db)
    assert set(got) == {(y, "T", b) for y in (2023, 2030) for b in {b for _y, _s, b in got}}
    assert got[(2030, "T", "0-4")] == (
        round(1000 * (_male(2030, 0) + _female(2030, 0))),
        "UN WPP 2024 High",
    )


def test_bad_wpp_files_are_refused_located_and_write_nothing(db: Engine, tmp_path: Path) -> None:
    _country(db)
    cut = tmp_path / "cut.csv"
    text = _csv([("GTM", "Medium", 2030)])
    cut.write_text(text[: text.rindex(",")])  # the last row cut mid-row
    report = import_wpp(Registry(db), cut)
    assert report.outcome == "rejected" and _population(db) == {}
    (problem,) = report.problems
    assert problem.row == len(GROUPS) + 1 and "cut short" in problem.reason
    assert problem.source == str(cut)
    garbled = tmp_path / "garbled.csv"
    garbled.write_text(text.replace(",2030,2030.5,25-29,", ",2030,2030.5,twenty,"))
    report = import_wpp(Registry(db), garbled)
    assert [(p.row, p.field) for p in report.problems] == [(7, "AgeGrp")]
    elsewhere = tmp_path / "ven.csv"
    elsewhere.write_text(_csv([("VEN", "Medium", 2030)]))
    with pytest.raises(FileFormatError, match=r"no rows for GTM.*VEN"):
        import_wpp(Registry(db), elsewhere)
    with pytest.raises(FileFormatError, match=r"'Low' variant.*Medium"):
        import_wpp(Registry(db), _ok(tmp_path), variant="Low")
    with pytest.raises(FileFormatError, match="not a UN WPP file"):
        (tmp_path / "x.csv").write_text("a,b\n1,2\n")
        import_wpp(Registry(db), tmp_path / "x.csv")
    assert _population(db) == {}


def _ok(tmp_path: Path) -> Path:
    path = tmp_path / "ok.csv"
    path.write_text(_csv([("GTM", "Medium", 2030)]))
    return path


def test_a_registry_without_a_country_is_told_to_import_its_boundaries(
    db: Engine, tmp_path: Path
) -> None:
    with pytest.raises(FileFormatError, match="import areas"):
        import_wpp(Registry(db), _ok(tmp_path))
