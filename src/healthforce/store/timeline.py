"""The registry's time axis: what dates its data cover, and its reference date.

The registry holds dated facts about the workforce: movements (entries, exits, transfers,
emigration and returns), assignments to posts (start dates) and status changes. The years from
the earliest of those facts to the latest are the years its data cover; a figure for a year
outside them would be computed from nothing and is refused. The **reference date** is the date of
the latest fact: commands and pages default to it (never to the machine's today).

This is where "as of a date" is defined for the store; the readers that answer for a date ask
here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, func, select, union_all

from healthforce.errors import OutsideDataError
from healthforce.store.models import Assignment, Movement, Worker


@dataclass(frozen=True)
class Coverage:
    """The first and last date of the registry's dated facts."""

    first: dt.date
    last: dt.date

    @property
    def years(self) -> range:
        return range(self.first.year, self.last.year + 1)

    def __str__(self) -> str:
        return f"{self.first.year}–{self.last.year}"


def coverage(engine: Engine) -> Coverage | None:
    """The dates the registry's data cover, or None for a registry with no dated facts."""
    facts = union_all(
        select(func.min(Movement.date).label("first"), func.max(Movement.date).label("last")),
        select(func.min(Assignment.start_date), func.max(Assignment.start_date)),
        select(func.min(Worker.status_date), func.max(Worker.status_date)),
    ).subquery()
    with engine.connect() as conn:
        first, last = conn.execute(select(func.min(facts.c.first), func.max(facts.c.last))).one()
    if first is None or last is None:
        return None
    return Coverage(_date(first), _date(last))


def reference_date(engine: Engine) -> dt.date | None:
    """The date of the registry's latest dated fact (None when it has none)."""
    covered = coverage(engine)
    return None if covered is None else covered.last


def check_year(engine: Engine, year: int) -> Coverage:
    """The registry's coverage, or OutsideDataError when ``year`` lies outside it."""
    covered = coverage(engine)
    if covered is None:
        raise OutsideDataError(
            year, None, "the registry has no dated data yet / el registro aún no tiene datos"
        )
    if year not in covered.years:
        raise OutsideDataError(
            year,
            (covered.first.year, covered.last.year),
            f"{year} is outside the registry's data ({covered}) / {year} está fuera de los "
            f"datos del registro ({covered})",
        )
    return covered


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])  # SQLite returns a union's dates as text
