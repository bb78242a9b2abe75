"""indexes on the dates of the registry's dated facts

The registry's coverage (the first and last date of its movements, assignment starts and status
dates), read by every figure for a date, and the workers whose facts change during a year (what
carrying a year's indicator summaries over recomputes) are found through these indexes instead
of a scan of each table.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 01:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_movement_date", "movement", ["date"])
    op.create_index("ix_assignment_start", "assignment", ["start_date"])
    op.create_index("ix_worker_status_date", "worker", ["status_date"])


def downgrade() -> None:
    op.drop_index("ix_worker_status_date", table_name="worker")
    op.drop_index("ix_assignment_start", table_name="assignment")
    op.drop_index("ix_movement_date", table_name="movement")
