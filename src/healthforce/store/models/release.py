"""Releases: a year's public indicator catalogue frozen as published.

A release records what it was computed from (the registry's latest change set then, the
suppression threshold, the sources and their vintages) and a SHA-256 checksum of its values, so
that a figure once published can be cited, reproduced and checked; a later release of the same
year lists what it revised.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthforce.store.models.base import Base


class Release(Base):
    """One published catalogue of one year (both area levels)."""

    __tablename__ = "release"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(80))
    #: The registry's latest change set when the release was computed.
    change_set_id: Mapped[int | None] = mapped_column(Integer)
    threshold: Mapped[int] = mapped_column(Integer)
    #: JSON: the sources and vintages behind the figures (population, public series).
    sources: Mapped[str] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))
    #: JSON: how the release was protected (method, threshold) and what it cost (counts of
    #: people withheld, rows withheld, the audit's exposed cells); empty before migration 0010.
    protection: Mapped[str] = mapped_column(Text, server_default="{}")


class ReleaseValue(Base):
    """One published figure of a release, as published (suppressed ones without numbers)."""

    __tablename__ = "release_value"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("release.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    level: Mapped[str] = mapped_column(String(20), primary_key=True)
    area: Mapped[str] = mapped_column(String(40), primary_key=True)
    grp: Mapped[str] = mapped_column(String(40), primary_key=True)
    category: Mapped[str] = mapped_column(String(80), primary_key=True)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    suppressed: Mapped[bool] = mapped_column(Boolean)
