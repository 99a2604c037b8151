"""A read under way no longer undoes a settings change: services have a pull settings version.

A change of a service's mapping, query, objects, routing rule or update-only mode deletes the
watermarks of the streams it concerns, so that their next run reads everything under the new
settings. A read already under way, still under the old settings, saved its next page's
watermark and so made it again: the records it had read were never read under the new ones.
The version moves with each such change and is never deleted: a read notes it as it begins and
writes nothing more for a service whose version has moved. Every service starts at 0.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "services",
        sa.Column("pull_settings_version", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("services") as table:
        table.drop_column("pull_settings_version")
