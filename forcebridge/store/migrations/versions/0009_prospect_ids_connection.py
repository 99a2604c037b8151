"""A prospect's Salesforce Ids name the connection that gave them.

An org may have several connections, to as many Salesforce orgs, and a record Id means
something only in the org that made it: an export through a second connection used the Ids
the first had given, and overwrote whatever record carried that Id there. Ids kept before
belong to the org's connection when it has exactly one; otherwise nobody can tell, and the
next export finds its records by email again.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with _copying_prospects() as table:
        table.add_column(sa.Column("salesforce_connection_id", sa.Integer(), nullable=True))
        table.create_foreign_key(
            "fk_prospects_salesforce_connection_id_connections",
            "connections",
            ["salesforce_connection_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _restore_email_index()
    op.execute(
        "UPDATE prospects SET salesforce_connection_id ="
        " (SELECT min(c.id) FROM connections c WHERE c.org_id = prospects.org_id)"
        " WHERE (SELECT count(*) FROM connections c WHERE c.org_id = prospects.org_id) = 1"
        " AND (salesforce_lead_id IS NOT NULL OR salesforce_contact_id IS NOT NULL"
        " OR salesforce_account_id IS NOT NULL)"
    )
    op.execute(
        "UPDATE prospects SET salesforce_lead_id = NULL, salesforce_contact_id = NULL,"
        " salesforce_account_id = NULL WHERE salesforce_connection_id IS NULL"
    )


def downgrade() -> None:
    with _copying_prospects() as table:
        table.drop_constraint(
            "fk_prospects_salesforce_connection_id_connections", type_="foreignkey"
        )
        table.drop_column("salesforce_connection_id")
    _restore_email_index()


@contextmanager
def _copying_prospects() -> Iterator[BatchOperations]:
    """The batch that copies the table on SQLite; its warning that the expression index cannot
    be reflected is expected (`_restore_email_index` makes it again), so it is not shown on
    every new database."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection")
        with op.batch_alter_table("prospects") as table:
            yield table


def _restore_email_index() -> None:
    """SQLite adds a foreign key by copying the table, and the copy cannot carry an index on an
    expression (0003's, on `lower(email)`), which SQLite does not reflect: made again."""
    if op.get_bind().dialect.name == "sqlite":
        op.create_index("ix_prospects_org_email", "prospects", ["org_id", sa.text("lower(email)")])
