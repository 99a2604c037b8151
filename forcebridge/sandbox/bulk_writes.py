"""How both Bulk APIs write a job's records: through sObject Collections, each on its own.

Bulk API 2.0 ingest jobs and Bulk API 1.0 DML batches write their records 200 at a time, the
chunk size Salesforce documents for processing a batch, through the same code as sObject
Collections (`composite.collection`), never all-or-none: each record succeeds or fails alone
with the error any other write would give it. A record the upload did not let be read (a CSV
row with more values than its header has columns, `bulk_csv.csv_record`) fails alone too,
unwritten, and the others are written as if it were not there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forcebridge.sandbox.composite import MAX_RECORDS, Operation
from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.org import Org


def write_all(
    org: Org,
    operation: Operation,
    sobject: str,
    records: Sequence[Any],
    external_field: str | None,
    api_version: str,
) -> list[dict[str, Any]]:
    """A bulk job's records written through sObject Collections, 200 a call: one collection
    result per record, in order (a delete takes records holding their `Id`; an `ApiError` in
    a record's place is a record that could not be read, and fails with it). An upsert keyed
    on `Id` inserts the records that give none, as Salesforce does; every upsert result says
    whether it `created` its record."""
    readable = [r for r in records if not isinstance(r, ApiError)]
    written = iter(_write_readable(org, operation, sobject, readable, external_field, api_version))
    return [_unread(r) if isinstance(r, ApiError) else next(written) for r in records]


def _unread(error: ApiError) -> dict[str, Any]:
    """The result of a record that was never written: no id, its error."""
    return {"id": None, "success": False, "errors": [error.to_record_error()]}


def _write_readable(
    org: Org,
    operation: Operation,
    sobject: str,
    records: list[Any],
    external_field: str | None,
    api_version: str,
) -> list[dict[str, Any]]:
    """Records that could be read, written as `write_all` says."""

    def written(op: Operation, items: list[Any], key: str | None) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for start in range(0, len(items), MAX_RECORDS):
            results += org.collection(
                op,
                sobject,
                items[start : start + MAX_RECORDS],
                all_or_none=False,
                external_field=key,
                api_version=api_version,
            )
        return results

    if operation != "upsert" or external_field != "Id":
        return written(operation, records, external_field)
    new = [
        i for i, record in enumerate(records) if isinstance(record, dict) and not record.get("Id")
    ]
    fresh = set(new)
    results = written("update", [r for i, r in enumerate(records) if i not in fresh], None)
    created = written("create", [records[i] for i in new], None)
    for position, result in zip(new, created, strict=True):
        results.insert(position, result | {"created": True})
    return [r if "created" in r else r | {"created": False} for r in results]
