"""Where indicators run: Ibis on the registry's own database (SQLite file or PostgreSQL), or on
Apache Spark (PySpark) for a regional observatory.

Every indicator is an Ibis expression over the same tables, so the same definition runs on each
backend. Spark reads the registry's tables once (through pandas here, or from a warehouse in
production) into temporary views.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import ibis
import pandas as pd
from ibis.backends import BaseBackend
from sqlalchemy import Engine

from healthforce.reference.occupations import group_of
from healthforce.store.areas import states
from healthforce.store.columns import spark_type, unbound_table

TABLES = (
    "worker",
    "assignment",
    "post",
    "facility",
    "area",
    "area_population",
    "movement",
    "team_norm",
    "training_cohort",
    "training_programme",
    "pathway",
    "pathway_course",
    "course",
    "completion",
)


class Tables(Protocol):
    """What an indicator's input is written against: the registry's tables by name and the two
    lookups (area -> state, occupation -> group). A :class:`Source` is one; so are the unbound
    tables the store's summaries compile their SQL from."""

    def table(self, name: str) -> Any: ...

    def lookup_states(self) -> Any: ...

    def lookup_groups(self) -> Any: ...


class Runner(Tables, Protocol):
    """Tables an indicator runs on, with a way to keep a large intermediate result."""

    def materialise(self, expr: Any) -> tuple[Any, Callable[[], None]]: ...


class Unbound:
    """The registry's tables as unbound Ibis tables, for compiling SQL rather than running it
    (the lookups are the temporary tables of :data:`LOOKUPS`, made on the connection the SQL
    will run on). Nothing is materialised: an intermediate result stays part of the query."""

    def table(self, name: str) -> Any:
        return unbound_table(name)

    def lookup_states(self) -> Any:
        return ibis.table({"area_id": "int64", "state": "string"}, name="hf_states")

    def lookup_groups(self) -> Any:
        return ibis.table({"occupation_code": "string", "grp": "string"}, name="hf_groups")

    def ids(self, name: str, column: str) -> Any:
        """A temporary table of ids (the workers or facilities a change touched)."""
        return ibis.table({column: "int64"}, name=name)

    def materialise(self, expr: Any) -> tuple[Any, Callable[[], None]]:
        return expr, _nothing


def _nothing() -> None:
    """Nothing to drop."""


@dataclass
class Source:
    """Ibis tables of one registry on one backend, plus the lookups indicators share."""

    backend: BaseBackend
    name: str
    state_of: dict[int, str]  # area id -> state code (itself for a state)
    urban_rural: dict[str, str]
    _tables: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> Any:
        """The backend's table ``name`` (its schema read once per source)."""
        if name not in self._tables:
            self._tables[name] = self.backend.table(name)
        return self._tables[name]

    def close(self) -> None:
        """Close the backend's connection (Spark sessions are left to their owner)."""
        if self.name != "pyspark":
            self.backend.disconnect()

    def materialise(self, expr: Any) -> tuple[Any, Callable[[], None]]:
        """Compute ``expr`` once into a temporary table; returns it and its drop function."""
        if self.name == "pyspark":  # Spark keeps it in its own cache
            cached = expr.cache()
            return cached, cached.release
        name = f"hf_tmp_{uuid.uuid4().hex[:10]}"
        self.backend.create_table(name, obj=expr, temp=True)
        table = self.backend.table(name)
        prefix = "temp." if self.name == "sqlite" else ""

        def drop() -> None:
            self.backend.raw_sql(f'DROP TABLE IF EXISTS {prefix}"{name}"')

        return table, drop

    def lookup_states(self) -> Any:
        return self.table("hf_states")

    def lookup_groups(self) -> Any:
        return self.table("hf_groups")


def _lookups(state_of: dict[int, str]) -> dict[str, pd.DataFrame]:
    """The small lookup tables indicators join: area -> state, occupation -> NHWA group."""
    g = group_of()
    return {
        "hf_states": pd.DataFrame(
            {
                "area_id": pd.Series(list(state_of), dtype="int64"),
                "state": pd.Series(list(state_of.values()), dtype=object),
            }
        ),
        "hf_groups": pd.DataFrame({"occupation_code": list(g), "grp": list(g.values())}),
    }


#: The lookup tables indicators join, as temporary SQL tables: their columns.
LOOKUPS = {
    "hf_states": "area_id BIGINT PRIMARY KEY, state TEXT",
    "hf_groups": "occupation_code TEXT PRIMARY KEY, grp TEXT",
}


def lookup_rows(state_of: dict[int, str]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of each of :data:`LOOKUPS`: area -> state, occupation -> NHWA group."""
    return {"hf_states": list(state_of.items()), "hf_groups": list(group_of().items())}


def _create_lookups(backend: Any, kind: str, state_of: dict[int, str]) -> None:
    """Temporary lookup tables on a SQL backend's own connection (plain SQL: Ibis's in-memory
    tables are dropped with a statement SQLite rejects)."""
    mark = "?" if kind == "sqlite" else "%s"
    for name, rows in lookup_rows(state_of).items():
        backend.raw_sql(f"CREATE TEMPORARY TABLE {name} ({LOOKUPS[name]})")
        cur = backend.con.cursor()
        cur.executemany(f"INSERT INTO {name} VALUES ({mark}, {mark})", rows)
        cur.close()
    if kind != "sqlite":
        backend.con.commit()


def _areas(engine: Engine) -> tuple[dict[int, str], dict[str, str]]:
    found = states(engine)
    return found.of, found.urban_rural


def connect(engine: Engine) -> Source:
    """Ibis on the registry's own database."""
    state_of, urban = _areas(engine)
    url = engine.url
    if url.get_backend_name() == "sqlite":
        backend: BaseBackend = ibis.sqlite.connect(url.database)
    else:
        with engine.connect() as conn:  # the schema the registry lives in
            schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
        backend = ibis.postgres.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            database=url.database,
            schema=schema,
        )
    _create_lookups(backend, url.get_backend_name(), state_of)
    return Source(backend, url.get_backend_name(), state_of, urban)


def spark(engine: Engine, session: Any = None) -> Source:
    """Ibis on Spark: the registry's tables loaded into temporary views of a session (a local
    one by default)."""
    from pyspark.sql import SparkSession

    session = session or (
        SparkSession.builder.master("local[2]")
        .appName("healthforce")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    from healthforce.store.models import Base

    with engine.connect() as conn:
        for name in TABLES:
            frame = pd.read_sql_table(name, conn)
            schema = ", ".join(
                f"`{c.name}` {spark_type(c.type)}" for c in Base.metadata.tables[name].columns
            )
            types = [spark_type(c.type) for c in Base.metadata.tables[name].columns]
            frame = frame[[c.name for c in Base.metadata.tables[name].columns]]
            rows = [
                tuple(_py(v, t) for v, t in zip(r, types, strict=True))
                for r in frame.itertuples(index=False)
            ]
            session.createDataFrame(rows, schema=schema).createOrReplaceTempView(name)
    state_of, urban = _areas(engine)
    for name, frame in _lookups(state_of).items():
        session.createDataFrame(frame).createOrReplaceTempView(name)
    return Source(ibis.pyspark.connect(session), "pyspark", state_of, urban)


def _py(value: Any, spark_type: str) -> Any:
    """A pandas cell as the Python value Spark accepts for the column's type."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if spark_type == "DATE" else value.to_pydatetime()
    if spark_type == "BIGINT":
        return int(value)
    if spark_type == "DOUBLE":
        return float(value)
    if spark_type == "BOOLEAN":
        return bool(value)
    return value
