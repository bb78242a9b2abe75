"""Exit rates by cause from the registry's dated history: events over person-years at risk.

The survival method of the life table (occurrence over exposure, a piecewise-constant hazard):

- **Person-years at risk** by occupation, state, sex and single-year age: the workforce on each
  1 January of the window, read from the dated history as the indicators read it, and between
  two consecutive 1 January the mean of the two stocks (the trapezoid). A worker who joined or
  left during the window counts only for the time they were in it (censoring and late entry
  are handled by the exposure, not by dividing by today's stock).
- **Central rate** of a cause = its events / person-years; the yearly probability the supply
  model takes is 1 - exp(-rate) (a constant hazard within the year), so the competing risks
  combine exactly: 1 - (1 - q1)(1 - q2) = 1 - exp(-(m1 + m2)).
- **Retirement**: a rate by sex and five-year age band for the whole workforce, times an
  occupation's factor (its retirements over those the national schedule expects of its
  exposure: indirect standardisation, the main effect of a proportional hazards model), drawn
  towards 1 by a prior worth ``PRIOR_EVENTS`` retirements where an occupation has few. With no
  retirement recorded at all, the documented default (5 % a year from 60, 15 % from 65).
- **Death**: a default schedule (Gompertz) scaled by the registry's own standardised mortality
  ratio (deaths recorded over those the schedule expects of the exposure) once at least
  ``MINIMUM_EVENTS`` deaths are recorded; the schedule alone otherwise.
- **Other exits** (resignation, dismissal, end of contract, other) and **emigration** by
  occupation and state where the state recorded at least ``MINIMUM_EVENTS``, else the
  occupation's national rate. Other exits recorded without a state count in the national rate;
  a state's own rate is then scaled by the occupation's exits over those with a state, so
  leaving the area blank does not lower the local rates.

Each estimate keeps its number of events: the Monte Carlo adds their sampling error (a rate
from d events has a coefficient of variation of 1 / sqrt(d + 1/2), the Jeffreys gamma
posterior) to the documented drift of the future from the past.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from healthforce.forecast.spec import Array

#: Retirement rates used when the registry records no retirement (from the age, a year).
DEFAULT_RETIREMENT = {60: 0.05, 65: 0.15}
#: A local (or the registry's own) estimate is used from this many events.
MINIMUM_EVENTS = 10
#: The weight, in retirements, of the national schedule in an occupation's own factor.
PRIOR_EVENTS = 5.0
BAND = 5


def default_mortality(ages: Array) -> Array:
    """[S=2 (F, M), G] yearly death probabilities (Gompertz, 0.2 per 1,000 at 20 doubling
    every ~8 years; men x 1.5): the documented default, the registry being no life table."""
    f = 0.0002 * np.exp(0.085 * (np.asarray(ages) - 20))
    return np.stack([f, np.minimum(1.5 * f, 1.0)])


def person_years(stocks: list[Array]) -> Array:
    """Person-years at risk between consecutive 1 January stocks (each [O, A, S, G], ages as
    on that date): the trapezoid, half of each end's stock for every year between them."""
    if len(stocks) < 2:
        return np.zeros_like(stocks[0]) if stocks else np.zeros(0)
    total = np.zeros_like(stocks[0], dtype=float)
    for start, end in itertools.pairwise(stocks):
        total += (np.asarray(start, dtype=float) + end) / 2
    return total


@dataclass(frozen=True)
class Events:
    """The window's exits by cause: retirement [O, S, G], death [S, G], other [O] or [O, A + 1]
    (by state, the last column for those without one), emigration [O, A] (ages at the event,
    on the model's grid)."""

    retirement: Array
    death: Array
    other: Array
    emigration: Array


@dataclass(frozen=True)
class ExitRates:
    retirement: Array  # [O, S, G] yearly probabilities
    mortality: Array  # [S, G]
    other_exit: Array  # [O, A]
    emigration: Array  # [O, A]
    #: Events behind each estimate, per occupation (mortality: one total), for the draws;
    #: a rate that is a default has none.
    events: dict[str, Array] = field(default_factory=dict)


def _probability(rate: Array) -> Array:
    return np.asarray(1 - np.exp(-np.maximum(rate, 0)))


def _central(probability: Array) -> Array:
    return np.asarray(-np.log1p(-np.clip(probability, 0, 1 - 1e-12)))


def _per(events: Array, exposure: Array) -> Array:
    return np.asarray(np.where(exposure > 0, events / np.where(exposure > 0, exposure, 1), 0.0))


def _bands(a: Array, g: int) -> Array:
    """Sum the last (age) axis into five-year bands, then spread each band back on the ages."""
    out = np.zeros_like(a, dtype=float)
    for start in range(0, g, BAND):
        cols = slice(start, min(g, start + BAND))
        out[..., cols] = a[..., cols].sum(axis=-1, keepdims=True)
    return out


def estimate(exposure: Array, events: Events, ages: Array) -> ExitRates:
    """Exit rates by cause from person-years ``exposure`` [O, A, S, G] and the window's
    ``events``, with ``ages`` the grid's ages [G]."""
    o, _a, s, g = exposure.shape
    counts: dict[str, Array] = {}
    at_risk = exposure.sum(axis=1)  # [O, S, G]
    if events.retirement.sum() > 0:
        schedule = _per(_bands(events.retirement.sum(axis=0), g), _bands(at_risk.sum(axis=0), g))
        expected = (schedule[None] * at_risk).sum(axis=(1, 2))  # [O]
        observed = events.retirement.sum(axis=(1, 2))
        factor = (observed + PRIOR_EVENTS) / (expected + PRIOR_EVENTS)
        retirement = _probability(schedule[None] * factor[:, None, None])
        counts["retirement"] = observed
    else:
        retirement = np.zeros((o, s, g))
        for start, rate in DEFAULT_RETIREMENT.items():
            retirement[..., ages >= start] = rate
    base = _central(default_mortality(ages))
    deaths = float(events.death.sum())
    if deaths >= MINIMUM_EVENTS:
        expected_deaths = float((base * at_risk.sum(axis=0)).sum())
        ratio = deaths / expected_deaths if expected_deaths > 0 else 1.0
        mortality = _probability(base * ratio)
        counts["mortality"] = np.array(deaths)
    else:
        mortality = _probability(base)
    heads_o = exposure.sum(axis=(1, 2, 3))
    heads_oa = exposure.sum(axis=(2, 3))
    other = np.asarray(events.other, dtype=float)
    if other.ndim == 1:  # no state recorded for any
        other = np.concatenate([np.zeros((o, exposure.shape[1])), other[:, None]], axis=1)
    located, total = other[:, :-1], other.sum(axis=1)
    scale = np.where(located.sum(axis=1) > 0, total / np.maximum(located.sum(axis=1), 1e-12), 1)
    counts["other_exit"] = total
    counts["emigration"] = events.emigration.sum(axis=1)
    return ExitRates(
        retirement=retirement,
        mortality=mortality,
        other_exit=_by_state(located * scale[:, None], total, heads_o, heads_oa, located),
        emigration=_by_state(
            events.emigration, events.emigration.sum(axis=1), heads_o, heads_oa, events.emigration
        ),
        events=counts,
    )


def _by_state(
    local_events: Array, total: Array, heads_o: Array, heads_oa: Array, recorded: Array
) -> Array:
    """[O, A] yearly probabilities: a state's own rate where it ``recorded`` at least
    ``MINIMUM_EVENTS``, else the occupation's national rate."""
    national = _per(total, heads_o)
    local = _per(local_events, heads_oa)
    return _probability(np.where(recorded >= MINIMUM_EVENTS, local, national[:, None]))
