"""A parked activity window remembers the record it was parked writing to.

A window parked after its Contact was deleted stayed parked once the pull linked its contact
to another record, so its messages were never written without an admin's retry. Knowing the
record it was parked for, a push tries it again when the contact's record is another one.
Windows parked before keep NULL: they wait for new messages or a retry, as they did.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("activity_windows", sa.Column("parked_for", sa.String(length=18), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activity_windows") as table:
        table.drop_column("parked_for")
