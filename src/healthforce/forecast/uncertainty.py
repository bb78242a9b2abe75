"""Uncertainty: Monte Carlo over parameter distributions (vectorised over a draw axis, seeded),
percentile bands, and one-at-a-time sensitivity for a tornado chart."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from healthforce.forecast.spec import Array, Dims, SupplyParams
from healthforce.forecast.supply import SupplyResult, project_supply

#: Coefficient of variation of each parameter's multiplier (per occupation, per draw): how far
#: the future may drift from the past; completion gets an absolute standard deviation.
#: Overridable. An estimate from the registry's events adds its sampling error (see
#: :func:`draw_params`).
DEFAULT_SPREAD: dict[str, float] = {
    "retirement": 0.10,
    "mortality": 0.05,
    "other_exit": 0.20,
    "emigration": 0.30,
    "immigration": 0.30,
    "returns": 0.30,
    "intake": 0.10,
    "completion": 0.05,
}
RATE_NAMES = ("retirement", "other_exit", "emigration")
COUNT_NAMES = ("immigration", "returns")


def draw_params(
    params: SupplyParams,
    draws: int,
    rng: np.random.Generator,
    spread: dict[str, float] | None = None,
) -> SupplyParams:
    """Parameters with a leading draw axis: each draw multiplies each occupation's rates,
    counts and intake by a lognormal factor of mean 1 (completion: plus a normal error).

    The factor's coefficient of variation is the drift in ``spread`` combined with the
    estimate's own sampling error where the registry's events are known
    (``params.events``): a rate or count from d events has a CV of 1 / sqrt(d + 1/2) (the
    Jeffreys gamma posterior of a Poisson rate), so cv = sqrt(drift^2 + 1 / (d + 1/2))."""
    spread = {**DEFAULT_SPREAD, **(spread or {})}
    o = np.asarray(params.fte).shape[-1]

    def factor(name: str, size: int = o) -> Array:
        cv = np.full(size, spread.get(name, 0.0))
        if name in params.events:
            events = np.broadcast_to(np.asarray(params.events[name], dtype=float), (size,))
            cv = np.sqrt(cv**2 + 1 / (events + 0.5))
        if not cv.any():
            return np.ones((draws, size))
        sigma = np.sqrt(np.log1p(cv**2))  # a lognormal of mean 1 and this CV
        return rng.lognormal(-(sigma**2) / 2, sigma, size=(draws, size))

    changes: dict[str, object] = {}
    ret = np.asarray(params.retirement, dtype=float)
    if ret.ndim == 2:  # [S, G] for every occupation
        ret = np.broadcast_to(ret, (o, *ret.shape))
    changes["retirement"] = np.clip(ret[None] * factor("retirement")[:, :, None, None], 0, 1)
    mort = np.asarray(params.mortality, dtype=float)
    changes["mortality"] = np.clip(mort[None] * factor("mortality", 1)[:, :, None], 0, 1)
    for name in ("other_exit", "emigration", *COUNT_NAMES):
        base = np.asarray(getattr(params, name), dtype=float)
        f = factor(name)
        value = base[None] * (f[:, :, None] if base.ndim == 2 else f)
        changes[name] = np.clip(value, 0, 1) if name in RATE_NAMES else value
    pipe = params.pipeline
    intake = np.asarray(pipe.intake, dtype=float)[None] * factor("intake")[:, None, :, None]
    completion = np.clip(
        np.asarray(pipe.completion, dtype=float)[None]
        + rng.normal(0, spread["completion"], size=(draws, o)),
        0,
        1,
    )
    changes["pipeline"] = replace(pipe, intake=intake, completion=completion)
    return params.with_(**changes)


def monte_carlo(
    dims: Dims,
    params: SupplyParams,
    draws: int,
    seed: int = 0,
    spread: dict[str, float] | None = None,
    dtype: Any = np.float32,
) -> SupplyResult:
    """Project ``draws`` parameter draws at once (one array pass per step, not a loop)."""
    rng = np.random.default_rng(seed)
    return project_supply(
        dims, draw_params(params, draws, rng, spread), dtype=dtype, by_sex=False, detail=False
    )


#: Standard deviation, per year ahead, of the log of a state's population against its
#: projection: a random walk, half of its variance shared by every state (a national error,
#: such as fertility) and half the state's own (such as migration). 0.01 makes a state's 80 %
#: band about +/-6 % twenty years ahead, near the width of the UN's probabilistic projections
#: for a Latin American country. Overridable.
POPULATION_SPREAD = 0.01


def population_factor(
    dims: Dims, draws: int, seed: int = 0, spread: float = POPULATION_SPREAD
) -> Array:
    """[T+1, D, A] multipliers of the projected population, 1 in the base year (known), each
    year ahead a random walk in logs (see :data:`POPULATION_SPREAD`), of median 1. Seeded
    apart from the supply's draws, so either can change without moving the other."""
    rng = np.random.default_rng([seed, 1])
    t, a = dims.horizon, len(dims.areas)
    step = spread / np.sqrt(2)
    shocks = rng.normal(0, step, (t, draws, 1)) + rng.normal(0, step, (t, draws, a))
    walk = np.concatenate([np.zeros((1, draws, a)), np.cumsum(shocks, axis=0)])
    factor: Array = np.exp(walk)
    return factor


