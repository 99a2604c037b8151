"""Ordered `source -> target` rows for one object, owned by a service (pull) or an org (export).

Rows sharing a target form a fallback hierarchy in `position` order: the first non-empty
source wins. Rows are a child table rather than JSON so each can be named in an error.
"""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forcebridge.store.models.base import NAME_LENGTH, Base, Timestamped


class UpdateOption(enum.StrEnum):
    OVERWRITE = "overwrite"
    """The source wins."""
    FILL_EMPTY = "fill_empty"
    """Set only when the target is empty."""


class Mapping(Timestamped, Base):
    __tablename__ = "mappings"
    __table_args__ = (
        UniqueConstraint("service_id", "object"),
        UniqueConstraint("org_id", "object"),
        CheckConstraint("(service_id IS NULL) <> (org_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    object: Mapped[str] = mapped_column(String(NAME_LENGTH))
    """The Salesforce object: "Contact", "Lead", "Account", or a custom query's object."""

    rows: Mapped[list[MappingRow]] = relationship(
        back_populates="mapping",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="MappingRow.position",
    )


class MappingRow(Base):
    __tablename__ = "mapping_rows"
    __table_args__ = (UniqueConstraint("mapping_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mapping_id: Mapped[int] = mapped_column(ForeignKey("mappings.id", ondelete="CASCADE"))
    position: Mapped[int]
    source: Mapped[str]
    target: Mapped[str]
    update_option: Mapped[UpdateOption] = mapped_column(default=UpdateOption.OVERWRITE)

    mapping: Mapped[Mapping] = relationship(back_populates="rows")
