"""A record a pull stream's full read under way has seen (`Watermark.unlink_unseen`).

A full read that begins with records already linked unlinks, once it is complete, those it did
not find: they left the service's query or routing rule. What it has seen is written with each
page, in the page's transaction, so a read stopped midway (a crash, Ctrl+C) is finished by the
next run from its watermark, and still unlinks exactly what a read done in one go would.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import NAME_LENGTH, SALESFORCE_ID_LENGTH, Base


class FullReadSeen(Base):
    __tablename__ = "full_read_seen"
    __table_args__ = (Index("ix_full_read_seen_record", "service_id", "stream", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(NAME_LENGTH))
    external_id: Mapped[str] = mapped_column(String(SALESFORCE_ID_LENGTH))
    """Not unique: a record changed while the read goes on is read, and written, twice."""
