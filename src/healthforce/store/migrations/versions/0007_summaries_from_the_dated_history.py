"""summaries from the dated history

The workforce on a date is now read from the registry's dated history (movements, assignments,
status dates) instead of each worker's current status, so every stored year of indicator
summaries was computed by the old rule: they are marked stale, and the next read rebuilds them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 21:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("UPDATE summary_year SET stale = :yes").bindparams(yes=True))


def downgrade() -> None:
    op.execute(sa.text("UPDATE summary_year SET stale = :yes").bindparams(yes=True))
