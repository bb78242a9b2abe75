"""specialist access

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:58:28.317168
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("referring_facility_id", sa.Integer(), nullable=False),
        sa.Column("patient_ref", sa.String(length=64), nullable=False),
        sa.Column("specialty_code", sa.String(length=60), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("clinical_text", sa.Text(), nullable=True),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_service_request_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["referring_facility_id"],
            ["facility.id"],
            name=op.f("fk_service_request_referring_facility_id_facility"),
        ),
        sa.ForeignKeyConstraint(
            ["specialty_code"],
            ["specialty.code"],
            name=op.f("fk_service_request_specialty_code_specialty"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_request")),
        sa.UniqueConstraint("external_id", name=op.f("uq_service_request_external_id")),
    )
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("specialty_code", sa.String(length=60), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.String(length=5), nullable=False),
        sa.Column("end_time", sa.String(length=5), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("timezone", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_schedule_capacity_positive")),
        sa.CheckConstraint("end_time > start_time", name=op.f("ck_schedule_ends_after_start")),
        sa.CheckConstraint("slot_minutes > 0", name=op.f("ck_schedule_slot_positive")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_schedule_weekday_range")),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_schedule_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_schedule_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["worker.id"], name=op.f("fk_schedule_practitioner_id_worker")
        ),
        sa.ForeignKeyConstraint(
            ["specialty_code"],
            ["specialty.code"],
            name=op.f("fk_schedule_specialty_code_specialty"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule")),
        sa.UniqueConstraint("external_id", name=op.f("uq_schedule_external_id")),
    )
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_schedule_practitioner_id"), ["practitioner_id"], unique=False
        )

    op.create_table(
        "slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_slot_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedule.id"], name=op.f("fk_slot_schedule_id_schedule")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slot")),
        sa.UniqueConstraint(
            "schedule_id", "start", "seat", name=op.f("uq_slot_schedule_id_start_seat")
        ),
    )
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.create_index("ix_slot_start", ["start"], unique=False)

    op.create_table(
        "appointment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_appointment_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["service_request.id"],
            name=op.f("fk_appointment_request_id_service_request"),
        ),
        sa.ForeignKeyConstraint(["slot_id"], ["slot.id"], name=op.f("fk_appointment_slot_id_slot")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_appointment_idempotency_key")),
    )
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.create_index("ix_appointment_request", ["request_id"], unique=False)
        batch_op.create_index(
            "uq_appointment_live_slot",
            ["slot_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('booked', 'confirmed', 'attended', 'no_show')"),
            postgresql_where=sa.text("status IN ('booked', 'confirmed', 'attended', 'no_show')"),
        )


def downgrade() -> None:
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_appointment_live_slot",
            sqlite_where=sa.text("status IN ('booked', 'confirmed', 'attended', 'no_show')"),
            postgresql_where=sa.text("status IN ('booked', 'confirmed', 'attended', 'no_show')"),
        )
        batch_op.drop_index("ix_appointment_request")

    op.drop_table("appointment")
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_index("ix_slot_start")

    op.drop_table("slot")
    with op.batch_alter_table("schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schedule_practitioner_id"))

    op.drop_table("schedule")
    op.drop_table("service_request")
