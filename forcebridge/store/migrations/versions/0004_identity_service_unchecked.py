"""An identity's service is no longer checked against `services` on every row written.

`contact_identities.service_id` repeats its contact's service so the unique key
(service, source, external id) holds per service; the contact's own foreign key already ties
the identity to that service, and deleting the service still deletes the identity through its
contact. The dropped check was a lookup of the service for every identity a pull writes (about
a twentieth of a first pull's time on PostgreSQL).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_CONSTRAINT = "fk_contact_identities_service_id_services"


def upgrade() -> None:
    with op.batch_alter_table("contact_identities") as table:
        table.drop_constraint(_CONSTRAINT, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("contact_identities") as table:
        table.create_foreign_key(
            _CONSTRAINT, "services", ["service_id"], ["id"], ondelete="CASCADE"
        )
