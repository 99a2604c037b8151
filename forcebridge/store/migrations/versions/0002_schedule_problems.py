"""Sync schedules say why their stream fails, and whether a person must act.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_schedules") as batch:
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("needs_attention", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_schedules") as batch:
        batch.drop_column("needs_attention")
        batch.drop_column("last_error")
