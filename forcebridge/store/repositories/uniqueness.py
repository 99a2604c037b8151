"""Names unique where they live: a unique-constraint violation as AlreadyExists, on SQLite and
PostgreSQL alike, and a row found by its exact name, or a hint at one spelled otherwise."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, select
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


class _Named(Protocol):
    name: Any


_NamedRow = TypeVar("_NamedRow", bound=_Named)


def named(
    session: Session,
    model: type[_NamedRow],
    name: str,
    *scope: ColumnElement[bool],
) -> tuple[_NamedRow | None, str | None]:
    """The row of `model` within `scope` named exactly `name`, else None and the name of one
    that differs only in case (what someone who typed `acme` for `Acme` meant). Case is
    compared here, not in SQL: SQLite's `lower()` leaves every letter beyond ASCII as it is."""
    exact = session.scalars(select(model).where(*scope, model.name == name)).first()
    if exact is not None:
        return exact, None
    wanted = name.casefold()
    names = session.scalars(select(model.name).where(*scope)).all()
    return None, next((other for other in names if other.casefold() == wanted), None)
