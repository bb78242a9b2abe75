"""competencies and learning pathways

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:39:45.732343
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "competency",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name_es", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_competency_created_in_change_set")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_competency")),
    )
    op.create_table(
        "course",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=True),
        sa.Column("hours", sa.Double(), nullable=False),
        sa.Column("modality", sa.String(length=20), nullable=False),
        sa.Column("validity_years", sa.Integer(), nullable=True),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint("hours > 0", name=op.f("ck_course_hours_positive")),
        sa.CheckConstraint(
            "validity_years IS NULL OR validity_years > 0", name=op.f("ck_course_validity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_course_created_in_change_set")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_course")),
    )
    op.create_table(
        "competency_norm",
        sa.Column("facility_type", sa.String(length=40), nullable=False),
        sa.Column("competency_code", sa.String(length=60), nullable=False),
        sa.Column("min_workers", sa.Integer(), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint("min_workers > 0", name=op.f("ck_competency_norm_min_positive")),
        sa.ForeignKeyConstraint(
            ["competency_code"],
            ["competency.code"],
            name=op.f("fk_competency_norm_competency_code_competency"),
        ),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_competency_norm_created_in_change_set")
        ),
        sa.PrimaryKeyConstraint(
            "facility_type", "competency_code", name=op.f("pk_competency_norm")
        ),
    )
    op.create_table(
        "course_competency",
        sa.Column("course_code", sa.String(length=60), nullable=False),
        sa.Column("competency_code", sa.String(length=60), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["competency_code"],
            ["competency.code"],
            name=op.f("fk_course_competency_competency_code_competency"),
        ),
        sa.ForeignKeyConstraint(
            ["course_code"], ["course.code"], name=op.f("fk_course_competency_course_code_course")
        ),
        sa.ForeignKeyConstraint(
            ["created_in"],
            ["change_set.id"],
            name=op.f("fk_course_competency_created_in_change_set"),
        ),
        sa.PrimaryKeyConstraint(
            "course_code", "competency_code", name=op.f("pk_course_competency")
        ),
    )
    op.create_table(
        "pathway",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("occupation_code", sa.String(length=4), nullable=True),
        sa.Column("facility_type", sa.String(length=40), nullable=True),
        sa.Column("ordered", sa.Boolean(), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_pathway_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["occupation_code"],
            ["occupation.code"],
            name=op.f("fk_pathway_occupation_code_occupation"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_pathway")),
    )
    op.create_table(
        "pathway_course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pathway_code", sa.String(length=60), nullable=False),
        sa.Column("course_code", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_code"], ["course.code"], name=op.f("fk_pathway_course_course_code_course")
        ),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_pathway_course_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["pathway_code"], ["pathway.code"], name=op.f("fk_pathway_course_pathway_code_pathway")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pathway_course")),
        sa.UniqueConstraint(
            "pathway_code", "course_code", name=op.f("uq_pathway_course_pathway_code_course_code")
        ),
    )
    op.create_table(
        "completion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("course_code", sa.String(length=60), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("score", sa.Double(), nullable=True),
        sa.Column("certificate_id", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "score IS NULL OR (score >= 0 AND score <= 100)", name=op.f("ck_completion_score_range")
        ),
        sa.ForeignKeyConstraint(
            ["course_code"], ["course.code"], name=op.f("fk_completion_course_code_course")
        ),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_completion_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_completion_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_completion")),
        sa.UniqueConstraint(
            "worker_id",
            "course_code",
            "completed_on",
            name=op.f("uq_completion_worker_id_course_code_completed_on"),
        ),
    )
    with op.batch_alter_table("completion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_completion_worker_id"), ["worker_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("completion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_completion_worker_id"))

    op.drop_table("completion")
    op.drop_table("pathway_course")
    op.drop_table("pathway")
    op.drop_table("course_competency")
    op.drop_table("competency_norm")
    op.drop_table("course")
    op.drop_table("competency")
