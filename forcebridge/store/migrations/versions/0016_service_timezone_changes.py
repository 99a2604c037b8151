"""A service remembers its earlier time zones, so that its zone can be changed.

A change takes effect at the end of the service's current day and never moves a message
already dated to another day: the days before it keep the old zone's, which this column holds
(`forcebridge.sync.service_days`). Every service made before has had one zone: an empty list.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "services",
        sa.Column(
            "timezone_changes",
            sa.JSON().with_variant(JSONB(), "postgresql"),
            nullable=False,
            server_default=sa.text("'[]'"),
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("services") as table:
        table.drop_column("timezone_changes")
