"""Shared fixtures. ``db`` runs a test on SQLite and on PostgreSQL (the real server).

PostgreSQL: HEALTHFORCE_TEST_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
Outside CI an unreachable server skips those tests with the reason; with
HEALTHFORCE_REQUIRE_POSTGRES=1 (CI) they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from healthforce.store import make_engine, upgrade

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PG_URL = os.environ.get(
    "HEALTHFORCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("HEALTHFORCE_REQUIRE_POSTGRES") == "1"


def _pg_problem() -> str | None:
    try:
        eng = create_engine(PG_URL)
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
    except Exception as exc:  # any failure to reach the server
        return f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}: {exc}"[:300]
    return None


_PG_PROBLEM: str | bool | None = False


def need_postgres() -> None:
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _pg_problem()
    if _PG_PROBLEM:
        if REQUIRE_PG:
            pytest.fail(f"HEALTHFORCE_REQUIRE_POSTGRES=1 but {_PG_PROBLEM}")
        pytest.skip(str(_PG_PROBLEM))


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """An engine on a fresh, empty PostgreSQL schema, dropped afterwards."""
    need_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    yield eng
    eng.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest) -> Engine:
    """An empty database on each backend (no schema yet)."""
    name = "pg_engine" if request.param == "postgresql" else "sqlite_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


@pytest.fixture
def db(empty_db: Engine) -> Engine:
    """A migrated, empty registry on each backend."""
    upgrade(empty_db)
    return empty_db


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared datasets not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def planning_demo(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """A 4,000-worker demo country built once per session for the planning tests (forecast,
    CLI and the planning page); tests read it and never write to it."""
    from healthforce.ingest.demo import build_demo
    from healthforce.store import Registry

    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('plan') / 'demo.db'}")
    upgrade(engine)
    build_demo(Registry(engine), workers=4_000, seed=3)
    return engine
