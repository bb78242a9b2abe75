"""Back-casting: the planning engine judged against the registry's own history.

Project from a base year in the past (its 1 January, the workforce on that date read from the
dated history) to the latest year the history covers, and compare each year's projected
headcount with the headcount the registry records on that year's 1 January, by occupation: the
mean absolute percentage error (MAPE) says how far the engine's assumptions were from what
happened, as HRSA's health workforce model is validated. The recorded headcount is the engine's
own base stock on that date (:func:`healthforce.forecast.loader.load_supply`), so like is
compared with like.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from healthforce.errors import OutsideDataError
from healthforce.forecast.loader import base_date_of, load_supply
from healthforce.forecast.supply import project_supply
from healthforce.store.timeline import coverage


def _national(engine: Engine, day: dt.date, horizon: int) -> tuple[tuple[str, ...], np.ndarray]:
    """Occupations and the projected national headcount [T+1, O] from ``day``, from what was
    known on that day."""
    dims, params = load_supply(engine, horizon=horizon, base_date=day, as_known_then=True)
    run = project_supply(dims, params)
    return dims.occupations, np.asarray(run.total[:, 0].sum(axis=2))


def backcast(engine: Engine, base_year: int) -> pd.DataFrame:
    """Per occupation and year after ``base_year``: projected and recorded headcount and the
    error (%); the MAPE per occupation is :func:`mape` of this table."""
    covered = coverage(engine)
    last = base_date_of(engine).year
    valid = None if covered is None else (covered.first.year + 1, last - 1)
    if valid is None or not valid[0] <= base_year <= valid[1]:
        raise OutsideDataError(
            base_year,
            valid,
            f"a back-cast's base year must lie inside the history, before its last year "
            f"({valid[0]}–{valid[1]}) / el año base debe estar dentro de la historia "
            f"({valid[0]}–{valid[1]})"
            if valid
            else "the registry has no dated data yet / el registro aún no tiene datos",
        )
    occupations, projected = _national(engine, dt.date(base_year, 1, 1), last - base_year)
    rows = []
    for t, year in enumerate(range(base_year + 1, last + 1), start=1):
        recorded_occs, recorded = _national(engine, dt.date(year, 1, 1), 1)
        actual = dict(zip(recorded_occs, recorded[0], strict=True))
        for k, occupation in enumerate(occupations):
            a = float(actual.get(occupation, 0.0))
            p = float(projected[t, k])
            rows.append(
                {
                    "occupation": occupation,
                    "year": year,
                    "projected": p,
                    "recorded": a,
                    "error_pct": (p - a) / a * 100 if a else np.nan,
                }
            )
    return pd.DataFrame(rows)


def mape(table: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute percentage error per occupation (years with a recorded headcount)."""
    known = table.dropna(subset=["error_pct"])
    out = known.groupby("occupation", as_index=False).agg(
        years=("year", "count"), mape=("error_pct", lambda e: float(np.mean(np.abs(e))))
    )
    return out.sort_values("occupation", ignore_index=True)
