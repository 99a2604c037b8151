"""sObject Collections: up to 200 records in one call, one result each, in request order.

All records run in one transaction, each inside its own savepoint, so a failing record leaves
no trace. Without `allOrNone` the others commit; with it, any failure rolls the whole batch
back and every record that had succeeded reports ALL_OR_NONE_OPERATION_ROLLED_BACK. Records
naming one record twice fail, unwritten, each of them, as Salesforce cannot tell which to
write: an update (or an upsert keyed on `Id`) whose Id another record of the call gives too,
DUPLICATE_VALUE "Duplicate id specified", and an upsert whose external id another shares,
DUPLICATE_VALUE "Duplicate external id specified". A create or update of several object
types is processed in chunks, a new one wherever the type changes; more than ten chunks, as
more than 200 records, refuse the call whole (`refuse_oversize`). An update or upsert whose
well-formed Id names no record fails INVALID_CROSS_REFERENCE_KEY "invalid cross reference id",
as Salesforce's help (article 000387915) gives it for an incorrect Id: here the Id is a value
of the request, not the URL that REST's 404 NOT_FOUND answers for.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from forcebridge.sandbox import ids
from forcebridge.sandbox.errors import ApiError, RecordNotFound, unknown_reference
from forcebridge.sandbox.fieldtypes import Kind, fold_case
from forcebridge.sandbox.records import coerce
from forcebridge.sandbox.writes import Writes

Operation = Literal["create", "update", "upsert", "delete"]
MAX_RECORDS = 200
MAX_CHUNKS = 10
"""The chunks (runs of records of one type) one create or update may make."""
ROLLED_BACK = ApiError(
    400,
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone"
    " header",
    [],
)


def collection(
    writes: Writes,
    op: Operation,
    sobject: str | None,
    items: Sequence[Any],
    all_or_none: bool,
    external_field: str | None = None,
    api_version: str = "62.0",
) -> list[dict[str, Any]]:
    """One result per item: `{"id"?, "success", "errors"}` (plus `created` for upsert)."""
    refuse_oversize(op, sobject, items)
    if op == "upsert" and (sobject is None or external_field is None):
        raise ValueError("upsert needs the object and its external id field")

    shared = _repeated_keys(writes, op, sobject, external_field, items)

    def each(conn: sqlite3.Connection) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for position, item in enumerate(items):
            if position in shared:
                results.append(_failure(op, item, shared[position]))
                continue
            try:
                with writes.storage.savepoint(conn):
                    results.append(
                        _one(writes, conn, op, sobject, item, external_field, api_version)
                    )
            except ApiError as error:
                results.append(_failure(op, item, error))
        return results

    results, kept = writes.storage.all_or_none(
        each, lambda results: not all_or_none or all(r["success"] for r in results)
    )
    if kept:
        return results
    return [
        r if not r["success"] else _failure(op, item, ROLLED_BACK)
        for r, item in zip(results, items, strict=True)
    ]


def refuse_oversize(op: Operation, sobject: str | None, items: Sequence[Any]) -> None:
    """Refuse a call Salesforce refuses whole, before any record of it is written: more than
    `MAX_RECORDS` records, or a create or update of records of several types (a collection
    naming no `sobject`) making more than `MAX_CHUNKS` chunks, as the REST guide's "Create
    Records Using sObject Collections" and "Update Records Using sObject Collections" allow no
    more."""
    if len(items) > MAX_RECORDS:
        raise ApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call",
        )
    if op in ("create", "update") and sobject is None and chunks(items) > MAX_CHUNKS:
        raise ApiError(
            400,
            "INVALID_BATCH_SIZE",
            f"Cannot have more than {MAX_CHUNKS} chunks in a single operation. Please "
            "rearrange the data to reduce chunking.",
        )


def chunks(items: Sequence[Any]) -> int:
    """How many chunks Salesforce processes `items` in: a new one wherever the type their
    `attributes` declare changes, so `{account1, account2, contact1, account3}` is three (a
    record declaring none counts as a type of its own)."""
    kinds = [str(_declared_type(item) or "").lower() for item in items]
    return sum(1 for i, kind in enumerate(kinds) if i == 0 or kind != kinds[i - 1])


def _declared_type(item: Any) -> Any:
    """The `attributes.type` a record declares (None when it declares none)."""
    attributes = item.get("attributes") if isinstance(item, dict) else None
    return attributes.get("type") if isinstance(attributes, dict) else None


def _one(
    writes: Writes,
    conn: sqlite3.Connection,
    op: Operation,
    sobject: str | None,
    item: Any,
    external_field: str | None,
    api_version: str,
) -> dict[str, Any]:
    if op == "delete":
        given = _given_id(item)
        if sobject is not None:
            # A Bulk job deletes records of its object only: an id of another is refused as
            # an update's is, never followed to the record it names (and its children).
            obj = writes.sobject(sobject)
            record_id = writes.record_id(obj, given)
        else:
            normalized = ids.normalize(given)
            found = writes.schema.by_prefix(normalized[:3]) if normalized else None
            if normalized is None or found is None:
                raise ApiError(400, "MALFORMED_ID", f"malformed id {given}", [])
            obj, record_id = found, normalized
        writes.delete(conn, obj, record_id)
        return {"id": record_id, "success": True, "errors": []}
    record = _record(item)
    obj = writes.sobject(_record_type(record, sobject))
    if op == "create":
        return {"id": writes.create(conn, obj, record), "success": True, "errors": []}
    if op == "update":
        record_id = writes.record_id(obj, _given_id(item))
        values = {k: v for k, v in record.items() if k.lower() != "id"}
        with _id_of_no_record():
            writes.update(conn, obj, record_id, values)
        return {"id": record_id, "success": True, "errors": []}
    assert external_field is not None
    value = _key_value(record, external_field)
    with _id_of_no_record():
        record_id, created = writes.upsert(conn, obj, external_field, value, record, api_version)
    return {"id": record_id, "success": True, "errors": [], "created": created}


@contextmanager
def _id_of_no_record() -> Iterator[None]:
    """A record's Id naming no record, as a batch's update or upsert answers it."""
    try:
        yield
    except RecordNotFound:
        raise unknown_reference() from None


def _repeated_keys(
    writes: Writes,
    op: Operation,
    sobject: str | None,
    external_field: str | None,
    items: Sequence[Any],
) -> dict[int, ApiError]:
    """The position of each record whose key another record of the call gives too, with its
    DUPLICATE_VALUE: an update's Id, or an upsert's key (`Id` or an external id)."""
    key = _key(writes, op, sobject, external_field)
    if key is None:
        return {}
    name, compared = key
    given: dict[int, Any] = {}
    positions: dict[Any, list[int]] = {}
    for position, item in enumerate(items):
        value = _key_value(item, name) if isinstance(item, dict) else None
        seen = compared(value) if value is not None else None
        if seen is None:
            continue  # no key, or one that fails its record on its own
        given[position] = value
        positions.setdefault(seen, []).append(position)
    what = "id" if name == "Id" else "external id"
    return {
        position: ApiError(
            400, "DUPLICATE_VALUE", f"Duplicate {what} specified: {given[position]}", []
        )
        for group in positions.values()
        if len(group) > 1
        for position in group
    }


def _key(
    writes: Writes, op: Operation, sobject: str | None, external_field: str | None
) -> tuple[str, Callable[[Any], Any]] | None:
    """The field naming the record each item writes, and a value of it as values that name
    the same record compare (None for one that fails its record on its own): an Id in its
    18-character form, an external id as Salesforce compares text, ignoring case. None for
    a create or delete, and for an upsert key that is neither."""
    if op == "update":
        return "Id", _canonical_id
    obj = writes.schema.get(sobject or "") if op == "upsert" else None
    key = obj.field(external_field or "") if obj is not None else None
    if key is None:
        return None
    if key.name == "Id":
        return "Id", _canonical_id
    if key.kind is Kind.ID or not (key.external_id or key.id_lookup):
        return None

    def folded(value: Any) -> Any:
        try:
            return fold_case(coerce(key, value))
        except ApiError:
            return None

    return key.name, folded


def _canonical_id(value: Any) -> str | None:
    return ids.normalize(value) if isinstance(value, str) else None


def _key_value(record: dict[str, Any], field_name: str) -> Any:
    """The value `record` gives the field `field_name` (named in any case), or None."""
    return next((v for k, v in record.items() if k.lower() == field_name.lower()), None)


def _record(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "Each record must be a JSON object", [])
    return item


def _record_type(record: dict[str, Any], sobject: str | None) -> str:
    declared = _declared_type(record)
    if declared and sobject and declared.lower() != sobject.lower():
        raise ApiError(400, "INVALID_TYPE", f"Record type {declared} does not match {sobject}", [])
    name = declared or sobject
    if not name:
        raise ApiError(400, "INVALID_TYPE", "Must specify a type in attributes", [])
    return str(name)


def _id_of(item: Any) -> str | None:
    """The Id an update's record (or a delete's item) names, if it names one."""
    value = item if isinstance(item, str) else None
    if isinstance(item, dict):
        value = next((v for k, v in item.items() if k.lower() == "id"), None)
    return value if isinstance(value, str) and value else None


def _given_id(item: Any) -> str:
    value = _id_of(item)
    if value is None:
        raise ApiError(400, "MISSING_ARGUMENT", "Id not specified in an update call", [])
    return value


def _failure(op: Operation, item: Any, error: ApiError) -> dict[str, Any]:
    """A failed record's result. It carries the Id an update or delete was given, unless that
    Id is what failed: the REST guide's collection examples show a MALFORMED_ID failure with
    no `id` key (not `"id": null`), and so is one given no Id. Creates and upserts have no id
    to report."""
    reported = op in ("update", "delete") and error.error_code != "MALFORMED_ID"
    given = _id_of(item) if reported else None
    result: dict[str, Any] = {"id": given} if given else {}
    return result | {"success": False, "errors": [error.to_record_error()]}
