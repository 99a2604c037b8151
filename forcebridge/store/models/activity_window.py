"""The Task that holds one contact's conversation for one local day (or one part of it).

A window is recorded with its idempotency key before its Task is written, so a run that
crashed after Salesforce accepted the write finds that Task again instead of writing another.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import SALESFORCE_ID_LENGTH, Base, Timestamped


class ActivityWindow(Timestamped, Base):
    __tablename__ = "activity_windows"
    __table_args__ = (UniqueConstraint("contact_id", "window_date", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    window_date: Mapped[date]
    """The calendar day in the service's time zone."""
    part: Mapped[int] = mapped_column(default=1)
    """1, or 2, 3, ... when a day's transcript overflows one Task's Description."""
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    salesforce_task_id: Mapped[str | None] = mapped_column(String(SALESFORCE_ID_LENGTH))
    target_object: Mapped[str | None] = mapped_column(String(16))
    """"Contact" or "Lead"."""
    target_id: Mapped[str | None] = mapped_column(String(SALESFORCE_ID_LENGTH))
    message_count: Mapped[int] = mapped_column(default=0)
    last_message_id: Mapped[int | None]
    """The newest message the written Task includes."""
    content_hash: Mapped[str | None] = mapped_column(String(64))
    """Hash of the Description last written, so an unchanged window costs no call."""
    attempts: Mapped[int] = mapped_column(default=0)
    """Failed writes in a row; the window is parked after too many."""
    parked_reason: Mapped[str | None] = mapped_column(Text)
    parked_for: Mapped[str | None] = mapped_column(String(SALESFORCE_ID_LENGTH))
    """The record the window was parked writing to: once its contact stands for another one
    (the record deleted, the contact linked anew), it is tried again."""
    written_at: Mapped[datetime | None]
