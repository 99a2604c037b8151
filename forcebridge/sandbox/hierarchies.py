"""Hierarchy lookups, which Salesforce keeps free of loops: an Account's `ParentId` (the
account hierarchy), a Contact's `ReportsToId` and a User's `ManagerId`.

Salesforce refuses a record that would be its own parent, and a parent that stands below the
record in its own hierarchy (B under A, then A under B), since every walk up the hierarchy
(View Hierarchy, sharing, roll-ups) must reach a top. The refusal is `CIRCULAR_DEPENDENCY`,
the API's status code for a loop among records; its wording is the sandbox's own. Only a
write can close a loop: a new record has no children yet, so creates need no check.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.schema import ObjectSpec
from forcebridge.sandbox.storage import Storage

HIERARCHY_FIELDS = {"Account": "ParentId", "Contact": "ReportsToId", "User": "ManagerId"}
"""Each object's lookup to a record of its own kind that forms a hierarchy."""


def check_no_loop(
    storage: Storage,
    conn: sqlite3.Connection,
    obj: ObjectSpec,
    record_id: str,
    values: Mapping[str, Any],
) -> None:
    """Refuse an update of `record_id` whose new parent (`values`, checked and coerced) is the
    record itself or one of the records below it."""
    name = HIERARCHY_FIELDS.get(obj.name)
    lookup = obj.field(name) if name else None
    if lookup is None or not values.get(lookup.name):
        return
    parent = values[lookup.name]
    if parent == record_id:
        raise _loop(lookup.name, lookup.label, f"{record_id} cannot be its own parent")
    seen: set[str] = set()
    ancestor: str | None = parent
    while ancestor and ancestor not in seen:  # a loop already stored ends the walk
        if ancestor == record_id:
            reason = f"{parent} is below {record_id} in its hierarchy and cannot be its parent"
            raise _loop(lookup.name, lookup.label, reason)
        seen.add(ancestor)
        row = storage.fetch(conn, obj, ancestor)
        ancestor = row.get(lookup.name) if row else None


def _loop(field: str, label: str, reason: str) -> ApiError:
    return ApiError(400, "CIRCULAR_DEPENDENCY", f"{label}: {reason}", [field])
