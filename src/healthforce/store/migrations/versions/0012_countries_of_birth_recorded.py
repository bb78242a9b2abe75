"""countries of birth recorded

The share born abroad is now taken over the workers whose country of birth is recorded, with
that coverage published beside it, so the summaries count the workforce by whether the country
of birth is known (``birth_known``). The two summaries that hold the workforce are derived
tables: they are made again with the new column and every stored year is marked stale, so the
next read rebuilds it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_DIMENSIONS = (
    ("area", 40),
    ("grp", 40),
    ("sex", 1),
    ("facility_type", 40),
    ("level_of_care", 2),
    ("sector", 20),
)


def _tables(with_birth: bool) -> None:
    birth: list[sa.Column[bool]] = (
        [sa.Column("birth_known", sa.Boolean(), nullable=False)] if with_birth else []
    )
    op.create_table(
        "summary_worker",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("worker_id", sa.Integer(), autoincrement=False, nullable=False),
        *(sa.Column(name, sa.String(length=n), nullable=False) for name, n in _DIMENSIONS[:3]),
        sa.Column("age", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.String(length=n), nullable=False) for name, n in _DIMENSIONS[3:]),
        sa.Column("cooperation", sa.Boolean(), nullable=False),
        sa.Column("assigned", sa.Boolean(), nullable=False),
        sa.Column("foreign_born", sa.Boolean(), nullable=False),
        *birth,
        sa.Column("foreign_trained", sa.Boolean(), nullable=False),
        sa.Column("training_country", sa.String(length=3), nullable=False),
        sa.Column("pathway", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("year", "worker_id", name=op.f("pk_summary_worker")),
    )
    birth = [sa.Column("birth_known", sa.Boolean(), nullable=False)] if with_birth else []
    keys = [
        "year",
        *(name for name, _ in _DIMENSIONS),
        "cooperation",
        "assigned",
        "foreign_born",
        *(["birth_known"] if with_birth else []),
        "foreign_trained",
        "training_country",
        "pathway",
    ]
    op.create_table(
        "summary_workforce",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        *(sa.Column(name, sa.String(length=n), nullable=False) for name, n in _DIMENSIONS),
        sa.Column("cooperation", sa.Boolean(), nullable=False),
        sa.Column("assigned", sa.Boolean(), nullable=False),
        sa.Column("foreign_born", sa.Boolean(), nullable=False),
        *birth,
        sa.Column("foreign_trained", sa.Boolean(), nullable=False),
        sa.Column("training_country", sa.String(length=3), nullable=False),
        sa.Column("pathway", sa.String(length=10), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*keys, name=op.f("pk_summary_workforce")),
    )


def _remake(with_birth: bool) -> None:
    op.drop_table("summary_workforce")
    op.drop_table("summary_worker")
    _tables(with_birth)
    op.execute(sa.text("UPDATE summary_year SET stale = :yes").bindparams(yes=True))


def upgrade() -> None:
    _remake(with_birth=True)


def downgrade() -> None:
    _remake(with_birth=False)
