"""A full read stopped midway is finished by the next run, unlinking what it did not see.

The read that follows a changed query, routing rule or mapping (or `pull --full`) unlinks the
records linked to the service's contacts that it does not find. It kept the records it had
seen in memory, and each page moved the watermark: stopped midway, the next run read on from
there as an ordinary increment and nothing unlinked the records that had left until the daily
reconciliation. A watermark now says when such a read is under way, and what it has seen is
written with each page. Nothing is under way at the upgrade (a read stopped before it left
the records that had left it linked; the reconciliation finds them, as it did).

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "watermarks",
        sa.Column("unlink_unseen", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "full_read_seen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=18), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_full_read_seen_service_id_services",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_full_read_seen"),
    )
    op.create_index(
        "ix_full_read_seen_record", "full_read_seen", ["service_id", "stream", "external_id"]
    )


def downgrade() -> None:
    op.drop_table("full_read_seen")
    with op.batch_alter_table("watermarks") as table:
        table.drop_column("unlink_unseen")
