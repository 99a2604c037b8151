"""A failed admin login, kept for a while so every web process pauses a guesser alike."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import Base

THROTTLE_KEY_LENGTH = 512
"""Room for a key: the HMAC (64 hex digits) of the client address, the org and the e-mail
tried, never those themselves (`forcebridge.web.throttle`, migration 0020)."""


class LoginFailure(Base):
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_failed_at", "key", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(THROTTLE_KEY_LENGTH))
    failed_at: Mapped[datetime]
