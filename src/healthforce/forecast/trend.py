"""The registry's own past beside the projection: each occupation's national headcount and
density per 10,000 population on 1 January of the years before the base date (from the dated
history, as every reader takes it), and the log-linear trend of that density.

The trend is ordinary least squares of log(density) on the year, so its slope b is a constant
growth of exp(b) - 1 a year; carried forward it says where the past's growth alone would lead,
a check on a projection built from flows (a planner's question: "is the model saying more
than the trend?"). Years without a population figure are left out of the fit, and so are the
years with fewer than ``minimum`` workers: a public page must not show them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from healthforce.store.models import Area, AreaPopulation, Worker
from healthforce.store.timeline import coverage, workforce_on

#: How many years of history the trend is fitted to (at most), up to the base date.
YEARS = 10


@dataclass(frozen=True)
class Trend:
    occupation: str
    first: int
    last: int
    #: Intercept and slope of log(density per 10,000) on the year.
    intercept: float
    slope: float

    @property
    def growth(self) -> float:
        """The trend's growth of density a year (0.02 = 2 % a year)."""
        return float(np.expm1(self.slope))

    def density(self, years: list[int] | np.ndarray) -> np.ndarray:
        return np.asarray(np.exp(self.intercept + self.slope * np.asarray(years, dtype=float)))


def history(engine: Engine, base_year: int, years: int = YEARS) -> pd.DataFrame:
    """Year, occupation, headcount (the workforce on 1 January of the year), population (the
    country's, else the states' sum; NaN when unknown) and density per 10,000, for up to
    ``years`` years before ``base_year`` that the registry's data cover."""
    covered = coverage(engine)
    if covered is None:
        return pd.DataFrame(columns=["year", "occupation", "headcount", "population", "density"])
    start = max(covered.first.year + 1, base_year - years)
    rows = []
    with engine.connect() as conn:
        for year in range(start, base_year):
            within = select(workforce_on(conn.dialect.name, dt.date(year, 1, 1)).c.worker_id)
            counted = conn.execute(
                select(Worker.occupation_code, func.count())
                .where(Worker.id.in_(within))
                .group_by(Worker.occupation_code)
            ).all()
            rows += [(year, str(occ), int(n)) for occ, n in counted if occ is not None]
        people = _population(engine)
    frame = pd.DataFrame(rows, columns=["year", "occupation", "headcount"])
    frame["population"] = frame["year"].map(people).astype(float)
    frame["density"] = frame["headcount"] / frame["population"] * 10_000
    return frame


def _population(engine: Engine) -> dict[int, float]:
    """The country's total population by year; where the country has no row, the states'."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Area.level, AreaPopulation.year, func.sum(AreaPopulation.population))
            .join(Area, Area.id == AreaPopulation.area_id)
            .where(
                AreaPopulation.sex == "T",
                AreaPopulation.age_band == "total",
                Area.level.in_(("country", "state")),
            )
            .group_by(Area.level, AreaPopulation.year)
        ).all()
    country = {int(y): float(p) for level, y, p in rows if level == "country"}
    state = {int(y): float(p) for level, y, p in rows if level == "state"}
    return {**state, **country}


def fit(history: pd.DataFrame, minimum: int = 1) -> dict[str, Trend]:
    """The log-linear trend of each occupation's density, from the years with a population
    and at least ``minimum`` workers; an occupation with fewer than three such years has
    none (two points are a line, not a trend)."""
    usable = history[(history["headcount"] >= minimum) & (history["density"] > 0)]
    trends = {}
    for occupation, g in usable.groupby("occupation"):
        if len(g) < 3:
            continue
        slope, intercept = np.polyfit(g["year"], np.log(g["density"]), 1)
        trends[str(occupation)] = Trend(
            str(occupation), int(g["year"].min()), int(g["year"].max()), intercept, slope
        )
    return trends
