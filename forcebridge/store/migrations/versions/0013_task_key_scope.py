"""Task idempotency keys begin with a random scope of their service.

Keys named the service by its id, unique within one database only: two installations logging
to one org (a staging and a production one) could take each other's Tasks by key. New
services get a random scope; existing ones keep their id in their keys (left NULL here), as
the Tasks already written carry it.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("services", sa.Column("task_key_scope", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("services") as table:
        table.drop_column("task_key_scope")
