"""Schema version 3: the security columns.

A ``version`` per directory record (optimistic concurrency: a write names the version it read), and per user a
session version (raised to end every session), the failed sign-ins and a lockout time. Existing rows take the
server defaults (version 1, no failed sign-in).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels: str | None = None
depends_on: str | None = None

ADDED = {
    "agencies": ("version",),
    "agreements": ("version",),
    "organizations": ("version",),
    "users": ("session_version", "failed_logins", "locked_until"),
}


def upgrade() -> None:
    op.add_column("agencies", sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
    op.add_column("agreements", sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
    op.add_column("organizations", sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False))
    op.add_column("users", sa.Column("session_version", sa.Integer(), server_default=sa.text("1"), nullable=False))
    op.add_column("users", sa.Column("failed_logins", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.add_column("users", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table, columns in ADDED.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column)
