"""Flows of the year: entries, exits, emigration and the foreign-trained share of entrants
(against the stock at year end), graduates and training drop-out (NHWA modules 3 and 4).
"""

from __future__ import annotations

from typing import Any

from healthforce.indicators.context import Context, count, lit
from healthforce.indicators.definition import indicator
from healthforce.reference.codes import INVOLUNTARY_EXIT_REASONS, VOLUNTARY_EXIT_REASONS
from healthforce.store.timeline import INTO


def _movements(ctx: Context, kinds: list[str], reasons: list[str] | None = None) -> Any:
    m = ctx.movements()
    m = m.filter(m.kind.isin(kinds))
    return m if reasons is None else m.filter(m.reason.isin(reasons))


def _rate_of_stock(ctx: Context, events: Any) -> Any:
    counts = events.group_by(area=events.area, grp=events.grp).aggregate(numerator=count(events))
    w = ctx.workforce()
    stock = w.group_by(area=w.area, grp=w.grp).aggregate(denominator=count(w))
    j = stock.left_join(counts, [stock.area == counts.area, stock.grp == counts.grp])
    return j.select(
        area=stock.area,
        grp=stock.grp,
        category=lit(""),
        numerator=j.numerator.fill_null(0),
        denominator=j.denominator,
    )


@indicator(
    "ENTRY_RATE",
    "4-01",
    ("Tasa de ingreso", "Entry rate"),
    (
        "Ingresos (y retornos) al mercado laboral en el año por cada 100 trabajadores activos.",
        "Entries (and returns) into the labour market in the year per 100 active workers.",
    ),
    "%",
    "entries in the year",
    "active workers at year end",
    100,
)
def _entry(ctx: Context) -> Any:
    return _rate_of_stock(ctx, _movements(ctx, list(INTO)))


@indicator(
    "EXIT_RATE_VOLUNTARY",
    "4-02",
    ("Tasa de egreso voluntario", "Voluntary exit rate"),
    (
        "Egresos voluntarios (renuncia, migración) en el año por cada 100 trabajadores.",
        "Voluntary exits (resignation, migration) in the year per 100 workers.",
    ),
    "%",
    "voluntary exits",
    "active workers at year end",
    100,
)
def _exit_vol(ctx: Context) -> Any:
    return _rate_of_stock(
        ctx, _movements(ctx, ["exit", "emigration"], sorted(VOLUNTARY_EXIT_REASONS))
    )


@indicator(
    "EXIT_RATE_INVOLUNTARY",
    "4-02",
    ("Tasa de egreso involuntario", "Involuntary exit rate"),
    (
        "Egresos involuntarios (despido, fin de contrato o de misión, fallecimiento) en el "
        "año por cada 100 trabajadores.",
        "Involuntary exits (dismissal, end of contract "
        "or mission, death) in the year per 100 workers.",
    ),
    "%",
    "involuntary exits",
    "active workers at year end",
    100,
)
def _exit_invol(ctx: Context) -> Any:
    return _rate_of_stock(ctx, _movements(ctx, ["exit"], sorted(INVOLUNTARY_EXIT_REASONS)))


@indicator(
    "EMIGRATION_RATE",
    "4-03",
    ("Tasa de emigración registrada", "Recorded emigration rate"),
    (
        "Emigraciones registradas en el año por cada 100 trabajadores (el número es el numerador).",
        "Emigrations recorded in the year per 100 workers (the count is the numerator).",
    ),
    "%",
    "emigrations",
    "active workers at year end",
    100,
)
def _emigration(ctx: Context) -> Any:
    return _rate_of_stock(ctx, _movements(ctx, ["emigration"]))


@indicator(
    "FOREIGN_SHARE_OF_ENTRANTS",
    "4-04",
    ("Formados en el extranjero entre los ingresos", "Foreign-trained share of entrants"),
    (
        "Ingresos del año de personas formadas fuera del país entre todos los ingresos.",
        "Entrants of the year trained abroad among all entrants.",
    ),
    "%",
    "foreign-trained entrants",
    "entrants",
    100,
)
def _foreign_entrants(ctx: Context) -> Any:
    e = _movements(ctx, list(INTO))
    return e.group_by(area=e.area, grp=e.grp).aggregate(
        category=lit(""), numerator=count(e, e.foreign), denominator=count(e)
    )


def _cohorts_ending(ctx: Context) -> Any:
    c = ctx.src.table("training_cohort")
    p = ctx.src.table("training_programme")
    j = c.join(p, c.programme_id == p.id)
    j = j.filter((j.intake_year + j.duration_years) == ctx.year)
    groups = ctx.src.lookup_groups()
    return j.left_join(groups, j.occupation_code == groups.occupation_code)


@indicator(
    "GRADUATES_PER_100K",
    "3-01",
    ("Egresados por 100.000 habitantes", "Graduates per 100,000 population"),
    (
        "Egresados de las cohortes que terminan en el año por 100.000 habitantes (nacional).",
        "Graduates of the cohorts finishing in the year per 100,000 population (national).",
    ),
    "per 100,000",
    "graduates",
    "population",
    100_000,
    ("occupation group", "year"),
)
def _graduates(ctx: Context) -> Any:
    j = _cohorts_ending(ctx)
    counts = j.group_by(area=lit(ctx.home), grp=j.grp).aggregate(numerator=j.graduated.sum())
    return ctx.per_population(counts, "country")


@indicator(
    "TRAINING_DROPOUT",
    "3-02",
    ("Tasa de deserción en la formación", "Training drop-out rate"),
    (
        "Deserciones entre los inscritos de las cohortes que terminan en el año (nacional).",
        "Drop-outs among those enrolled in the cohorts finishing in the year (national).",
    ),
    "%",
    "drop-outs",
    "enrolled",
    100,
    ("occupation group", "year"),
)
def _dropout(ctx: Context) -> Any:
    j = _cohorts_ending(ctx)
    return j.group_by(area=lit(ctx.home), grp=j.grp).aggregate(
        category=lit(""), numerator=j.dropped_out.sum(), denominator=j.enrolled.sum()
    )
