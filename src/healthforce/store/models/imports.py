"""What came in from outside: import runs, and aggregate series from public sources."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from healthforce.store.models.base import Audited, Base


class ImportRun(Base):
    """One import attempt, stored or rejected: who, when, which file, counts by outcome."""

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    change_set_id: Mapped[int | None] = mapped_column(ForeignKey("change_set.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    outcome: Mapped[str] = mapped_column(String(10), doc="stored, partial, rejected, dry-run")
    rows: Mapped[int] = mapped_column(default=0)
    inserted: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    invalid: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(Text)


class Observation(Audited, Base):
    """One published aggregate figure (WHO GHO, World Bank, OECD ...), kept beside the registry.

    ``partner`` is the second country of a bilateral figure ('' when none). A later vintage of
    the same (source, indicator, location, partner, year) replaces the value: never duplicated.
    """

    __tablename__ = "observation"
    __table_args__ = (
        UniqueConstraint("source", "indicator", "location", "partner", "year"),
        Index("ix_observation_indicator_location", "indicator", "location"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    indicator: Mapped[str] = mapped_column(String(60))
    location: Mapped[str] = mapped_column(String(20))
    partner: Mapped[str] = mapped_column(String(20), default="")
    year: Mapped[int]
    value: Mapped[float]
    low: Mapped[float | None]
    high: Mapped[float | None]
    is_country: Mapped[bool] = mapped_column(default=True)
    partner_is_country: Mapped[bool] = mapped_column(default=True)
    comment: Mapped[str | None] = mapped_column(Text)
    flag: Mapped[str | None] = mapped_column(String(20))
    vintage: Mapped[str] = mapped_column(String(40))
