"""referral lifecycle, time zones of places, sign-in failures per address, activity


A referral ends with its counter-referral: the outcome the specialist sends back to the
referring facility (``outcome``, ``outcome_on``, a private ``outcome_note``). The database now
holds at most one live appointment per referral, as it already did per slot, and an
idempotency key remembers the request it was first used with (``idempotency_fingerprint``), so
a key reused for another request is refused instead of replayed. An area may name its IANA time
zone (``timezone``); a facility's clinics take the zone of its nearest area that has one. A
referral keeps the local day of its live appointment (``seen_on``), so waiting times read one
table.
Failed sign-ins are counted per user name and address (``sign_in_failure``), for any name, so
the lockout neither tells whether an account exists nor lets anyone lock an account for
everyone; the private side's activity that is not a change set (sign-ins, exports, uploads,
changes to users) is kept in ``activity`` for the audit page; changes to fields that need
approval (documents, licences) wait in ``pending_change`` for someone who may approve them.

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
        batch.add_column(sa.Column("seen_on", sa.Date(), nullable=True))
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
    op.create_table(
        "sign_in_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failure")),
        sa.UniqueConstraint(
            "username", "address", name=op.f("uq_sign_in_failure_username_address")
        ),
    )
    op.create_table(
        "activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity")),
    )
    op.create_index("ix_activity_at", "activity", ["at"])
    op.create_table(
        "pending_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_key", sa.String(length=100), nullable=False),
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("proposed_by", sa.String(length=100), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("change_set_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_set.id"],
            name=op.f("fk_pending_change_change_set_id_change_set"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_change")),
    )
    op.create_index("ix_pending_change_status", "pending_change", ["status"])
    from healthforce.access.booking import mark_seen_on

    mark_seen_on(op.get_bind(), None)  # the day each live appointment ends its wait


def downgrade() -> None:
    op.drop_index("ix_pending_change_status", table_name="pending_change")
    op.drop_table("pending_change")
    op.drop_index("ix_activity_at", table_name="activity")
    op.drop_table("activity")
    op.drop_table("sign_in_failure")
    op.drop_index("uq_appointment_live_request", table_name="appointment")
    with op.batch_alter_table("appointment") as batch:
        batch.drop_column("idempotency_fingerprint")
    with op.batch_alter_table("service_request") as batch:
        batch.drop_column("seen_on")
        batch.drop_column("outcome_note")
        batch.drop_column("outcome_on")
        batch.drop_column("outcome")
    with op.batch_alter_table("area") as batch:
        batch.drop_column("timezone")
