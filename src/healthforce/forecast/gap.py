"""Gaps between supply and need, when they close, what intake closes them, what they cost."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from healthforce.forecast.spec import Array, Dims, Pipeline, SupplyParams
from healthforce.forecast.supply import project_supply


def gap(supply: Array, need: Array) -> Array:
    """Supply - need (negative = shortage), any matching shapes."""
    return np.asarray(np.asarray(supply, dtype=float) - np.asarray(need, dtype=float))


#: Workers short that still count as closed: rounding noise, not a shortage.
TOLERANCE = 0.5


def years_until_balance(gaps: Array, years: list[int], tolerance: float = TOLERANCE) -> int | None:
    """The year from which the gap stays closed (no more than ``tolerance`` workers short in
    that year and every year after it, to the horizon); None when it is not closed at the
    horizon. A gap that closes for a year and opens again is not closed (a base-year gap of
    +1e-13 with a shortfall of 279 in the last year is no balance)."""
    g = np.asarray(gaps, dtype=float)
    short = np.flatnonzero(g < -tolerance)
    if short.size == 0:
        return years[0] if len(years) else None
    last_short = int(short[-1])
    return years[last_short + 1] if last_short + 1 < len(years) else None


def intake_to_close(
    dims: Dims, params: SupplyParams, need: Array, occupation: int, target_year: int
) -> Array:
    """Constant yearly intake, per area, from the base year on, that makes the supply of one
    occupation equal ``need`` [A] in ``target_year``.

    Supply is affine in the intake, so two projections give the answer exactly. Areas where no
    intake can arrive in time (training takes longer than the years left) get NaN.
    """
    t = target_year - dims.base_year
    if not 0 < t <= dims.horizon:
        raise ValueError(f"target year {target_year} outside the projection")
    p = params.pipeline
    years = np.arange(p.first_year, p.first_year + p.intake.shape[0])
    future = years >= dims.base_year

    def supply_with(level: float) -> Array:
        intake = np.array(p.intake, dtype=float)
        intake[future, occupation, :] = level
        run = project_supply(dims, params.with_(pipeline=_with_intake(p, intake)), detail=False)
        return np.asarray(run.total[t, 0, occupation])

    base = supply_with(0.0)
    slope = supply_with(1.0) - base
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(slope > 0, (np.asarray(need, dtype=float) - base) / slope, np.nan)
    return np.asarray(result)


def intake_answer(
    dims: Dims, params: SupplyParams, need: Array, occupation: int, target_year: int
) -> tuple[Array, list[str]]:
    """:func:`intake_to_close`, flagged: the yearly intake per area (0 where none is needed)
    and, per area, why an answer is not a plain intake: "none needed" (supply meets need
    without any new intake), "too late" (training takes longer than the years left), or "".
    A negative intake is never returned."""
    raw = intake_to_close(dims, params, need, occupation, target_year)
    why = ["too late" if np.isnan(x) else "none needed" if x < 0 else "" for x in raw]
    return np.where(np.isnan(raw), np.nan, np.maximum(raw, 0.0)), why


def _with_intake(p: Pipeline, intake: Array) -> Pipeline:
    return replace(p, intake=intake)


def wage_bill(fte: Array, salary: Array) -> Array:
    """Yearly wage bill: FTE [..., O, A] x annual salary by occupation [O] (or [O, A])."""
    s = np.asarray(salary, dtype=float)
    if s.ndim == 1:
        s = s[:, None]
    return np.asarray(np.asarray(fte, dtype=float) * s)
