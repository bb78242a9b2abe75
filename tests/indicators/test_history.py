"""Every figure true as of every year: the golden registry (tests/indicators/golden.py) with
its stock, density, foreign-trained share, age and flows worked out by hand for 2014-2024, on
SQLite and PostgreSQL (the ``db`` fixture) and on Spark."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine

from healthforce.errors import OutsideDataError
from healthforce.indicators.compute import compute
from healthforce.store.registry import Registry
from tests.indicators import golden

CODES = ["PCT_FEMALE", "DENSITY", "PCT_FOREIGN_TRAINED", "PCT_AGE_55_PLUS", "ENTRY_RATE"]
CODES += ["EMIGRATION_RATE"]


def _at(table: pd.DataFrame, code: str, area: str, grp: str = "all") -> pd.Series | None:
    rows = table[(table["code"] == code) & (table["area"] == area) & (table["grp"] == grp)]
    rows = rows[rows["category"] == ""] if "" in set(rows["category"]) else rows
    return None if rows.empty else rows.iloc[0]


def check_year(table_state: pd.DataFrame, table_country: pd.DataFrame, year: int) -> None:
    a, b = golden.STOCK[year]
    for area, stock in (("VE-A", a), ("VE-B", b)):
        row = _at(table_state, "PCT_FEMALE", area)
        assert (0 if row is None else row["denominator"]) == stock, (year, area)
        density = _at(table_state, "DENSITY", area)
        population = 10_000 if area == "VE-A" else 20_000
        got = 0.0 if density is None else density["value"]
        assert got == pytest.approx(stock / population * 10_000), (year, area, "density")
    country = _at(table_country, "PCT_FEMALE", "VEN")
    assert country is not None and country["denominator"] == a + b, year
    foreign = _at(table_country, "PCT_FOREIGN_TRAINED", "VEN")
    assert foreign is not None
    assert (foreign["numerator"], foreign["denominator"]) == (
        golden.FOREIGN_TRAINED[year],
        a + b,
    ), year
    older = _at(table_country, "PCT_AGE_55_PLUS", "VEN")
    assert older is not None and older["numerator"] == golden.AGED_55_PLUS[year], year
    entries = _at(table_country, "ENTRY_RATE", "VEN")
    assert (0 if entries is None else entries["numerator"]) == golden.ENTRIES.get(year, 0), year
    emigrated = _at(table_country, "EMIGRATION_RATE", "VEN")
    got = 0 if emigrated is None else emigrated["numerator"]
    assert got == golden.EMIGRATIONS.get(year, 0), year


@pytest.fixture
def golden_db(db: Engine) -> Engine:
    golden.build(db)
    return db


@pytest.mark.parametrize("year", list(golden.YEARS))
def test_every_year_as_worked_out_by_hand(golden_db: Engine, year: int) -> None:
    check_year(
        compute(golden_db, year, level="state", codes=CODES),
        compute(golden_db, year, level="country", codes=CODES),
        year,
    )


def test_a_series_is_every_year_as_of_its_end_with_breaks(golden_db: Engine) -> None:
    from healthforce.indicators.series import series
    from healthforce.store.registry import Registry

    # a census replaces the projections of state A from 2020: its densities break there
    with Registry(golden_db).change(actor="t", source="census") as change:
        change.upsert(
            "population",
            {
                "area": ["VE-A"] * 5,
                "year": list(range(2020, 2025)),
                "sex": ["T"] * 5,
                "age_band": ["total"] * 5,
                "population": [10_000] * 5,
                "source": ["census 2020"] * 5,
            },
        )
    table = series(golden_db, 2014, 2024, codes=["DENSITY", "PCT_FEMALE"])
    stock = table[(table["code"] == "PCT_FEMALE") & (table["grp"] == "all")]
    got = {(r.year, r.area): r.denominator for r in stock.itertuples()}
    for year, (a, b) in golden.STOCK.items():
        assert got.get((year, "VE-A"), 0) == a and got.get((year, "VE-B"), 0) == b, year
    density = table[(table["code"] == "DENSITY") & (table["grp"] == "all")]
    broken = density[density["break"]]
    flagged = set(zip(broken["year"], broken["area"], strict=True))
    assert flagged == {(2020, "VE-A")}
    assert not table[table["code"] == "PCT_FEMALE"]["break"].any()  # not per population
    # by default: the ten years up to the latest one the data complete (to 2023-12-31)
    default = series(golden_db, codes=["PCT_FEMALE"], level="country")
    assert sorted(set(default["year"])) == list(range(2014, 2024))
    with pytest.raises(OutsideDataError, match="2010–2024"):  # G4's post from 2010
        series(golden_db, 1990, 2000)


def test_readers_outside_the_catalogue_read_the_history(golden_db: Engine) -> None:
    """The migration monitor's shares (and the forecast's base, the training registry) take the
    workforce on their date from the same timeline as the indicators (before: today's status,
    whatever the date asked for)."""
    from healthforce.migration.monitor import foreign_shares

    def shares(day: dt.date) -> dict[str, tuple[float, float]]:
        table = foreign_shares(golden_db, day)
        return {r.group: (r.workers, r.foreign_trained) for r in table.itertuples()}

    # 2016: doctors G1 G3 G4 G7 (G7 trained in COL); nurses G2 (CUB) G6
    assert shares(dt.date(2016, 12, 31)) == {"medical_doctors": (4, 0.25), "nursing": (2, 0.5)}
    # 2024: doctors G1 G3; nurses G5 G8; nobody trained abroad any more
    assert shares(dt.date(2024, 12, 31)) == {"medical_doctors": (2, 0.0), "nursing": (2, 0.0)}


def test_no_age_is_ever_negative(db: Engine) -> None:
    """A worker with no dated history counts all along, but never before their birth (before:
    a median age of -36 in 1950)."""
    from tests.indicators import registry

    def stock(year: int) -> int:
        table = compute(db, year, level="country", codes=["PCT_FEMALE"])
        return int(table[table["grp"] == "all"]["denominator"].iloc[0])

    registry.build(db)
    before = {year: stock(year) for year in (2002, 2021)}
    with Registry(db).change(actor="t", source="young") as change:
        change.upsert(
            "workers",
            {
                "external_id": ["Y1"],
                "sex": ["F"],
                "birth_date": [dt.date(2003, 1, 1)],
                "occupation": ["3221"],
                "residence_area": ["VE-A"],
                "status": ["active"],
            },
        )
    assert stock(2002) == before[2002]  # not born yet
    assert stock(2021) == before[2021] + 1  # no history: there all along since her birth
    for year in (2002, 2021):
        ages = compute(db, year, level="country", codes=["MEDIAN_AGE"])["value"].dropna()
        assert (ages >= 0).all()
