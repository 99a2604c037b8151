"""What else a delete touches, as Salesforce's referential integrity rules decide it.

Each lookup pointing at a deleted record follows its relationship's rule, which the parent's
describe shows in `childRelationships`: `cascadeDelete` children are deleted with it (and their
own children in turn: an Account takes its Contacts, and their Tasks with them),
`restrictedDelete` ones refuse the delete (DELETE_FAILED), and any other lookup is cleared.
The whole cascade is worked out before anything is written, so a refusal leaves every record
as it was. A view's rows (ActivityHistory) go with the Tasks and Events they show.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from enum import Enum

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema
from forcebridge.sandbox.storage import Storage


class Rule(Enum):
    CASCADE = "cascade"
    RESTRICT = "restrict"
    CLEAR = "clear"


def rule(lookup: FieldSpec) -> Rule:
    """What deleting a parent does to its children through `lookup`; a master-detail field of
    a recorded payload says so in its own describe (`cascadeDelete`, `restrictedDelete`)."""
    if lookup.child_cascade_delete or lookup.extra.get("cascadeDelete"):
        return Rule.CASCADE
    if lookup.child_restricted_delete or lookup.extra.get("restrictedDelete"):
        return Rule.RESTRICT
    return Rule.CLEAR


@dataclass
class Cascade:
    """The records one delete deletes (the record itself first) and the lookups it clears."""

    deleted: dict[str, ObjectSpec] = field(default_factory=dict)
    cleared: list[tuple[ObjectSpec, str, FieldSpec]] = field(default_factory=list)


def plan(
    schema: Schema, storage: Storage, conn: sqlite3.Connection, obj: ObjectSpec, record_id: str
) -> Cascade:
    """Everything deleting the live record `record_id` of `obj` does, or DELETE_FAILED."""
    cascade = Cascade({record_id: obj})
    pending = [record_id]
    while pending:
        parent_id = pending.pop()
        for child, lookup in schema.children(cascade.deleted[parent_id].name):
            if rule(lookup) is not Rule.CASCADE or child.view:
                continue
            for child_id in storage.find(conn, child, lookup, parent_id):
                if child_id not in cascade.deleted:
                    cascade.deleted[child_id] = child
                    pending.append(child_id)
    for parent_id, parent in cascade.deleted.items():
        for child, lookup in schema.children(parent.name):
            if child.view:
                continue
            kept = [
                child_id
                for child_id in storage.find(conn, child, lookup, parent_id)
                if child_id not in cascade.deleted
            ]
            if not kept or rule(lookup) is Rule.CASCADE:
                continue
            if rule(lookup) is Rule.RESTRICT:
                raise _restricted(storage, conn, obj, record_id, child, kept)
            cascade.cleared.extend((child, child_id, lookup) for child_id in kept)
    return cascade


def _restricted(
    storage: Storage,
    conn: sqlite3.Connection,
    obj: ObjectSpec,
    record_id: str,
    child: ObjectSpec,
    child_ids: list[str],
) -> ApiError:
    """Salesforce's refusal, naming the record and the children in the way."""
    return ApiError(
        400,
        "DELETE_FAILED",
        f"Your attempt to delete {_name(storage, conn, obj, record_id)} could not be completed "
        f"because it is associated with the following {child.label_plural.lower()}.: "
        + ", ".join(_name(storage, conn, child, child_id) for child_id in child_ids),
        [],
    )


def _name(storage: Storage, conn: sqlite3.Connection, obj: ObjectSpec, record_id: str) -> str:
    """The record's name field, or its id when it has none."""
    name_field = next((f for f in obj.stored_fields if f.name_field), None)
    row = storage.fetch(conn, obj, record_id) if name_field is not None else None
    value = row.get(name_field.name) if row is not None and name_field is not None else None
    return str(value) if value else record_id
