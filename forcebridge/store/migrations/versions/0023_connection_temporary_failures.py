"""A connection counts its requests that failed with temporary errors in a row.

The Salesforce client derived "unstable" (three temporary failures in a row) from its own calls
alone, and each run has a client of its own: a Salesforce that stopped answering failed every
run after two timed-out tries, so the connection never showed it. The count is kept on the
connection, where every run of every process adds to it and a request that goes through
clears it. Every connection starts at 0.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "connections",
        sa.Column("temporary_failures", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    # Copied on SQLite: keep its AUTOINCREMENT, so no connection id is given again (0019).
    with op.batch_alter_table("connections", table_kwargs={"sqlite_autoincrement": True}) as table:
        table.drop_column("temporary_failures")
