"""sObject Tree (`composite/tree/{type}`): records created with their children, all or none.

Each record carries `attributes` with its `type` and a `referenceId` unique in the request;
its children come under the parent's child relationship name (`"Contacts": {"records": [...]}`)
and are linked to it through that relationship's lookup field. At most 200 records and five
levels, as Salesforce allows. Records are created parent first, in the order given, in one
transaction: if any record fails, none is kept, and the answer lists only the failures, each by
its referenceId; otherwise it lists every record's new id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.references import REFERENCE_ID
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema

MAX_RECORDS = 200
MAX_DEPTH = 5


@dataclass
class TreeRecord:
    reference_id: str
    sobject: ObjectSpec
    values: dict[str, Any]
    children: list[tuple[FieldSpec, TreeRecord]] = field(default_factory=list)
    """Each child with the lookup field that links it to this record."""


def _refused(message: str) -> ApiError:
    return ApiError(400, "INVALID_INPUT", message)


class _Reader:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.seen: set[str] = set()

    def records(self, body: Any, sobject: ObjectSpec, depth: int) -> list[TreeRecord]:
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list):
            raise ApiError(400, "JSON_PARSER_ERROR", "'records' must be a list of records")
        if depth > MAX_DEPTH:
            raise _refused(f"A tree may be at most {MAX_DEPTH} levels deep")
        return [self.record(item, sobject, depth) for item in records]

    def record(self, item: Any, sobject: ObjectSpec, depth: int) -> TreeRecord:
        if not isinstance(item, dict) or not isinstance(item.get("attributes"), dict):
            raise ApiError(400, "JSON_PARSER_ERROR", "Each record needs its 'attributes'")
        attributes = item["attributes"]
        reference_id = str(attributes.get("referenceId") or "")
        if not REFERENCE_ID.fullmatch(reference_id):
            raise _refused(
                f"Invalid referenceId '{reference_id}': use letters, digits and underscores"
            )
        if reference_id in self.seen:
            raise _refused(f"Duplicate referenceId provided in the request: {reference_id}")
        self.seen.add(reference_id)
        if str(attributes.get("type") or "").lower() != sobject.name.lower():
            raise ApiError(
                400,
                "INVALID_TYPE",
                f"Record {reference_id} is of type {attributes.get('type')}, expected "
                f"{sobject.name}",
            )
        record = TreeRecord(reference_id, sobject, {})
        for name, value in item.items():
            if name == "attributes":
                continue
            child = self.schema.child_relationship(sobject.name, name)
            if child is not None and isinstance(value, dict):
                child_object, lookup = child
                kids = self.records(value, child_object, depth + 1)
                record.children += [(lookup, kid) for kid in kids]
            else:
                record.values[name] = value
        return record


def read_tree(schema: Schema, sobject: str, body: Any) -> list[TreeRecord]:
    """The request's records, checked whole before any is written."""
    root = schema.get(sobject)
    if root is None:
        raise ApiError(404, "NOT_FOUND", f"The requested resource does not exist: {sobject}")
    records = _Reader(schema).records(body, root, 1)
    if _count(records) > MAX_RECORDS:
        raise _refused(f"A tree may hold at most {MAX_RECORDS} records")
    return records


def _count(records: list[TreeRecord]) -> int:
    return sum(1 + _count([child for _, child in record.children]) for record in records)


def create_tree(org: Org, records: list[TreeRecord]) -> tuple[int, dict[str, Any]]:
    """Create the records; (201, every id) or (400, the failures), nothing kept on failure."""

    def create_all(_: object) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        created: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for record in records:
            _create(org, record, {}, created, failed)
        return created, failed

    (created, failed), kept = org.storage.all_or_none(create_all, lambda done: not done[1])
    if kept:
        return 201, {"hasErrors": False, "results": created}
    return 400, {"hasErrors": True, "results": failed}


def _create(
    org: Org,
    record: TreeRecord,
    parent: dict[str, Any],
    created: list[dict[str, Any]],
    failed: list[dict[str, Any]],
) -> None:
    """Create `record` (its lookup to its parent in `parent`), then its children; a record
    that fails is reported (its own write, a savepoint of the tree's, leaves nothing) and its
    children are not attempted."""
    try:
        record_id = org.create(record.sobject.name, record.values | parent)
    except ApiError as error:
        failed.append({"referenceId": record.reference_id, "errors": [error.to_record_error()]})
        return
    created.append({"referenceId": record.reference_id, "id": record_id})
    for lookup, child in record.children:
        _create(org, child, {lookup.name: record_id}, created, failed)
