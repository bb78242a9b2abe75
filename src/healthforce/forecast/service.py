"""Service-based need (Birch and Tomblin Murphy's needs-based planning): the people of a group
x their yearly rate of need x services per need x minutes per service / 60 / the productive
hours of one full-time worker = the FTE the service needs; in headcount at today's FTE per head
of the occupation.

The group ("F 15-49", "T 65+", "T all") is counted from the registry's population by sex and
five-year age band (UN World Population Prospects, a census): its share of the population in
the latest year with such figures, per state where the states have them, else the country's,
applied to the projected population of each state and year (:mod:`healthforce.forecast.
population`). A group that cuts a band counts the band's people in proportion to the years it
covers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from healthforce.errors import HealthforceError
from healthforce.forecast.scenario_file import population_group
from healthforce.forecast.spec import Array, Dims
from healthforce.store.areas import states
from healthforce.store.models import Area, AreaPopulation


def _band(band: str) -> tuple[int, int]:
    if band.endswith("+"):
        return int(band[:-1]), 120
    low, high = band.split("-")
    return int(low), int(high)


def _in_group(band: str, low: int, high: int | None) -> float:
    """The share of a band's ages inside [low, high]."""
    first, last = _band(band)
    top = 120 if high is None else high
    inside = max(0, min(last, top) - max(first, low) + 1)
    return inside / (last - first + 1)


def group_shares(engine: Engine, dims: Dims, group: str, source: str) -> np.ndarray:
    """The group's share of the population [A], by state (or the country's for all)."""
    parsed = population_group(group)
    if parsed is None:
        raise HealthforceError(f"{source}: population {group!r} is not a group like 'F 15-49'")
    sex, low, high = parsed
    state_of = states(engine).of
    with engine.connect() as conn:
        country = set(conn.execute(select(Area.id).where(Area.level == "country")).scalars())
        rows = conn.execute(
            select(
                AreaPopulation.area_id,
                AreaPopulation.year,
                AreaPopulation.sex,
                AreaPopulation.age_band,
                AreaPopulation.population,
            ).where(AreaPopulation.age_band != "total")
        ).all()
    if not rows:
        raise HealthforceError(
            f"{source}: the registry has no population by sex and age; import the UN's "
            "projections (healthforce import wpp) or the statistics office's / el registro no "
            "tiene población por sexo y edad"
        )
    latest = max(int(r[1]) for r in rows)
    part: dict[tuple[str, str], float] = {}  # (place, sex) -> people of the group's ages
    whole: dict[tuple[str, str], float] = {}  # (place, sex) -> everyone
    for area_id, year, row_sex, band, people in rows:
        place = "country" if area_id in country else state_of.get(area_id)
        if int(year) != latest or place is None:
            continue
        part[(place, row_sex)] = part.get((place, row_sex), 0.0) + people * _in_group(
            band, low, high
        )
        whole[(place, row_sex)] = whole.get((place, row_sex), 0.0) + people

    def share_of(place: str) -> float | None:
        by_sex = ("F", "M") if (place, "F") in whole and (place, "M") in whole else ("T",)
        total = sum(whole.get((place, x), 0.0) for x in by_sex)
        if not total:
            return None
        chosen = by_sex if sex == "T" else (sex,)
        if any((place, x) not in part for x in chosen):
            return None  # the group's sex is not recorded here
        return sum(part[(place, x)] for x in chosen) / total

    national = share_of("country")
    out = np.zeros(len(dims.areas))
    for k, state in enumerate(dims.areas):
        own = share_of(state)
        found = own if own is not None else national
        if found is None:
            raise HealthforceError(
                f"{source}: no population of {group!r} for {state} or the country in {latest} "
                "/ sin población del grupo"
            )
        out[k] = found
    return out


def service_need(
    engine: Engine,
    dims: Dims,
    population: Array,
    spec: dict[str, Any],
    fte_per_head: float,
    source: str,
) -> Array:
    """Headcount need [T+1, A] of one occupation for a service (see the module)."""
    share = group_shares(engine, dims, str(spec["population"]), source)
    people = np.asarray(population, dtype=float) * share[None, :]
    minutes = people * float(spec["rate"]) * float(spec["services"]) * float(spec["minutes"])
    fte = minutes / 60 / float(spec["hours_per_fte"])
    return np.asarray(fte / max(fte_per_head, 1e-9))
