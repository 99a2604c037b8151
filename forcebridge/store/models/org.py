"""A customer of the product: it owns admin users, connections, services and export settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forcebridge.store.models.base import NAME_LENGTH, Base, Timestamped

if TYPE_CHECKING:
    from forcebridge.store.models.connection import Connection
    from forcebridge.store.models.service import Service


class Org(Timestamped, Base):
    __tablename__ = "orgs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), unique=True)

    services: Mapped[list[Service]] = relationship(
        back_populates="org", passive_deletes=True, order_by="Service.name"
    )
    connections: Mapped[list[Connection]] = relationship(
        back_populates="org", passive_deletes=True, order_by="Connection.name"
    )
