"""The indicator catalogue, aligned with WHO's National Health Workforce Accounts (NHWA).

Indicators register themselves (``@indicator``), the way an outside plugin would. Each returns an
Ibis expression with the columns ``area``, ``grp``, ``category``, ``numerator`` and
``denominator``; the value is numerator / denominator x ``scale``. Numerators and denominators
are counts, so every figure can be suppressed, summed and checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ibis

from healthforce.indicators.backends import Source
from healthforce.indicators.snapshot import (
    CUBE_DIMENSIONS,
    age_band,
    open_assignments,
    population,
    workforce_cube,
)
from healthforce.reference.codes import INVOLUNTARY_EXIT_REASONS, VOLUNTARY_EXIT_REASONS
from healthforce.reference.occupations import CORE_GROUPS


@dataclass
class Context:
    """What a run of the catalogue shares: the backend, the year, the area level, the country.

    The three large inputs are each reduced once per run and kept in a temporary table of the
    backend (Ibis ``cache`` on Spark): the workforce on the date counted by every dimension
    (:func:`workforce_cube`, then rolled up without age and by age alone), the year's movements
    counted likewise, and the posts counted per facility and occupation with their holders on
    the date (and the team gaps computed from them). Indicators aggregate those small tables
    instead of joining a million rows again each."""

    src: Source
    year: int
    level: str  # "state" or "country"
    home: str
    _kept: dict[str, Any] = field(default_factory=dict)
    _drops: list[Callable[[], None]] = field(default_factory=list)

    @property
    def on(self) -> dt.date:
        return dt.date(self.year, 12, 31)

    def _keep(self, name: str, build: Callable[[], Any]) -> Any:
        if name not in self._kept:
            table, drop = self.src.materialise(build())
            self._kept[name] = table
            self._drops.append(drop)
        return self._kept[name]

    def _counted(self) -> Any:
        return self._keep(
            "counted", lambda: workforce_cube(self.src, self.on, self.home, self.level)
        )

    def workforce(self) -> Any:
        """The workforce on the date, one row per combination of dimensions (all but age)
        with ``n``."""
        return self._keep("workforce", lambda: _without(self._counted(), "age"))

    def ages(self) -> Any:
        """The workforce on the date by area, group and age, with ``n``."""
        return self._keep("ages", lambda: _only(self._counted(), ["area", "grp", "age"]))

    def movements(self) -> Any:
        """The year's movements by kind, reason, area, group and foreign training, with ``n``."""
        return self._keep("movements", lambda: _movements_of_year(self))

    def posts(self) -> Any:
        """Posts per facility and occupation: funded, funded and vacant, staff on the date."""
        return self._keep("posts", lambda: _posts_by_facility(self))

    def team_gaps(self) -> Any:
        """Per open facility with a norm and per occupation: the norm, staff, missing."""
        return self._keep("team_gaps", lambda: _team_gaps(self))

    def release(self) -> None:
        """Drop the temporary tables of the run."""
        for drop in self._drops:
            drop()
        self._kept.clear()
        self._drops.clear()

    def population(self) -> Any:
        return population(self.src, self.year, self.level)


def _only(counted: Any, dimensions: list[str]) -> Any:
    """Counts by ``dimensions`` alone (fewer rows for the indicators that need no more)."""
    return counted.group_by([counted[d] for d in dimensions]).aggregate(n=counted.n.sum())


def _without(counted: Any, dimension: str) -> Any:
    return _only(counted, [d for d in CUBE_DIMENSIONS if d != dimension])


@dataclass(frozen=True)
class Indicator:
    code: str
    nhwa: str | None
    name_es: str
    name_en: str
    definition_es: str
    definition_en: str
    unit: str
    numerator: str
    denominator: str
    disaggregations: tuple[str, ...]
    source: str
    scale: float
    compute: Callable[[Context], Any]
    by_group: bool = True  # disaggregated by occupation group


CATALOGUE: dict[str, Indicator] = {}


def indicator(
    code: str,
    nhwa: str | None,
    name: tuple[str, str],
    definition: tuple[str, str],
    unit: str,
    numerator: str,
    denominator: str,
    scale: float = 1.0,
    disaggregations: tuple[str, ...] = ("area", "occupation group", "year"),
    source: str = "registry",
    by_group: bool = True,
) -> Callable[[Callable[[Context], Any]], Callable[[Context], Any]]:
    def register(fn: Callable[[Context], Any]) -> Callable[[Context], Any]:
        CATALOGUE[code] = Indicator(
            code,
            nhwa,
            name[0],
            name[1],
            definition[0],
            definition[1],
            unit,
            numerator,
            denominator,
            disaggregations,
            source,
            scale,
            fn,
            by_group,
        )
        return fn

    return register


