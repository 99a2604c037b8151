"""A pulled record to read again by its Id at its stream's next run, whatever its
`SystemModstamp`: an incremental read would not see it, yet what the contact shows depends on
it again (the person's Contact was deleted, and their Lead's values are theirs once more)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import Base
from forcebridge.store.types import utcnow


class PendingReread(Base):
    __tablename__ = "pending_rereads"
    __table_args__ = (UniqueConstraint("service_id", "source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(64))
    """The identity source of the record, e.g. "salesforce:Lead"."""
    external_id: Mapped[str]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
