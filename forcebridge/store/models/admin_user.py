"""A person who manages an org in the admin pages; the password is kept only as a scrypt hash."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import Base, Timestamped

SESSION_KEY_BYTES = 32
SESSION_KEY_LENGTH = 64
"""Room for `SESSION_KEY_BYTES` in URL-safe base64 (43 characters)."""


class AdminRole(enum.StrEnum):
    ADMIN = "admin"
    """Changes connections, services, mappings and export preferences."""
    VIEWER = "viewer"
    """Sees settings, statuses and runs; changes nothing."""


def new_session_key() -> str:
    return secrets.token_urlsafe(SESSION_KEY_BYTES)


class AdminUser(Timestamped, Base):
    __tablename__ = "admin_users"
    __table_args__ = (
        UniqueConstraint("org_id", "email"),
        # An id a session cookie carried never names another admin (migration 0019).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    email: Mapped[str]
    """Case-folded, so one person cannot hold two accounts in an org by changing case."""
    password_hash: Mapped[str]
    role: Mapped[AdminRole] = mapped_column(default=AdminRole.ADMIN)
    last_login_at: Mapped[datetime | None]
    session_key: Mapped[str] = mapped_column(String(SESSION_KEY_LENGTH), default=new_session_key)
    """Random, made with the account and never changed, carried by its session cookies: a
    cookie is this account's, never that of another given the same id or e-mail later (or in
    another database under the same secret key)."""
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    """Carried by the admin's session cookies; logging out raises it, ending them all."""
