"""Finding the Tasks a stopped run created but never recorded, in orgs without a key field.

Task.Description is a long text area, which SOQL cannot filter on (`LIKE` included), so the
search narrows by what it can filter, the window's WhoId (the one the create named, and the
contact's current one: converting a Lead moves its Tasks to the new Contact) and ActivityDate,
then reads the marker line each part's Description ends with. A hundred windows a query keeps
the query's URL well under Salesforce's 16,384 characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from forcebridge.soql.builder import in_, select, to_soql
from forcebridge.store.repositories.activity_windows import StoredWindow
from forcebridge.sync.activity_tasks import TASK
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
