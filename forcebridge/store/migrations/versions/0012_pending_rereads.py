"""Pulled records to read again by Id: a person's Lead once their Contact is deleted.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_rereads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_pending_rereads_service_id_services",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_pending_rereads"),
        sa.UniqueConstraint(
            "service_id",
            "source",
            "external_id",
            name="uq_pending_rereads_service_id_source_external_id",
        ),
    )


def downgrade() -> None:
    op.drop_table("pending_rereads")
