"""Reverting a change set through the audit log restores the registry table by table, is itself
revertible, and is refused (writing nothing) when later changes depend on it; on SQLite and
PostgreSQL (the ``db`` fixture)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from healthforce.errors import NotFoundError, ValidationError
from healthforce.store.models import ChangeSet
from healthforce.store.registry import Registry
from healthforce.store.revert import revert
from healthforce.store.schema import ENTITIES
from tests.store.helpers import build_small, snapshot

D = dt.date


def tables(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every registry table's rows, sorted: what "exactly as before" compares."""
    from healthforce.store.registry import table_of

    out = {}
    with engine.connect() as conn:
        for spec in ENTITIES.values():
            table = table_of(spec)
            rows = conn.execute(select(table)).all()
            out[spec.table] = sorted((tuple(r) for r in rows), key=repr)
    return out


def _last_change_set(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(ChangeSet.id))).scalar_one())


def _mixed_change(registry: Registry) -> None:
    """Inserts (with references between them), updates and deletes in one change set."""
    with registry.change(actor="t", source="mixed") as c:
        c.upsert(
            "workers",
            {
                "external_id": ["W3"],
                "sex": ["F"],
                "birth_date": [D(1990, 2, 3)],
                "occupation": ["2211"],
                "status": ["active"],
            },
        )
        c.upsert("posts", {"external_id": ["P3"], "facility": ["F1"], "occupation": ["2211"]})
        c.upsert(
            "assignments",
            {
                "external_id": ["A3"],
                "worker": ["W3"],
                "post": ["P3"],
                "start_date": [D(2024, 1, 1)],
            },
        )
        c.update("workers", "W1", {"sex": "M", "status": "retired", "status_date": D(2024, 6, 1)})
        c.update("facilities", "F2", {"name": "Hospital Dos"})
        c.delete("posts", "P2")


def test_a_revert_restores_every_table_and_can_itself_be_reverted(db: Engine) -> None:
    registry = build_small(db)
    before = tables(db)
    _mixed_change(registry)
    mixed = _last_change_set(db)
    after = tables(db)
    assert after != before
    done = revert(db, mixed, actor="t")
    assert done.deleted == {"workers": 1, "posts": 1, "assignments": 1}
    assert (done.restored, done.reinserted) == (2, 1)
    assert tables(db) == before  # row for row: ids, change sets and values
    revert(db, done.by, actor="t")  # the revert is a change set like any other
    assert tables(db) == after


def test_a_dry_run_writes_nothing(db: Engine) -> None:
    registry = build_small(db)
    _mixed_change(registry)
    mixed = _last_change_set(db)
    counts, rows = snapshot(db), tables(db)
    done = revert(db, mixed, actor="t", dry_run=True)
    assert done.deleted and done.restored
    assert snapshot(db) == counts and tables(db) == rows


def test_later_changes_that_depend_on_it_refuse_the_revert(db: Engine) -> None:
    registry = build_small(db)
    _mixed_change(registry)
    mixed = _last_change_set(db)
    with registry.change(actor="t", source="later") as c:
        c.update("workers", "W3", {"sex": "M"})  # a record it added, edited later
        c.upsert(  # a record added later that refers to one it added
            "movements",
            {"external_id": ["M9"], "worker": ["W3"], "kind": ["entry"], "date": [D(2024, 1, 1)]},
        )
        c.upsert("posts", {"external_id": ["P2"], "facility": ["F2"], "occupation": ["2221"]})
    counts = snapshot(db)
    with pytest.raises(ValidationError) as refused:
        revert(db, mixed, actor="t")
    reasons = " | ".join(p.reason for p in refused.value.problems)
    assert "workers W3: update in the later change set" in reasons
    assert "movement record(s) added later refer to worker" in reasons
    assert "posts P2: added again since" in reasons
    assert snapshot(db) == counts  # nothing written, not even a change set


def test_a_revert_is_refused_twice_and_an_unknown_change_set_is_named(db: Engine) -> None:
    registry = build_small(db)
    _mixed_change(registry)
    mixed = _last_change_set(db)
    revert(db, mixed, actor="t")
    with pytest.raises(ValidationError, match="later change set"):
        revert(db, mixed, actor="t")
    with pytest.raises(NotFoundError, match="change set 999"):
        revert(db, 999, actor="t")


def test_a_whole_build_is_undone_and_redone_row_for_row(db: Engine) -> None:
    """The first change set (reference lists, an area tree, facilities, workers, posts) taken
    out and put back: parents before children, areas after the areas they belong to."""
    build_small(db)
    built = tables(db)
    first = _last_change_set(db)
    undone = revert(db, first, actor="t")
    assert all(not rows for rows in tables(db).values())
    redone = revert(db, undone.by, actor="t")
    assert redone.reinserted == sum(len(rows) for rows in built.values())
    assert tables(db) == built
