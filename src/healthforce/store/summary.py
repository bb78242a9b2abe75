"""Counts that tell what a registry holds (``healthforce status``)."""

from __future__ import annotations

from sqlalchemy import Engine, func, inspect, select

from healthforce.store.models import Area, ChangeSet, Facility, Worker
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
