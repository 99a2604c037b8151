"""A run's per-record log, written a page at a time.

A first pull of a messy org can log thousands of skipped or truncated values; they are written
with one statement per page rather than as one ORM object each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from forcebridge.store.models import LogLevel, Run, RunLogEntry
from forcebridge.store.types import utcnow


@dataclass(frozen=True)
class LogLine:
    level: LogLevel
    message: str
    code: str | None = None
    salesforce_id: str | None = None
    field: str | None = None
    record_ref: str | None = None


def add_log_lines(session: Session, run: Run, lines: Iterable[LogLine]) -> None:
    now = utcnow()
    rows = [
        {
            "run_id": run.id,
            "level": line.level,
            "message": line.message,
            "code": line.code,
            "salesforce_id": line.salesforce_id,
            "field": line.field,
            "record_ref": line.record_ref,
            "created_at": now,
        }
        for line in lines
    ]
    if rows:
        session.connection().execute(insert(cast(Table, RunLogEntry.__table__)), rows)
