"""Sending the day's Tasks: decided writes queued by kind, sent 200 a call, and each outcome
recorded and committed at once (`activities` decides them, this sends them).

A Task deleted in Salesforce is written anew in the same push (`deleted_tasks`); a key field
deleted since Task was described stops the run without spending the windows' attempts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from forcebridge.salesforce.errors import BadRequest, DescribeOutdated, NotFound
from forcebridge.salesforce.sobject_collections import RecordResult
from forcebridge.store.models import LogLevel, Run
from forcebridge.store.repositories.activity_windows import StoredWindow, save_windows
from forcebridge.sync import deleted_tasks
from forcebridge.sync.activity_report import Code, Tally
from forcebridge.sync.activity_tasks import (
    LEAD_CONVERTED,
    TASK,
    Action,
    PartWrite,
    failure_reason,
    forgotten,
    names_gone_field,
    task_gone,
    written_anew,
)
from forcebridge.sync.activity_writes import Outcome, WriteQueues, expected, send, settle

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

Note = Callable[[LogLevel, str, str, str | None, str | None], None]
"""Logs on the run: level, code, message, window key, Salesforce Id."""


class TaskSender:
    """The push run's writing half: one per run, once Task's key field is known."""

    def __init__(
        self,
        session: Session,
        client: SalesforceClient,
        run: Run,
        tally: Tally,
        key_field: str | None,
        now: dt.datetime,
        note: Note,
        *,
        dry_run: bool,
        max_attempts: int,
        spent: Callable[[], int] = lambda: 0,
    ) -> None:
        self.session, self.client, self.run, self.tally = session, client, run, tally
        self.spent = spent
        """The run's calls so far, written with each call's outcomes."""
        self.key_field, self.now, self.note = key_field, now, note
        self.dry_run, self.max_attempts = dry_run, max_attempts
        self.queues = WriteQueues()

    def drain(self) -> None:
        """Send what the queues still hold."""
        for writes in self.queues.drain():
            self._send(writes)

    def add(self, write: PartWrite) -> None:
        """Count a decided write, and queue it to be sent once its call is full."""
        self.tally.windows += 1
        if write.action is Action.UNCHANGED:
            self.tally.unchanged += 1
        elif not write.sends:
            self.tally.skipped += 1
        else:
            full = self.queues.add(write)
            if full:
                self._send(full)

    def _send(self, writes: list[PartWrite]) -> None:
        """One call's worth of writes: sent, and each outcome recorded and committed."""
        if self.dry_run:
            # The real run learns of a deleted Task when its update is refused.
            gone = deleted_tasks.missing(self.client, deleted_tasks.updated_tasks(writes))
            for write in writes:
                if write.window.task_id in gone:
                    self._note_task_gone(write, "would be written anew")
                    self.tally.count(Outcome.CREATED)
                else:
                    self.tally.count(expected(write))
            return
        try:
            results = send(self.client, writes, self.key_field)
        except (BadRequest, NotFound) as error:
            if names_gone_field(error.message, error.error_code, self.key_field):
                self._key_field_gone()
            raise
        results = deleted_tasks.purged(self.client, writes, results)
        gone_key = [
            any(names_gone_field(e.message, e.status_code, self.key_field) for e in r.errors)
            for r in results
        ]
        settled = [
            settle(write, result, self.now, self.max_attempts)
            for write, result in zip(writes, results, strict=True)
        ]
        again = []
        for write, result, outcome, refused in zip(writes, results, settled, gone_key, strict=True):
            if refused:  # no attempt spent: the window stays as recorded before the call
                self.tally.count(Outcome.FAILED)
                continue
            if write.action is Action.UPDATE and task_gone(result.errors):
                self._note_task_gone(write, "is written anew")
                again.append(written_anew(write, outcome.window, self.key_field))
                continue
            self.tally.count(outcome.outcome)
            if outcome.outcome in (Outcome.FAILED, Outcome.SKIPPED):
                self._note_failure(write, result, outcome.window)
        save_windows(
            self.session,
            [
                outcome.window
                for outcome, refused in zip(settled, gone_key, strict=True)
                if not refused
            ],
        )
        self.tally.write_to(self.run)
        self.run.api_calls = self.spent()
        self.session.commit()
        if any(gone_key):
            self._key_field_gone()
        for write in again:
            full = self.queues.add(write)
            if full:
                self._send(full)

    def _key_field_gone(self) -> None:
        """The Task key field was deleted in Salesforce after Task was described: the
        describe is refreshed and the run stops, so the next writes the windows without it."""
        self.client.describe(TASK, refresh=True)
        raise DescribeOutdated(
            f"the Task key field {self.key_field} is gone from Salesforce (deleted after Task "
            "was described): the windows it kept from being written spent no attempt, and the "
            "next run writes them without it"
        )

    def parts_gone_written_anew(self, writes: list[PartWrite]) -> list[PartWrite]:
        """`writes`, where a day with a part to write has another, unchanged, part whose Task
        was deleted in Salesforce: that part written anew too, or the day's messages in it
        would be missing for good (`deleted_tasks`)."""
        gone = deleted_tasks.missing(self.client, deleted_tasks.parts_beside_growing_days(writes))
        anew = []
        for write in writes:
            if write.action is Action.UNCHANGED and write.window.task_id in gone:
                self._note_task_gone(write, "would be written anew" if self.dry_run
                                     else "is written anew")  # fmt: skip
                write = written_anew(write, forgotten(write.window), self.key_field)
            anew.append(write)
        return anew

    def _note_task_gone(self, write: PartWrite, what: str) -> None:
        self.note(
            LogLevel.INFO,
            Code.TASK_GONE,
            f"Task {write.window.task_id} was deleted in Salesforce: the day's Task {what} "
            "with every message",
            write.window.key,
            write.window.task_id,
        )

    def _note_failure(self, write: PartWrite, result: RecordResult, window: StoredWindow) -> None:
        record_id = write.window.task_id or (write.target.record_id if write.target else None)
        waits = any(e.status_code == LEAD_CONVERTED for e in result.errors)
        if waits and write.target is not None:
            record_id = write.target.record_id  # the Lead it waits on, not the Task
        self.note(
            LogLevel.WARNING if waits else LogLevel.ERROR,
            result.errors[0].status_code if result.errors else "UNKNOWN",
            (
                "the Lead was converted in Salesforce: the day is written once the next pull "
                "links the contact to its Contact (no attempt spent)"
                if waits
                else f"attempt {window.attempts}: {failure_reason(result.errors)}"
            ),
            window.key,
            record_id,
        )
        if window.parked:
            self.note(
                LogLevel.WARNING,
                Code.PARKED,
                f"parked after {window.attempts} failed attempts: new messages that day, or "
                "forcebridge activities windows --retry, try it again",
                window.key,
                record_id,
            )
