"""Competencies and learning pathways: courses, what they certify, pathways required for a role,
completions per worker, and the competencies each facility type's team must cover."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthforce.store.models.base import Audited, Base


class Competency(Audited, Base):
    __tablename__ = "competency"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name_es: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))


class Course(Audited, Base):
    """A course (e.g. on PAHO's Virtual Campus): hours, modality, validity of its certificate."""

    __tablename__ = "course"
    __table_args__ = (
        CheckConstraint("hours > 0", name="hours_positive"),
        CheckConstraint("validity_years IS NULL OR validity_years > 0", name="validity_positive"),
    )

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str | None] = mapped_column(String(200))
    hours: Mapped[float]
    modality: Mapped[str] = mapped_column(String(20), default="virtual")
    validity_years: Mapped[int | None]


class CourseCompetency(Audited, Base):
    __tablename__ = "course_competency"

    course_code: Mapped[str] = mapped_column(ForeignKey("course.code"), primary_key=True)
    competency_code: Mapped[str] = mapped_column(ForeignKey("competency.code"), primary_key=True)


class Pathway(Audited, Base):
    """Courses required of an occupation, optionally only in a facility type."""

    __tablename__ = "pathway"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupation.code"))
    facility_type: Mapped[str | None] = mapped_column(String(40))
    ordered: Mapped[bool] = mapped_column(default=False)


class PathwayCourse(Audited, Base):
    __tablename__ = "pathway_course"
    __table_args__ = (UniqueConstraint("pathway_code", "course_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pathway_code: Mapped[str] = mapped_column(ForeignKey("pathway.code"))
    course_code: Mapped[str] = mapped_column(ForeignKey("course.code"))
    position: Mapped[int] = mapped_column(default=1)


class Completion(Audited, Base):
    __tablename__ = "completion"
    __table_args__ = (
        UniqueConstraint("worker_id", "course_code", "completed_on"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), index=True)
    course_code: Mapped[str] = mapped_column(ForeignKey("course.code"))
    completed_on: Mapped[dt.date]
    score: Mapped[float | None]
    certificate_id: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(String(100))


class CompetencyNorm(Audited, Base):
    """A facility type's team must have at least ``min_workers`` certified in a competency."""

    __tablename__ = "competency_norm"
    __table_args__ = (CheckConstraint("min_workers > 0", name="min_positive"),)

    facility_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    competency_code: Mapped[str] = mapped_column(ForeignKey("competency.code"), primary_key=True)
    min_workers: Mapped[int] = mapped_column(default=1)
