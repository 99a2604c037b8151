from __future__ import annotations

import datetime as dt

from forcebridge.salesforce.errors import RecordError
from forcebridge.salesforce.sobject_collections import RecordResult
from forcebridge.store.repositories.activity_windows import StoredWindow
from forcebridge.sync.activity_tasks import Action, PartWrite, Target
from forcebridge.sync.activity_writes import Outcome, WriteQueues, expected, settle

JANE = Target("Contact", "003000000000001AAA")
NOW = dt.datetime(2024, 3, 12, 20, 0, tzinfo=dt.UTC)


def write(n: int, action: Action, task_id: str | None = None) -> PartWrite:
    window = StoredWindow(n, n, dt.date(2024, 3, 12), 1, f"fb-1-{n}-20240312-1", task_id=task_id)
    return PartWrite(window, action, JANE, {"Subject": "S"}, "h", (n,))


def test_writes_leave_a_full_call_at_a_time_per_kind_and_the_rest_at_the_end() -> None:
    queues = WriteQueues(size=3)
    sent = [
        queues.add(write(n, Action.CREATE if n % 2 else Action.UPDATE, "00T")) for n in range(7)
    ]

    full = [batch for batch in sent if batch]
    assert [[w.window.id for w in batch] for batch in full] == [[0, 2, 4], [1, 3, 5]]
    assert [[w.window.id for w in batch] for batch in queues.drain()] == [[6]]
    assert list(queues.drain()) == []


def test_a_result_settles_its_window() -> None:
    created = settle(write(1, Action.CREATE), RecordResult(True, "00T1", created=True), NOW, 5)
    matched = settle(write(2, Action.UPSERT), RecordResult(True, "00T2", created=False), NOW, 5)
    refused = settle(
        write(3, Action.UPDATE, "00T3"),
        RecordResult(False, errors=(RecordError("UNABLE_TO_LOCK_ROW", "locked"),)),
        NOW,
        5,
    )

    assert (created.outcome, created.window.task_id) == (Outcome.CREATED, "00T1")
    assert (matched.outcome, matched.window.task_id) == (Outcome.UPDATED, "00T2")
    assert (refused.outcome, refused.window.attempts, refused.window.task_id) == (
        Outcome.FAILED,
        1,
        "00T3",
    )
    assert expected(write(4, Action.UPSERT)) is Outcome.CREATED
