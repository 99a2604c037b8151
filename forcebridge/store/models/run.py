"""One execution of a stream, and a log entry per record it skipped, truncated or failed."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forcebridge.store.models.base import NAME_LENGTH, SALESFORCE_ID_LENGTH, Base
from forcebridge.store.types import utcnow

if TYPE_CHECKING:
    from forcebridge.store.models.org import Org
    from forcebridge.store.models.service import Service


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"
    """Finished, but some records failed or were skipped."""
    FAILED = "failed"
    """The stream itself could not run to the end; `error` says why."""


class LogLevel(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (
        Index("ix_runs_org_started_at", "org_id", "started_at"),
        Index("ix_runs_service_stream_started_at", "service_id", "stream", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    """None for org-level streams (export)."""
    stream: Mapped[str] = mapped_column(String(NAME_LENGTH))
    status: Mapped[RunStatus] = mapped_column(default=RunStatus.RUNNING)
    dry_run: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    read: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    api_calls: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)

    org: Mapped[Org] = relationship()
    service: Mapped[Service | None] = relationship()
    log_entries: Mapped[list[RunLogEntry]] = relationship(
        back_populates="run", passive_deletes=True, order_by="RunLogEntry.id"
    )


class RunLogEntry(Base):
    __tablename__ = "run_log_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    level: Mapped[LogLevel]
    salesforce_id: Mapped[str | None] = mapped_column(String(SALESFORCE_ID_LENGTH))
    record_ref: Mapped[str | None]
    """The record in the product's terms (a contact id, a CSV row) when there is one."""
    field: Mapped[str | None]
    code: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    """A stable reason code ("truncated", "ambiguous_match", a Salesforce errorCode)."""
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    run: Mapped[Run] = relationship(back_populates="log_entries")
