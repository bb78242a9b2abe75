"""Competencies and learning pathways: who has completed what their role requires, which
certificates expire, which teams cover their competency norms, and how many training places the
coming years need.

A worker's required courses are those of the pathways for their occupation (and, for pathways
tied to a facility type, only where they work in such a facility). A completion is valid on a
date when it happened on or before it and, for courses with a validity, less than that many
years before.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, select

from healthforce.store.models import (
    Assignment,
    CompetencyNorm,
    Completion,
    Course,
    CourseCompetency,
    Facility,
    Pathway,
    PathwayCourse,
    Post,
    Worker,
)
from healthforce.store.models.workforce import assignment_open_on
from healthforce.store.timeline import workforce_on

EXPIRY_WARNING_DAYS = 90


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Registry:
    """The learning data of a registry on a date, loaded once."""

    on: dt.date
    workers: pd.DataFrame  # worker_id, external_id, occupation, facility_id, facility_type
    required: dict[tuple[str | None, str | None], set[str]]  # (occupation, ftype) -> courses
    validity: dict[str, int | None]
    completions: pd.DataFrame  # worker_id, course, completed_on
    grants: dict[str, set[str]]  # course -> competencies
    norms: pd.DataFrame  # facility_type, competency, min_workers

    def required_of(self, occupation: str, facility_type: str | None) -> set[str]:
        out: set[str] = set()
        for (occ, ftype), courses in self.required.items():
            if occ in (None, occupation) and ftype in (None, facility_type) and (occ or ftype):
                out |= courses
        return out

    def expires(self, course: str, completed: dt.date) -> dt.date | None:
        years = self.validity.get(course)
        return None if years is None else _years_later(completed, years)

    def valid(self, on: dt.date | None = None) -> dict[int, dict[str, dt.date]]:
        """worker -> course -> latest valid completion date on ``on``."""
        on = on or self.on
        out: dict[int, dict[str, dt.date]] = defaultdict(dict)
        for w, course, day in self.completions.to_records(index=False).tolist():
            end = self.expires(course, day)
            current = day <= on and (end is None or end > on)
            if current and (course not in out[w] or out[w][course] < day):
                out[w][course] = day
        return out


def load(
    engine: Engine,
    on: dt.date,
    *,
    workers: Collection[str] | None = None,
    facilities: Collection[str] | None = None,
) -> Registry:
    """The learning data on ``on``; ``workers`` or ``facilities`` (external ids, codes) limit
    it to those workers or those facilities' staff (a record's page, not the whole country)."""
    query = (
        select(
            Worker.id,
            Worker.external_id,
            Worker.occupation_code,
            Post.facility_id,
            Facility.type,
        )
        .outerjoin(
            Assignment,
            (Assignment.worker_id == Worker.id) & assignment_open_on(on),
        )
        .outerjoin(Post, Post.id == Assignment.post_id)
        .outerjoin(Facility, Facility.id == Post.facility_id)
        .where(Worker.id.in_(select(workforce_on(engine.dialect.name, on).c.worker_id)))
    )
    if workers is not None:
        query = query.where(Worker.external_id.in_(list(workers)))
    if facilities is not None:
        query = query.where(Facility.code.in_(list(facilities)))
    with engine.connect() as conn:
        staff = pd.DataFrame(
            conn.execute(query).all(),
            columns=["worker_id", "external_id", "occupation", "facility_id", "facility_type"],
        )
        staff = staff.drop_duplicates("worker_id")
        required: dict[tuple[str | None, str | None], set[str]] = defaultdict(set)
        for occ, ftype, course in conn.execute(
            select(Pathway.occupation_code, Pathway.facility_type, PathwayCourse.course_code).join(
                PathwayCourse, PathwayCourse.pathway_code == Pathway.code
            )
        ):
            required[(occ, ftype)].add(course)
        validity = dict(conn.execute(select(Course.code, Course.validity_years)).all())
        done = select(Completion.worker_id, Completion.course_code, Completion.completed_on)
        if workers is not None or facilities is not None:
            done = done.where(Completion.worker_id.in_(staff["worker_id"].tolist()))
        completions = pd.DataFrame(
            conn.execute(done).all(), columns=["worker_id", "course", "completed_on"]
        )
        grants: dict[str, set[str]] = defaultdict(set)
        for course, competency in conn.execute(
            select(CourseCompetency.course_code, CourseCompetency.competency_code)
        ):
            grants[course].add(competency)
        norms = pd.DataFrame(
            conn.execute(
                select(
                    CompetencyNorm.facility_type,
                    CompetencyNorm.competency_code,
                    CompetencyNorm.min_workers,
                )
            ).all(),
            columns=["facility_type", "competency", "min_workers"],
        )
    return Registry(on, staff, dict(required), validity, completions, dict(grants), norms)


def progress(reg: Registry) -> pd.DataFrame:
    """Per worker: required courses, valid ones, progress, missing and soon-expiring courses."""
    valid = reg.valid()
    rows = []
    soon = reg.on + dt.timedelta(days=EXPIRY_WARNING_DAYS)
    for w in reg.workers.to_dict("records"):
        need = reg.required_of(w["occupation"], w["facility_type"])
        if not need:
            continue
        have = valid.get(w["worker_id"], {})
        done = need & set(have)
        expiring = sorted(
            c for c in done if (e := reg.expires(c, have[c])) is not None and e <= soon
        )
        rows.append(
            {
                "worker": w["external_id"],
                "occupation": w["occupation"],
                "required": len(need),
                "completed": len(done),
                "progress": len(done) / len(need),
                "complete": done == need,
                "missing": ", ".join(sorted(need - done)),
                "expiring_soon": ", ".join(expiring),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "worker",
            "occupation",
            "required",
            "completed",
            "progress",
            "complete",
            "missing",
            "expiring_soon",
        ],
    )


def coverage(reg: Registry) -> pd.DataFrame:
    """Per facility and competency of its type's norm: certified staff against the minimum."""
    valid = reg.valid()
    staff = reg.workers.dropna(subset=["facility_id"])
    rows = []
    for key, team in staff.groupby(["facility_id", "facility_type"]):
        fid, ftype = key[0], key[1]
        norms = reg.norms[reg.norms["facility_type"] == ftype]
        for n in norms.to_dict("records"):
            certified = sum(
                1
                for w in team["worker_id"]
                if any(n["competency"] in reg.grants.get(c, set()) for c in valid.get(w, {}))
            )
            rows.append(
                {
                    "facility_id": int(fid),  # type: ignore[call-overload]
                    "facility_type": ftype,
                    "competency": n["competency"],
                    "certified": certified,
                    "required": int(n["min_workers"]),
                    "met": certified >= int(n["min_workers"]),
                }
            )
    return pd.DataFrame(
        rows, columns=["facility_id", "facility_type", "competency", "certified", "required", "met"]
    )


