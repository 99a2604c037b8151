"""Failed admin logins by throttle key, each call its own committed transaction on the engine,
so every web process sees a failure as soon as it is recorded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, delete, insert, select

from forcebridge.store.models import LoginFailure


def failures_since(engine: Engine, key: str, since: datetime) -> list[datetime]:
    """When `key` failed after `since`, oldest first."""
    with engine.connect() as connection:
        return list(
            connection.scalars(
                select(LoginFailure.failed_at)
                .where(LoginFailure.key == key, LoginFailure.failed_at > since)
                .order_by(LoginFailure.failed_at)
            )
        )


def record_failure(engine: Engine, key: str, at: datetime, forget_before: datetime) -> None:
    """Note a failure of `key` at `at`, and drop every failure (of any key) from before
    `forget_before`, which no longer counts: the table holds only recent failures."""
    with engine.begin() as connection:
        connection.execute(delete(LoginFailure).where(LoginFailure.failed_at <= forget_before))
        connection.execute(insert(LoginFailure).values(key=key, failed_at=at))


def forget_failures(engine: Engine, key: str) -> None:
    with engine.begin() as connection:
        connection.execute(delete(LoginFailure).where(LoginFailure.key == key))
