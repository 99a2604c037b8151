"""When a (service, stream) runs next: the one row both job engines dispatch from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import NAME_LENGTH, Base, Timestamped


class SyncSchedule(Timestamped, Base):
    __tablename__ = "sync_schedules"
    __table_args__ = (
        UniqueConstraint("service_id", "stream"),
        Index("ix_sync_schedules_due", "enabled", "next_run_at"),
        CheckConstraint("interval_minutes >= 1", name="interval_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(NAME_LENGTH))
    next_run_at: Mapped[datetime]
    interval_minutes: Mapped[int]
    backoff_until: Mapped[datetime | None]
    """Set after failures; the stream is not dispatched before it."""
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    enabled: Mapped[bool] = mapped_column(default=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    """Why the latest run failed, for the admin; None once a run succeeds."""
    needs_attention: Mapped[str | None] = mapped_column(String(32))
    """A stable code ("authentication_lost", "mapping_invalid", ...) while only a person can fix
    what stops the stream; None while it runs or fails only transiently."""