def interprofessional(reg: Registry, groups: dict[str, str]) -> pd.DataFrame:
    """Courses completed by workers of more than one occupation group."""
    occ = dict(zip(reg.workers["worker_id"], reg.workers["occupation"], strict=True))
    by_course: dict[str, set[str]] = defaultdict(set)
    for w, course, _day in reg.completions.to_records(index=False).tolist():
        if w in occ:
            by_course[course].add(groups.get(occ[w], "other"))
    return pd.DataFrame(
        [
            {
                "course": c,
                "groups": len(g),
                "interprofessional": len(g) > 1,
                "which": ", ".join(sorted(g)),
            }
            for c, g in sorted(by_course.items())
        ]
    )


def training_places(
    reg: Registry, target_year: int, entrants: dict[tuple[str, int], float] | None = None
) -> pd.DataFrame:
    """Places needed per course and year, from next year to ``target_year``, so that every
    worker has their pathway by then: today's backlog spread evenly over the years, renewals
    of certificates that expire in each year, and the year's new entrants (occupation, year ->
    people, e.g. graduates from the forecast) who will need the course."""
    years = list(range(reg.on.year + 1, target_year + 1))
    if not years:
        raise ValueError("the target year must be after the date of the data")
    valid = reg.valid()
    places: dict[tuple[str, int], float] = defaultdict(float)
    for w in reg.workers.to_dict("records"):
        need = reg.required_of(w["occupation"], w["facility_type"])
        have = valid.get(w["worker_id"], {})
        for course in need:
            if course not in have:
                for y in years:
                    places[(course, y)] += 1 / len(years)
                continue
            end = reg.expires(course, have[course])
            while end is not None and end.year <= target_year:
                if end.year in years:
                    places[(course, end.year)] += 1
                end = reg.expires(course, end)
    for (occupation, year), n in (entrants or {}).items():
        if year in years:
            for course in reg.required_of(occupation, None):
                places[(course, year)] += n
    return pd.DataFrame(
        [{"course": c, "year": y, "places": round(v, 6)} for (c, y), v in sorted(places.items())],
        columns=["course", "year", "places"],
    )
