"""A contact field a service defines for itself; values live in `Contact.custom` by name."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forcebridge.store.models.base import NAME_LENGTH, Base, Timestamped


class CustomFieldType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    BOOLEAN = "boolean"
    CHOICE = "choice"


class CustomContactField(Timestamped, Base):
    __tablename__ = "custom_contact_fields"
    __table_args__ = (UniqueConstraint("service_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    type: Mapped[CustomFieldType]
    choices: Mapped[list[str] | None]
    """The allowed values, in display order, when the type is choice."""
