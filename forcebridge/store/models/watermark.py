"""Where a pull stream stands: the last `SystemModstamp` fully applied and the ids seen at it.

Owned by a service, or by a connection when one read of an object is fanned out to several
services. The ids at the modstamp let the next inclusive read skip what it already applied.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import NAME_LENGTH, Base
from forcebridge.store.types import utcnow


class Watermark(Base):
    __tablename__ = "watermarks"
    __table_args__ = (
        UniqueConstraint("service_id", "stream"),
        UniqueConstraint("connection_id", "stream"),
        CheckConstraint("(service_id IS NULL) <> (connection_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE")
    )
    stream: Mapped[str] = mapped_column(String(NAME_LENGTH))
    """"pull:Contact", "pull:Lead", "pull:custom", ..."""
    modstamp: Mapped[datetime | None]
    """None until a first full read has been applied."""
    ids_at_modstamp: Mapped[list[str]] = mapped_column(default=list)
    unlink_unseen: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A full read of the stream is under way that began with records linked: once it is
    complete, the linked records it has not seen (`FullReadSeen`) are unlinked. Kept until then,
    so a read stopped midway is finished by the next run, from the watermark."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
