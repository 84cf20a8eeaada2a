"""Schema version 1: the directory (organizations, agencies, their services, agreements) and the case figures.

The tables as the first release created them. A database made since is created from the models at the head
revision and stamped (:func:`store.schema.init_db`); this revision builds version 1 where the chain is run from an
empty database (``alembic upgrade head``).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "agreements",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("area_a", sa.String(length=13), nullable=False),
        sa.Column("area_b", sa.String(length=13), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_agreements_area_a"), "agreements", ["area_a"], unique=False)
    op.create_index(op.f("ix_agreements_area_b"), "agreements", ["area_b"], unique=False)
    op.create_table(
        "case_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_code", sa.String(length=13), nullable=False),
        sa.Column("code_system", sa.String(length=12), nullable=False),
        sa.Column("source_area_code", sa.String(length=13), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=120), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("period_end >= period_start", name="ck_case_figures_period_order"),
        sa.CheckConstraint("value >= 0", name="ck_case_figures_value_not_negative"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "area_code",
            "period_start",
            "period_end",
            "measure",
            "source",
            name="uq_case_figures_area_period_measure_source",
        ),
    )
    op.create_index(op.f("ix_case_figures_area_code"), "case_figures", ["area_code"], unique=False)
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "schema_info",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "agencies",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("organization_id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("agency_type", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction_level", sa.String(length=20), nullable=False),
        sa.Column("area_code", sa.String(length=13), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("location_precision", sa.String(length=20), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("opening_hours", sa.Text(), nullable=True),
        sa.Column("languages", sa.Text(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("existence_confirmed", sa.Boolean(), nullable=False),
        sa.Column("retired_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_agencies_area_code"), "agencies", ["area_code"], unique=False)
    op.create_index(op.f("ix_agencies_organization_id"), "agencies", ["organization_id"], unique=False)
    op.create_table(
        "services",
        sa.Column("agency_id", sa.String(length=80), nullable=False),
        sa.Column("capability", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agency_id", "capability"),
    )


def downgrade() -> None:
    for table in ("services", "agencies", "schema_info", "organizations", "case_figures", "agreements"):
        op.drop_table(table)
