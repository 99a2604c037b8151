"""A connection records its user's locale.

Salesforce starts a query's week date literals (`THIS_WEEK`, `LAST_N_WEEKS:2`) on the first day
of the week of the locale of the user the query runs as (`LocaleSidKey`: Monday for en_GB,
Sunday for en_US); a pull that splits one read between services by their routing rules reads
those rules' week literals the same way, so it needs that locale. Connections made before have
none until they are connected again, and start weeks on Sunday as before.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("connections") as table:
        table.add_column(sa.Column("user_locale", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("connections") as table:
        table.drop_column("user_locale")
