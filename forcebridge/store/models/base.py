"""The declarative base every model shares: naming conventions and the type map.

Named constraints are what let Alembic alter tables later, on SQLite too (batch mode rebuilds a
table by constraint names). The type map makes `Mapped[datetime]` a `UTCDateTime`, `Mapped[str]`
a bounded string, and any `Mapped[SomeStrEnum]` a portable VARCHAR with a CHECK of its values
(native PostgreSQL enums would need their own migrations for every new value).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Enum, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from forcebridge.store.types import JSONDocument, UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

NAME_LENGTH = 64
MAX_ID = 2**31 - 1
"""The largest id a table's integer key holds on PostgreSQL: a larger one names no row."""
"""Names people type (orgs, services, connections, fields, streams) fit in this many characters."""

SALESFORCE_ID_LENGTH = 18
"""Salesforce ids are stored in their 18-character, case-safe form."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        str: String(255),
        dict[str, Any]: JSONDocument,
        list[str]: JSONDocument,
        enum.Enum: Enum(
            enum.Enum,
            native_enum=False,
            create_constraint=True,
            length=32,
            values_callable=lambda members: [member.value for member in members],
        ),
    }


class Timestamped:
    """When a row was created and last changed, both aware UTC."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
