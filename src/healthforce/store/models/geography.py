"""Areas (a hierarchy country > state > municipality > ...) and their population."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthforce.store.models.base import Audited, Base


class Area(Audited, Base):
    """An administrative area. ``code`` is the official code (ISO 3166-2 where one exists)."""

    __tablename__ = "area"
    __table_args__ = (
        CheckConstraint("centroid_lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("centroid_lon BETWEEN -180 AND 180", name="lon_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    centroid_lat: Mapped[float | None]
    centroid_lon: Mapped[float | None]
    urban_rural: Mapped[str | None] = mapped_column(String(10))
    boundary: Mapped[str | None] = mapped_column(Text, doc="GeoJSON geometry, as it comes")
    #: IANA time zone of the area's clocks, where it differs from its parent's (or the country's).
    timezone: Mapped[str | None] = mapped_column(String(60))


class AreaPopulation(Audited, Base):
    """Population of an area in a year; ``sex`` 'T' and ``age_band`` 'total' for totals."""

    __tablename__ = "area_population"
    __table_args__ = (
        UniqueConstraint("area_id", "year", "sex", "age_band"),
        CheckConstraint("population >= 0", name="population_not_negative"),
        Index("ix_area_population_year", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    year: Mapped[int]
    sex: Mapped[str] = mapped_column(String(1), default="T")
    age_band: Mapped[str] = mapped_column(String(10), default="total")
    population: Mapped[int]
    source: Mapped[str | None] = mapped_column(String(200))
