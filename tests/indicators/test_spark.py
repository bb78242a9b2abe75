"""The same catalogue on Apache Spark (PySpark, local mode) gives the same table."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine

from healthforce.indicators.backends import spark
from healthforce.indicators.compute import compute
from tests.indicators import registry

REQUIRE = os.environ.get("HEALTHFORCE_REQUIRE_SPARK") == "1"


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if REQUIRE:
            pytest.fail("HEALTHFORCE_REQUIRE_SPARK=1 but pyspark is not installed")
        pytest.skip("pyspark not installed: pip install -e .[test]")
    if shutil.which("java") is None:
        if REQUIRE:
            pytest.fail("HEALTHFORCE_REQUIRE_SPARK=1 but no Java runtime on PATH")
        pytest.skip("Spark needs a Java runtime (java not on PATH)")
    s = (
        SparkSession.builder.master("local[1]")
        .appName("healthforce-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield s
    s.stop()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_spark_equals_sqlite(sqlite_engine: Engine, session: Any) -> None:
    from healthforce.store import upgrade

    upgrade(sqlite_engine)
    registry.build(sqlite_engine)
    expected = compute(sqlite_engine, 2024)
    got = compute(sqlite_engine, 2024, src=spark(sqlite_engine, session))
    keys = ["code", "area", "grp", "category"]
    pd.testing.assert_frame_equal(
        got.sort_values(keys, ignore_index=True)[[*keys, "numerator", "denominator", "value"]],
        expected.sort_values(keys, ignore_index=True)[[*keys, "numerator", "denominator", "value"]],
        check_dtype=False,
    )


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_spark_reads_the_history_as_worked_out_by_hand(sqlite_engine: Engine, session: Any) -> None:
    """The golden registry's years on Spark (those where something happens), read into Spark
    once for the four years."""
    from healthforce.store import upgrade
    from tests.indicators import golden
    from tests.indicators.test_history import CODES, check_year

    upgrade(sqlite_engine)
    golden.build(sqlite_engine)
    src = spark(sqlite_engine, session)
    for year in (2017, 2019, 2021, 2023):
        check_year(
            compute(sqlite_engine, year, level="state", codes=CODES, src=src),
            compute(sqlite_engine, year, level="country", codes=CODES, src=src),
            year,
        )
