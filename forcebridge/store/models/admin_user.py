"""A person who manages an org in the admin pages; the password is kept only as a scrypt hash."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import Base, Timestamped


class AdminRole(enum.StrEnum):
    ADMIN = "admin"
    """Changes connections, services, mappings and export preferences."""
    VIEWER = "viewer"
    """Sees settings, statuses and runs; changes nothing."""


class AdminUser(Timestamped, Base):
    __tablename__ = "admin_users"
    __table_args__ = (UniqueConstraint("org_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    email: Mapped[str]
    """Case-folded, so one person cannot hold two accounts in an org by changing case."""
    password_hash: Mapped[str]
    role: Mapped[AdminRole] = mapped_column(default=AdminRole.ADMIN)
    last_login_at: Mapped[datetime | None]
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    """Carried by the admin's session cookies; logging out raises it, ending them all."""
