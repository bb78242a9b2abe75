"""What a run of the catalogue shares (:class:`Context`): the backend, the year, the area level,
and the large inputs each reduced once per run (the workforce counted, the year's movements
counted, posts per facility, team gaps), with the small Ibis helpers indicators are written in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ibis

from healthforce.indicators.backends import Source
from healthforce.indicators.snapshot import (
    CUBE_DIMENSIONS,
    open_assignments,
    population,
    workforce_cube,
)


@dataclass
class Context:
    """What a run of the catalogue shares: the backend, the year, the area level, the country.

    The three large inputs are each reduced once per run and kept in a temporary table of the
    backend (Ibis ``cache`` on Spark): the workforce on the date counted by every dimension
    (:func:`workforce_cube`, then rolled up without age and by age alone), the year's movements
    counted likewise, and the posts counted per facility and occupation with their holders on
    the date (and the team gaps computed from them). Indicators aggregate those small tables
    instead of joining a million rows again each."""

    src: Source
    year: int
    level: str  # "state" or "country"
    home: str
    _kept: dict[str, Any] = field(default_factory=dict)
    _drops: list[Callable[[], None]] = field(default_factory=list)

    @property
    def on(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    def _keep(self, name: str, build: Callable[[], Any]) -> Any:
        if name not in self._kept:
            table, drop = self.src.materialise(build())
            self._kept[name] = table
            self._drops.append(drop)
        return self._kept[name]

    def _counted(self) -> Any:
        return self._keep(
            "counted", lambda: workforce_cube(self.src, self.on, self.home, self.level)
        )

    def workforce(self) -> Any:
        """The workforce on the date, one row per combination of dimensions (all but age)
        with ``n``."""
        but_age = [d for d in CUBE_DIMENSIONS if d != "age"]
        return self._keep("workforce", lambda: _only(self._counted(), but_age))

    def ages(self) -> Any:
        """The workforce on the date by area, group and age, with ``n``."""
        return self._keep("ages", lambda: _only(self._counted(), ["area", "grp", "age"]))

    def movements(self) -> Any:
        """The year's movements by kind, reason, area, group and foreign training, with ``n``."""
        return self._keep("movements", lambda: movements_of_year(self))

    def posts(self) -> Any:
        """Posts per facility and occupation: funded, funded and vacant, staff on the date."""
        return self._keep("posts", lambda: posts_by_facility(self))

    def team_gaps(self) -> Any:
        """Per open facility with a norm and per occupation: the norm, staff, missing."""
        return self._keep("team_gaps", lambda: team_gaps_of(self))

    def release(self) -> None:
        """Drop the temporary tables of the run."""
        for drop in self._drops:
            drop()
        self._kept.clear()
        self._drops.clear()

    def population(self) -> Any:
        return population(self.src, self.year, self.level)


def _only(counted: Any, dimensions: list[str]) -> Any:
    """Counts by ``dimensions`` alone (fewer rows for the indicators that need no more)."""
    return counted.group_by([counted[d] for d in dimensions]).aggregate(n=counted.n.sum())


def lit(value: str) -> Any:
    """A constant column (a category, a group name)."""
    return ibis.literal(value)


def as_int(condition: Any) -> Any:
    """1 where true, else 0 (PostgreSQL has no boolean-to-integer cast)."""
    return ibis.ifelse(condition, 1, 0)


def count(t: Any, condition: Any = None) -> Any:
    """How many workers (or events) the rows of a counted table stand for, where
    ``condition`` holds."""
    return t.n.sum() if condition is None else ibis.ifelse(condition, t.n, 0).sum()


def posts_by_facility(ctx: Context) -> Any:
    """Posts per facility and occupation: how many are funded, funded and without a holder on
    the date, and how many assignments run on them on the date (staff)."""
    p = ctx.src.table("post")
    occupied = open_assignments(ctx.src, ctx.on)
    occupied = occupied.group_by(occ_post=occupied.post_id).aggregate(holders=occupied.count())
    j = p.left_join(occupied, p.id == occupied.occ_post)
    return j.group_by(facility_id=j.facility_id, occupation_code=j.occupation_code).aggregate(
        funded=as_int(j.funded).sum(),
        vacant=as_int(j.funded & j.holders.isnull()).sum(),
        staff=j.holders.fill_null(0).sum(),
    )


def by_state(ctx: Context, t: Any, area_id: Any) -> Any:
    """``t`` with the column ``area``: the state of ``area_id``, or the country."""
    states = ctx.src.lookup_states()
    j = t.left_join(states, area_id == states.area_id)
    return j.mutate(area=j.state if ctx.level == "state" else ibis.literal(ctx.home))


def movements_of_year(ctx: Context) -> Any:
    """The year's movements counted by kind, reason, area, group and whether the worker was
    trained abroad (``n`` per combination)."""
    m = ctx.src.table("movement")
    first, last = dt.date(ctx.year, 1, 1), dt.date(ctx.year, 12, 31)
    kinds = ["entry", "exit", "emigration"]  # the kinds the flow indicators count
    m = m.filter(m.kind.isin(kinds) & (m.date >= first) & (m.date <= last))
    w = ctx.src.table("worker")
    groups = ctx.src.lookup_groups()
    people = w.select(
        wid=w.id, occupation_code=w.occupation_code, training_country=w.training_country
    )
    j = m.join(people, m.worker_id == people.wid)
    j = j.left_join(groups, j.occupation_code == groups.occupation_code)
    j = j.mutate(area_id=ibis.coalesce(j.destination_area_id, j.origin_area_id))
    j = by_state(ctx, j, j.area_id)
    j = j.mutate(foreign=j.training_country.notnull() & (j.training_country != ctx.home))
    return j.group_by(
        kind=j.kind, reason=j.reason, area=j.area, grp=j.grp, foreign=j.foreign
    ).aggregate(n=j.count())


def team_gaps_of(ctx: Context) -> Any:
    """Per facility with a norm and per occupation: staff on the date and the norm."""
    f = ctx.src.table("facility")
    n = ctx.src.table("team_norm")
    posts = ctx.posts()
    staff = posts.select(sf=posts.facility_id, so=posts.occupation_code, staff=posts.staff)
    need = f.filter(f.status == "open").join(n, f.type == n.facility_type)
    need = need.select(
        fid=need.id, fac_area=need.area_id, occ=need.occupation_code, norm=need.headcount
    )
    j = need.left_join(staff, [need.fid == staff.sf, need.occ == staff.so])
    j = j.mutate(missing=ibis.greatest(j.norm - j.staff.fill_null(0), 0))
    return by_state(ctx, j, j.fac_area)
