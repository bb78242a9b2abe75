"""The catalogue's SQL on the store's summaries, compiled once per indicator and area level and
run for any number of years in one query.

Building and compiling an indicator's Ibis expression costs tens of milliseconds; running it on
the summaries, a few. A time series of ten years would pay the first cost ten times per
indicator, so the expression is compiled once, for a stand-in year (:data:`STAND_IN`, over
unbound tables), and the compiled tree is copied for each year asked for, the stand-in's literal
written as the year, the copies joined in one ``UNION ALL`` with a ``year`` column.

The stand-in must stand only for the year: an indicator whose SQL held an expression of the
year (the year before, say) or the number 9999 itself would not compile to the same SQL as the
year's own compilation, which ``tests/indicators/test_templates.py`` checks for every indicator.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import pandas as pd
import sqlglot.expressions as sge

from healthforce.indicators.backends import Source, Unbound
from healthforce.indicators.catalogue import CATALOGUE
from healthforce.indicators.context import Context

#: The year an indicator is compiled for, replaced by each year asked for.
STAND_IN = 9999
#: The workforce by area, group and age (for the median age), compiled like an indicator.
AGES = "ages"


def _compiler(dialect: str) -> Any:
    if dialect == "postgres":
        from ibis.backends.sql.compilers.postgres import compiler as postgres

        return postgres
    from ibis.backends.sql.compilers.sqlite import compiler as sqlite

    return sqlite


def expression(part: str, ctx: Context) -> Any:
    """The Ibis expression of an indicator's counts (or of :data:`AGES`) in ``ctx``."""
    return ctx.ages() if part == AGES else CATALOGUE[part].compute(ctx)


#: What the stand-in year becomes in a template's text: a quoted name no table has.
MARK = '"hf_year_stand_in"'


@functools.lru_cache(maxsize=512)
def template(part: str, level: str, home: str, dialect: str) -> str:
    """An indicator's counts (or :data:`AGES`) compiled for :data:`STAND_IN` over unbound
    tables, the stand-in's literal written as :data:`MARK` (cached for the process: it depends
    on no database)."""
    ctx = Context(Unbound(), STAND_IN, level, home, stored=True)
    tree = _compiler(dialect).to_sqlglot(expression(part, ctx))
    marked = tree.transform(lambda n: sge.column(MARK[1:-1], quoted=True) if _is_stand_in(n) else n)
    text: str = marked.sql(dialect=dialect)
    return text


def _is_stand_in(node: sge.Expression) -> bool:
    return isinstance(node, sge.Literal) and not node.is_string and node.this == str(STAND_IN)


def for_year(part: str, year: int, level: str, home: str, dialect: str) -> str:
    """An indicator's counts (or :data:`AGES`) for ``year``."""
    return template(part, level, home, dialect).replace(MARK, str(int(year)))


def sql(part: str, years: Sequence[int], level: str, home: str, dialect: str) -> str:
    """One query of an indicator's counts for every year of ``years``, with a ``year``
    column."""
    return " UNION ALL ".join(
        f"SELECT {int(y)} AS year, hf_year.* FROM ({for_year(part, y, level, home, dialect)}) "
        "AS hf_year"
        for y in years
    )


def fetch(src: Source, part: str, years: Sequence[int], level: str, home: str) -> pd.DataFrame:
    """An indicator's counts (or :data:`AGES`) for ``years`` from the store's summaries, on the
    source's own connection (where its lookup tables live)."""
    dialect = "postgres" if src.name == "postgresql" else "sqlite"
    cursor = src.backend.raw_sql(sql(part, years, level, home, dialect))
    try:
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pd.DataFrame.from_records(rows, columns=columns)
