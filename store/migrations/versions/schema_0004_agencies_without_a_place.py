"""Schema version 4: agencies without a place in Indonesia (missions abroad, national hotlines).

``area_code``, ``lon`` and ``lat`` become nullable, and ``country`` (ISO 3166-1 alpha-2, ``'ID'`` for every existing
row) and ``city`` are added. PostgreSQL drops the NOT NULL constraints in place; SQLite cannot, so Alembic's batch
mode copies ``agencies`` into a new table and renames it (every id, value and version kept). The upgrade runs with
SQLite's foreign keys off (:func:`store.schema.init_db`), so dropping the old table deletes no service through
``ON DELETE CASCADE``; the counter's triggers on the rebuilt table are installed again after the upgrade.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels: str | None = None
depends_on: str | None = None

PLACE = (("area_code", sa.String(length=13)), ("lon", sa.Float()), ("lat", sa.Float()))


def upgrade() -> None:
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("city", sa.Text(), nullable=True))
        batch.add_column(sa.Column("country", sa.String(length=2), server_default=sa.text("'ID'"), nullable=False))
        for name, kind in PLACE:
            batch.alter_column(name, existing_type=kind, nullable=True)


def downgrade() -> None:
    placeless = op.get_bind().execute(
        sa.text("SELECT count(*) FROM agencies WHERE area_code IS NULL OR lon IS NULL OR lat IS NULL")
    )
    if placeless.scalar_one():
        msg = "Agencies without a place (missions abroad, hotlines) exist: retire or delete them first."
        raise RuntimeError(msg)
    with op.batch_alter_table("agencies") as batch:
        for name, kind in PLACE:
            batch.alter_column(name, existing_type=kind, nullable=False)
        batch.drop_column("country")
        batch.drop_column("city")