def percentiles(
    dims: Dims, draws: dict[str, Array], quantiles: tuple[float, ...], by_area: bool = True
) -> pd.DataFrame:
    """Percentile bands of each ``draws`` array ([T+1, D, O, A]), a column per prefix and
    percentile (``{prefix}p{q}``), by year, occupation and (``by_area``) area; nationally the
    percentiles of each draw's sum over areas, never the sum of the areas' percentiles."""
    years, occs, areas = np.meshgrid(dims.years, dims.occupations, dims.areas, indexing="ij")
    frame = pd.DataFrame({"year": years.ravel(), "occupation": occs.ravel(), "area": areas.ravel()})
    if not by_area:
        frame = frame[frame["area"] == dims.areas[0]].drop(columns="area").reset_index(drop=True)
    for prefix, values in draws.items():
        values = np.asarray(values) if by_area else np.asarray(values).sum(axis=-1)
        q = np.percentile(values, quantiles, axis=1)
        for i, level in enumerate(quantiles):
            frame[f"{prefix}p{level:g}"] = q[i].ravel()
    return frame


def bands(result: SupplyResult, quantiles: tuple[float, ...] = (5, 50, 95)) -> pd.DataFrame:
    """Percentile bands of the headcount (cooperation included) by year, occupation, area."""
    q = np.percentile(result.total, quantiles, axis=1)  # [Q, T+1, O, A]
    dims = result.dims
    years, occs, areas = np.meshgrid(dims.years, dims.occupations, dims.areas, indexing="ij")
    frame = pd.DataFrame({"year": years.ravel(), "occupation": occs.ravel(), "area": areas.ravel()})
    for i, level in enumerate(quantiles):
        frame[f"p{level:g}"] = q[i].ravel()
    return frame


PARAMETERS = (
    "retirement",
    "mortality",
    "other_exit",
    "emigration",
    "immigration",
    "returns",
    "intake",
    "completion",
    "entry_share",
)


#: The parameters' names (Spanish, English).
PARAMETER_NAMES = {
    "retirement": ("Jubilación", "Retirement"),
    "mortality": ("Mortalidad", "Mortality"),
    "other_exit": ("Otras salidas", "Other exits"),
    "emigration": ("Emigración", "Emigration"),
    "immigration": ("Inmigración", "Immigration"),
    "returns": ("Retornos", "Returns"),
    "intake": ("Ingreso nuevo a la formación", "New training intake"),
    "completion": ("Egreso de la formación", "Training completion"),
    "entry_share": ("Egresados que ejercen", "Graduates entering practice"),
}


