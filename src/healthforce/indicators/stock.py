"""The active workforce on the date: density, composition (sex, age, sector, facility type, level
of care), origin and international cooperation (NHWA modules 1).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from healthforce.indicators.context import Context, count, lit
from healthforce.indicators.definition import indicator
from healthforce.indicators.snapshot import age_band
from healthforce.reference.codes import SEX_KNOWN
from healthforce.reference.occupations import CORE_GROUPS


def _share(
    ctx: Context,
    mask: Callable[[Any], Any],
    where: Callable[[Any], Any] | None = None,
    category: Callable[[Any], Any] | None = None,
    with_total: bool = False,
    counted: Any = None,
) -> Any:
    """Share of the (filtered) workforce where ``mask`` holds, by area and group; with a
    ``category``, one row per category among the rows where ``mask`` holds (and, with
    ``with_total``, a row with category "" for all of them). ``counted``: the counts to use
    (default: the workforce by every dimension but age)."""
    w = ctx.workforce() if counted is None else counted
    if where is not None:
        w = w.filter(where(w))
    overall = w.group_by(area=w.area, grp=w.grp).aggregate(
        category=lit(""), numerator=count(w, mask(w)), denominator=count(w)
    )
    if category is None:
        return overall
    total = w.group_by(area=w.area, grp=w.grp).aggregate(denominator=count(w))
    hits = w.filter(mask(w))
    parts = hits.group_by(area=hits.area, grp=hits.grp, category=category(hits)).aggregate(
        numerator=count(hits)
    )
    j = parts.join(total, [parts.area == total.area, parts.grp == total.grp])
    rows = j.select(
        area=parts.area,
        grp=parts.grp,
        category=parts.category.cast("string"),
        numerator=j.numerator,
        denominator=j.denominator,
    )
    return rows.union(overall) if with_total else rows


@indicator(
    "DENSITY",
    "1-01",
    ("Densidad de trabajadores de salud", "Health worker density"),
    (
        "Trabajadores de salud activos por cada 10.000 habitantes, por grupo ocupacional "
        "(ODS 3.c.1 para médicos, enfermería y partería).",
        "Active health workers per 10,000 population by occupation group (SDG 3.c.1 for "
        "doctors, nurses and midwives).",
    ),
    "per 10,000",
    "active workers",
    "population",
    10_000,
)
def _density(ctx: Context) -> Any:
    w = ctx.workforce()
    return ctx.per_population(w.group_by(area=w.area, grp=w.grp).aggregate(numerator=count(w)))


@indicator(
    "SDG_3C1_DNM",
    "1-01",
    (
        "Médicos, enfermeras y parteras por 10.000 habitantes",
        "Doctors, nurses and midwives per 10,000 population",
    ),
    (
        "Suma de médicos, personal de enfermería y de partería por 10.000 habitantes; "
        "umbrales 44,5 (OMS 2030) y 49 (mediana mundial 2023, lista de salvaguardia).",
        "Doctors, nursing and midwifery personnel per 10,000 population; thresholds 44.5 "
        "(WHO Workforce 2030) and 49 (2023 global median, safeguards list).",
    ),
    "per 10,000",
    "doctors + nurses + midwives",
    "population",
    10_000,
    by_group=False,
)
def _dnm(ctx: Context) -> Any:
    w = ctx.workforce()
    w = w.filter(w.grp.isin(list(CORE_GROUPS)))
    return ctx.per_population(
        w.group_by(area=w.area, grp=lit("core")).aggregate(numerator=count(w))
    )


@indicator(
    "PCT_FEMALE",
    "1-02",
    ("Porcentaje de mujeres", "Share of women"),
    (
        "Mujeres entre los trabajadores activos cuyo sexo está registrado (véase "
        "SEX_RECORDED para la cobertura).",
        "Women among active workers whose sex is recorded (see SEX_RECORDED for coverage).",
    ),
    "%",
    "active women",
    "active workers of recorded sex",
    100,
)
def _female(ctx: Context) -> Any:
    return _share(ctx, lambda w: w.sex == "F", where=lambda w: w.sex.isin(list(SEX_KNOWN)))


@indicator(
    "SEX_RECORDED",
    None,
    ("Cobertura del sexo registrado", "Coverage of recorded sex"),
    (
        "Trabajadores activos cuyo sexo está registrado (el resto figura como desconocido).",
        "Active workers whose sex is recorded (the rest are counted as unknown).",
    ),
    "%",
    "active workers of recorded sex",
    "active workers",
    100,
)
def _sex_recorded(ctx: Context) -> Any:
    return _share(ctx, lambda w: w.sex.isin(list(SEX_KNOWN)))


@indicator(
    "AGE_DISTRIBUTION",
    "1-03",
    ("Distribución por edad", "Age distribution"),
    (
        "Trabajadores activos por grupo de edad (<25, 25-34, 35-44, 45-54, 55-64, 65+).",
        "Active workers by age band (<25, 25-34, 35-44, 45-54, 55-64, 65+).",
    ),
    "%",
    "active workers in the band",
    "active workers",
    100,
    ("area", "occupation group", "age band", "year"),
)
def _age_bands(ctx: Context) -> Any:
    return _share(
        ctx,
        lambda w: age_band(w.age).notnull(),
        category=lambda w: age_band(w.age),
        counted=ctx.ages(),
    )


@indicator(
    "PCT_AGE_55_PLUS",
    "1-03",
    ("Porcentaje de 55 años y más", "Share aged 55 and over"),
    ("Trabajadores activos de 55 años o más.", "Active workers aged 55 or more."),
    "%",
    "active workers aged 55+",
    "active workers",
    100,
)
def _age55(ctx: Context) -> Any:
    return _share(ctx, lambda w: w.age >= 55, counted=ctx.ages())


@indicator(
    "SECTOR",
    "1-04",
    ("Distribución por sector", "Distribution by sector"),
    (
        "Trabajadores con asignación vigente por sector (público, privado sin y con fines "
        "de lucro).",
        "Assigned workers by sector (public, private not-for-profit, private for-profit).",
    ),
    "%",
    "assigned workers in the sector",
    "assigned workers",
    100,
    ("area", "occupation group", "sector", "year"),
)
def _sector(ctx: Context) -> Any:
    return _share(
        ctx, lambda w: w.sector.notnull(), where=lambda w: w.assigned, category=lambda w: w.sector
    )


@indicator(
    "FACILITY_TYPE",
    "1-05",
    ("Distribución por tipo de establecimiento", "Distribution by facility type"),
    (
        "Trabajadores con asignación vigente por tipo de establecimiento.",
        "Assigned workers by facility type.",
    ),
    "%",
    "assigned workers in the type",
    "assigned workers",
    100,
    ("area", "occupation group", "facility type", "year"),
)
def _facility_type(ctx: Context) -> Any:
    return _share(
        ctx,
        lambda w: w.facility_type.notnull(),
        where=lambda w: w.assigned,
        category=lambda w: w.facility_type,
    )


@indicator(
    "LEVEL_OF_CARE",
    "1-05",
    ("Distribución por nivel de atención", "Distribution by level of care"),
    (
        "Trabajadores con asignación vigente por nivel de atención.",
        "Assigned workers by level of care.",
    ),
    "%",
    "assigned workers at the level",
    "assigned workers",
    100,
    ("area", "occupation group", "level of care", "year"),
)
def _level(ctx: Context) -> Any:
    return _share(
        ctx,
        lambda w: w.level_of_care.notnull(),
        where=lambda w: w.assigned & w.level_of_care.notnull(),
        category=lambda w: w.level_of_care,
    )


@indicator(
    "PCT_FOREIGN_BORN",
    "1-06",
    ("Porcentaje nacido en el extranjero", "Share born abroad"),
    (
        "Trabajadores activos nacidos fuera del país, entre los de país de nacimiento "
        "registrado (véase BIRTH_COUNTRY_RECORDED para la cobertura).",
        "Active workers born abroad, among those whose country of birth is recorded (see "
        "BIRTH_COUNTRY_RECORDED for coverage).",
    ),
    "%",
    "active workers born abroad",
    "active workers of recorded country of birth",
    100,
)
def _foreign_born(ctx: Context) -> Any:
    return _share(ctx, lambda w: w.foreign_born, where=lambda w: w.birth_known)


@indicator(
    "BIRTH_COUNTRY_RECORDED",
    None,
    ("Cobertura del país de nacimiento", "Coverage of the country of birth"),
    (
        "Trabajadores activos cuyo país de nacimiento está registrado (el resto figura como "
        "desconocido, nunca como nacido en el país).",
        "Active workers whose country of birth is recorded (the rest are counted as unknown, "
        "never as born at home).",
    ),
    "%",
    "active workers of recorded country of birth",
    "active workers",
    100,
)
def _birth_recorded(ctx: Context) -> Any:
    return _share(ctx, lambda w: w.birth_known)


@indicator(
    "PCT_FOREIGN_TRAINED",
    "1-07",
    ("Porcentaje formado en el extranjero", "Share trained abroad"),
    (
        "Trabajadores activos formados fuera del país, por país de formación, entre los de "
        "país de formación registrado (véase TRAINING_COUNTRY_RECORDED para la cobertura).",
        "Active workers trained abroad, by country of training, among those whose country of "
        "training is recorded (see TRAINING_COUNTRY_RECORDED for coverage).",
    ),
    "%",
    "active workers trained in the country",
    "active workers of recorded country of training",
    100,
    ("area", "occupation group", "country of training", "year"),
)
def _foreign_trained(ctx: Context) -> Any:
    return _share(
        ctx,
        lambda w: w.foreign_trained,
        where=lambda w: w.training_country.notnull(),
        category=lambda w: w.training_country,
        with_total=True,
    )


@indicator(
    "TRAINING_COUNTRY_RECORDED",
    None,
    ("Cobertura del país de formación", "Coverage of the country of training"),
    (
        "Trabajadores activos cuyo país de formación está registrado (el resto figura como "
        "desconocido, nunca como formado en el país).",
        "Active workers whose country of training is recorded (the rest are counted as "
        "unknown, never as trained at home).",
    ),
    "%",
    "active workers of recorded country of training",
    "active workers",
    100,
)
def _training_recorded(ctx: Context) -> Any:
    return _share(ctx, lambda w: w.training_country.notnull())


@indicator(
    "PCT_COOPERATION",
    None,
    ("Porcentaje en cooperación internacional", "Share in international cooperation"),
    (
        "Trabajadores activos con asignación de cooperación internacional.",
        "Active workers on an international cooperation assignment.",
    ),
    "%",
    "active cooperation staff",
    "active workers",
    100,
)
def _cooperation(ctx: Context) -> Any:
    return _share(ctx, lambda w: w.cooperation)


@indicator(
    "NURSES_PER_DOCTOR",
    None,
    ("Enfermeras por médico", "Nurses per doctor"),
    (
        "Personal de enfermería activo por cada médico activo.",
        "Active nursing personnel per active doctor.",
    ),
    "ratio",
    "nursing personnel",
    "medical doctors",
    1,
    by_group=False,
)
def _nurses_per_doctor(ctx: Context) -> Any:
    w = ctx.workforce()
    return w.group_by(area=w.area).aggregate(
        grp=lit("all"),
        category=lit(""),
        numerator=count(w, w.grp == "nursing"),
        denominator=count(w, w.grp == "medical_doctors"),
    )


@indicator(
    "PRIMARY_CARE_DOCTORS",
    None,
    ("Médicos en el primer nivel", "Doctors in primary care"),
    (
        "Médicos asignados a establecimientos del primer nivel entre todos los médicos asignados.",
        "Doctors assigned to first-level facilities among all assigned doctors.",
    ),
    "%",
    "doctors at level 1",
    "assigned doctors",
    100,
    by_group=False,
)
def _primary_doctors(ctx: Context) -> Any:
    w = ctx.workforce()
    w = w.filter(w.assigned & (w.grp == "medical_doctors"))
    return w.group_by(area=w.area).aggregate(
        grp=lit("medical_doctors"),
        category=lit(""),
        numerator=count(w, w.level_of_care == "1"),
        denominator=count(w),
    )
