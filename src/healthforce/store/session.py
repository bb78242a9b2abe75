"""Engines and connections for the registry, on SQLite or PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, create_engine, event

from healthforce.settings import Settings, get_settings


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, issue BEGIN (so SAVEPOINT works: dry runs).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str | None = None, *, settings: Settings | None = None) -> Engine:
    """An engine for ``url`` (default: the configured registry)."""
    settings = settings or get_settings()
    url = url or settings.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=settings.echo_sql)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=settings.echo_sql, pool_pre_ping=True)


def as_utc(t: dt.datetime) -> dt.datetime:
    """A timestamp read back from the store, in UTC: the store keeps UTC, and SQLite hands
    timestamps back without their time zone."""
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def in_zone(t: dt.datetime, zone: str) -> dt.datetime:
    """A stored timestamp as the clock reads it in an IANA ``zone`` (a clinic's)."""
    from zoneinfo import ZoneInfo

    return as_utc(t).astimezone(ZoneInfo(zone))


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
