"""The population a projection plans for: by state and year, from what the registry holds.

For each state and projection year, in this order:

1. the state's own figure for the year (a census, the statistics office's sub-national
   projections);
2. between two years the state has figures for, the straight line between them;
3. the country's figure for the year (UN World Population Prospects, the World Bank; between
   two of its years, the straight line) shared out by the states' shares in their nearest year
   with figures;
4. else (after every figure) the last one carried forward at the growth of the last five years
   of figures (the country's if it has them, else the states' total): the documented fallback,
   said in the notes with the years it covers.

Only totals (both sexes, all ages) are read here; the notes say, in English and Spanish, which
years came from where, so that a planner sees when need rests on an extrapolation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Engine, select

from healthforce.forecast.spec import Dims
from healthforce.store.areas import states
from healthforce.store.models import Area, AreaPopulation


@dataclass
class Population:
    """Population [T+1, A] by projection year and state, and how each part was obtained."""

    values: np.ndarray
    notes: list[str] = field(default_factory=list)
    #: Per projection year: "recorded", "interpolated", "national", "extrapolated" (the
    #: least certain way any state's figure for that year was obtained).
    how: list[str] = field(default_factory=list)


_ORDER = ("recorded", "interpolated", "national", "extrapolated")


def _spans(years: list[int]) -> str:
    """2025-2030, 2033 for [2025, …, 2030, 2033]."""
    out: list[str] = []
    start = prev = years[0]
    for y in [*years[1:], None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(out)


def _growth(by_year: dict[int, np.ndarray]) -> tuple[float, int, int]:
    """Yearly growth over the last five years of figures (and the years it spans), over the
    places that have figures at both ends (a state missing from one year is no decline)."""
    years = sorted(by_year)
    if len(years) < 2:
        return 0.0, years[-1] if years else 0, years[-1] if years else 0
    last = years[-1]
    for first in [y for y in years if last - 5 <= y < last] or years[-2:-1]:
        both = ~np.isnan(by_year[first]) & ~np.isnan(by_year[last])
        then, now = by_year[first][both].sum(), by_year[last][both].sum()
        if both.any() and then > 0:
            return float((now / then) ** (1 / (last - first)) - 1), first, last
    return 0.0, last, last


def load_population(engine: Engine, dims: Dims) -> Population:
    """The population by state for every projection year (see the module)."""
    state_of = states(engine).of
    with engine.connect() as conn:
        rows = conn.execute(
            select(AreaPopulation.area_id, AreaPopulation.year, AreaPopulation.population).where(
                AreaPopulation.sex == "T", AreaPopulation.age_band == "total"
            )
        ).all()
        country = set(conn.execute(select(Area.id).where(Area.level == "country")).scalars())
    a = len(dims.areas)
    by_state: dict[int, np.ndarray] = defaultdict(lambda: np.full(a, np.nan))
    national: dict[int, float] = {}
    for area_id, year, pop in rows:
        if area_id in country:
            national[int(year)] = float(pop)
            continue
        code = state_of.get(area_id)
        if code in dims.areas:
            k = dims.areas.index(code)
            cell = by_state[int(year)]
            cell[k] = (0.0 if np.isnan(cell[k]) else cell[k]) + float(pop)
    if national:  # the country's series, its gaps filled by straight lines
        known = sorted(national)
        span = range(known[0], known[-1] + 1)
        national = dict(
            zip(span, np.interp(span, known, [national[y] for y in known]), strict=True)
        )
    years = dims.years
    values = np.full((len(years), a), np.nan)
    how = np.zeros((len(years), a), dtype=int)  # index into _ORDER
    if not by_state and not national:
        return Population(
            np.zeros((len(years), a)),
            [
                "No population in the registry: need cannot be computed / sin población en el "
                "registro: no se puede calcular la necesidad"
            ],
            ["extrapolated"] * len(years),
        )
    recorded = sorted(by_state)
    for k in range(a):
        known = [y for y in recorded if not np.isnan(by_state[y][k])]
        for t, year in enumerate(years):
            if known and known[0] <= year <= known[-1]:  # its own figure, or the line between
                values[t, k] = np.interp(year, known, [by_state[y][k] for y in known])
                how[t, k] = 0 if year in known else 1
            elif year in national and known:
                near = min(known, key=lambda y: (abs(y - year), -y))
                total = np.nansum(by_state[near])
                values[t, k] = national[year] * by_state[near][k] / total if total else np.nan
                how[t, k] = 2
    notes: list[str] = []
    missing = np.isnan(values)
    if missing.any():
        if national:
            rate, first, last = _growth({y: np.array([v]) for y, v in national.items()})
        else:
            rate, first, last = _growth(by_state)
        for k in range(a):
            # the nearest figure: a projection year filled above, or the state's own record
            have = {years[int(t)]: values[int(t), k] for t in np.flatnonzero(~missing[:, k])}
            for y in recorded:
                if not np.isnan(by_state[y][k]):
                    have.setdefault(y, float(by_state[y][k]))
            for t in (int(t) for t in np.flatnonzero(missing[:, k])):
                how[t, k] = 3
                if not have:
                    values[t, k] = 0.0
                    continue
                near = min(have, key=lambda y: (abs(y - years[t]), -y))
                values[t, k] = have[near] * (1 + rate) ** (years[t] - near)
        gap = [years[t] for t in np.flatnonzero(missing.any(axis=1))]
        notes.append(
            f"Population {_spans(gap)}: no figures in the registry; carried at {rate:+.2%} a "
            f"year (growth {first}-{last}); import projections (healthforce import wpp, or the "
            f"statistics office's) to plan on them / Población {_spans(gap)}: sin cifras en el "
            f"registro; proyectada a {rate:+.2%} anual (crecimiento {first}-{last}); importe "
            "proyecciones para planificar con ellas"
        )
    shared = [years[t] for t in range(len(years)) if (how[t] == 2).any()]
    if shared:
        notes.append(
            f"Population {_spans(shared)}: the country's projection shared out by the states' "
            f"shares in their nearest year with figures / Población {_spans(shared)}: la "
            "proyección nacional repartida según el peso de cada estado en su año más cercano "
            "con cifras"
        )
    labels = [_ORDER[int(row.max())] for row in how]
    return Population(values, notes, labels)
