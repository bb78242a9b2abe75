"""Counts that tell what a registry holds (``healthforce status``)."""

from __future__ import annotations

from sqlalchemy import Engine, func, inspect, select

from healthforce.store.models import Area, AreaPopulation, ChangeSet, Facility, SummaryYear, Worker
from healthforce.store.registry import table_of
from healthforce.store.schema import ENTITIES


def entity_counts(engine: Engine) -> dict[str, int]:
    """Rows per entity."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("worker"):
            return {}
        return {
            name: conn.execute(select(func.count()).select_from(table_of(spec))).scalar_one()
            for name, spec in ENTITIES.items()
        }


def by_state(engine: Engine) -> list[tuple[str, str, int, int]]:
    """(state code, name, facilities, active workers by residence) per state-level area."""
    with engine.connect() as conn:
        fac = dict(
            conn.execute(select(Facility.area_id, func.count()).group_by(Facility.area_id)).all()
        )
        wrk = dict(
            conn.execute(
                select(Worker.residence_area_id, func.count())
                .where(Worker.status == "active")
                .group_by(Worker.residence_area_id)
            ).all()
        )
        areas = conn.execute(
            select(Area.id, Area.code, Area.name).where(Area.level == "state").order_by(Area.code)
        ).all()
    return [(code, name, fac.get(i, 0), wrk.get(i, 0)) for i, code, name in areas]


def change_sets(engine: Engine, limit: int = 5) -> list[tuple[int, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(ChangeSet.id, ChangeSet.actor, ChangeSet.source)
            .order_by(ChangeSet.id.desc())
            .limit(limit)
        ).all()
    return [(int(i), str(a), str(s)) for i, a, s in rows]


def indicator_years(engine: Engine) -> list[tuple[int, bool]]:
    """The years whose indicator summaries the store keeps, and whether each is stale."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("summary_year"):
            return []
        rows = conn.execute(select(SummaryYear.year, SummaryYear.stale).order_by(SummaryYear.year))
        return [(int(year), bool(stale)) for year, stale in rows]


def latest_population_year(engine: Engine) -> int | None:
    """The latest year with population figures: the year the observatory shows by default."""
    with engine.connect() as conn:
        year = conn.execute(select(func.max(AreaPopulation.year))).scalar()
    return None if year is None else int(year)
