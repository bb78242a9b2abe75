"""how each release was protected, and what the protection cost

Releases are protected as one linked set of counts (healthforce.disclosure); each records its
method, threshold, the counts of people and rows withheld and the attacker's audit.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("release", schema=None) as batch_op:
        batch_op.add_column(sa.Column("protection", sa.Text(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("release", schema=None) as batch_op:
        batch_op.drop_column("protection")
