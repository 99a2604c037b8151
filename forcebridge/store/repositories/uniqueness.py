"""Turning a unique-constraint violation into AlreadyExists, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forcebridge.store.errors import AlreadyExists

_Row = TypeVar("_Row")

_POSTGRES_UNIQUE_VIOLATION = "23505"
_SQLITE_UNIQUE_VIOLATIONS = {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}


def is_unique_violation(error: IntegrityError) -> bool:
    driver_error = error.orig
    return (
        getattr(driver_error, "sqlstate", None) == _POSTGRES_UNIQUE_VIOLATION
        or getattr(driver_error, "sqlite_errorname", None) in _SQLITE_UNIQUE_VIOLATIONS
    )


def add_unique(session: Session, row: _Row, kind: str, name: str) -> _Row:
    """Add `row` and flush it at once, so a name already taken surfaces here as AlreadyExists."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError as error:
        if is_unique_violation(error):
            raise AlreadyExists(kind, name) from error
        raise
    return row
