"""Who may run a (service, stream), or an org's exports, right now, until when; a dead holder's
lease just expires."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import NAME_LENGTH, Base


class Lease(Base):
    __tablename__ = "leases"
    __table_args__ = (
        UniqueConstraint("service_id", "stream"),
        UniqueConstraint("org_id", "stream"),
        CheckConstraint("(service_id IS NULL) <> (org_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    """The service whose stream the lease is for; None for an org's own (its exports)."""
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(NAME_LENGTH))
    holder: Mapped[str | None]
    """None when released."""
    expires_at: Mapped[datetime | None]
