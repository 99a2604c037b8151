"""Finding the Tasks a stopped run created but never recorded, in orgs without a key field.

Task.Description is a long text area, which SOQL cannot filter on (`LIKE` included), so the
search narrows by what it can filter, the window's WhoId (the one the create named, and the
contact's current one: converting a Lead moves its Tasks to the new Contact) and ActivityDate,
then reads the marker line each part's Description ends with. A hundred windows a query keeps
the query's URL well under Salesforce's 16,384 characters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from forcebridge.soql.builder import in_, select, to_soql
from forcebridge.store.models import LogLevel
from forcebridge.store.repositories.activity_windows import (
    StoredWindow,
    save_windows,
    windows_in_doubt,
)
from forcebridge.sync.activity_report import Code
from forcebridge.sync.activity_tasks import TASK
from forcebridge.sync.task_sending import Note
from forcebridge.sync.transcript import key_in

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

SEARCH_BATCH = 100


@dataclass(frozen=True)
class Recovered:
    found: dict[int, str] = field(default_factory=dict)
    """Task Id of each window (by window id) whose Task was found."""
    duplicates: dict[int, tuple[str, ...]] = field(default_factory=dict)
    """Further Tasks carrying the same key, by window id (the oldest one is kept)."""


def search_query(windows: Sequence[StoredWindow], current_targets: Mapping[int, str]) -> str:
    """The Tasks that may be these windows' parts, oldest first."""
    who_ids = {w.target_id for w in windows if w.target_id}
    who_ids |= {current_targets[w.contact_id] for w in windows if w.contact_id in current_targets}
    days = sorted({w.day for w in windows})
    query = (
        select("Id", "Description")
        .from_(TASK)
        .where(in_("WhoId", sorted(who_ids)), in_("ActivityDate", days))
        .order_by("CreatedDate", "Id")
        .build()
    )
    return to_soql(query)


def match_tasks(windows: Sequence[StoredWindow], tasks: Iterable[Mapping[str, Any]]) -> Recovered:
    """Which task carries each window's key, given `tasks` oldest first."""
    by_key = {w.key: w.id for w in windows}
    found: dict[int, str] = {}
    duplicates: dict[int, list[str]] = {}
    for task in tasks:
        window_id = by_key.get(key_in(task.get("Description") or "") or "")
        if window_id is None:
            continue
        if window_id in found:
            duplicates.setdefault(window_id, []).append(str(task["Id"]))
        else:
            found[window_id] = str(task["Id"])
    return Recovered(found, {k: tuple(v) for k, v in duplicates.items()})


def find_written_tasks(
    client: SalesforceClient,
    windows: Sequence[StoredWindow],
    current_targets: Mapping[int, str],
) -> Recovered:
    """Search Salesforce for the Tasks of `windows`, `SEARCH_BATCH` windows a query."""
    found: dict[int, str] = {}
    duplicates: dict[int, tuple[str, ...]] = {}
    for start in range(0, len(windows), SEARCH_BATCH):
        batch = windows[start : start + SEARCH_BATCH]
        tasks = client.query_all_records(search_query(batch, current_targets))
        recovered = match_tasks(batch, tasks)
        found |= recovered.found
        duplicates |= recovered.duplicates
    return Recovered(found, duplicates)


def recover_tasks(
    session: Session,
    service_id: int,
    client: SalesforceClient,
    current_targets: Callable[[set[int]], Mapping[int, str]],
    note: Note,
) -> set[int]:
    """Find the Tasks of the service's windows in doubt and record them (committed), logging
    each found (`recovered`) and each further Task carrying a window's key (`duplicate_task`);
    the ids of the windows found, whose messages are then not late, only unsent.
    `current_targets` gives the record each contact's Tasks go to now."""
    doubtful = windows_in_doubt(session, service_id)
    if not doubtful:
        return set()
    recovered = find_written_tasks(
        client, doubtful, current_targets({w.contact_id for w in doubtful})
    )
    found = [replace(w, task_id=recovered.found[w.id]) for w in doubtful if w.id in recovered.found]
    for window in found:
        note(
            LogLevel.INFO,
            Code.RECOVERED,
            "found the Task a stopped run created; it is updated, not created again",
            window.key,
            window.task_id,
        )
    for window in doubtful:
        for duplicate in recovered.duplicates.get(window.id, ()):
            note(
                LogLevel.WARNING,
                Code.DUPLICATE_TASK,
                f"another Task carries this window's key; {recovered.found[window.id]} "
                "is kept up to date, this one is left as it is",
                window.key,
                duplicate,
            )
    save_windows(session, found)
    session.commit()
    return {w.id for w in found}
