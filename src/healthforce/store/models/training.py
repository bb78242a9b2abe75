"""The training pipeline: institutions, programmes and yearly cohorts."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthforce.store.models.base import Audited, Base


class TrainingInstitution(Audited, Base):
    __tablename__ = "training_institution"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    country: Mapped[str] = mapped_column(String(3))


class TrainingProgramme(Audited, Base):
    """A programme producing one occupation, e.g. six-year community medicine (2211)."""

    __tablename__ = "training_programme"
    __table_args__ = (CheckConstraint("duration_years > 0", name="duration_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    institution_id: Mapped[int] = mapped_column(ForeignKey("training_institution.id"))
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupation.code"))
    duration_years: Mapped[int]


class TrainingCohort(Audited, Base):
    __tablename__ = "training_cohort"
    __table_args__ = (
        UniqueConstraint("programme_id", "intake_year"),
        CheckConstraint(
            "enrolled >= 0 AND graduated >= 0 AND dropped_out >= 0", name="counts_not_negative"
        ),
        CheckConstraint("graduated + dropped_out <= enrolled", name="outcomes_within_intake"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("training_programme.id"))
    intake_year: Mapped[int]
    enrolled: Mapped[int]
    graduated: Mapped[int] = mapped_column(default=0)
    dropped_out: Mapped[int] = mapped_column(default=0)
