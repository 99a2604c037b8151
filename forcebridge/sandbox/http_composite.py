"""sObject Collections: many records in one call, each with its own result, in request order.

Injected row locks are decided per record before the engine sees the batch: locked records fail
with UNABLE_TO_LOCK_ROW and the rest go through, or, under `allOrNone`, nothing is written and
every other record reports the roll-back, as Salesforce does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from forcebridge.sandbox.composite import ROLLED_BACK, Operation, refuse_oversize
from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.fieldtypes import wire_flag
from forcebridge.sandbox.http_api import (
    DATA_PREFIX,
    ApiCall,
    SalesforceJSON,
    api_call,
    comma_separated,
    json_body,
    json_object,
)
from forcebridge.sandbox.json_values import request_flag
from forcebridge.sandbox.limits import ApiKind, row_lock_error

router = APIRouter(prefix=DATA_PREFIX)

Composite = Annotated[ApiCall, Depends(api_call(ApiKind.COMPOSITE))]

LOCKED = row_lock_error()
MAX_RETRIEVED = 2_000
"""The ids one POST retrieve may name; a GET names as many as its URL holds (about 800)."""


def failed_result(record_id: str | None, error: ApiError) -> dict[str, Any]:
    result: dict[str, Any] = {"id": record_id} if record_id else {}
    return result | {"success": False, "errors": [error.to_record_error()]}


def merge_lock_failures(
    locked: Sequence[bool],
    ids: Sequence[str | None],
    written: Sequence[dict[str, Any]],
    all_or_none: bool,
) -> list[dict[str, Any]]:
    """Results in request order: lock failures in place, the engine's results for the rest."""
    remaining = iter(written)
    results = []
    for is_locked, record_id in zip(locked, ids, strict=True):
        if is_locked:
            results.append(failed_result(record_id, LOCKED))
        elif all_or_none:
            results.append(failed_result(record_id, ROLLED_BACK))
        else:
            results.append(next(remaining))
    return results


def collection_records(body: Any) -> tuple[list[Any], bool]:
    envelope = json_object(body, "the collection request")
    records = envelope.get("records")
    if not isinstance(records, list):
        raise ApiError(400, "JSON_PARSER_ERROR", "'records' must be a list of records")
    return records, request_flag(envelope, "allOrNone")


def _given_ids(records: list[Any]) -> list[str | None]:
    """The ids failed updates report (Salesforce reports none for creates and upserts)."""
    return [record.get("Id") if isinstance(record, dict) else None for record in records]


async def _write(
    call: ApiCall,
    op: Operation,
    sobject: str | None,
    items: list[Any],
    ids: list[str | None],
    all_or_none: bool,
    external_field: str | None = None,
) -> SalesforceJSON:
    refuse_oversize(op, sobject, items)  # whole, before any record gets as far as a lock
    locked = [call.state.faults.row_locked() for _ in items]
    kept = [item for item, is_locked in zip(items, locked, strict=True) if not is_locked]
    written: list[dict[str, Any]] = []
    if kept and not (all_or_none and len(kept) < len(items)):
        written = await call.state.run(
            call.state.org.collection,
            op,
            sobject,
            kept,
            all_or_none,
            external_field,
            api_version=call.version,
        )
    if len(kept) == len(items):
        return SalesforceJSON(written)
    return SalesforceJSON(merge_lock_failures(locked, ids, written, all_or_none))


@router.post("/v{version}/composite/sobjects")
async def create(request: Request, call: Composite) -> SalesforceJSON:
    records, all_or_none = collection_records(await json_body(request))
    return await _write(call, "create", None, records, [None] * len(records), all_or_none)


@router.patch("/v{version}/composite/sobjects")
async def update(request: Request, call: Composite) -> SalesforceJSON:
    records, all_or_none = collection_records(await json_body(request))
    return await _write(call, "update", None, records, _given_ids(records), all_or_none)


@router.delete("/v{version}/composite/sobjects")
async def delete(request: Request, call: Composite) -> SalesforceJSON:
    ids: list[str | None] = list(comma_separated(request.query_params.get("ids")))
    if not ids:
        raise ApiError(400, "MISSING_ARGUMENT", "Required parameter 'ids' is missing")
    all_or_none = wire_flag(request.query_params.get("allOrNone", "false"))
    return await _write(call, "delete", None, list(ids), ids, all_or_none)


@router.patch("/v{version}/composite/sobjects/{sobject}/{external_field}")
async def upsert(
    sobject: str, external_field: str, request: Request, call: Composite
) -> SalesforceJSON:
    records, all_or_none = collection_records(await json_body(request))
    ids: list[str | None] = [None] * len(records)
    return await _write(call, "upsert", sobject, records, ids, all_or_none, external_field)


def _names(raw: Any, what: str) -> list[str]:
    if isinstance(raw, str):
        raw = comma_separated(raw)
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        raise ApiError(400, "MISSING_ARGUMENT", f"Required parameter '{what}' is missing")
    return raw


def posted_retrieval(body: Any) -> tuple[list[str], list[str]]:
    """The ids and fields of jsforce's multi-record `retrieve`, `{"ids": [...], "fields":
    [...]}` in a POST's body (at most `MAX_RETRIEVED` ids)."""
    envelope = json_object(body, "the retrieve request")
    ids, fields = _names(envelope.get("ids"), "ids"), _names(envelope.get("fields"), "fields")
    if len(ids) > MAX_RETRIEVED:
        raise ApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot retrieve more than {MAX_RETRIEVED} records",
        )
    return ids, fields


def queried_retrieval(params: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """The ids and fields of a GET's `?ids=&fields=`."""
    return _names(params.get("ids", ""), "ids"), _names(params.get("fields", ""), "fields")


@router.post("/v{version}/composite/sobjects/{sobject}")
async def retrieve(sobject: str, request: Request, call: Composite) -> SalesforceJSON:
    ids, fields = posted_retrieval(await json_body(request))
    return await _retrieve_many(call, sobject, ids, fields)


@router.get("/v{version}/composite/sobjects/{sobject}")
async def retrieve_by_query(sobject: str, request: Request, call: Composite) -> SalesforceJSON:
    ids, fields = queried_retrieval(request.query_params)
    return await _retrieve_many(call, sobject, ids, fields)


async def _retrieve_many(
    call: ApiCall, sobject: str, ids: list[str], fields: list[str]
) -> SalesforceJSON:
    org = call.state.org
    records = await call.state.run(
        org.retrieve_many, sobject, ids, fields, api_version=call.version
    )
    return SalesforceJSON(records)
