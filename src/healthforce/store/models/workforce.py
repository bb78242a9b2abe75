"""The workforce: occupations and cadres, workers, posts (the establishment), assignments and
movements."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from healthforce.store.models.base import Audited, Base


class Occupation(Audited, Base):
    """An ISCO-08 health occupation (4-digit unit group)."""

    __tablename__ = "occupation"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    group: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(200))
    name_es: Mapped[str] = mapped_column(String(200))


class Cadre(Audited, Base):
    """A national cadre mapped onto an ISCO-08 occupation."""

    __tablename__ = "cadre"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupation.code"))
    name_en: Mapped[str] = mapped_column(String(200))
    name_es: Mapped[str] = mapped_column(String(200))


class Specialty(Audited, Base):
    __tablename__ = "specialty"

    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_es: Mapped[str] = mapped_column(String(200))


class Worker(Audited, Base):
    """A health worker. ``national_id`` is private data and never leaves the private side."""

    __tablename__ = "worker"
    __table_args__ = (
        CheckConstraint(
            "qualification_date IS NULL OR birth_date IS NULL OR qualification_date > birth_date",
            name="qualified_after_birth",
        ),
        CheckConstraint("residence_lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("residence_lon BETWEEN -180 AND 180", name="lon_range"),
        Index("ix_worker_status_date", "status_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    national_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date | None]
    nationality: Mapped[str | None] = mapped_column(String(3))
    birth_country: Mapped[str | None] = mapped_column(String(3))
    training_country: Mapped[str | None] = mapped_column(String(3))
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupation.code"))
    cadre_code: Mapped[str | None] = mapped_column(ForeignKey("cadre.code"))
    qualification_date: Mapped[dt.date | None]
    licence_number: Mapped[str | None] = mapped_column(String(64))
    licence_status: Mapped[str | None] = mapped_column(String(10))
    licence_expiry: Mapped[dt.date | None]
    residence_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    residence_lat: Mapped[float | None]
    residence_lon: Mapped[float | None]
    programme: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(12), default="active")
    status_date: Mapped[dt.date | None]


class WorkerSpecialty(Audited, Base):
    __tablename__ = "worker_specialty"

    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"), primary_key=True)
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialty.code"), primary_key=True)


class Post(Audited, Base):
    """A post of the establishment: a place for one worker of an occupation in a facility."""

    __tablename__ = "post"
    __table_args__ = (
        CheckConstraint("fte > 0 AND fte <= 1", name="fte_range"),
        Index("ix_post_facility_occupation", "facility_id", "occupation_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id"))
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupation.code"))
    specialty_code: Mapped[str | None] = mapped_column(ForeignKey("specialty.code"))
    funded: Mapped[bool] = mapped_column(Boolean, default=True)
    fte: Mapped[float] = mapped_column(default=1.0)


class Assignment(Audited, Base):
    """A worker in a post from ``start_date`` to ``end_date`` (open-ended when None)."""

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="ends_after_start"),
        CheckConstraint("fte > 0 AND fte <= 1", name="fte_range"),
        CheckConstraint(
            "weekly_hours IS NULL OR (weekly_hours > 0 AND weekly_hours <= 80)",
            name="weekly_hours_range",
        ),
        CheckConstraint("term_months IS NULL OR term_months > 0", name="term_positive"),
        Index("ix_assignment_worker", "worker_id"),
        Index("ix_assignment_post", "post_id"),
        Index("ix_assignment_start", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id"))
    start_date: Mapped[dt.date]
    end_date: Mapped[dt.date | None]
    fte: Mapped[float] = mapped_column(default=1.0)
    weekly_hours: Mapped[float | None]
    sector: Mapped[str] = mapped_column(String(20), default="public")
    contract_type: Mapped[str] = mapped_column(String(20), default="permanent")
    term_months: Mapped[int | None]


class Movement(Audited, Base):
    """A worker-level event: entry, exit, transfer, emigration or return."""

    __tablename__ = "movement"
    __table_args__ = (
        Index("ix_movement_kind_date", "kind", "date"),
        Index("ix_movement_worker", "worker_id"),
        Index("ix_movement_date", "date"),
        UniqueConstraint("external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64))
    worker_id: Mapped[int] = mapped_column(ForeignKey("worker.id"))
    kind: Mapped[str] = mapped_column(String(12))
    date: Mapped[dt.date]
    origin_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    origin_country: Mapped[str | None] = mapped_column(String(3))
    destination_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    destination_country: Mapped[str | None] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(String(30))


def practised_specialty() -> ColumnElement[str | None]:
    """The specialty practised in an assignment: its post's, or else (a specialist's general
    post) the worker's first registered specialty. Use with Post and Worker joined."""
    first = (
        select(func.min(WorkerSpecialty.specialty_code))
        .where(WorkerSpecialty.worker_id == Worker.id)
        .scalar_subquery()
    )
    return func.coalesce(Post.specialty_code, first)


def assignment_open_on(day: dt.date) -> ColumnElement[bool]:
    """Assignments running on ``day`` (started, and not ended before it)."""
    return (Assignment.start_date <= day) & (
        Assignment.end_date.is_(None) | (Assignment.end_date >= day)
    )
