"""An identity's connection is no longer indexed.

Nothing looks identities up by their connection: a pull finds them by (service, source,
external id) and by contact, and reconciliation reads a service's identities of one source
through the unique key, checking the connection on each. The index served only deleting a
connection (setting its identities' connection to NULL), a rare administrative act that may
as well read the table once, while every identity a pull writes paid for keeping it: about a
fifteenth of writing a first pull's identities on PostgreSQL.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_INDEX = "ix_contact_identities_connection_id"


def upgrade() -> None:
    op.drop_index(_INDEX, table_name="contact_identities")


def downgrade() -> None:
    op.create_index(_INDEX, "contact_identities", ["connection_id"])
