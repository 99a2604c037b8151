"""A token the product calls the REST API with, on behalf of one org.

Only the SHA-256 of the token is kept: the token is shown once, when it is made, and a copy of
the table gives nobody a way in. A token is random and long, so a fast hash is enough (unlike
a password, nobody can guess one to check against the hash).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import NAME_LENGTH, Base
from forcebridge.store.types import utcnow

TOKEN_HASH_LENGTH = 64
"""A SHA-256 digest in hexadecimal."""


class ApiToken(Base):
    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    """What the org calls it (`product`, `billing-sync`): revoked by this name."""
    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    """Recorded at most once a minute, so a busy caller does not write on every request."""
