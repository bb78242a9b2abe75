"""Facilities, the service network they belong to, and team norms by facility type."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthforce.store.models.base import Audited, Base


class Facility(Audited, Base):
    __tablename__ = "facility"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="lon_range"),
        CheckConstraint(
            "closed_on IS NULL OR opened_on IS NULL OR closed_on >= opened_on",
            name="closed_after_opened",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(40), index=True)
    level_of_care: Mapped[str | None] = mapped_column(String(1))
    ownership: Mapped[str] = mapped_column(String(20))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    network: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_on: Mapped[dt.date | None]
    closed_on: Mapped[dt.date | None]


class TeamNorm(Audited, Base):
    """The interprofessional team a facility type needs: headcount by occupation.

    With ``per_population`` set, the headcount is required for every that many people served.
    """

    __tablename__ = "team_norm"
    __table_args__ = (
        UniqueConstraint("facility_type", "occupation_code"),
        CheckConstraint("headcount > 0", name="headcount_positive"),
        CheckConstraint(
            "per_population IS NULL OR per_population > 0", name="per_population_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_type: Mapped[str] = mapped_column(String(40))
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupation.code"))
    headcount: Mapped[int]
    per_population: Mapped[int | None]
