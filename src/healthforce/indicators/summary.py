"""The store's indicator summaries (:mod:`healthforce.store.models.summary`): built per year,
kept current by every change to the registry, read by the catalogue on SQLite and PostgreSQL.

The rows come from the same Ibis definitions the catalogue runs on Spark
(:mod:`healthforce.indicators.facts`), compiled to the store's SQL dialect over unbound tables
and run on the connection of the transaction at hand, so a change and its summaries commit or
roll back together.

- :func:`current` makes a year's summaries current before the catalogue reads them: built the
  first time a year is asked for, rebuilt when stale, otherwise left as they are.
- :func:`keep_current` runs at the end of every change (:func:`healthforce.store.upkeep.on_change`):
  the workers whose facts the change may alter (the workers, assignments, completions and
  movements it touched; the holders of posts and facilities it touched) have their rows taken
  out of the counts, recomputed and counted again; the facilities it touched have their posts
  and team gaps recomputed. Changes to the area tree, to learning pathways and courses, to team
  norms, or touching more than :data:`LARGEST_DELTA` workers mark the summaries stale instead,
  to be rebuilt in one pass when next read (or by :func:`refresh` at the end of an import).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ibis
from sqlalchemy import Connection, Engine, delete, insert, select, update

from healthforce.indicators.backends import LOOKUPS, Unbound, lookup_rows
from healthforce.indicators.facts import (
    MOVEMENT_DIMENSIONS,
    movement_facts,
    posts_by_facility,
    team_gaps,
)
from healthforce.indicators.snapshot import CUBE_DIMENSIONS, pathways, workforce
from healthforce.store.areas import registry_country, states
from healthforce.store.batches import chunks
from healthforce.store.columns import unbound_table
from healthforce.store.models import Base, SummaryYear
from healthforce.store.timeline import (
    completions_changed_during,
    facts_changed_during,
)
from healthforce.store.upkeep import Touched

#: Above this many workers touched, a change marks the summaries stale rather than updating them
#: row by row (one rebuild is then faster).
LARGEST_DELTA = 50_000
#: Tables whose change may alter the facts of workers the change does not name.
REBUILD_ON = frozenset({"area", "pathway", "pathway_course", "course", "team_norm"})


@dataclass(frozen=True)
class Rollup:
    """A summary summed from a row-by-row one (``facts``) by ``dims``: each measure an SQL
    aggregate, the first one (``n``) counting rows so that a cell left with none is dropped.
    ``per_facility``: the facts are first summed per facility (facilities meeting a norm)."""

    table: str
    facts: str
    key: str  # what a change's rows are selected by: worker_id or facility_id
    dims: tuple[str, ...]
    measures: tuple[tuple[str, str], ...] = (("n", "COUNT(*)"),)
    per_facility: bool = False


_ROWS = (("n", "COUNT(*)"),)
ROLLUPS = (
    Rollup(
        "summary_workforce",
        "summary_worker",
        "worker_id",
        tuple(d for d in CUBE_DIMENSIONS if d != "age"),
    ),
    Rollup("summary_age", "summary_worker", "worker_id", ("area", "grp", "age")),
    Rollup("summary_flow", "summary_movement", "worker_id", MOVEMENT_DIMENSIONS),
    Rollup(
        "summary_vacancy",
        "summary_post",
        "facility_id",
        ("area", "occupation_code"),
        (*_ROWS, ("funded", "SUM(funded)"), ("vacant", "SUM(vacant)")),
    ),
    Rollup(
        "summary_team_need",
        "summary_team",
        "facility_id",
        ("area", "occupation_code"),
        (*_ROWS, ("norm", "SUM(norm)"), ("missing", "SUM(missing)")),
    ),
    Rollup(
        "summary_team_met",
        "summary_team",
        "facility_id",
        ("area",),
        (*_ROWS, ("met", "SUM(CASE WHEN missing = 0 THEN 1 ELSE 0 END)")),
        per_facility=True,
    ),
)
FACTS = ("summary_worker", "summary_movement", "summary_post", "summary_team")
#: Every summary table with rows per year.
TABLES = (*FACTS, *(r.table for r in ROLLUPS))
_ONLY_WORKERS, _ONLY_FACILITIES = "hf_only_workers", "hf_only_facilities"
#: The workers whose learning pathway alone may have changed during a carried year.
_PATHWAY_WORKERS = "hf_pathway_workers"
PATHWAY = "pathway"


def _q(name: str) -> str:
    return f'"{name}"'


class _Run:
    """SQL for one year's summaries on one open connection."""

    def __init__(self, conn: Connection, year: int, home: str) -> None:
        self.conn, self.year, self.home = conn, year, home
        self.dialect = "postgres" if conn.dialect.name == "postgresql" else "sqlite"

    def sql(self, statement: str) -> None:
        self.conn.exec_driver_sql(statement)

    def insert(self, table: str, restricted: bool = False) -> None:
        """``INSERT INTO table`` its rows (of the workers or facilities in ``hf_only_*`` when
        ``restricted``)."""
        self.sql(_insert_sql(table, self.dialect, self.year, self.home, restricted))

    def roll_up(
        self, facts: str, sign: str = "", only: str = "", aged: bool = False, by: str = ""
    ) -> None:
        """Add (``sign`` "") or take out ("-") the year's rows of ``facts`` (of the workers or
        facilities in the table ``only``, when given) to or from the summaries summed from
        them (only those counted by the dimension ``by``, when given). ``aged``: the rows of the
        year before instead, a year older, into this year's summaries (what carrying a year
        over takes out for the workers it recomputes)."""
        for r in (r for r in ROLLUPS if r.facts == facts and (not by or by in r.dims)):
            where = f"year = {self.year - 1 if aged else self.year}"
            if only:
                where += f" AND {r.key} IN (SELECT {r.key} FROM {only})"
            source = facts
            if r.per_facility:
                source = (
                    f"(SELECT year, area, facility_id, SUM(missing) AS missing FROM {facts} "
                    f"WHERE {where} GROUP BY year, area, facility_id) AS per_facility"
                )
            cols = ", ".join(map(_q, r.dims))
            picked = ", ".join(_older(d) if aged else _q(d) for d in r.dims)
            names = ", ".join(name for name, _ in r.measures)
            sums = ", ".join(f"{sign}{agg}" for _, agg in r.measures)
            statement = (
                f"INSERT INTO {r.table} (year, {cols}, {names}) "
                f"SELECT {self.year}, {picked}, {sums} "
                f"FROM {source} WHERE {where if not r.per_facility else 'TRUE'} "
                f"GROUP BY {picked}"
            )
            if only:
                added = ", ".join(f"{m} = {r.table}.{m} + excluded.{m}" for m, _ in r.measures)
                statement += f" ON CONFLICT (year, {cols}) DO UPDATE SET {added}"
                self.sql(statement)
                self.sql(f"DELETE FROM {r.table} WHERE year = {self.year} AND n = 0")
            else:
                self.sql(statement)

    def carry_over(self, table: str, key: str = "", only: str = "") -> None:
        """Copy the year before's rows of ``table`` into this year, a year older (of the
        workers or facilities not in the table ``only``, by ``key``, when given)."""
        columns = [c.name for c in Base.metadata.tables[table].columns]
        picked = [str(self.year) if c == "year" else _older(c) for c in columns]
        where = f"year = {self.year - 1}"
        if only:
            where += f" AND {key} NOT IN (SELECT {key} FROM {only})"
        self.sql(
            f"INSERT INTO {table} ({', '.join(map(_q, columns))}) "
            f"SELECT {', '.join(picked)} FROM {table} WHERE {where}"
        )

    def carry_facts(self, facts: str, key: str, only: str) -> None:
        """``facts`` of this year: the year before's rows carried over, but those of the
        workers or facilities in ``only`` (by ``key``) computed again, and the summaries summed
        from them carried over and adjusted by the difference."""
        self.carry_over(facts, key, only)
        self.insert(facts, restricted=True)
        for r in (r for r in ROLLUPS if r.facts == facts):
            self.carry_over(r.table)
        self.roll_up(facts, "-", only, aged=True)
        self.roll_up(facts, "", only)

    def delete(self, table: str, column: str = "", only: str = "") -> None:
        where = f"year = {self.year}"
        if only:
            where += f" AND {column} IN (SELECT {column} FROM {only})"
        self.sql(f"DELETE FROM {table} WHERE {where}")

    def build(self) -> None:
        """Every summary of the year from the registry."""
        for table in TABLES:
            self.delete(table)
        for facts in FACTS:
            self.insert(facts)
            self.roll_up(facts)

    def carry(self) -> None:
        """Every summary of the year from those of the year before (current): the workers
        whose facts may have changed during the year (:func:`facts_changed_during`)
        recomputed; those whose only dated facts of the year are course completions or their
        lapse (:func:`completions_changed_during`: often most of the changed) carried over
        with their learning pathway alone read again; the others' rows carried over a year
        older, with the counts summed from them; the year's movements, posts and teams
        computed as :meth:`build` does (carrying posts over for the facilities whose staff did
        not change was tried: finding the others' posts by index is slower than reading them
        all)."""
        for table in TABLES:
            self.delete(table)
        _drop(self.conn, [_ONLY_WORKERS, _PATHWAY_WORKERS])
        for name in (_ONLY_WORKERS, _PATHWAY_WORKERS):
            self.sql(f"CREATE TEMPORARY TABLE {name} (worker_id BIGINT PRIMARY KEY)")
        self.sql(f"INSERT INTO {_ONLY_WORKERS} (worker_id) {_changed_sql(self.dialect, self.year)}")
        self.sql(
            f"INSERT INTO {_PATHWAY_WORKERS} (worker_id) "
            f"SELECT worker_id FROM ({_completed_sql(self.dialect, self.year)}) AS completed "
            f"WHERE worker_id NOT IN (SELECT worker_id FROM {_ONLY_WORKERS})"
        )
        try:
            self.carry_facts("summary_worker", "worker_id", _ONLY_WORKERS)
            self.roll_up("summary_worker", "-", _PATHWAY_WORKERS, by=PATHWAY)
            self.sql(_pathway_sql(self.dialect, self.year))
            self.roll_up("summary_worker", "", _PATHWAY_WORKERS, by=PATHWAY)
        finally:
            _drop(self.conn, [_ONLY_WORKERS, _PATHWAY_WORKERS])
        for facts in FACTS[1:]:
            self.insert(facts)
            self.roll_up(facts)

    def update(self, workers: bool, facilities: bool) -> None:
        """Recompute the rows of the workers in ``hf_only_workers`` and of the facilities in
        ``hf_only_facilities``."""
        for facts, key, only, touched in (
            ("summary_worker", "worker_id", _ONLY_WORKERS, workers),
            ("summary_movement", "worker_id", _ONLY_WORKERS, workers),
            ("summary_post", "facility_id", _ONLY_FACILITIES, facilities),
            ("summary_team", "facility_id", _ONLY_FACILITIES, facilities),
        ):
            if touched:  # posts before teams: a team's staff is read from its posts
                self.roll_up(facts, "-", only)
                self.delete(facts, key, only)
                self.insert(facts, restricted=True)
                self.roll_up(facts, "", only)


