"""The phone and mobile indexes hold only contacts that have a number.

Matching looks contacts up by number, never by a missing one, and most contacts have no mobile
(and many no direct phone): leaving them out makes both indexes smaller and spares writing
every contact without a number into them. The email index keeps every contact, as the one that
finds a service's contacts by their service alone (listing them; deleting the service).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_contacts_service_phone", "phone_e164"),
    ("ix_contacts_service_mobile", "mobile_e164"),
)


def upgrade() -> None:
    for name, column in _INDEXES:
        op.drop_index(name, table_name="contacts")
        present = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            name,
            "contacts",
            ["service_id", column],
            sqlite_where=present,
            postgresql_where=present,
        )


def downgrade() -> None:
    for name, column in _INDEXES:
        op.drop_index(name, table_name="contacts")
        op.create_index(name, "contacts", ["service_id", column])
