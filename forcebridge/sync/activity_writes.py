"""Sending window parts to Salesforce through sObject Collections, and what each result means.

Writes wait in one queue per kind (create, upsert, update) and leave 200 at a time, the most a
collection call takes, so however creates and updates interleave, a run's calls stay within
ceil(writes / 200) plus one per kind.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from forcebridge.salesforce.sobject_collections import WRITE_CHUNK, RecordResult
from forcebridge.store.repositories.activity_windows import StoredWindow
from forcebridge.sync.activity_tasks import (
    LEAD_CONVERTED,
    TASK,
    Action,
    PartWrite,
    after_failure,
    after_success,
    record_for,
)

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

SENT = (Action.CREATE, Action.UPSERT, Action.UPDATE)


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    SKIPPED = "skipped"
    """Refused for a Lead converted since the last pull: the next pull hands the contact to
    its Contact, and the day is written there; not a failure to alarm on."""
    FAILED = "failed"


class WriteQueues:
    """Writes waiting to be sent, by kind."""

    def __init__(self, size: int = WRITE_CHUNK) -> None:
        self._size = size
        self._queues: dict[Action, list[PartWrite]] = {action: [] for action in SENT}

    def add(self, write: PartWrite) -> list[PartWrite] | None:
        """Queue `write`; a full call's worth of writes once its queue holds one."""
        queue = self._queues[write.action]
        queue.append(write)
        if len(queue) < self._size:
            return None
        self._queues[write.action] = []
        return queue

    def drain(self) -> Iterator[list[PartWrite]]:
        """What is left, a (partly filled) call's worth per kind, until nothing is: sending
        one may queue more (a Task found deleted is written anew)."""
        while any(self._queues.values()):
            for action in SENT:
                queue, self._queues[action] = self._queues[action], []
                if queue:
                    yield queue


def send(
    client: SalesforceClient, writes: list[PartWrite], key_field: str | None
) -> list[RecordResult]:
    """Send writes of one kind: one result per write, in order."""
    action = writes[0].action
    records = [record_for(w, key_field) for w in writes]
    if action is Action.UPSERT:
        if key_field is None:
            raise ValueError("an upsert needs the key field to match on")
        return client.collection_upsert(TASK, key_field, records)
    if action is Action.UPDATE:
        return client.collection_update(TASK, records)
    return client.collection_create(TASK, records)


@dataclass(frozen=True)
class Settled:
    window: StoredWindow
    """The window's state once the result is known."""
    outcome: Outcome


def settle(write: PartWrite, result: RecordResult, now: dt.datetime, max_attempts: int) -> Settled:
    if not result.success:
        waits = any(error.status_code == LEAD_CONVERTED for error in result.errors)
        outcome = Outcome.SKIPPED if waits else Outcome.FAILED
        return Settled(after_failure(write, result.errors, max_attempts), outcome)
    created = write.action is Action.CREATE or (write.action is Action.UPSERT and result.created)
    return Settled(
        after_success(write, result.id, now), Outcome.CREATED if created else Outcome.UPDATED
    )


def expected(write: PartWrite) -> Outcome:
    """What a dry run reports a write would do."""
    return Outcome.UPDATED if write.action is Action.UPDATE else Outcome.CREATED
