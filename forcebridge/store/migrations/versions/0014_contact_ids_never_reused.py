"""A contact id, once given, is never given again (SQLite's AUTOINCREMENT).

SQLite gives a new row the highest id in the table plus one, so a contact merged away while
it held the highest id (a merge deletes the newer of two contacts) had its id given to the
next contact made: an id the product still held (in its messages, through the REST API) then
named another person. AUTOINCREMENT keeps the highest id ever given. The table is copied to
change it; its indexes are made again as they were. PostgreSQL's sequences never reuse an id:
nothing changes there.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_PHONE_INDEXES = (
    ("ix_contacts_service_phone", "phone_e164"),
    ("ix_contacts_service_mobile", "mobile_e164"),
)


def upgrade() -> None:
    _copy_contacts(autoincrement=True)


def downgrade() -> None:
    _copy_contacts(autoincrement=False)


def _copy_contacts(*, autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    indexes = ("ix_contacts_service_email", *(name for name, _ in _PHONE_INDEXES))
    for name in indexes:
        op.drop_index(name, table_name="contacts")
    with op.batch_alter_table(
        "contacts", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass
    op.create_index("ix_contacts_service_email", "contacts", ["service_id", "email_normalized"])
    for name, column in _PHONE_INDEXES:
        op.create_index(
            name, "contacts", ["service_id", column], sqlite_where=sa.text(f"{column} IS NOT NULL")
        )