def _lit(value: str) -> Any:
    return ibis.literal(value)


def _int(condition: Any) -> Any:
    """1 where true, else 0 (PostgreSQL has no boolean-to-integer cast)."""
    return ibis.ifelse(condition, 1, 0)


def _count(t: Any, condition: Any = None) -> Any:
    """How many workers (or events) the rows of a counted table stand for, where
    ``condition`` holds."""
    return t.n.sum() if condition is None else ibis.ifelse(condition, t.n, 0).sum()


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
        category=_lit(""), numerator=_count(w, mask(w)), denominator=_count(w)
    )
    if category is None:
        return overall
    total = w.group_by(area=w.area, grp=w.grp).aggregate(denominator=_count(w))
    hits = w.filter(mask(w))
    parts = hits.group_by(area=hits.area, grp=hits.grp, category=category(hits)).aggregate(
        numerator=_count(hits)
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


def _per_population(ctx: Context, counts: Any) -> Any:
    pop = ctx.population()
    j = counts.join(pop, counts.area == pop.area_code)
    return j.select(
        area=counts.area,
        grp=counts.grp,
        category=_lit(""),
        numerator=j.numerator,
        denominator=j.population,
    )


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
    return _per_population(ctx, w.group_by(area=w.area, grp=w.grp).aggregate(numerator=_count(w)))


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
    return _per_population(
        ctx, w.group_by(area=w.area, grp=_lit("core")).aggregate(numerator=_count(w))
    )


@indicator(
    "PCT_FEMALE",
    "1-02",
    ("Porcentaje de mujeres", "Share of women"),
    ("Mujeres entre los trabajadores activos.", "Women among active workers."),
    "%",
    "active women",
    "active workers",
    100,
)
def _female(ctx: Context) -> Any:
    return _share(ctx, lambda w: w.sex == "F")


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
    ("Trabajadores activos nacidos fuera del país.", "Active workers born abroad."),
    "%",
    "active workers born abroad",
    "active workers",
    100,
)
def _foreign_born(ctx: Context) -> Any:
    return _share(ctx, lambda w: w.foreign_born)


@indicator(
    "PCT_FOREIGN_TRAINED",
    "1-07",
    ("Porcentaje formado en el extranjero", "Share trained abroad"),
    (
        "Trabajadores activos formados fuera del país, por país de formación.",
        "Active workers trained abroad, by country of training.",
    ),
    "%",
    "active workers trained in the country",
    "active workers",
    100,
    ("area", "occupation group", "country of training", "year"),
)
def _foreign_trained(ctx: Context) -> Any:
    return _share(
        ctx, lambda w: w.foreign_trained, category=lambda w: w.training_country, with_total=True
    )


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
        grp=_lit("all"),
        category=_lit(""),
        numerator=_count(w, w.grp == "nursing"),
        denominator=_count(w, w.grp == "medical_doctors"),
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
        grp=_lit("medical_doctors"),
        category=_lit(""),
        numerator=_count(w, w.level_of_care == "1"),
        denominator=_count(w),
    )


def _movements_of_year(ctx: Context) -> Any:
    """The year's movements counted by kind, reason, area, group and whether the worker was
    trained abroad (``n`` per combination)."""
    m = ctx.src.table("movement")
    first, last = dt.date(ctx.year, 1, 1), dt.date(ctx.year, 12, 31)
    kinds = ["entry", "exit", "emigration"]  # the kinds the flow indicators count
    m = m.filter(m.kind.isin(kinds) & (m.date >= first) & (m.date <= last))
    w = ctx.src.table("worker")
    groups = ctx.src.lookup_groups()
    people = w.select(
        wid=w.id, occupation_code=w.occupation_code, training_country=w.training_country
    )
    j = m.join(people, m.worker_id == people.wid)
    j = j.left_join(groups, j.occupation_code == groups.occupation_code)
    j = j.mutate(area_id=ibis.coalesce(j.destination_area_id, j.origin_area_id))
    j = _by_state(ctx, j, j.area_id)
    j = j.mutate(foreign=j.training_country.notnull() & (j.training_country != ctx.home))
    return j.group_by(
        kind=j.kind, reason=j.reason, area=j.area, grp=j.grp, foreign=j.foreign
    ).aggregate(n=j.count())


def _movements(ctx: Context, kinds: list[str], reasons: list[str] | None = None) -> Any:
    m = ctx.movements()
    m = m.filter(m.kind.isin(kinds))
    return m if reasons is None else m.filter(m.reason.isin(reasons))


