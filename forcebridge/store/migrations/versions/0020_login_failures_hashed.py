"""Failed logins are kept by the HMAC of their key, never what was typed.

A failure's key was the client address, the org and the e-mail as typed (a password typed into
the e-mail field with them); it is now an HMAC under a key derived from the product's secret key
(`forcebridge.web.throttle`). The failures kept before are deleted rather than left in plain
text until a later failure ages them out: no new key could match them, and they counted for 15
minutes at most, so a login paused at the upgrade may be tried again at once.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("DELETE FROM login_failures"))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM login_failures"))
