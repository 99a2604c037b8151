"""Exports find prospects by case-folded email through an index, not a scan of the org's.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_prospects_org_email", "prospects", ["org_id", sa.text("lower(email)")])


def downgrade() -> None:
    op.drop_index("ix_prospects_org_email", table_name="prospects")
