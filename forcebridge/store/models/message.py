"""A message the product exchanged with a contact: the material of the activity log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import Base
from forcebridge.store.types import utcnow


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("service_id", "external_id"),
        Index("ix_messages_service_sent_at", "service_id", "sent_at"),
        Index("ix_messages_contact_sent_at", "contact_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    direction: Mapped[Direction]
    channel: Mapped[str] = mapped_column(String(32))
    """"sms", "chat", or another channel the product names."""
    author: Mapped[str | None]
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime]
    external_id: Mapped[str | None]
    """The product's own id for the message, so importing it twice stores it once."""
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
