"""sObject Tree (`composite/tree/{type}`): records created with their children, all or none.

Each record carries `attributes` with its `type` and a `referenceId` unique in the request;
its children come under the parent's child relationship name (`"Contacts": {"records": [...]}`)
and are linked to it through that relationship's lookup field. At most 200 records and five
levels, as Salesforce allows. Records are created level by level, as Salesforce creates and
lists them: every root in the order given, then all their children, then the grandchildren, in
one transaction. If any record fails, none is kept, and the answer lists only the failures,
each by its referenceId; otherwise it lists every record's new id. A record the request itself
gets wrong (a referenceId missing, malformed or repeated, a type other than its place calls for,
one past the limits) is refused before anything is written, in the same shape: one failure per
such record, one for each use of a repeated referenceId, as Salesforce's docs say. A referenceId
that is no text (`null`, `true`) is malformed, named as JSON spells it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.json_values import shown
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


def failed_tree(failures: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer of a tree that kept nothing: each failure is `{"referenceId", "errors"}`."""
    return {"hasErrors": True, "results": failures}


def _failure(reference_id: Any, error: ApiError) -> dict[str, Any]:
    return {"referenceId": reference_id, "errors": [error.to_record_error()]}


class RefusedTree(Exception):
    """A request whose records are refused before any is written (answered 400)."""

    def __init__(self, failures: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(failures)} records refused")
        self.answer = failed_tree(failures)


class _Reader:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.reference_ids: list[str] = []
        self.failures: list[dict[str, Any]] = []

    def refuse(self, reference_id: Any, code: str, message: str) -> None:
        self.failures.append(_failure(reference_id, ApiError(400, code, message)))

    def records(self, body: Any, sobject: ObjectSpec, depth: int) -> list[TreeRecord]:
        records = body.get("records") if isinstance(body, dict) else None
        if not isinstance(records, list):
            raise ApiError(400, "JSON_PARSER_ERROR", "'records' must be a list of records")
        return [self.record(item, sobject, depth) for item in records]

    def record(self, item: Any, sobject: ObjectSpec, depth: int) -> TreeRecord:
        if not isinstance(item, dict) or not isinstance(item.get("attributes"), dict):
            raise ApiError(400, "JSON_PARSER_ERROR", "Each record needs its 'attributes'")
        attributes = item["attributes"]
        given = attributes.get("referenceId")
        reference_id = given if isinstance(given, str) else ""
        self.reference_ids.append(reference_id)
        if not REFERENCE_ID.fullmatch(reference_id):
            self.refuse(
                given,
                "INVALID_INPUT",
                f"Invalid referenceId '{shown(given)}': use letters, digits and underscores",
            )
        if str(attributes.get("type") or "").lower() != sobject.name.lower():
            self.refuse(
                given,
                "INVALID_TYPE",
                f"Record {reference_id} is of type {shown(attributes.get('type'))}, expected "
                f"{sobject.name}",
            )
        record = TreeRecord(reference_id, sobject, {})
        if depth > MAX_DEPTH:  # its own children are not read: they can only be deeper
            self.refuse(given, "INVALID_INPUT", f"A tree may be at most {MAX_DEPTH} levels deep")
            return record
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

    def repeated(self) -> list[dict[str, Any]]:
        """One failure for each use of a referenceId given more than once."""
        counts = Counter(self.reference_ids)
        error = ApiError(400, "INVALID_INPUT", "Duplicate ReferenceId provided in the request.")
        return [
            _failure(reference_id, error)
            for reference_id in self.reference_ids
            if reference_id and counts[reference_id] > 1
        ]


def read_tree(schema: Schema, sobject: str, body: Any) -> list[TreeRecord]:
    """The request's records, checked whole before any is written (RefusedTree otherwise)."""
    root = schema.get(sobject)
    if root is None:
        raise ApiError(404, "NOT_FOUND", f"The requested resource does not exist: {sobject}")
    reader = _Reader(schema)
    records = reader.records(body, root, 1)
    failures = reader.repeated() + reader.failures
    if len(reader.reference_ids) > MAX_RECORDS:
        failures.append(
            _failure(
                reader.reference_ids[MAX_RECORDS],
                ApiError(400, "INVALID_INPUT", f"A tree may hold at most {MAX_RECORDS} records"),
            )
        )
    if failures:
        raise RefusedTree(failures)
    return records


def create_tree(org: Org, records: list[TreeRecord]) -> tuple[int, dict[str, Any]]:
    """Create the records level by level; (201, every id) or (400, the failures), nothing kept
    on failure. A record that fails is reported (its own write, a savepoint of the tree's,
    leaves nothing) and its children are not attempted."""

    def create_all(_: object) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        created: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        level: list[tuple[TreeRecord, dict[str, str]]] = [(record, {}) for record in records]
        while level:
            below: list[tuple[TreeRecord, dict[str, str]]] = []
            for record, parent in level:
                try:
                    record_id = org.create(record.sobject.name, record.values | parent)
                except ApiError as error:
                    failed.append(_failure(record.reference_id, error))
                    continue
                created.append({"referenceId": record.reference_id, "id": record_id})
                below += [(child, {lookup.name: record_id}) for lookup, child in record.children]
            level = below
        return created, failed

    (created, failed), kept = org.storage.all_or_none(create_all, lambda done: not done[1])
    if kept:
        return 201, {"hasErrors": False, "results": created}
    return 400, failed_tree(failed)
