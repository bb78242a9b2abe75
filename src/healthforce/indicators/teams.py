"""Posts and teams on the date: vacancy of funded posts, facilities meeting their team norm and
the headcount missing, learning pathways completed.
"""

from __future__ import annotations

from typing import Any

from healthforce.indicators.context import Context, count, lit
from healthforce.indicators.definition import indicator


@indicator(
    "VACANCY_RATE",
    "5-01",
    ("Tasa de vacantes", "Vacancy rate"),
    (
        "Cargos presupuestados sin ocupante en la fecha entre todos los cargos presupuestados.",
        "Funded posts without an occupant on the date among all funded posts.",
    ),
    "%",
    "vacant funded posts",
    "funded posts",
    100,
)
def _vacancy(ctx: Context) -> Any:
    v = ctx.vacancies()
    groups = ctx.src.lookup_groups()
    j = v.left_join(groups, v.occupation_code == groups.occupation_code)
    rates = j.group_by(area=j.area, grp=j.grp).aggregate(
        category=lit(""), numerator=j.vacant.sum(), denominator=j.funded.sum()
    )
    return rates.filter(rates.denominator > 0)


@indicator(
    "TEAM_NORM_MET",
    None,
    ("Establecimientos con equipo completo", "Facilities meeting their team norm"),
    (
        "Establecimientos abiertos cuya dotación cumple la norma de equipo interprofesional "
        "de su tipo, entre los que tienen norma.",
        "Open facilities whose staff meets the "
        "interprofessional team norm of their type, among those with a norm.",
    ),
    "%",
    "facilities meeting the norm",
    "facilities with a norm",
    100,
    by_group=False,
)
def _team_met(ctx: Context) -> Any:
    t = ctx.team_met()
    return t.group_by(area=t.area).aggregate(
        grp=lit("all"), category=lit(""), numerator=t.met.sum(), denominator=t.n.sum()
    )


@indicator(
    "TEAM_MISSING_HEADCOUNT",
    None,
    ("Dotación faltante según la norma de equipo", "Headcount missing from team norms"),
    (
        "Trabajadores que faltan para cumplir las normas de equipo, por ocupación (el "
        "denominador es la dotación de la norma).",
        "Workers missing to meet the team "
        "norms, by occupation (the denominator is the norm's headcount).",
    ),
    "%",
    "missing headcount",
    "norm headcount",
    100,
    ("area", "occupation (ISCO-08)", "year"),
    by_group=False,
)
def _team_missing(ctx: Context) -> Any:
    j = ctx.team_need()
    return j.group_by(area=j.area, category=j.occupation_code).aggregate(
        grp=lit("all"), numerator=j.missing.sum(), denominator=j.norm.sum()
    )


@indicator(
    "PATHWAY_COMPLETION",
    None,
    ("Rutas de aprendizaje completas", "Learning pathways completed"),
    (
        "Trabajadores activos con todos los cursos de la ruta de su ocupación vigentes en "
        "la fecha, entre los activos de ocupaciones con ruta.",
        "Active workers holding "
        "every course of their occupation's pathway, valid on the date, among active "
        "workers of occupations with a pathway.",
    ),
    "%",
    "workers with the pathway complete",
    "workers whose occupation has a pathway",
    100,
)
def _pathway_completion(ctx: Context) -> Any:
    w = ctx.workforce()
    w = w.filter(w.pathway.notnull())
    return w.group_by(area=w.area, grp=w.grp).aggregate(
        category=lit(""), numerator=count(w, w.pathway == "complete"), denominator=count(w)
    )
