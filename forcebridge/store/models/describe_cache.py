"""A connection's describe of one sObject at one API version, kept to verify without API calls.

`last_modified` is Salesforce's header as received, sent back as `If-Modified-Since` so a
refresh of an unchanged object costs a 304; `checked_at` is when Salesforce last confirmed it.
The describeGlobal result is kept under the empty sObject name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import Base
from forcebridge.store.types import utcnow


class DescribeCacheEntry(Base):
    __tablename__ = "describe_cache"
    __table_args__ = (UniqueConstraint("connection_id", "sobject", "api_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    sobject: Mapped[str]
    api_version: Mapped[str] = mapped_column(String(8))
    payload: Mapped[dict[str, Any]]
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_modified: Mapped[str | None] = mapped_column(String(64))
