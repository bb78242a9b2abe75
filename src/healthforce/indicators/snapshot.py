"""The workforce on a date, as one Ibis expression every indicator starts from.

One row per worker in the workforce on the date, from the dated history
(:func:`healthforce.store.timeline.in_workforce`): occupation and its NHWA group, sex, age,
the state of the facility of their current assignment (or of their residence when
they have none), its type, level of care and the assignment's sector, where they were born and
trained, whether they serve in international cooperation and, for occupations with a learning
pathway, whether they hold every course of it on the date. The catalogue reads it counted
(:mod:`healthforce.indicators.facts`, :mod:`healthforce.indicators.summary`), never worker by
worker.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis

from healthforce.indicators.backends import Tables
from healthforce.store.timeline import in_workforce

AGE_BANDS = (
    ("<25", 0, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55-64", 55, 64),
    ("65+", 65, 200),
)


def age_band(age: Any) -> Any:
    """The NHWA age band of an age (null when the age is unknown)."""
    return ibis.cases(
        *[((age >= lo) & (age <= hi), name) for name, lo, hi in AGE_BANDS], else_=None
    )


def open_assignments(src: Tables, on: dt.date) -> Any:
    """Assignments running on ``on`` (started, and not ended before it)."""
    a = src.table("assignment")
    return a.filter((a.start_date <= on) & (a.end_date.isnull() | (a.end_date >= on)))


def current_assignments(src: Tables, on: dt.date, only: Any = None) -> Any:
    cur = open_assignments(src, on)
    if only is not None:
        cur = cur.filter(cur.worker_id.isin(only.worker_id))
    return cur.group_by(cur.worker_id).aggregate(
        post_id=cur.post_id.min(), sector=cur.sector.min(), contract=cur.contract_type.min()
    )


def pathway_status(src: Tables, on: dt.date, only: Any = None) -> tuple[Any, Any]:
    """Per occupation with a learning pathway, how many distinct courses it requires
    (``n_occ``, ``n_required``); per worker (of ``only``, when given), how many of those they
    hold valid on ``on`` (``hw``, ``n_held``)."""
    pathway, steps = src.table("pathway"), src.table("pathway_course")
    course, done = src.table("course"), src.table("completion")
    req = pathway.filter(pathway.occupation_code.notnull())
    req = req.join(steps, req.code == steps.pathway_code)
    req = req.select(req_occ=req.occupation_code, req_course=req.course_code).distinct()
    needed = req.group_by(n_occ=req.req_occ).aggregate(n_required=req.count())
    if only is not None:
        done = done.filter(done.worker_id.isin(only.worker_id))
    valid = done.join(course, done.course_code == course.code)
    valid = valid.filter(
        (valid.completed_on <= on)
        & (
            valid.validity_years.isnull()
            | ((valid.completed_on.year() + valid.validity_years) > on.year)
        )
    )
    valid = valid.select(vw=valid.worker_id, vc=valid.course_code).distinct()
    w = src.table("worker")
    people = w.select(pw=w.id, p_occ=w.occupation_code)
    held = valid.join(people, valid.vw == people.pw)
    held = held.join(req, [held.p_occ == req.req_occ, held.vc == req.req_course])
    per_worker = held.group_by(hw=held.vw).aggregate(n_held=held.count())
    return needed, per_worker


def workforce(src: Tables, on: dt.date, home: str, only: Any = None) -> Any:
    """One row per active worker on ``on`` (of ``only``, an Ibis table with ``worker_id``, when
    given): ``worker_id`` and every dimension of :data:`CUBE_DIMENSIONS`, the state as
    ``area``."""
    w = src.table("worker")
    p = src.table("post")
    f = src.table("facility")
    present = in_workforce(src.table, on, only)
    active = w.join(present, w.id == present.worker_id).select(w)
    cur = current_assignments(src, on, only)
    j = active.left_join(cur, active.id == cur.worker_id)
    posts = p.select(post_key=p.id, facility_id=p.facility_id)
    j = j.left_join(posts, j.post_id == posts.post_key)
    facilities = f.select(
        fac_key=f.id, fac_area=f.area_id, facility_type=f.type, level_of_care=f.level_of_care
    )
    j = j.left_join(facilities, j.facility_id == facilities.fac_key)
    j = j.mutate(area_id=ibis.coalesce(j.fac_area, j.residence_area_id))
    states = src.lookup_states()
    groups = src.lookup_groups()
    j = j.left_join(states, j.area_id == states.area_id)
    j = j.left_join(groups, j.occupation_code == groups.occupation_code)
    needed, held = pathway_status(src, on, only)
    j = j.left_join(needed, j.occupation_code == needed.n_occ)
    j = j.left_join(held, j.id == held.hw)
    born = j.birth_date
    before_birthday = (born.month() > on.month) | (
        (born.month() == on.month) & (born.day() > on.day)
    )
    age = on.year - born.year() - ibis.ifelse(before_birthday, 1, 0)
    return j.select(
        worker_id=j.id,
        area=j.state,
        grp=j.grp,
        sex=j.sex,
        age=age,
        facility_type=j.facility_type,
        level_of_care=j.level_of_care,
        sector=j.sector,
        cooperation=(j.contract == "cooperation").fill_null(False),
        assigned=j.post_id.notnull(),
        foreign_born=(j.birth_country.notnull() & (j.birth_country != home)),
        birth_known=j.birth_country.notnull(),
        foreign_trained=(j.training_country.notnull() & (j.training_country != home)),
        training_country=j.training_country,
        pathway=_pathway(j.n_required, j.n_held),
    )


def _pathway(n_required: Any, n_held: Any) -> Any:
    """A worker's learning pathway: none (null) when their occupation has none, "complete"
    when they hold every course of it, "incomplete" otherwise."""
    return ibis.ifelse(
        n_required.isnull(),
        ibis.null("string"),
        ibis.ifelse(n_held.fill_null(0) >= n_required, "complete", "incomplete"),
    )


def pathways(src: Tables, on: dt.date, only: Any) -> Any:
    """``worker_id`` and ``pathway`` on ``on`` of the workers of ``only`` (an Ibis table with
    ``worker_id``), as :func:`workforce` has it."""
    w = src.table("worker")
    w = w.filter(w.id.isin(only.worker_id))
    needed, held = pathway_status(src, on, only)
    j = w.left_join(needed, w.occupation_code == needed.n_occ)
    j = j.left_join(held, j.id == held.hw)
    return j.select(worker_id=j.id, pathway=_pathway(j.n_required, j.n_held))


#: What the catalogue counts the workforce by: one row per distinct combination, with ``n``.
CUBE_DIMENSIONS = (
    "area",
    "grp",
    "sex",
    "age",
    "facility_type",
    "level_of_care",
    "sector",
    "cooperation",
    "assigned",
    "foreign_born",
    "birth_known",
    "foreign_trained",
    "training_country",
    "pathway",
)


def population(src: Tables, year: int, level: str) -> Any:
    pop = src.table("area_population")
    area = src.table("area")
    p = pop.filter((pop.year == year) & (pop.sex == "T") & (pop.age_band == "total"))
    p = p.join(area.filter(area.level == level), p.area_id == area.id)
    return p.group_by(area_code=p.code).aggregate(population=p.population.sum())
