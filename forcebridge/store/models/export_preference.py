"""An object type an org's users may export to; anything not listed is refused."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import NAME_LENGTH, Base


class ExportPreference(Base):
    __tablename__ = "export_preferences"
    __table_args__ = (UniqueConstraint("org_id", "object"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    object: Mapped[str] = mapped_column(String(NAME_LENGTH))
    """"Lead", "Contact" or "Account"."""
