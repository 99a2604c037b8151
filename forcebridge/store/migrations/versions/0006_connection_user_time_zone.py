"""A connection records its user's time zone.

Salesforce reads a query's date literals (`TODAY`, `LAST_N_DAYS:7`) in the time zone of the
user the query runs as; a pull that splits one read between services by their routing rules
reads those rules' date literals the same way, so it needs that zone. Connections made before
have none until they are connected again, and are read in UTC as before.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("connections") as table:
        table.add_column(sa.Column("user_time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("connections") as table:
        table.drop_column("user_time_zone")
