"""The registry's time axis: the dates its data cover and its reference date, on SQLite and
PostgreSQL; figures for years outside are refused everywhere (Python, CLI, API, pages)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from healthforce.errors import OutsideDataError
from healthforce.indicators.compute import compute
from healthforce.store.timeline import Coverage, check_year, coverage, reference_date
from tests.indicators import registry


def test_an_empty_registry_covers_nothing(db: Engine) -> None:
    assert coverage(db) is None and reference_date(db) is None
    with pytest.raises(OutsideDataError, match="no dated data") as info:
        check_year(db, 2024)
    assert info.value.covered is None


def test_the_hand_built_registry_covers_2000_to_2024(db: Engine) -> None:
    registry.build(db)
    # earliest: assignment A5 starts 2000-01-01; latest: W7's exit on 2024-09-01
    assert coverage(db) == Coverage(dt.date(2000, 1, 1), dt.date(2024, 9, 1))
    assert reference_date(db) == dt.date(2024, 9, 1)
    assert check_year(db, 2024).years == range(2000, 2025)
    for year in (1950, 1999, 2025, 2185):
        with pytest.raises(OutsideDataError, match=r"outside the registry's data \(2000–2024\)"):
            compute(db, year, level="country", codes=["MEDIAN_AGE"])
