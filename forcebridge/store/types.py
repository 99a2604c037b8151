"""Column types that keep the store's promises on every database: UTC-aware times, sealed secrets.

Both are TypeDecorators, so the promise holds for ORM and Core statements alike and models
declare such columns plainly (`Mapped[datetime]`, `mapped_column(EncryptedText)`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import JSON, DateTime, Engine, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from forcebridge.store.crypto import Keyring
from forcebridge.store.errors import EncryptionError, InvalidValue

JSONDocument = JSON().with_variant(JSONB(), "postgresql")
"""JSON everywhere, stored as JSONB on PostgreSQL (indexable, compact)."""

_keyrings: WeakKeyDictionary[Dialect, Keyring] = WeakKeyDictionary()


def attach_keyring(engine: Engine, keyring: Keyring) -> None:
    """Make `engine` seal and open `EncryptedText` columns with `keyring`.

    The keyring belongs to the engine (through its dialect, which is what a column type sees),
    not to the process, so two engines with different keys can coexist, as rotation tests need.
    """
    _keyrings[engine.dialect] = keyring


def _keyring_for(dialect: Dialect) -> Keyring:
    keyring = _keyrings.get(dialect)
    if keyring is None:
        raise EncryptionError(
            "this database engine has no encryption key: build it with "
            "forcebridge.store.engine.make_engine(url, keyring)"
        )
    return keyring


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time: refuses naive datetimes, stores UTC, always returns aware UTC.

    SQLite keeps no offset, so values are normalised to UTC before they are written and marked
    UTC when read back; PostgreSQL's `timestamptz` is converted to UTC from the session zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidValue(
                f"naive datetime {value.isoformat()} refused: give it a time zone "
                "(datetime.now(UTC), or .replace(tzinfo=...))"
            )
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class EncryptedText(TypeDecorator[str]):
    """Text sealed with the engine's keyring on the way in and opened on the way out."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else _keyring_for(dialect).encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else _keyring_for(dialect).decrypt(value)


def utcnow() -> datetime:
    """The current time, aware and in UTC: the default of every timestamp column."""
    return datetime.now(UTC)
