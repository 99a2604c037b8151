"""Who may run a (service, stream) right now, until when; a dead holder's lease just expires."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import NAME_LENGTH, Base


class Lease(Base):
    __tablename__ = "leases"
    __table_args__ = (UniqueConstraint("service_id", "stream"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(NAME_LENGTH))
    holder: Mapped[str | None]
    """None when released."""
    expires_at: Mapped[datetime | None]
