"""referral lifecycle and time zones of places

A referral ends with its counter-referral: the outcome the specialist sends back to the
referring facility (``outcome``, ``outcome_on``, a private ``outcome_note``). The database now
holds at most one live appointment per referral, as it already did per slot, and an
idempotency key remembers the request it was first used with (``idempotency_fingerprint``), so
a key reused for another request is refused instead of replayed. An area may name its IANA time
zone (``timezone``); a facility's clinics take the zone of its nearest area that has one.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_LIVE = "status IN ('booked', 'confirmed', 'attended', 'no_show')"


def upgrade() -> None:
    with op.batch_alter_table("area") as batch:
        batch.add_column(sa.Column("timezone", sa.String(length=60), nullable=True))
    with op.batch_alter_table("service_request") as batch:
        batch.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("outcome_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("outcome_note", sa.Text(), nullable=True))
    with op.batch_alter_table("appointment") as batch:
        batch.add_column(sa.Column("idempotency_fingerprint", sa.String(length=64), nullable=True))
    op.create_index(
        "uq_appointment_live_request",
        "appointment",
        ["request_id"],
        unique=True,
        sqlite_where=sa.text(_LIVE),
        postgresql_where=sa.text(_LIVE),
    )


def downgrade() -> None:
    op.drop_index("uq_appointment_live_request", table_name="appointment")
    with op.batch_alter_table("appointment") as batch:
        batch.drop_column("idempotency_fingerprint")
    with op.batch_alter_table("service_request") as batch:
        batch.drop_column("outcome_note")
        batch.drop_column("outcome_on")
        batch.drop_column("outcome")
    with op.batch_alter_table("area") as batch:
        batch.drop_column("timezone")
