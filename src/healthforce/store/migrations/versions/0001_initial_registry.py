"""initial registry

Revision ID: 0001
Revises:
Create Date: 2026-11-23 14:43:30.263312
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_set",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_set")),
    )
    op.create_table(
        "area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("centroid_lat", sa.Double(), nullable=True),
        sa.Column("centroid_lon", sa.Double(), nullable=True),
        sa.Column("urban_rural", sa.String(length=10), nullable=True),
        sa.Column("boundary", sa.Text(), nullable=True),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint("centroid_lat BETWEEN -90 AND 90", name=op.f("ck_area_lat_range")),
        sa.CheckConstraint("centroid_lon BETWEEN -180 AND 180", name=op.f("ck_area_lon_range")),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_area_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["area.id"], name=op.f("fk_area_parent_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area")),
        sa.UniqueConstraint("code", name=op.f("uq_area_code")),
    )
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_set_id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_key", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=6), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_set.id"],
            name=op.f("fk_audit_entry_change_set_id_change_set"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_entry_change_set_id"), ["change_set_id"], unique=False
        )
        batch_op.create_index("ix_audit_entry_entity", ["entity", "entity_key"], unique=False)

    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_set_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("invalid", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_set_id"],
            ["change_set.id"],
            name=op.f("fk_import_run_change_set_id_change_set"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_run")),
    )
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_run_file_sha256"), ["file_sha256"], unique=False
        )

    op.create_table(
        "observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=False),
        sa.Column("location", sa.String(length=20), nullable=False),
        sa.Column("partner", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("low", sa.Double(), nullable=True),
        sa.Column("high", sa.Double(), nullable=True),
        sa.Column("is_country", sa.Boolean(), nullable=False),
        sa.Column("partner_is_country", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("flag", sa.String(length=20), nullable=True),
        sa.Column("vintage", sa.String(length=40), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_observation_created_in_change_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation")),
        sa.UniqueConstraint(
            "source",
            "indicator",
            "location",
            "partner",
            "year",
            name=op.f("uq_observation_source_indicator_location_partner_year"),
        ),
    )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_observation_indicator_location", ["indicator", "location"], unique=False
        )

    op.create_table(
        "occupation",
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("group", sa.String(length=40), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_es", sa.String(length=200), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_occupation_created_in_change_set")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_occupation")),
    )
    op.create_table(
        "specialty",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_es", sa.String(length=200), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_specialty_created_in_change_set")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_specialty")),
    )
    op.create_table(
        "area_population",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("age_band", sa.String(length=10), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "population >= 0", name=op.f("ck_area_population_population_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_area_population_area_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_area_population_created_in_change_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_area_population")),
        sa.UniqueConstraint(
            "area_id",
            "year",
            "sex",
            "age_band",
            name=op.f("uq_area_population_area_id_year_sex_age_band"),
        ),
    )
    with op.batch_alter_table("area_population", schema=None) as batch_op:
        batch_op.create_index("ix_area_population_year", ["year"], unique=False)

    op.create_table(
        "cadre",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("occupation_code", sa.String(length=4), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("name_es", sa.String(length=200), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_cadre_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["occupation_code"],
            ["occupation.code"],
            name=op.f("fk_cadre_occupation_code_occupation"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_cadre")),
    )
    op.create_table(
        "facility",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("level_of_care", sa.String(length=1), nullable=True),
        sa.Column("ownership", sa.String(length=20), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("network", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "closed_on IS NULL OR opened_on IS NULL OR closed_on >= opened_on",
            name=op.f("ck_facility_closed_after_opened"),
        ),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name=op.f("ck_facility_lat_range")),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name=op.f("ck_facility_lon_range")),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_facility_area_id_area")),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_facility_created_in_change_set")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility")),
        sa.UniqueConstraint("code", name=op.f("uq_facility_code")),
    )
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facility_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_facility_type"), ["type"], unique=False)

    op.create_table(
        "team_norm",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_type", sa.String(length=40), nullable=False),
        sa.Column("occupation_code", sa.String(length=4), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("per_population", sa.Integer(), nullable=True),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint("headcount > 0", name=op.f("ck_team_norm_headcount_positive")),
        sa.CheckConstraint(
            "per_population IS NULL OR per_population > 0",
            name=op.f("ck_team_norm_per_population_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_team_norm_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["occupation_code"],
            ["occupation.code"],
            name=op.f("fk_team_norm_occupation_code_occupation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_norm")),
        sa.UniqueConstraint(
            "facility_type",
            "occupation_code",
            name=op.f("uq_team_norm_facility_type_occupation_code"),
        ),
    )
    op.create_table(
        "training_institution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["area.id"], name=op.f("fk_training_institution_area_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["created_in"],
            ["change_set.id"],
            name=op.f("fk_training_institution_created_in_change_set"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_institution")),
        sa.UniqueConstraint("code", name=op.f("uq_training_institution_code")),
    )
    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("occupation_code", sa.String(length=4), nullable=False),
        sa.Column("specialty_code", sa.String(length=60), nullable=True),
        sa.Column("funded", sa.Boolean(), nullable=False),
        sa.Column("fte", sa.Double(), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint("fte > 0 AND fte <= 1", name=op.f("ck_post_fte_range")),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_post_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facility.id"], name=op.f("fk_post_facility_id_facility")
        ),
        sa.ForeignKeyConstraint(
            ["occupation_code"],
            ["occupation.code"],
            name=op.f("fk_post_occupation_code_occupation"),
        ),
        sa.ForeignKeyConstraint(
            ["specialty_code"], ["specialty.code"], name=op.f("fk_post_specialty_code_specialty")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post")),
        sa.UniqueConstraint("external_id", name=op.f("uq_post_external_id")),
    )
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.create_index(
            "ix_post_facility_occupation", ["facility_id", "occupation_code"], unique=False
        )

    op.create_table(
        "training_programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("occupation_code", sa.String(length=4), nullable=False),
        sa.Column("duration_years", sa.Integer(), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "duration_years > 0", name=op.f("ck_training_programme_duration_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_in"],
            ["change_set.id"],
            name=op.f("fk_training_programme_created_in_change_set"),
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["training_institution.id"],
            name=op.f("fk_training_programme_institution_id_training_institution"),
        ),
        sa.ForeignKeyConstraint(
            ["occupation_code"],
            ["occupation.code"],
            name=op.f("fk_training_programme_occupation_code_occupation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_programme")),
        sa.UniqueConstraint("code", name=op.f("uq_training_programme_code")),
    )
    op.create_table(
        "worker",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("national_id", sa.String(length=64), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("nationality", sa.String(length=3), nullable=True),
        sa.Column("birth_country", sa.String(length=3), nullable=True),
        sa.Column("training_country", sa.String(length=3), nullable=True),
        sa.Column("occupation_code", sa.String(length=4), nullable=False),
        sa.Column("cadre_code", sa.String(length=60), nullable=True),
        sa.Column("qualification_date", sa.Date(), nullable=True),
        sa.Column("licence_number", sa.String(length=64), nullable=True),
        sa.Column("licence_status", sa.String(length=10), nullable=True),
        sa.Column("licence_expiry", sa.Date(), nullable=True),
        sa.Column("residence_area_id", sa.Integer(), nullable=True),
        sa.Column("residence_lat", sa.Double(), nullable=True),
        sa.Column("residence_lon", sa.Double(), nullable=True),
        sa.Column("programme", sa.String(length=30), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("status_date", sa.Date(), nullable=True),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "qualification_date IS NULL OR birth_date IS NULL OR qualification_date > birth_date",
            name=op.f("ck_worker_qualified_after_birth"),
        ),
        sa.CheckConstraint("residence_lat BETWEEN -90 AND 90", name=op.f("ck_worker_lat_range")),
        sa.CheckConstraint("residence_lon BETWEEN -180 AND 180", name=op.f("ck_worker_lon_range")),
        sa.ForeignKeyConstraint(
            ["cadre_code"], ["cadre.code"], name=op.f("fk_worker_cadre_code_cadre")
        ),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_worker_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["occupation_code"],
            ["occupation.code"],
            name=op.f("fk_worker_occupation_code_occupation"),
        ),
        sa.ForeignKeyConstraint(
            ["residence_area_id"], ["area.id"], name=op.f("fk_worker_residence_area_id_area")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker")),
        sa.UniqueConstraint("external_id", name=op.f("uq_worker_external_id")),
        sa.UniqueConstraint("national_id", name=op.f("uq_worker_national_id")),
    )
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_worker_residence_area_id"), ["residence_area_id"], unique=False
        )

    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("fte", sa.Double(), nullable=False),
        sa.Column("weekly_hours", sa.Double(), nullable=True),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("contract_type", sa.String(length=20), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=True),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date",
            name=op.f("ck_assignment_ends_after_start"),
        ),
        sa.CheckConstraint("fte > 0 AND fte <= 1", name=op.f("ck_assignment_fte_range")),
        sa.CheckConstraint(
            "term_months IS NULL OR term_months > 0", name=op.f("ck_assignment_term_positive")
        ),
        sa.CheckConstraint(
            "weekly_hours IS NULL OR (weekly_hours > 0 AND weekly_hours <= 80)",
            name=op.f("ck_assignment_weekly_hours_range"),
        ),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_assignment_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(["post_id"], ["post.id"], name=op.f("fk_assignment_post_id_post")),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_assignment_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
        sa.UniqueConstraint("external_id", name=op.f("uq_assignment_external_id")),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index("ix_assignment_post", ["post_id"], unique=False)
        batch_op.create_index("ix_assignment_worker", ["worker_id"], unique=False)

    op.create_table(
        "movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("origin_area_id", sa.Integer(), nullable=True),
        sa.Column("origin_country", sa.String(length=3), nullable=True),
        sa.Column("destination_area_id", sa.Integer(), nullable=True),
        sa.Column("destination_country", sa.String(length=3), nullable=True),
        sa.Column("reason", sa.String(length=30), nullable=True),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_movement_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["destination_area_id"], ["area.id"], name=op.f("fk_movement_destination_area_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["origin_area_id"], ["area.id"], name=op.f("fk_movement_origin_area_id_area")
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_movement_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movement")),
        sa.UniqueConstraint("external_id", name=op.f("uq_movement_external_id")),
    )
    with op.batch_alter_table("movement", schema=None) as batch_op:
        batch_op.create_index("ix_movement_kind_date", ["kind", "date"], unique=False)
        batch_op.create_index("ix_movement_worker", ["worker_id"], unique=False)

    op.create_table(
        "training_cohort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("intake_year", sa.Integer(), nullable=False),
        sa.Column("enrolled", sa.Integer(), nullable=False),
        sa.Column("graduated", sa.Integer(), nullable=False),
        sa.Column("dropped_out", sa.Integer(), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "enrolled >= 0 AND graduated >= 0 AND dropped_out >= 0",
            name=op.f("ck_training_cohort_counts_not_negative"),
        ),
        sa.CheckConstraint(
            "graduated + dropped_out <= enrolled",
            name=op.f("ck_training_cohort_outcomes_within_intake"),
        ),
        sa.ForeignKeyConstraint(
            ["created_in"], ["change_set.id"], name=op.f("fk_training_cohort_created_in_change_set")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["training_programme.id"],
            name=op.f("fk_training_cohort_programme_id_training_programme"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_cohort")),
        sa.UniqueConstraint(
            "programme_id", "intake_year", name=op.f("uq_training_cohort_programme_id_intake_year")
        ),
    )
    op.create_table(
        "worker_specialty",
        sa.Column("worker_id", sa.Integer(), nullable=False),
        sa.Column("specialty_code", sa.String(length=60), nullable=False),
        sa.Column("created_in", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_in"],
            ["change_set.id"],
            name=op.f("fk_worker_specialty_created_in_change_set"),
        ),
        sa.ForeignKeyConstraint(
            ["specialty_code"],
            ["specialty.code"],
            name=op.f("fk_worker_specialty_specialty_code_specialty"),
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["worker.id"], name=op.f("fk_worker_specialty_worker_id_worker")
        ),
        sa.PrimaryKeyConstraint("worker_id", "specialty_code", name=op.f("pk_worker_specialty")),
    )


def downgrade() -> None:
    op.drop_table("worker_specialty")
    op.drop_table("training_cohort")
    with op.batch_alter_table("movement", schema=None) as batch_op:
        batch_op.drop_index("ix_movement_worker")
        batch_op.drop_index("ix_movement_kind_date")

    op.drop_table("movement")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_worker")
        batch_op.drop_index("ix_assignment_post")

    op.drop_table("assignment")
    with op.batch_alter_table("worker", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_worker_residence_area_id"))

    op.drop_table("worker")
    op.drop_table("training_programme")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_facility_occupation")

    op.drop_table("post")
    op.drop_table("training_institution")
    op.drop_table("team_norm")
    with op.batch_alter_table("facility", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_type"))
        batch_op.drop_index(batch_op.f("ix_facility_area_id"))

    op.drop_table("facility")
    op.drop_table("cadre")
    with op.batch_alter_table("area_population", schema=None) as batch_op:
        batch_op.drop_index("ix_area_population_year")

    op.drop_table("area_population")
    op.drop_table("specialty")
    op.drop_table("occupation")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_indicator_location")

    op.drop_table("observation")
    with op.batch_alter_table("import_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_run_file_sha256"))

    op.drop_table("import_run")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_entity")
        batch_op.drop_index(batch_op.f("ix_audit_entry_change_set_id"))

    op.drop_table("audit_entry")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_parent_id"))

    op.drop_table("area")
    op.drop_table("change_set")
