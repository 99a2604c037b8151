"""What an activities push counts and logs, as plain data the run fills and the store records.

A window here is one Task: a contact's local day, or one part of a day too long for one Task.
The run's `read` column holds the windows it considered; `skipped` those held (no Salesforce
record to log to yet) or parked.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from forcebridge.store.models import Run, RunStatus
from forcebridge.sync.activity_tasks import Action, PartWrite
from forcebridge.sync.activity_windows import WindowKey
from forcebridge.sync.activity_writes import Outcome


class Code(enum.StrEnum):
    """Stable reasons for log entries (a Salesforce errorCode is used as it is)."""

    HELD = "held"
    REOPENED = "reopened"
    FUTURE = "dated_in_future"
    PARKED = "parked"
    RECOVERED = "recovered"
    DUPLICATE_TASK = "duplicate_task"
    TASK_GONE = "task_deleted"


@dataclass
class Tally:
    windows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    reread: int = 0
    """Of `unchanged`, the windows of days read again though their Tasks hold every message
    (`PushReport.reread`); reported, not recorded on the run."""

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    def write_to(self, run: Run) -> None:
        run.read = self.windows
        run.created, run.updated, run.unchanged = self.created, self.updated, self.unchanged
        run.skipped, run.failed = self.skipped, self.failed


def read_again(writes: Iterable[PartWrite], touched: Collection[WindowKey]) -> int:
    """The windows of `writes` whose day the run read again for messages its Tasks hold
    already (the cursor's overlap, or a stopped push's): days among `touched` (those of the
    messages recorded since the cursor) with every part unchanged (`PushReport.reread`)."""
    days: dict[WindowKey, list[Action]] = {}
    for write in writes:
        window = WindowKey(write.window.day, write.window.contact_id)
        days.setdefault(window, []).append(write.action)
    return sum(
        len(actions)
        for window, actions in days.items()
        if window in touched and all(action is Action.UNCHANGED for action in actions)
    )


@dataclass(frozen=True)
class PushReport:
    run_id: int
    status: RunStatus
    windows: int
    created: int
    updated: int
    unchanged: int
    failed: int
    api_calls: int
    dry_run: bool = False
    error: str | None = None
    newly_held: int = 0
    """A dry run's only: the windows it would record held (their contact has no record the
    service logs to), which the database does not count yet."""
    reread: int = 0
    """Of `unchanged`, the windows of days the push read again only because their messages
    were recorded within the cursor's overlap (or after a stopped push's cursor), found with
    every message on their Tasks already: what `windows` counts beyond the days that had
    something to write."""

    @classmethod
    def of(cls, run: Run, newly_held: int = 0, reread: int = 0) -> PushReport:
        return cls(
            run_id=run.id,
            status=run.status,
            windows=run.read,
            created=run.created,
            updated=run.updated,
            unchanged=run.unchanged,
            failed=run.failed,
            api_calls=run.api_calls,
            dry_run=run.dry_run,
            error=run.error,
            newly_held=newly_held,
            reread=reread,
        )

    def to_dict(self) -> dict[str, Any]:
        """The document `activities push --json` prints."""
        return {
            "run_id": self.run_id,
            "status": self.status.value,
            "windows": self.windows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "reread": self.reread,
            "failed": self.failed,
            "api_calls": self.api_calls,
            "error": self.error,
        }
