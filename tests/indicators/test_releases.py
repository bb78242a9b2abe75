"""Releases: a published catalogue is frozen (read back exactly, checked by its checksum),
publishing again changes nothing unless the registry did, and a new release lists what it
revised, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, update

from healthforce.errors import NotFoundError
from healthforce.indicators import releases as rel
from healthforce.store.models.release import ReleaseValue
from healthforce.store.registry import Registry
from tests.indicators import golden


@pytest.fixture
def golden_db(db: Engine) -> Engine:
    golden.build(db)
    return db


def _value(table: object, code: str, level: str, area: str) -> float:
    t = table  # a DataFrame
    row = t[(t.code == code) & (t.level == level) & (t.area == area) & (t.grp == "all")]  # type: ignore[attr-defined]
    return float(row["value"].iloc[0])


def test_publish_freeze_revise(golden_db: Engine) -> None:
    first = rel.publish(golden_db, 2023, actor="ana", threshold=1)
    assert first.new and first.previous is None and first.rows > 0
    published = rel.read(golden_db, first.release_id)
    assert rel.verify(golden_db, first.release_id)
    assert _value(published, "DENSITY", "state", "VE-A") == pytest.approx(2.0)  # G1 G5
    # publishing again with nothing changed is the same release
    again = rel.publish(golden_db, 2023, actor="ana", threshold=1)
    assert (again.release_id, again.new) == (first.release_id, False)
    # a worker recorded later, who entered in 2023 in state A: a new release revises 2023
    with Registry(golden_db).change(actor="t", source="late entry") as change:
        change.upsert(
            "workers",
            {
                "external_id": ["G9"],
                "sex": ["F"],
                "occupation": ["2221"],
                "residence_area": ["VE-A"],
                "status": ["active"],
            },
        )
        change.upsert(
            "movements",
            {
                "external_id": ["M12"],
                "worker": ["G9"],
                "kind": ["entry"],
                "date": [dt.date(2023, 5, 1)],
                "destination_area": ["VE-A"],
            },
        )
    second = rel.publish(golden_db, 2023, actor="ana", threshold=1)
    assert second.new and second.previous == first.release_id
    revised = rel.revisions(golden_db, second.release_id)
    density = revised[
        (revised.code == "DENSITY") & (revised.area == "VE-A") & (revised.grp == "all")
    ]
    assert density[["before", "after"]].to_numpy().ravel().tolist() == pytest.approx([2.0, 3.0])
    # the first release still reads as it was published
    assert rel.read(golden_db, first.release_id).equals(published)
    assert [r.id for r in rel.releases(golden_db)] == [second.release_id, first.release_id]
    assert rel.releases(golden_db)[0].sources[0]["what"] == "population"
    # a tampered figure no longer matches the checksum
    with golden_db.begin() as conn:
        conn.execute(
            update(ReleaseValue)
            .where(ReleaseValue.release_id == first.release_id, ReleaseValue.code == "DENSITY")
            .values(value=99.0)
        )
    assert not rel.verify(golden_db, first.release_id)
    with pytest.raises(NotFoundError):
        rel.read(golden_db, 9999)
