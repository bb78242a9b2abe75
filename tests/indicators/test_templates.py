"""The catalogue's SQL compiled once for a stand-in year is, for any year, the SQL compiled for
that year (:mod:`healthforce.indicators.templates`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from healthforce.indicators import templates
from healthforce.indicators.backends import Unbound
from healthforce.indicators.catalogue import CATALOGUE, Context

PARTS = [*CATALOGUE, templates.AGES]


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
@pytest.mark.parametrize("level", ["state", "country"])
@pytest.mark.parametrize("part", PARTS)
def test_template_is_the_years_own_sql(part: str, level: str, dialect: str) -> None:
    for year in (2015, 2024):
        ctx = Context(Unbound(), year, level, "VEN", stored=True)
        tree = templates._compiler(dialect).to_sqlglot(templates.expression(part, ctx))
        assert templates.for_year(part, year, level, "VEN", dialect) == tree.sql(dialect=dialect)


def test_a_year_derived_from_the_stand_in_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """An indicator reading the year before (an expression of the year, which the stand-in
    cannot stand for) compiles differently from its template: the check above would fail."""

    def last_year(ctx: Context) -> object:
        w = ctx.workforce()
        return w.filter(w.n > ctx.year - 1)

    monkeypatch.setitem(CATALOGUE, "DENSITY", replace(CATALOGUE["DENSITY"], compute=last_year))
    templates.template.cache_clear()
    try:
        ctx = Context(Unbound(), 2020, "state", "VEN", stored=True)
        tree = templates._compiler("sqlite").to_sqlglot(templates.expression("DENSITY", ctx))
        assert templates.for_year("DENSITY", 2020, "state", "VEN", "sqlite") != tree.sql(
            dialect="sqlite"
        )
    finally:
        templates.template.cache_clear()
