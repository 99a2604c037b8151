"""Which contact a merged contact became, so that an id the product still holds for it finds the
person: a message sent under it is recorded under the contact kept (`sync/message_import.py`).

Merges made before this revision were not recorded; their ids stay unknown.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_merges",
        sa.Column("merged_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("kept_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kept_id"],
            ["contacts.id"],
            name="fk_contact_merges_kept_id_contacts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name="fk_contact_merges_service_id_services",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("merged_id", name="pk_contact_merges"),
    )
    op.create_index("ix_contact_merges_kept_id", "contact_merges", ["kept_id"])


def downgrade() -> None:
    op.drop_index("ix_contact_merges_kept_id", table_name="contact_merges")
    op.drop_table("contact_merges")