def _older(column: str) -> str:
    """A summary column a year later: an age a year more (unknown stays unknown)."""
    if column == "age":
        return 'CASE WHEN "age" >= 0 THEN "age" + 1 ELSE "age" END'
    return _q(column)


#: The year each statement is compiled for, then written as the year asked for: compiling a
#: statement costs about 0.1 s, so ten years would pay it ten times over
#: (:mod:`healthforce.indicators.templates` does the same for the catalogue).
STAND_IN = 9999
_STAND_INS = re.compile(r"(?<![0-9])999([89])(?![0-9])")


def for_year(text: str, year: int) -> str:
    """A statement compiled for :data:`STAND_IN` written for ``year``: the stand-in as the
    year, the year before it (9998) as the year before (``tests/indicators/test_summary.py``
    checks every statement against the year's own compilation)."""
    return _STAND_INS.sub(lambda m: str(year if m.group(1) == "9" else year - 1), text)


def _changed_sql(dialect: str, year: int) -> str:
    return for_year(_compile_changed(dialect, STAND_IN), year)


def _completed_sql(dialect: str, year: int) -> str:
    return for_year(_compile_completed(dialect, STAND_IN), year)


def _pathway_sql(dialect: str, year: int) -> str:
    return for_year(_compile_pathway(dialect, STAND_IN), year)


