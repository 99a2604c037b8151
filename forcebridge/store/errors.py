"""What the store refuses, named so a caller can tell the user what to fix.

Repositories translate database-level failures (a unique constraint, a missing row) into these,
so nothing above the store branches on SQLAlchemy or driver exceptions.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises on purpose."""


class NotFound(StoreError):
    """The thing asked for does not exist; the message names its kind and name."""

    def __init__(self, kind: str, name: str, near: str | None = None) -> None:
        hint = f" (names are case-sensitive: did you mean {near!r}?)" if near else ""
        super().__init__(f"{kind} {name!r} does not exist{hint}")
        self.kind = kind
        self.name = name


class AlreadyExists(StoreError):
    """A thing with that name already exists where names must be unique."""

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"{kind} {name!r} already exists")
        self.kind = kind
        self.name = name


class InvalidValue(StoreError):
    """A value the store will not keep (a bad name, an unknown time zone, a naive datetime)."""


class EncryptionError(StoreError):
    """A secret cannot be encrypted or decrypted with the configured keys."""


class DatabaseUnavailable(StoreError):
    """The configured database cannot be opened (no such database, no server, no folder)."""