def _rate_of_stock(ctx: Context, events: Any) -> Any:
    counts = events.group_by(area=events.area, grp=events.grp).aggregate(numerator=_count(events))
    w = ctx.workforce()
    stock = w.group_by(area=w.area, grp=w.grp).aggregate(denominator=_count(w))
    j = stock.left_join(counts, [stock.area == counts.area, stock.grp == counts.grp])
    return j.select(
        area=stock.area,
        grp=stock.grp,
        category=_lit(""),
        numerator=j.numerator.fill_null(0),
        denominator=j.denominator,
    )


@indicator(
    "ENTRY_RATE",
    "4-01",
    ("Tasa de ingreso", "Entry rate"),
    (
        "Ingresos al mercado laboral en el año por cada 100 trabajadores activos.",
        "Entries into the labour market in the year per 100 active workers.",
    ),
    "%",
    "entries in the year",
    "active workers at year end",
    100,
)
def _entry(ctx: Context) -> Any:
    return _rate_of_stock(ctx, _movements(ctx, ["entry"]))


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
    e = _movements(ctx, ["entry"])
    return e.group_by(area=e.area, grp=e.grp).aggregate(
        category=_lit(""), numerator=_count(e, e.foreign), denominator=_count(e)
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
    counts = j.group_by(area=_lit(ctx.home), grp=j.grp).aggregate(numerator=j.graduated.sum())
    pop = population(ctx.src, ctx.year, "country")
    k = counts.join(pop, counts.area == pop.area_code)
    return k.select(
        area=counts.area,
        grp=counts.grp,
        category=_lit(""),
        numerator=k.numerator,
        denominator=k.population,
    )


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
    return j.group_by(area=_lit(ctx.home), grp=j.grp).aggregate(
        category=_lit(""), numerator=j.dropped_out.sum(), denominator=j.enrolled.sum()
    )


def _posts_by_facility(ctx: Context) -> Any:
    """Posts per facility and occupation: how many are funded, funded and without a holder on
    the date, and how many assignments run on them on the date (staff)."""
    p = ctx.src.table("post")
    occupied = open_assignments(ctx.src, ctx.on)
    occupied = occupied.group_by(occ_post=occupied.post_id).aggregate(holders=occupied.count())
    j = p.left_join(occupied, p.id == occupied.occ_post)
    return j.group_by(facility_id=j.facility_id, occupation_code=j.occupation_code).aggregate(
        funded=_int(j.funded).sum(),
        vacant=_int(j.funded & j.holders.isnull()).sum(),
        staff=j.holders.fill_null(0).sum(),
    )


def _by_state(ctx: Context, t: Any, area_id: Any) -> Any:
    """``t`` with the column ``area``: the state of ``area_id``, or the country."""
    states = ctx.src.lookup_states()
    j = t.left_join(states, area_id == states.area_id)
    return j.mutate(area=j.state if ctx.level == "state" else ibis.literal(ctx.home))


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
    posts = ctx.posts()
    f = ctx.src.table("facility")
    facilities = f.select(fid=f.id, fac_area=f.area_id)
    j = posts.filter(posts.funded > 0).join(facilities, posts.facility_id == facilities.fid)
    groups = ctx.src.lookup_groups()
    j = j.left_join(groups, j.occupation_code == groups.occupation_code)
    j = _by_state(ctx, j, j.fac_area)
    return j.group_by(area=j.area, grp=j.grp).aggregate(
        category=_lit(""), numerator=j.vacant.sum(), denominator=j.funded.sum()
    )


def _team_gaps(ctx: Context) -> Any:
    """Per facility with a norm and per occupation: staff on the date and the norm."""
    f = ctx.src.table("facility")
    n = ctx.src.table("team_norm")
    posts = ctx.posts()
    staff = posts.select(sf=posts.facility_id, so=posts.occupation_code, staff=posts.staff)
    need = f.filter(f.status == "open").join(n, f.type == n.facility_type)
    need = need.select(
        fid=need.id, fac_area=need.area_id, occ=need.occupation_code, norm=need.headcount
    )
    j = need.left_join(staff, [need.fid == staff.sf, need.occ == staff.so])
    j = j.mutate(missing=ibis.greatest(j.norm - j.staff.fill_null(0), 0))
    return _by_state(ctx, j, j.fac_area)


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
    j = ctx.team_gaps()
    per_facility = j.group_by(area=j.area, fid=j.fid).aggregate(missing=j.missing.sum())
    return per_facility.group_by(area=per_facility.area).aggregate(
        grp=_lit("all"),
        category=_lit(""),
        numerator=_int(per_facility.missing == 0).sum(),
        denominator=per_facility.count(),
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
    j = ctx.team_gaps()
    return j.group_by(area=j.area, category=j.occ).aggregate(
        grp=_lit("all"), numerator=j.missing.sum(), denominator=j.norm.sum()
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
        category=_lit(""), numerator=_count(w, w.pathway == "complete"), denominator=_count(w)
    )