def _insert_sql(table: str, dialect: str, year: int, home: str, restricted: bool) -> str:
    return for_year(_compile_insert(table, dialect, STAND_IN, home, restricted), year)


@functools.lru_cache(maxsize=64)
def _compile_changed(dialect: str, year: int) -> str:
    """The workers whose facts other than completions may have changed during the year
    (compiled once per process)."""
    return str(ibis.to_sql(facts_changed_during(unbound_table, year), dialect=dialect))


@functools.lru_cache(maxsize=64)
def _compile_completed(dialect: str, year: int) -> str:
    """The workers with a completion, or its lapse, during the year."""
    return str(ibis.to_sql(completions_changed_during(unbound_table, year), dialect=dialect))


@functools.lru_cache(maxsize=64)
def _compile_pathway(dialect: str, year: int) -> str:
    """The statement reading again the learning pathway of the year's rows of the workers in
    ``hf_pathway_workers``."""
    u = Unbound()
    read = pathways(u, dt.date(year, 12, 31), u.ids(_PATHWAY_WORKERS, "worker_id"))
    body = ibis.to_sql(read, dialect=dialect)
    return (
        f"UPDATE summary_worker SET pathway = COALESCE(fresh.pathway, '') "
        f"FROM ({body}) AS fresh "
        f"WHERE summary_worker.year = {year} AND summary_worker.worker_id = fresh.worker_id"
    )


