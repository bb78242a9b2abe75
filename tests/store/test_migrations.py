"""Migrations upgrade an empty database on both backends, and match the models exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from healthforce.store import current_revision, upgrade
from healthforce.store.migrate import downgrade
from healthforce.store.models import Base


def test_upgrade_creates_every_table(empty_db: Engine) -> None:
    assert current_revision(empty_db) is None
    upgrade(empty_db)
    assert current_revision(empty_db) == "0013"
    tables = set(inspect(empty_db).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_migrations_match_models(empty_db: Engine) -> None:
    upgrade(empty_db)
    with empty_db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_downgrade_then_upgrade_again(empty_db: Engine) -> None:
    upgrade(empty_db)
    downgrade(empty_db, "base")
    assert not set(Base.metadata.tables) & set(inspect(empty_db).get_table_names())
    upgrade(empty_db)
    assert current_revision(empty_db) == "0013"