def _scaled(
    params: SupplyParams, name: str, factor: float, base_year: int | None = None
) -> SupplyParams:
    """The parameters with one of them scaled; intake only from ``base_year`` on (new intake:
    cohorts already enrolled are not changed by a decision taken now)."""
    pipe = params.pipeline
    if name == "intake":
        start = pipe.first_year if base_year is None else base_year
        return params.with_(pipeline=pipe.with_new_intake(start, factor))
    if name in ("completion", "entry_share"):
        value = np.clip(np.asarray(getattr(pipe, name), dtype=float) * factor, 0, 1)
        return params.with_(pipeline=replace(pipe, **{name: value}))  # type: ignore[arg-type]
    value = np.asarray(getattr(params, name), dtype=float) * factor
    if name not in COUNT_NAMES:
        value = np.clip(value, 0, 1)
    return params.with_(**{name: value})


def by_occupation(dims: Dims) -> tuple[str, ...]:
    """The tornado's parameters with every occupation's own intake as one more
    (``intake:2211`` …): which occupation's training matters most."""
    return (*PARAMETERS, *(f"intake:{occ}" for occ in dims.occupations))


def _scaled_one(dims: Dims, params: SupplyParams, name: str, factor: float) -> SupplyParams:
    """:func:`_scaled`, or for ``intake:CODE`` that occupation's new intake only."""
    if not name.startswith("intake:"):
        return _scaled(params, name, factor, dims.base_year)
    factors = np.ones(len(dims.occupations))
    factors[dims.occupations.index(name.split(":", 1)[1])] = factor
    return params.with_(pipeline=params.pipeline.with_new_intake(dims.base_year, factors))


def sensitivity(
    dims: Dims,
    params: SupplyParams,
    change: float = 0.10,
    occupation: str | None = None,
    year: int | None = None,
    parameters: tuple[str, ...] = PARAMETERS,
) -> pd.DataFrame:
    """One parameter at a time, -change and +change: the national headcount (of one
    ``occupation``, or all) in ``year`` (default: the horizon), ranked by swing: the data of a
    tornado chart. With need fixed, the gap's swing is the headcount's. Intake is scaled from
    the base year on only (new intake, never cohorts already enrolled); ``intake:CODE`` is one
    occupation's intake alone (:func:`by_occupation` lists them all)."""
    t = dims.horizon if year is None else year - dims.base_year
    if not 0 <= t <= dims.horizon:
        raise ValueError(f"year {year} outside the projection {dims.years[0]}-{dims.years[-1]}")
    k = None if occupation is None else dims.occupations.index(occupation)

    def headcount(p: SupplyParams) -> float:
        total = project_supply(dims, p, detail=False).total[t]  # [D, O, A]
        return float(total.sum() if k is None else total[:, k].sum())

    base = headcount(params)
    rows = []
    for name in parameters:
        low = headcount(_scaled_one(dims, params, name, 1 - change))
        high = headcount(_scaled_one(dims, params, name, 1 + change))
        rows.append(
            {
                "parameter": name,
                "low": low,
                "high": high,
                "baseline": base,
                "swing": abs(high - low),
            }
        )
    return pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)


def tidy(result: SupplyResult) -> pd.DataFrame:
    """A deterministic result as a tidy table: year, occupation, area, headcount, FTE, flows."""
    dims = result.dims
    years, occs, areas = np.meshgrid(dims.years, dims.occupations, dims.areas, indexing="ij")
    frame = pd.DataFrame(
        {
            "year": years.ravel(),
            "occupation": occs.ravel(),
            "area": areas.ravel(),
            "headcount": result.headcount[:, 0].ravel(),
            "cooperation": result.cooperation[:, 0].ravel(),
            "fte": result.fte[:, 0].ravel(),
        }
    )
    for name, flow in result.flows.items():
        padded = np.concatenate([flow[:, 0], np.full((1, *flow.shape[2:]), np.nan)])
        frame[name] = padded.ravel()  # flows of year t happen between t and t+1
    return frame