@functools.lru_cache(maxsize=64)
def _compile_insert(table: str, dialect: str, year: int, home: str, restricted: bool) -> str:
    """The statement filling a row-by-row summary for a year (compiled once per process)."""
    u, on = Unbound(), dt.date(year, 12, 31)
    workers = u.ids(_ONLY_WORKERS, "worker_id") if restricted else None
    facilities = u.ids(_ONLY_FACILITIES, "facility_id") if restricted else None
    if table == "summary_worker":
        expr = workforce(u, on, home, workers)
    elif table == "summary_movement":
        expr = movement_facts(u, year, home, workers)
    elif table == "summary_post":
        expr = posts_by_facility(u, on, facilities)
    else:
        posts = u.table("summary_post")
        expr = team_gaps(u, posts.filter(posts.year == year), facilities)
    columns = [c.name for c in Base.metadata.tables[table].columns]
    expr = expr.mutate(year=ibis.literal(year))
    body = ibis.to_sql(expr.select(**{c: _sentinel(expr[c]) for c in columns}), dialect=dialect)
    return f"INSERT INTO {_q(table)} ({', '.join(map(_q, columns))}) {body}"


def _sentinel(column: Any) -> Any:
    """Unknown text as "", an unknown age as -1, an unknown flag as false (keys are never
    NULL)."""
    if column.type().is_string():
        return column.fill_null("")
    if column.type().is_boolean():
        return column.fill_null(False)
    if column.type().is_integer():
        return column.fill_null(-1)
    return column


def _temporary(conn: Connection, name: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} ({columns})")
    data = list(rows)
    if data:
        marks = ", ".join(["?" if conn.dialect.name == "sqlite" else "%s"] * len(data[0]))
        conn.exec_driver_sql(f"INSERT INTO {name} VALUES ({marks})", data)


def _lookups(conn: Connection) -> list[str]:
    """The area -> state and occupation -> group lookups on ``conn``; their names."""
    for name, rows in lookup_rows(states(conn).of).items():
        _temporary(conn, name, LOOKUPS[name], rows)
    return list(LOOKUPS)


def _drop(conn: Connection, names: list[str]) -> None:
    for name in names:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


def _lock(conn: Connection) -> None:
    """One summary writer at a time on PostgreSQL (SQLite has one writer anyway)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7406311)")


def build(conn: Connection, year: int, home: str, carry: bool = True) -> None:
    """(Re)build the year's summaries on ``conn`` and record them as current: carried over
    from the year before's when those are current (:meth:`_Run.carry`, several times faster)
    unless ``carry`` is false, otherwise from the registry alone.

    On SQLite, the tables' statistics are refreshed first (sampled, a fraction of a second):
    without them SQLite finds a worker's movements through the (kind, date) index, reading the
    whole year's, instead of through the worker's."""
    _lock(conn)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
        conn.exec_driver_sql("ANALYZE")
    before = (
        carry
        and conn.execute(
            select(SummaryYear.home).where(SummaryYear.year == year - 1, ~SummaryYear.stale)
        ).scalar()
    )
    made = _lookups(conn)
    try:
        run = _Run(conn, year, home)
        if before == home:
            run.carry()
        else:
            run.build()
    finally:
        _drop(conn, made)
    conn.execute(delete(SummaryYear).where(SummaryYear.year == year))
    conn.execute(
        insert(SummaryYear).values(
            year=year, home=home, stale=False, built_at=dt.datetime.now(dt.UTC)
        )
    )


#: One summary build at a time in a process: visitors asking at once for a year not yet
#: summarised wait for the first one's build instead of racing it (on SQLite, a second writer
#: that had read first would be refused with "database is locked").
_BUILDING = threading.Lock()


def _is_current(conn: Connection, year: int, home: str) -> bool:
    row = conn.execute(
        select(SummaryYear.home, SummaryYear.stale).where(SummaryYear.year == year)
    ).first()
    return row is not None and not row.stale and row.home == home


def current(engine: Engine, year: int, home: str) -> bool:
    """Make the year's summaries current; whether they had to be (re)built. The check reads
    only; a build takes the process's build lock and, on SQLite, the database's write lock
    before it reads anything (so builders in other processes queue on the busy timeout instead
    of failing), then checks again."""
    with engine.connect() as conn:
        if _is_current(conn, year, home):
            return False
    with _BUILDING, engine.begin() as conn:
        if conn.dialect.name == "sqlite":  # a write first: the write lock, waited for
            conn.execute(
                update(SummaryYear).where(SummaryYear.year == year).values(stale=SummaryYear.stale)
            )
        if _is_current(conn, year, home):  # another visitor built it meanwhile
            return False
        build(conn, year, home)
    return True


def home_of(engine: Engine) -> str:
    """The registry's country (ISO3), "ALL" when it has none: who counts as foreign."""
    return registry_country(engine) or "ALL"


