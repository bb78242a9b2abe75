"""Every figure true as of every year: the golden registry (tests/indicators/golden.py) with
its stock, density, foreign-trained share, age and flows worked out by hand for 2014-2024, on
SQLite and PostgreSQL (the ``db`` fixture) and on Spark."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from healthforce.indicators.compute import compute
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
