"""Reading a group's records from Salesforce, a page at a time, the cheapest way that works.

REST `queryAll` pages come ordered by `(SystemModstamp, Id)`, so the watermark can move after
each page, and carry deletions in the same read. When the first page reveals more records than
the Bulk threshold (a first sync of a large org, a mass update), the read switches to a Bulk API
2.0 job (one call for the job, a few to poll, one per 10,000 rows) whose rows come unordered.
Fields that would make the query URL too long are fetched by Id for each page and joined in,
for the records the run will apply only: a run reads again the records at its watermark's
instant and skips them, and with nothing changed it costs its one query.

Once `stop` is set (its reader has left: Ctrl+C, SIGTERM, nothing left to read for) the read
starts no other call, and a Bulk job still running is aborted (`salesforce.bulk_reads`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from forcebridge.salesforce.stopping import raise_if_stopped
from forcebridge.settings import DEFAULT_PULL_BULK_THRESHOLD
from forcebridge.sync.pull_plan import PAGE_SIZE, ReadPlan, query_url_length, split_fields

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

Wanted = Callable[[dict[str, Any]], bool]
"""Whether the run will apply a record as read by the query (`Id`, `SystemModstamp` and the
first group of fields): only those are completed with the fields fetched by Id."""


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    """Salesforce's JSON records; Bulk rows are reshaped to look the same."""
    total: int
    """How many records the whole read holds, for progress."""
    ordered: bool
    """In `(SystemModstamp, Id)` order, so the watermark may move after this page."""


def read_pages(
    client: SalesforceClient,
    plan: ReadPlan,
    *,
    bulk_threshold: int = DEFAULT_PULL_BULK_THRESHOLD,
    wanted: Wanted = lambda record: True,
    stop: threading.Event | None = None,
) -> Generator[Page]:
    """The plan's records, a page at a time; the fields beyond the URL limit joined into those
    `wanted` (the others, which the run skips, lack them). `ReadStopped` once `stop` is set."""
    raise_if_stopped(stop, f"querying {plan.sobject}")
    url_length = query_url_length(client.tokens.instance_url, client.settings.api_version, plan)
    query_fields, joined = split_fields(plan, url_length)
    pages = client.query_pages(plan.soql(query_fields), include_deleted=True)
    first = next(pages)
    if first.total_size > max(bulk_threshold, len(first.records)):
        yield from _bulk_pages(client, plan, first.total_size, stop)
        return
    yield _rest_page(client, plan.sobject, first.records, first.total_size, joined, wanted, stop)
    for page in pages:
        yield _rest_page(client, plan.sobject, page.records, page.total_size, joined, wanted, stop)


def _rest_page(
    client: SalesforceClient,
    sobject: str,
    records: list[dict[str, Any]],
    total: int,
    joined: Sequence[str],
    wanted: Wanted,
    stop: threading.Event | None,
) -> Page:
    if joined:
        raise_if_stopped(stop, f"fetching the fields of a page of {sobject} by Id")
        ids = [r["Id"] for r in records if r.get("IsDeleted") is not True and wanted(r)]
        fetched = client.retrieve_many(sobject, ids, joined) if ids else []
        by_id = {sid: row for sid, row in zip(ids, fetched, strict=True) if row is not None}
        for record in records:
            extra = by_id.get(record["Id"], {})
            record.update((name, extra.get(name)) for name in joined)
    return Page(records, total, ordered=True)


def _bulk_pages(
    client: SalesforceClient, plan: ReadPlan, total: int, stop: threading.Event | None
) -> Iterator[Page]:
    batch: list[dict[str, Any]] = []
    for row in client.bulk_query(plan.soql(ordered=False), include_deleted=True, stop=stop):
        batch.append(json_shaped(row))
        if len(batch) == PAGE_SIZE:
            yield Page(batch, total, ordered=False)
            batch = []
    if batch:
        yield Page(batch, total, ordered=False)


def json_shaped(row: Mapping[str, str]) -> dict[str, Any]:
    """A Bulk CSV row shaped like a REST record: empty is null, `Account.Name` is nested."""
    record: dict[str, Any] = {}
    for name, text in row.items():
        value = text if text != "" else None
        *parents, leaf = name.split(".")
        node = record
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return record
