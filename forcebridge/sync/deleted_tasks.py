"""Finding the day's Tasks someone deleted in Salesforce, which the push must write anew.

An update refused with `ENTITY_IS_DELETED` tells the push of most (`activity_tasks.task_gone`);
these checks cover what no update would: the Tasks a dry run only pretends to update, the
unchanged parts of a day whose last part grows, and a Task purged from the recycle bin, whose
update Salesforce refuses as `INVALID_CROSS_REFERENCE_KEY`, as it refuses a Task pointing at a
record that is gone. Each costs one call for a batch of writes (a composite retrieve of Ids),
and none when there is nothing to check.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from forcebridge.salesforce.errors import RecordError
from forcebridge.salesforce.sobject_collections import RecordResult
from forcebridge.sync.activity_tasks import TASK, Action, PartWrite

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient


def missing(client: SalesforceClient, task_ids: Sequence[str]) -> set[str]:
    """The Tasks among `task_ids` that no longer exist."""
    found = client.retrieve_many(TASK, task_ids, ["Id"]) if task_ids else []
    return {task_id for task_id, row in zip(task_ids, found, strict=True) if row is None}


UNSURE = "INVALID_CROSS_REFERENCE_KEY"
"""An update's refusal naming no field: the Task was purged, or a record it names is gone."""
DELETED = RecordError("ENTITY_IS_DELETED", "the Task no longer exists in Salesforce")
"""How a Task found missing after an `UNSURE` refusal reads: as Salesforce reads a deleted one."""


def purged(
    client: SalesforceClient, writes: Sequence[PartWrite], results: Sequence[RecordResult]
) -> list[RecordResult]:
    """`results`, where an update refused as `UNSURE` whose Task no longer exists reads as
    refused for a deleted Task, so the window forgets it and the day is written anew."""
    unsure = [
        write.window.task_id
        for write, result in zip(writes, results, strict=True)
        if write.action is Action.UPDATE
        and write.window.task_id
        and any(e.status_code == UNSURE and not e.fields for e in result.errors)
    ]
    gone = missing(client, unsure)
    return [
        replace(result, errors=(DELETED,)) if write.window.task_id in gone else result
        for write, result in zip(writes, results, strict=True)
    ]


def updated_tasks(writes: Sequence[PartWrite]) -> list[str]:
    """The Tasks the writes would update: a dry run checks them, as it sends nothing."""
    return [w.window.task_id for w in writes if w.action is Action.UPDATE and w.window.task_id]


def parts_beside_growing_days(writes: Sequence[PartWrite]) -> list[str]:
    """The Tasks of unchanged parts of a day another part of which is written."""
    sending = {(w.window.contact_id, w.window.day) for w in writes if w.sends}
    return [
        w.window.task_id
        for w in writes
        if w.action is Action.UNCHANGED
        and w.window.task_id
        and (w.window.contact_id, w.window.day) in sending
    ]
