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
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Integer, func, select, text, union_all

from healthforce.errors import OutsideDataError
from healthforce.store.columns import unbound_table
from healthforce.store.models import Assignment, Movement, Worker


@dataclass(frozen=True)
class Coverage:
    """The first and last date of the registry's dated facts."""

    first: dt.date
    last: dt.date

    @property
    def years(self) -> range:
        return range(self.first.year, self.last.year + 1)

    @property
    def last_full_year(self) -> int:
        """The latest year whose 31 December the data reach (what figures default to)."""
        if (self.last.month, self.last.day) == (12, 31) or self.last.year == self.first.year:
            return self.last.year
        return self.last.year - 1

    def __str__(self) -> str:
        return f"{self.first.year}–{self.last.year}"


def coverage(engine: Engine) -> Coverage | None:
    """The dates the registry's data cover, or None for a registry with no dated facts."""
    dated = (Movement.date, Assignment.start_date, Worker.status_date)
    # one aggregate per query: each is then read from its column's index, not a scan
    firsts = union_all(*(select(func.min(c).label("day")) for c in dated)).subquery()
    lasts = union_all(*(select(func.max(c).label("day")) for c in dated)).subquery()
    with engine.connect() as conn:
        first = conn.execute(select(func.min(firsts.c.day))).scalar()
        last = conn.execute(select(func.max(lasts.c.day))).scalar()
    if first is None or last is None:
        return None
    return Coverage(_date(first), _date(last))


def reference_date(engine: Engine) -> dt.date | None:
    """The date of the registry's latest dated fact (None when it has none)."""
    covered = coverage(engine)
    return None if covered is None else covered.last


def check_year(engine: Engine, year: int, covered: Coverage | None = None) -> Coverage:
    """The registry's coverage (``covered`` when the caller has it: reading it scans the dated
    tables), or OutsideDataError when ``year`` lies outside it."""
    covered = covered or coverage(engine)
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


#: Movements that bring a worker into the workforce, and those that take one out of it.
INTO = ("entry", "return")
OUT_OF = ("exit", "emigration")
#: Statuses of a worker in the workforce.
ACTIVE_STATUSES = ("active", "on_leave")


def in_workforce(table: Callable[[str], Any], on: dt.date, only: Any = None) -> Any:
    """The workers in the workforce on ``on`` (an Ibis table of ``worker_id``), from the dated
    history, never from today's status alone. ``table`` gives the registry's tables by name (as
    Ibis tables); ``only``, an Ibis table with ``worker_id``, restricts the answer to them.

    A worker is in the workforce on a date when they had joined it by then and had not left it:

    - *joined*: the earliest of their first entry or return movement and their first
      assignment's start; with neither, their qualification date; with none of these, they are
      taken to have been there all along (a registry without history);
    - *left*: their latest exit or emigration up to the date is not followed by a return or an
      entry up to the date; a worker whose status says they are out (retired, emigrated,
      deceased, left the sector) with no exit movement at all left on their status date, or, with
      none, before every date.
    """
    import ibis

    w, m, a = table("worker"), table("movement"), table("assignment")
    if only is not None:
        w = w.filter(w.id.isin(only.worker_id))
        m = m.filter(m.worker_id.isin(only.worker_id))
        a = a.filter(a.worker_id.isin(only.worker_id))
    into, out = m.kind.isin(list(INTO)), m.kind.isin(list(OUT_OF))
    by_worker = m.group_by(mw=m.worker_id).aggregate(
        first_in=ibis.ifelse(into, m.date, ibis.null("date")).min(),
        last_in=ibis.ifelse(into & (m.date <= on), m.date, ibis.null("date")).max(),
        last_out=ibis.ifelse(out & (m.date <= on), m.date, ibis.null("date")).max(),
        outs=ibis.ifelse(out, 1, 0).sum(),
    )
    starts = a.group_by(aw=a.worker_id).aggregate(first_start=a.start_date.min())
    j = w.left_join(by_worker, w.id == by_worker.mw).left_join(starts, w.id == starts.aw)
    first = ibis.cases(
        (j.first_in.isnull(), j.first_start),
        (j.first_start.isnull(), j.first_in),
        (j.first_in <= j.first_start, j.first_in),
        else_=j.first_start,
    )
    joined = ibis.coalesce(first, j.qualification_date)
    left_by_movement = j.last_out.notnull() & (j.last_in.isnull() | (j.last_in < j.last_out))
    left_by_status = (
        ~j.status.isin(list(ACTIVE_STATUSES))
        & (j.outs.fill_null(0) == 0)
        & (j.status_date.isnull() | (j.status_date <= on))
    )
    born = j.birth_date.isnull() | (j.birth_date <= on)  # nobody works before their birth
    present = born & (joined.isnull() | (joined <= on)) & ~left_by_movement & ~left_by_status
    return j.filter(present).select(worker_id=j.id)


