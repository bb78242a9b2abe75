"""The audited write API on SQLite and PostgreSQL: validation, all-or-nothing, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from healthforce.errors import NotFoundError, StoreError, ValidationError
from healthforce.store.audit import as_inserted, history
from healthforce.store.models import AuditEntry, ChangeSet, Worker
from healthforce.store.registry import Registry
from tests.store.helpers import AREAS, WORKERS, build_small, snapshot


def test_writes_are_audited(db: Engine) -> None:
    registry = build_small(db)
    with db.connect() as conn:
        created = conn.execute(
            select(Worker.created_in).where(Worker.external_id == "W1")
        ).scalar_one()
        source = conn.execute(select(ChangeSet.source).where(ChangeSet.id == created)).scalar_one()
        assert conn.execute(select(AuditEntry.id)).first() is None  # inserts: no entries
    assert source == "helpers"
    with registry.change(actor="ana", source="edit form") as change:
        result = change.update("workers", "W1", {"status": "on_leave", "nationality": "VEN"})
    assert result.updated == 1
    records = history(db, "workers", "W1")
    assert [r.action for r in records] == ["insert", "update"]
    assert records[1].actor == "ana"
    assert records[1].before == {"status": "active", "nationality": None}
    assert records[1].after == {"status": "on_leave", "nationality": "VEN"}
    original = as_inserted(db, "workers", "W1")
    assert original["status"] == "active"
    assert original["nationality"] is None
    assert original["birth_date"] == "1980-05-01"


def test_reimport_changes_nothing(db: Engine) -> None:
    registry = build_small(db)
    before = snapshot(db)
    with registry.change(actor="test", source="again") as change:
        result = change.upsert("workers", WORKERS)
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 2)
    after = snapshot(db)
    assert after["worker"] == before["worker"]
    assert after["audit_entry"] == before["audit_entry"]


def test_upsert_updates_changed_rows_only(db: Engine) -> None:
    registry = build_small(db)
    changed = {**WORKERS, "status": ["active", "retired"]}
    with registry.change(actor="test", source="v2") as change:
        result = change.upsert("workers", changed)
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    with db.connect() as conn:
        assert (
            conn.execute(select(Worker.status).where(Worker.external_id == "W2")).scalar_one()
            == "retired"
        )


@pytest.mark.parametrize(
    ("entity", "columns", "field", "reason"),
    [
        pytest.param(
            "workers", {**WORKERS, "sex": ["F", "Q"]}, "sex", "unknown code", id="unknown-code"
        ),
        pytest.param(
            "workers",
            {**WORKERS, "occupation": ["2211", "9999"]},
            "occupation",
            "no such occupations",
            id="unknown-occupation",
        ),
        pytest.param(
            "workers",
            {**WORKERS, "qualification_date": [dt.date(1970, 1, 1), None]},
            "qualification_date",
            "qualified before birth",
            id="qualified-before-birth",
        ),
        pytest.param(
            "workers",
            {k: [v[0], v[0]] for k, v in WORKERS.items()},
            "external_id",
            "duplicate of row 0",
            id="duplicate-in-batch",
        ),
        pytest.param(
            "population",
            {
                "area": ["XX"],
                "year": [2024],
                "sex": ["T"],
                "age_band": ["total"],
                "population": [-5],
            },
            "population",
            "outside",
            id="negative-population",
        ),
        pytest.param(
            "assignments",
            {
                "external_id": ["A1"],
                "worker": ["W1"],
                "post": ["P1"],
                "start_date": ["2024-05-01"],
                "end_date": ["2024-01-01"],
            },
            "end_date",
            "ends before it starts",
            id="assignment-ends-before-start",
        ),
        pytest.param(
            "facilities",
            {
                "code": ["F9"],
                "name": ["x"],
                "type": ["hospital??"],
                "level_of_care": ["1"],
                "ownership": ["public"],
                "area": ["NOPE"],
            },
            "area",
            "no such areas",
            id="missing-area",
        ),
        pytest.param(
            "workers",
            {"external_id": ["W9"], "sex": ["F"], "status": ["active"]},
            "occupation",
            "required column missing",
            id="missing-required-column",
        ),
    ],
)
def test_bad_input_is_rejected_and_leaves_no_trace(
    db: Engine, entity: str, columns: dict[str, list[object]], field: str, reason: str
) -> None:
    registry = build_small(db)
    before = snapshot(db)
    with pytest.raises(ValidationError) as info, registry.change(actor="t", source="bad") as ch:
        ch.upsert(entity, columns)
    problems = [p for p in info.value.problems if p.field == field]
    assert problems, info.value.problems
    assert any(reason in p.reason for p in problems), problems
    assert snapshot(db) == before  # no rows, no audit entries, no change set


def test_duplicate_against_database_in_insert_mode(db: Engine) -> None:
    registry = build_small(db)
    before = snapshot(db)
    with (
        pytest.raises(ValidationError, match="already exists"),
        registry.change(actor="t", source="dup") as change,
    ):
        change.upsert("workers", WORKERS, insert_only=True)
    assert snapshot(db) == before


def test_error_in_the_middle_rolls_everything_back(db: Engine) -> None:
    registry = build_small(db)
    before = snapshot(db)
    with pytest.raises(RuntimeError), registry.change(actor="t", source="crash") as change:
        change.upsert("workers", {**WORKERS, "external_id": ["W7", "W8"]})
        raise RuntimeError("crash half way")
    assert snapshot(db) == before


def test_skip_invalid_writes_the_valid_rows(db: Engine) -> None:
    registry = build_small(db)
    rows = {**WORKERS, "external_id": ["W3", "W4"], "sex": ["F", "?"]}
    with registry.change(actor="t", source="partial") as change:
        result = change.upsert("workers", rows, skip_invalid=True)
    assert (result.inserted, result.skipped) == (1, 1)
    assert result.problems[0].record == "W4"


def test_dry_run_writes_nothing(db: Engine) -> None:
    registry = build_small(db)
    before = snapshot(db)
    new = {
        "code": ["XX-C", "XX-C-1"],
        "name": ["C", "C1"],
        "level": ["state", "municipality"],
        "parent": ["XX", "XX-C"],
    }
    with registry.change(actor="t", source="dry") as change:
        result = change.upsert("areas", new, dry_run=True)
    assert result.inserted == 2
    after = snapshot(db)
    assert after["area"] == before["area"]
    assert after["audit_entry"] == before["audit_entry"]


def test_database_constraints_are_a_second_line(db: Engine) -> None:
    """A write that slips past Python checks is still refused by the database, cleanly."""
    registry = build_small(db)
    before = snapshot(db)
    with pytest.raises(StoreError), registry.change(actor="t", source="raw") as change:
        change.conn.execute(
            Worker.__table__.update().values(  # type: ignore[attr-defined]
                qualification_date=dt.date(1900, 1, 1)
            )
        )
    assert snapshot(db) == before


def test_delete_is_audited_with_the_record(db: Engine) -> None:
    registry = build_small(db)
    with registry.change(actor="t", source="delete") as change:
        change.delete("posts", "P2")
    last = history(db, "posts", "P2")[-1]
    assert last.action == "delete"
    assert last.before is not None and last.before["facility"] == "F2"
    with pytest.raises(NotFoundError), registry.change(actor="t", source="get") as change:
        change.get("posts", "P2")


def test_areas_form_a_hierarchy_in_any_order(db: Engine) -> None:
    registry = Registry(db)
    shuffled = {k: list(reversed(v)) for k, v in AREAS.items()}
    with registry.change(actor="t", source="areas") as change:
        change.upsert("areas", shuffled)
        assert change.get("areas", "XX-A-1")["parent"] == "XX-A"
