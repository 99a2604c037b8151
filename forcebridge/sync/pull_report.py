"""What a pull run counts and logs, as plain data the engine fills and the store records."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields

from forcebridge.store.models import LogLevel, Run


class Outcome(enum.StrEnum):
    """What became of one record read."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    """Left out on purpose (update-only, a conflict, deleted before it was ever linked), with a
    log entry saying why (for the last, one for all: see `pull_page.never_linked_note`)."""
    FAILED = "failed"
    """Could not be applied at all, with a log entry saying why."""


@dataclass
class Tally:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0

    def count(self, outcome: Outcome) -> None:
        """One more record read, with `outcome` (a `StrEnum`: its members are the names)."""
        self.read += 1
        setattr(self, outcome, getattr(self, outcome) + 1)

    def add(self, other: Tally) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def add_to(self, run: Run) -> None:
        """Add these counts to the run's (in the transaction of the page they count)."""
        for item in fields(self):
            setattr(run, item.name, getattr(run, item.name) + getattr(self, item.name))


class Code(enum.StrEnum):
    """Stable reasons for log entries, for filtering in the admin pages and scripts."""

    TRUNCATED = "truncated"
    CONVERSION_FAILED = "conversion_failed"
    INVALID_PHONE = "invalid_phone"
    INVALID_EMAIL = "invalid_email"
    AMBIGUOUS_MATCH = "ambiguous_match"
    UPDATE_ONLY = "update_only"
    MERGED = "merged"
    CONVERTED_INTO_DUPLICATE = "converted_into_duplicate"
    DUPLICATE_TASK = "duplicate_task"
    UNREADABLE_RECORD = "unreadable_record"
    DELETED = "deleted_in_source"
    DELETED_NEVER_LINKED = "deleted_never_linked"
    LEFT_SCOPE = "left_scope"
    RELINKED = "relinked"


@dataclass(frozen=True)
class Note:
    """One log entry of a run: the record (its id in its source), the field, and why."""

    level: LogLevel
    code: Code
    message: str
    record_id: str | None = None
    field: str | None = None