def changed_during(table: Callable[[str], Any], year: int) -> Any:
    """The workers (an Ibis table of ``worker_id``) whose facts on 31 December of ``year`` may
    differ from theirs on 31 December of the year before, other than their age (a year more):
    those with a dated fact after the one date and up to the other. Every date the workforce
    on a date is read from counts: movements; the start of an assignment, and its end (an
    assignment runs on its end date); qualification, status and birth dates; course
    completions, and the end of their validity (a completion counts up to the year its
    validity ends). A worker outside this set has, in ``year``, the facts of the year before.
    It is :func:`facts_changed_during` and :func:`completions_changed_during` together.
    """
    return facts_changed_during(table, year).union(
        completions_changed_during(table, year), distinct=True
    )


def _within(year: int) -> Callable[[Any], Any]:
    after, until = dt.date(year - 1, 12, 31), dt.date(year, 12, 31)
    return lambda column: (column > after) & (column <= until)


def _assignments_changed_during(table: Callable[[str], Any], year: int) -> Any:
    """The assignments that start during ``year`` or end with the year before or during it
    (an assignment runs on its end date): those running on 31 December of the one year and
    not the other."""
    after, until = dt.date(year - 1, 12, 31), dt.date(year, 12, 31)
    a = table("assignment")
    ended = (a.end_date >= after) & (a.end_date < until)
    return a.filter(_within(year)(a.start_date) | ended)


def facts_changed_during(table: Callable[[str], Any], year: int) -> Any:
    """The workers with a dated fact during ``year`` other than course completions: the ones
    whose place in the workforce, post, facility or area may have changed (see
    :func:`changed_during`)."""
    within = _within(year)
    w, m = table("worker"), table("movement")
    a = _assignments_changed_during(table, year)
    parts = [
        m.filter(within(m.date)).select(worker_id=m.worker_id),
        a.select(worker_id=a.worker_id),
        w.filter(
            within(w.qualification_date) | within(w.status_date) | within(w.birth_date)
        ).select(worker_id=w.id),
    ]
    found = parts[0]
    for part in parts[1:]:
        found = found.union(part, distinct=True)
    return found


def completions_changed_during(table: Callable[[str], Any], year: int) -> Any:
    """The workers with a course completed during ``year``, or whose completion's validity
    ended with the year before: the ones whose learning pathway may have changed, and nothing
    else (see :func:`changed_during`)."""
    within = _within(year)
    done, course = table("completion"), table("course")
    lapsed = done.join(course, done.course_code == course.code)
    lapsed = lapsed.filter(
        within(lapsed.completed_on) | ((lapsed.completed_on.year() + lapsed.validity_years) == year)
    )
    return lapsed.select(worker_id=lapsed.worker_id).distinct()


_DIALECTS = {"postgresql": "postgres", "sqlite": "sqlite"}


@functools.lru_cache(maxsize=64)
def _workforce_sql(dialect: str, on: dt.date) -> str:
    import ibis

    return str(ibis.to_sql(in_workforce(unbound_table, on), dialect=_DIALECTS[dialect]))


def workforce_on(dialect: str, on: dt.date) -> Any:
    """:func:`in_workforce` compiled for a SQLAlchemy reader: a subquery with ``worker_id``,
    for ``Worker.id.in_(select(workforce_on(conn.dialect.name, day).c.worker_id))``."""
    return text(_workforce_sql(dialect, on)).columns(worker_id=Integer).subquery("in_workforce")
