"""Declarative base with constraint names that Alembic can rely on (batch mode on SQLite)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Audited:
    """Mixin for registry tables: the change set that inserted the row.

    Together with the audit entries of later updates and deletes, this is the row's history:
    inserting a million rows costs one integer per row, not a million audit entries.
    """

    @declared_attr
    def created_in(self) -> Mapped[int | None]:
        return mapped_column(ForeignKey("change_set.id"))
