"""A record that comes back finds its contact again: the links a pull removes are remembered.

A linked Salesforce record deleted, or leaving the service's query or routing rule, was
unlinked and its contact marked; undeleted from the recycle bin, or admitted again by a widened
rule, it was matched by phone or email only, so a record with neither got a second contact,
the first keeping its conversations. Links removed before this revision were not remembered:
their records come back matched as before.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_former_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name="fk_contact_former_links_contact_id_contacts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_contact_former_links"),
        sa.UniqueConstraint(
            "service_id",
            "source",
            "external_id",
            name="uq_contact_former_links_service_id_source_external_id",
        ),
    )
    op.create_index("ix_contact_former_links_contact_id", "contact_former_links", ["contact_id"])


def downgrade() -> None:
    op.drop_index("ix_contact_former_links_contact_id", table_name="contact_former_links")
    op.drop_table("contact_former_links")
