"""The registry's column types as the analytics engines name them, and its tables as unbound
Ibis tables (for compiling SQL, not running it): the store's own description of itself, shared by
the timeline, the indicator summaries and the Spark loader."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer

from healthforce.store.models import Base

#: The registry's column types as Ibis and Spark name them (first match wins; else text).
TYPES = (
    (Boolean, "boolean", "BOOLEAN"),
    (Integer, "int64", "BIGINT"),
    (Float, "float64", "DOUBLE"),
    (DateTime, "timestamp", "TIMESTAMP"),
    (Date, "date", "DATE"),
)


def ibis_type(sql_type: Any) -> str:
    """The Ibis type of a registry column's SQLAlchemy type."""
    return next((name for kind, name, _ in TYPES if isinstance(sql_type, kind)), "string")


def spark_type(sql_type: Any) -> str:
    """The Spark SQL type of a registry column's SQLAlchemy type."""
    return next((name for kind, _, name in TYPES if isinstance(sql_type, kind)), "STRING")


def unbound_table(name: str) -> Any:
    """A registry table as an unbound Ibis table, to compile expressions over it."""
    import ibis

    columns = Base.metadata.tables[name].columns
    return ibis.table({c.name: ibis_type(c.type) for c in columns}, name=name)
