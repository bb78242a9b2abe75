"""The indicator summaries: derived tables the observatory's catalogue reads, per year.

They hold nothing that is not in the registry: the workforce at year end one row per worker,
the year's movements one row per movement, both also counted by every dimension the catalogue
uses, and posts and team gaps per facility and occupation, also summed by state and occupation.
A change to the registry updates them in its own transaction
(:mod:`healthforce.indicators.summary`); a change too large for that, or made where the
summaries' upkeep is not loaded, marks them stale and they are rebuilt before they are next
read. Dimension columns are never NULL (summaries are upserted on them): an unknown text is
``""`` and an unknown age ``-1``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from healthforce.store.models.base import Base


def _text(length: int = 40) -> Mapped[str]:
    return mapped_column(String(length), primary_key=True)


def _flag() -> Mapped[bool]:
    return mapped_column(Boolean, primary_key=True)


class SummaryYear(Base):
    """A year whose summaries the store keeps, for which registry country, and whether a change
    has left them stale."""

    __tablename__ = "summary_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    home: Mapped[str] = mapped_column(String(3))
    stale: Mapped[bool] = mapped_column(Boolean)
    built_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SummaryWorker(Base):
    """One active worker at the end of the year, with every dimension the catalogue uses."""

    __tablename__ = "summary_worker"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    worker_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    area: Mapped[str] = mapped_column(String(40))
    grp: Mapped[str] = mapped_column(String(40))
    sex: Mapped[str] = mapped_column(String(1))
    age: Mapped[int] = mapped_column(Integer)
    facility_type: Mapped[str] = mapped_column(String(40))
    level_of_care: Mapped[str] = mapped_column(String(2))
    sector: Mapped[str] = mapped_column(String(20))
    cooperation: Mapped[bool] = mapped_column(Boolean)
    assigned: Mapped[bool] = mapped_column(Boolean)
    foreign_born: Mapped[bool] = mapped_column(Boolean)
    birth_known: Mapped[bool] = mapped_column(Boolean)
    foreign_trained: Mapped[bool] = mapped_column(Boolean)
    training_country: Mapped[str] = mapped_column(String(3))
    pathway: Mapped[str] = mapped_column(String(10))


class SummaryWorkforce(Base):
    """The workforce at the end of the year counted by every dimension but age."""

    __tablename__ = "summary_workforce"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    area: Mapped[str] = _text()
    grp: Mapped[str] = _text()
    sex: Mapped[str] = _text(1)
    facility_type: Mapped[str] = _text()
    level_of_care: Mapped[str] = _text(2)
    sector: Mapped[str] = _text(20)
    cooperation: Mapped[bool] = _flag()
    assigned: Mapped[bool] = _flag()
    foreign_born: Mapped[bool] = _flag()
    birth_known: Mapped[bool] = _flag()
    foreign_trained: Mapped[bool] = _flag()
    training_country: Mapped[str] = _text(3)
    pathway: Mapped[str] = _text(10)
    n: Mapped[int] = mapped_column(Integer)


class SummaryAge(Base):
    """The workforce at the end of the year counted by state, group and age."""

    __tablename__ = "summary_age"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    area: Mapped[str] = _text()
    grp: Mapped[str] = _text()
    age: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)


class SummaryMovement(Base):
    """One entry, exit or emigration of the year."""

    __tablename__ = "summary_movement"
    __table_args__ = (Index("ix_summary_movement_worker", "year", "worker_id"),)

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    movement_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    worker_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(40))
    area: Mapped[str] = mapped_column(String(40))
    grp: Mapped[str] = mapped_column(String(40))
    foreign: Mapped[bool] = mapped_column(Boolean)


class SummaryFlow(Base):
    """The year's movements counted by kind, reason, state, group and training abroad."""

    __tablename__ = "summary_flow"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = _text(20)
    reason: Mapped[str] = _text()
    area: Mapped[str] = _text()
    grp: Mapped[str] = _text()
    foreign: Mapped[bool] = _flag()
    n: Mapped[int] = mapped_column(Integer)


class SummaryPost(Base):
    """Posts per facility and occupation at the end of the year: funded, vacant, staff."""

    __tablename__ = "summary_post"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    facility_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occupation_code: Mapped[str] = _text(10)
    area: Mapped[str] = mapped_column(String(40))
    funded: Mapped[int] = mapped_column(Integer)
    vacant: Mapped[int] = mapped_column(Integer)
    staff: Mapped[int] = mapped_column(Integer)


class SummaryTeam(Base):
    """Per open facility with a team norm and per occupation at the end of the year: the norm,
    the staff and the headcount missing."""

    __tablename__ = "summary_team"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    facility_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occupation_code: Mapped[str] = _text(10)
    area: Mapped[str] = mapped_column(String(40))
    norm: Mapped[int] = mapped_column(Integer)
    staff: Mapped[int] = mapped_column(Integer)
    missing: Mapped[int] = mapped_column(Integer)


class SummaryVacancy(Base):
    """Posts at the end of the year by state and occupation: cells (``n``), funded, vacant."""

    __tablename__ = "summary_vacancy"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    area: Mapped[str] = _text()
    occupation_code: Mapped[str] = _text(10)
    n: Mapped[int] = mapped_column(Integer)
    funded: Mapped[int] = mapped_column(Integer)
    vacant: Mapped[int] = mapped_column(Integer)


class SummaryTeamNeed(Base):
    """Team norms at the end of the year by state and occupation: facility rows (``n``), the
    norms' headcount and the headcount missing."""

    __tablename__ = "summary_team_need"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    area: Mapped[str] = _text()
    occupation_code: Mapped[str] = _text(10)
    n: Mapped[int] = mapped_column(Integer)
    norm: Mapped[int] = mapped_column(Integer)
    missing: Mapped[int] = mapped_column(Integer)


class SummaryTeamMet(Base):
    """Facilities with a team norm at the end of the year by state (``n``), and how many of
    them meet it."""

    __tablename__ = "summary_team_met"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    area: Mapped[str] = _text()
    n: Mapped[int] = mapped_column(Integer)
    met: Mapped[int] = mapped_column(Integer)
