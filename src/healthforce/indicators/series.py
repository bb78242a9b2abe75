"""Indicators as time series: the catalogue for every year of a range, each year as of its
31 December from the registry's dated history (:mod:`healthforce.store.timeline`).

A **break** marks a year whose figure does not compare with the year before it: the population
behind a per-population indicator comes from another source that year (a census replacing
projections, say). Years outside the registry's data are refused, never computed.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from healthforce.errors import OutsideDataError
from healthforce.indicators.catalogue import CATALOGUE
from healthforce.indicators.compute import catalogue
from healthforce.store.models import Area, AreaPopulation
from healthforce.store.timeline import Coverage, coverage

#: How many years a series covers when no range is given: the last ten of the data.
DEFAULT_YEARS = 10


def years_for(
    engine: Engine, first: int | None, last: int | None, covered: Coverage | None = None
) -> range:
    """The years asked for, within the registry's data (by default the ten years up to the
    latest one the data complete);
    OutsideDataError names the covered range when the request goes past it."""
    covered = covered or coverage(engine)
    if covered is None:
        raise OutsideDataError(
            first or last or 0, None, "the registry has no dated data yet / aún no hay datos"
        )
    span = (covered.first.year, covered.last.year)
    last = covered.last_full_year if last is None else last
    first = max(span[0], last - DEFAULT_YEARS + 1) if first is None else first
    if first > last:
        raise OutsideDataError(
            first, span, f"the range {first}-{last} is empty / el rango {first}-{last} está vacío"
        )
    for year in (first, last):
        if not span[0] <= year <= span[1]:
            raise OutsideDataError(
                year,
                span,
                f"{year} is outside the registry's data ({covered}) / {year} está fuera de los "
                f"datos del registro ({covered})",
            )
    return range(first, last + 1)


def series(
    engine: Engine,
    first: int | None = None,
    last: int | None = None,
    *,
    level: str = "state",
    codes: list[str] | None = None,
) -> pd.DataFrame:
    """The catalogue (or ``codes``) for every year from ``first`` to ``last``: the columns of
    :func:`compute` and ``break`` (True where the year does not compare with the one before)."""
    years = years_for(engine, first, last)
    table = catalogue(engine, years, level=level, codes=codes)
    table["break"] = breaks(engine, table, level)
    return table


def breaks(engine: Engine, table: pd.DataFrame, level: str) -> pd.Series:
    """Per row: whether the population source of its area changed since the year before, for
    indicators per population."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Area.code, AreaPopulation.year, AreaPopulation.source)
            .join(Area, Area.id == AreaPopulation.area_id)
            .where(
                Area.level == level, AreaPopulation.sex == "T", AreaPopulation.age_band == "total"
            )
        ).all()
    source = {(code, year): src or "" for code, year, src in rows}
    per_population = {code for code, ind in CATALOGUE.items() if ind.per_population}
    flags = [
        code in per_population
        and (area, year - 1) in source
        and (area, year) in source
        and source[area, year] != source[area, year - 1]
        for code, area, year in zip(table["code"], table["area"], table["year"], strict=True)
    ]
    return pd.Series(flags, index=table.index, dtype=bool)
