"""A run's per-record log, written a page at a time.

A first pull of a messy org can log thousands of skipped or truncated values; they are written
a page at a time through the driver (`forcebridge.store.bulk`), not as one ORM object each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from forcebridge.store import bulk
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


_LOG_COLUMNS = (
    "run_id", "level", "message", "code", "salesforce_id", "field", "record_ref", "created_at"
)  # fmt: skip


def add_log_lines(session: Session, run: Run, lines: Iterable[LogLine]) -> None:
    table = cast(Table, RunLogEntry.__table__)
    now = bulk.constant(session, table.c.created_at, utcnow())
    levels = {level: bulk.constant(session, table.c.level, level) for level in LogLevel}
    bulk.insert_rows(
        session,
        table,
        _LOG_COLUMNS,
        [
            (
                run.id,
                levels[line.level],
                line.message,
                line.code,
                line.salesforce_id,
                line.field,
                line.record_ref,
                now,
            )
            for line in lines
        ],
    )
