"""A lease may be an org's own, where each was a service's: an org's exports hold one, so two
exports of the org never run at once (each would make every record the other makes).

A lease names its service, or its org (`org_id`), never both. The leases held so far are
services' and stay as they are.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# The names the models' naming convention gives; `op.f` keeps it from being applied again.
_ORG_KEY = "fk_leases_org_id_orgs"
_ORG_UNIQUE = "uq_leases_org_id_stream"
_ONE_OWNER = "ck_leases_one_owner"


def upgrade() -> None:
    with op.batch_alter_table("leases") as table:
        table.add_column(sa.Column("org_id", sa.Integer(), nullable=True))
        table.alter_column("service_id", existing_type=sa.Integer(), nullable=True)
        table.create_foreign_key(op.f(_ORG_KEY), "orgs", ["org_id"], ["id"], ondelete="CASCADE")
        table.create_unique_constraint(op.f(_ORG_UNIQUE), ["org_id", "stream"])
        table.create_check_constraint(op.f(_ONE_OWNER), "(service_id IS NULL) <> (org_id IS NULL)")


def downgrade() -> None:
    op.execute("DELETE FROM leases WHERE service_id IS NULL")
    with op.batch_alter_table("leases") as table:
        table.drop_constraint(op.f(_ONE_OWNER), type_="check")
        table.drop_constraint(op.f(_ORG_UNIQUE), type_="unique")
        table.drop_constraint(op.f(_ORG_KEY), type_="foreignkey")
        table.drop_column("org_id")
        table.alter_column("service_id", existing_type=sa.Integer(), nullable=False)
