"""What a run of the catalogue shares (:class:`Context`): the backend, the year, the area level,
and the large inputs each reduced once (the workforce counted, the year's movements counted,
posts per facility, team gaps), with the small Ibis helpers indicators are written in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ibis

from healthforce.indicators.backends import Runner
from healthforce.indicators.facts import (
    MOVEMENT_DIMENSIONS,
    in_state,
    movement_facts,
    posts_by_facility,
    team_gaps,
)
from healthforce.indicators.snapshot import CUBE_DIMENSIONS, population, workforce

_BUT_AGE = [d for d in CUBE_DIMENSIONS if d != "age"]


@dataclass
class Context:
    """What a run of the catalogue shares: the backend, the year, the area level, the country.

    Indicators aggregate small counted inputs, never the million rows behind them: the workforce
    on the date counted by every dimension but age and by area, group and age; the year's
    movements counted; funded and vacant posts, team norms and the headcount missing, and
    facilities meeting their norm, by area (and occupation). With ``stored`` (SQLite,
    PostgreSQL) they are the store's summaries, made current by the caller
    (:func:`healthforce.indicators.summary.current`); otherwise (Spark) they are computed once
    per run from the registry's tables and cached by the backend."""

    src: Runner
    year: int
    level: str  # "state" or "country"
    home: str
    stored: bool = False
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

    def at_level(self, t: Any) -> Any:
        """``t`` with its ``area`` the country's at country level."""
        return t if self.level == "state" else t.mutate(area=ibis.literal(self.home))

    def _summary(self, name: str) -> Any:
        """The year's rows of a stored summary, its unknowns ("" and -1) back to NULL."""
        t = self.src.table(name)
        t = t.filter(t.year == self.year).drop("year")
        known = {c: t[c].nullif("") for c, kind in t.schema().items() if kind.is_string()}
        if "age" in t.columns:
            known["age"] = t.age.nullif(-1)
        return self.at_level(t.mutate(**known))

    def _counted(self) -> Any:
        return self._keep(
            "counted",
            lambda: _sum(
                self.at_level(workforce(self.src, self.on, self.home)).mutate(n=1),
                list(CUBE_DIMENSIONS),
                ["n"],
            ),
        )

    def workforce(self) -> Any:
        """The workforce on the date, one row per combination of dimensions (all but age)
        with ``n``."""
        return self._sums("workforce", "summary_workforce", _BUT_AGE, [], self._counted)

    def ages(self) -> Any:
        """The workforce on the date by area, group and age, with ``n``."""
        return self._sums("ages", "summary_age", ["area", "grp", "age"], [], self._counted)

    def movements(self) -> Any:
        """The year's movements by kind, reason, area, group and foreign training, with ``n``."""
        return self._sums(
            "movements",
            "summary_flow",
            list(MOVEMENT_DIMENSIONS),
            [],
            lambda: movement_facts(self.src, self.year, self.home),
        )

    def vacancies(self) -> Any:
        """Posts by area and occupation: ``funded``, funded and ``vacant``."""
        return self._sums(
            "vacancies",
            "summary_vacancy",
            ["area", "occupation_code"],
            ["funded", "vacant"],
            self._posts,
        )

    def team_need(self) -> Any:
        """Team norms by area and occupation: the norms' headcount and the headcount missing."""
        return self._sums(
            "team_need",
            "summary_team_need",
            ["area", "occupation_code"],
            ["norm", "missing"],
            self._team_gaps,
        )

    def team_met(self) -> Any:
        """Facilities with a team norm by area (``n``) and how many meet it (``met``)."""

        def per_facility() -> Any:
            gaps = self._team_gaps()
            f = gaps.group_by(area=gaps.area, fid=gaps.facility_id).aggregate(
                missing=gaps.missing.sum()
            )
            return f.mutate(n=1, met=ibis.ifelse(f.missing == 0, 1, 0))

        return self._sums("team_met", "summary_team_met", ["area"], ["met"], per_facility)

    def _posts(self) -> Any:
        """Posts per facility and occupation, computed once (Spark)."""
        return self._keep("posts", lambda: posts_by_facility(self.src, self.on))

    def _team_gaps(self) -> Any:
        """Per open facility with a norm and per occupation, computed once (Spark)."""
        return self._keep("team_gaps", lambda: team_gaps(self.src, self._posts()).mutate(n=1))

    def _sums(
        self, name: str, summary: str, dims: list[str], measures: list[str], rows: Any
    ) -> Any:
        """``measures`` (and ``n``, the rows or workers counted) summed by ``dims``: from the
        stored ``summary``, or from ``rows()`` (each counting one where they have no ``n``)."""
        if self.stored:
            t = self._summary(summary)
            if self.level == "state":
                return t
            return self._keep(name, lambda: _sum(t, dims, ["n", *measures]))

        def compute() -> Any:
            t = rows()
            t = t if "n" in t.columns else t.mutate(n=1)
            return _sum(self.at_level(t), dims, ["n", *measures])

        return self._keep(name, compute)

    def release(self) -> None:
        """Drop the temporary tables of the run."""
        for drop in self._drops:
            drop()
        self._kept.clear()
        self._drops.clear()

    def per_population(self, counts: Any, level: str | None = None) -> Any:
        """``counts`` (area, grp, numerator) over the population of their area (at the run's
        level, or ``level``)."""
        pop = population(self.src, self.year, level or self.level)
        j = counts.join(pop, counts.area == pop.area_code)
        return j.select(
            area=counts.area,
            grp=counts.grp,
            category=lit(""),
            numerator=j.numerator,
            denominator=j.population,
        )


def _sum(t: Any, dimensions: list[str], measures: list[str]) -> Any:
    """``measures`` summed by ``dimensions`` (fewer rows for indicators that need no more)."""
    return t.group_by([t[d] for d in dimensions]).aggregate(**{m: t[m].sum() for m in measures})


def lit(value: str) -> Any:
    """A constant column (a category, a group name)."""
    return ibis.literal(value)


def count(t: Any, condition: Any = None) -> Any:
    """How many workers (or events) the rows of a counted table stand for, where
    ``condition`` holds."""
    return t.n.sum() if condition is None else ibis.ifelse(condition, t.n, 0).sum()


def by_state(ctx: Context, t: Any, area_id: Any) -> Any:
    """``t`` with the column ``area``: the state of ``area_id``, or the country."""
    return ctx.at_level(in_state(ctx.src, t, area_id))