def refresh(engine: Engine) -> list[int]:
    """Rebuild every stale year's summaries (after a large import); the years rebuilt."""
    with engine.connect() as conn:
        years = conn.execute(select(SummaryYear.year).where(SummaryYear.stale)).scalars().all()
    home = home_of(engine)
    for year in sorted(years):  # each from the one before, once that is rebuilt
        with engine.begin() as conn:
            build(conn, year, home)
    return sorted(years)


def _rows(conn: Connection, table: str, touched: Touched, change_set: int) -> list[dict[str, Any]]:
    """The rows of ``table`` the change touched: as they were before (updated or deleted) and
    as they are now (inserted or updated)."""
    t = Base.metadata.tables[table]
    out = list(touched.before.get(table, []))
    for chunk in chunks([r["id"] for r in out]):
        out += [dict(r) for r in conn.execute(select(t).where(t.c.id.in_(chunk))).mappings()]
    for after, up_to in touched.inserted.get(table, []):
        new = select(t).where(t.c.id > after, t.c.id <= up_to, t.c.created_in == change_set)
        out += [dict(r) for r in conn.execute(new.execution_options(yield_per=10_000)).mappings()]
    return out


def affected(
    conn: Connection, change_set: int, touched: Touched
) -> tuple[set[int], set[int]] | None:
    """The workers and facilities whose summary rows the change may alter; None when the
    summaries are better rebuilt."""
    if touched.tables & REBUILD_ON:
        return None
    people = ("worker", "assignment", "completion", "movement", "post", "facility")
    rows = sum(touched.inserted_at_most(t) + len(touched.before.get(t, [])) for t in people)
    if rows > LARGEST_DELTA:
        return None
    workers: set[int] = set()
    facilities: set[int] = set()
    posts: set[int] = set()
    moved: set[int] = set()  # posts whose holders' facts change (facility, occupation)
    for table in people:
        if table not in touched.tables:
            continue
        for r in _rows(conn, table, touched, change_set):
            if table == "worker":
                workers.add(r["id"])
            elif table == "post":
                posts.add(r["id"])
                moved.add(r["id"])
                facilities.add(r["facility_id"])
            elif table == "facility":
                facilities.add(r["id"])
            else:
                workers.add(r["worker_id"])
                if table == "assignment":
                    posts.add(r["post_id"])
    post, assignment = Base.metadata.tables["post"], Base.metadata.tables["assignment"]
    changed_facilities = set(facilities) if "facility" in touched.tables else set()
    for chunk in chunks(sorted(posts)):
        facilities.update(
            conn.execute(select(post.c.facility_id).where(post.c.id.in_(chunk))).scalars()
        )
    holders = select(assignment.c.worker_id).join(post, assignment.c.post_id == post.c.id)
    for chunk in chunks(sorted(moved)):
        workers.update(conn.execute(holders.where(post.c.id.in_(chunk))).scalars())
    for chunk in chunks(sorted(changed_facilities)):
        workers.update(conn.execute(holders.where(post.c.facility_id.in_(chunk))).scalars())
    if len(workers) > LARGEST_DELTA:
        return None
    return workers, facilities


def keep_current(conn: Connection, change_set: int, touched: Touched) -> None:
    """The upkeep of every kept year's summaries after a change (see the module's text)."""
    kept = conn.execute(select(SummaryYear.year, SummaryYear.home).where(~SummaryYear.stale)).all()
    if not kept:
        return
    _lock(conn)
    found = affected(conn, change_set, touched)
    if found is None:
        conn.execute(update(SummaryYear).values(stale=True))
        return
    workers, facilities = found
    if not workers and not facilities:
        return
    made = _lookups(conn)
    _temporary(conn, _ONLY_WORKERS, "worker_id BIGINT PRIMARY KEY", ((w,) for w in workers))
    _temporary(conn, _ONLY_FACILITIES, "facility_id BIGINT PRIMARY KEY", ((f,) for f in facilities))
    try:
        for year, home in kept:
            _Run(conn, year, home).update(bool(workers), bool(facilities))
    finally:
        _drop(conn, [*made, _ONLY_WORKERS, _ONLY_FACILITIES])
