"""Finding the day's Tasks someone deleted in Salesforce, which the push must write anew.

An update refused with `ENTITY_IS_DELETED` tells the push of most (`activity_tasks.task_gone`);
these checks cover what no update would: the Tasks a dry run only pretends to update, and the
unchanged parts of a day whose last part grows. Each costs one call for a batch of writes
(a composite retrieve of Ids), and none when there is nothing to check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from forcebridge.sync.activity_tasks import TASK, Action, PartWrite

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient


def missing(client: SalesforceClient, task_ids: Sequence[str]) -> set[str]:
    """The Tasks among `task_ids` that no longer exist."""
    found = client.retrieve_many(TASK, task_ids, ["Id"]) if task_ids else []
    return {task_id for task_id, row in zip(task_ids, found, strict=True) if row is None}


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
