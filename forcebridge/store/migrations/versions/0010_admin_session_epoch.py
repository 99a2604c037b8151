"""An admin's sessions can be ended: logging out ends every session of the admin.

A session lives in a signed cookie the server keeps no copy of, so a cookie saved before a
logout stayed valid until it expired. Each admin now has a session epoch, carried in the
cookie at login and raised by logging out: a cookie of an older epoch is no session.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "admin_users",
        sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("admin_users") as table:
        table.drop_column("session_epoch")
