"""A tiny hand-built registry for store tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select

from healthforce.ingest.reference import seed_reference
from healthforce.store.models import Base
from healthforce.store.registry import Registry

AREAS = {
    "code": ["XX", "XX-A", "XX-B", "XX-A-1"],
    "name": ["Country", "State A", "State B", "Municipality A1"],
    "level": ["country", "state", "state", "municipality"],
    "parent": [None, "XX", "XX", "XX-A"],
}
FACILITIES = {
    "code": ["F1", "F2"],
    "name": ["Centro 1", "Hospital 2"],
    "type": ["primary_care_centre", "general_hospital"],
    "level_of_care": ["1", "2"],
    "ownership": ["public", "public"],
    "area": ["XX-A-1", "XX-B"],
    "latitude": [10.0, 9.5],
    "longitude": [-66.0, -67.0],
}
WORKERS = {
    "external_id": ["W1", "W2"],
    "sex": ["F", "M"],
    "birth_date": [dt.date(1980, 5, 1), dt.date(1975, 1, 31)],
    "occupation": ["2211", "2221"],
    "status": ["active", "active"],
    "training_country": ["VEN", "CUB"],
}
POSTS = {
    "external_id": ["P1", "P2"],
    "facility": ["F1", "F2"],
    "occupation": ["2211", "2221"],
    "funded": [True, True],
}


def build_small(engine: Engine) -> Registry:
    registry = Registry(engine)
    with registry.change(actor="test", source="helpers") as change:
        seed_reference(change)
        change.upsert("areas", AREAS)
        change.upsert("facilities", FACILITIES)
        change.upsert("workers", WORKERS)
        change.upsert("posts", POSTS)
    return registry


def snapshot(engine: Engine) -> dict[str, int]:
    """Row counts of every table, audit included."""
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in Base.metadata.tables.items()
        }
