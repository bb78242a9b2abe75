"""facility codes up to 64 characters

National master lists and generated ids (a stable hash of name and place) run past 40.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 22:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.alter_column("code", type_=sa.String(64), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.alter_column("code", type_=sa.String(40), existing_nullable=False)
