"""Record writes inside a transaction: create, update, delete and upsert, as Salesforce does them.

Every method takes the connection of an open write (`Storage.write`) and either applies the
whole record or raises an `ApiError` before touching anything, so callers decide what one
transaction spans: one record for the REST resources, a whole batch for `allOrNone`.
The server maintains the audit fields (`CreatedDate`, `LastModifiedDate`, `SystemModstamp`,
`CreatedById`, `LastModifiedById`), `OwnerId` by default, `IsDeleted`, and derived values.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from forcebridge.sandbox import cascade, ids
from forcebridge.sandbox.errors import (
    ApiError,
    MultipleMatches,
    RecordNotFound,
    entity_is_deleted,
    method_not_allowed,
    no_external_id_field,
    not_found,
    unknown_reference,
)
from forcebridge.sandbox.fieldtypes import Kind, format_datetime
from forcebridge.sandbox.hierarchies import check_no_loop
from forcebridge.sandbox.json_values import shown
from forcebridge.sandbox.records import Changes, coerce, defaults, derived, prepare, saved_text
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema
from forcebridge.sandbox.storage import Storage

#: Objects whose AccountId follows from what the activity is about.
ACTIVITIES = frozenset({"Task", "Event"})
KEYLESS_METHODS = ("GET", "HEAD", "POST")
"""What `sobjects/T/{key field}` (an upsert key with no value) allows, in a live org's order."""


class Writes:
    def __init__(
        self,
        schema: Schema,
        storage: Storage,
        clock: Callable[[], dt.datetime],
        user_id: Callable[[], str],
    ) -> None:
        self.schema = schema
        self.storage = storage
        self.clock = clock
        self.user_id = user_id

    # --- lookups -----------------------------------------------------------------------------

    def sobject(self, name: str) -> ObjectSpec:
        """The object called `name`, or the 404 Salesforce gives for an unknown one."""
        obj = self.schema.get(name)
        if obj is None:
            raise not_found()
        return obj

    def record_id(self, obj: ObjectSpec, raw: object) -> str:
        """`raw` as an 18-character id of `obj`, or MALFORMED_ID naming it as JSON spells it
        (an upsert's `"Id": true` is `true`)."""
        record_id = ids.normalize(raw) if isinstance(raw, str) else None
        if record_id is None or ids.key_prefix(record_id) != obj.key_prefix:
            id_field = obj.field("Id")
            label = id_field.label if id_field is not None else f"{obj.name} ID"
            raise ApiError(
                400, "MALFORMED_ID", f"{label}: id value of incorrect type: {shown(raw)}", ["Id"]
            )
        return record_id

    def addressed_id(self, obj: ObjectSpec, segment: str) -> str:
        """The record `sobjects/T/{segment}` names. A segment that is no id at all is read as
        an external id field's name, as Salesforce reads it (404 NOT_FOUND); one of T's key
        fields given no value names no record (404 as a key matching none); an id of another
        object is MALFORMED_ID."""
        if self.names_key(obj.name, segment):
            raise not_found()
        if ids.normalize(segment) is None:
            raise no_external_id_field(segment)
        return self.record_id(obj, segment)

    def live_row(self, conn: sqlite3.Connection, obj: ObjectSpec, record_id: str) -> dict[str, Any]:
        """The stored record, or `RecordNotFound` / ENTITY_IS_DELETED."""
        row = self.storage.fetch(conn, obj, record_id)
        if row is None:
            raise RecordNotFound()
        if row.get("IsDeleted"):
            raise entity_is_deleted()
        return row

    # --- writes ----------------------------------------------------------------------------

    def create(self, conn: sqlite3.Connection, obj: ObjectSpec, values: Mapping[str, Any]) -> str:
        if not obj.allows("createable"):
            raise _refused(obj, "inserted")
        changes = prepare(self.schema, obj, self._by_parent_keys(conn, obj, values), creating=True)
        self._check_references(conn, changes)
        self._check_unique(conn, obj, changes.values, None)
        (record_id,) = self.storage.new_ids(conn, obj.key_prefix)
        stamp, user = format_datetime(self.clock()), self.user_id()
        system = {
            "Id": record_id,
            "IsDeleted": 0,
            "CreatedDate": stamp,
            "CreatedById": user,
            "LastModifiedDate": stamp,
            "LastModifiedById": user,
            "SystemModstamp": stamp,
            "OwnerId": user,
        }
        row = {k: v for k, v in system.items() if obj.field(k) is not None}
        row |= defaults(obj, changes.values)
        row |= {k: v for k, v in changes.values.items() if v is not None or k not in row}
        row |= derived(obj, row, changes.values)
        row |= self._activity_account(conn, obj, row)
        self.storage.insert(conn, obj, row)
        return record_id

    def update(
        self, conn: sqlite3.Connection, obj: ObjectSpec, record_id: str, values: Mapping[str, Any]
    ) -> None:
        if not obj.allows("updateable"):
            raise _refused(obj, "updated")
        current = self.live_row(conn, obj, record_id)
        if current.get("IsConverted"):
            raise ApiError(
                400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead", []
            )
        given = {
            k: v for k, v in values.items() if not (k.lower() == "id" and _same_id(v, record_id))
        }
        changes = prepare(self.schema, obj, self._by_parent_keys(conn, obj, given), creating=False)
        self._check_references(conn, changes)
        check_no_loop(self.storage, conn, obj, record_id, changes.values)
        self._check_unique(conn, obj, changes.values, record_id)
        self.apply(conn, obj, record_id, current, changes.values)

    def apply(
        self,
        conn: sqlite3.Connection,
        obj: ObjectSpec,
        record_id: str,
        current: Mapping[str, Any],
        values: Mapping[str, Any],
    ) -> None:
        """Write validated `values` over `current`, with derived values and audit fields."""
        stamp = format_datetime(self.clock())
        audit = {
            "LastModifiedDate": stamp,
            "LastModifiedById": self.user_id(),
            "SystemModstamp": stamp,
        }
        changed = dict(values) | {k: v for k, v in audit.items() if obj.field(k) is not None}
        merged = {**current, **changed}
        recomputed = derived(obj, merged, values) | self._activity_account(conn, obj, merged)
        changed |= {k: v for k, v in recomputed.items() if current.get(k) != v}
        self.storage.update(conn, obj, record_id, changed)

    def delete(self, conn: sqlite3.Connection, obj: ObjectSpec, record_id: str) -> None:
        """Soft delete: the record stays, flagged, for queryAll and getDeleted, and so do the
        records deleted with it; lookups left pointing at any of them are cleared (`cascade`)."""
        if not obj.allows("deletable") or obj.field("IsDeleted") is None:
            raise _refused(obj, "deleted")
        self.live_row(conn, obj, record_id)
        planned = cascade.plan(self.schema, self.storage, conn, obj, record_id)
        stamp = format_datetime(self.clock())
        for deleted_id, deleted in planned.deleted.items():
            self.storage.update(conn, deleted, deleted_id, _stamped(deleted, stamp, IsDeleted=1))
        for child, child_id, lookup in planned.cleared:
            self.storage.update(
                conn, child, child_id, _stamped(child, stamp, **{lookup.name: None})
            )

    def upsert(
        self,
        conn: sqlite3.Connection,
        obj: ObjectSpec,
        field_name: str,
        value: Any,
        values: Mapping[str, Any],
        api_version: str,
        update_only: bool = False,
    ) -> tuple[str, bool]:
        """Update the one record whose `field_name` is `value`, or create it: (id, created).
        With `update_only` (REST's `?updateOnly=true`) a key matching no record creates none:
        404 NOT_FOUND, the answer the REST guide gives for a record the URL cannot find.
        A key given no value, or only whitespace (saved as null, so naming no record), is
        MISSING_ARGUMENT "`field` not specified", as Salesforce answers a blank key."""
        if value is None or (isinstance(value, str) and not saved_text(value)):
            raise ApiError(400, "MISSING_ARGUMENT", f"{field_name} not specified", [])
        key = self.external_key(obj, field_name)
        given = {k: v for k, v in values.items() if k.lower() != key.name.lower()}
        if key.kind is Kind.ID:
            record_id = self.record_id(obj, value)
            self.update(conn, obj, record_id, given)
            return record_id, False
        match = self.find_one(conn, obj, key, value, api_version)
        if match is not None:
            self.update(conn, obj, match, given)
            return match, False
        if update_only:
            raise not_found()
        return self.create(conn, obj, {**given, key.name: value}), True

    def external_key(self, obj: ObjectSpec, field_name: str) -> FieldSpec:
        """The field addressing a record in `sobjects/T/field/value`: external id or idLookup."""
        key = obj.field(field_name)
        if key is None or not (key.external_id or key.id_lookup):
            raise no_external_id_field(field_name)
        return key

    def names_key(self, sobject: str, segment: str) -> bool:
        """Whether `sobjects/T/{segment}` is no record id but one of T's keys (`Id`, an
        external id or idLookup field): an upsert key given no value, the resource through
        which a POST creates and which takes `KEYLESS_METHODS` only."""
        obj = self.schema.get(sobject)
        key = obj.field(segment) if obj is not None and ids.normalize(segment) is None else None
        return key is not None and (key.external_id or key.id_lookup)

    def refuse_keyless_write(self, sobject: str, segment: str, method: str) -> None:
        """Refuse a PATCH or DELETE at an upsert key given no value (`names_key`), as a live
        org answers jsforce's PATCH to `sobjects/Account/Id/`: 405 "Allowed are
        GET,HEAD,POST"."""
        self.sobject(sobject)
        if self.names_key(sobject, segment):
            raise method_not_allowed(method, KEYLESS_METHODS)

    def find_one(
        self,
        conn: sqlite3.Connection,
        obj: ObjectSpec,
        key: FieldSpec,
        value: Any,
        api_version: str,
    ) -> str | None:
        """The id of the one record whose `key` is `value`; several raise `MultipleMatches`."""
        matches = self.storage.find(conn, obj, key, coerce(key, value))
        if len(matches) > 1:
            base = f"/services/data/v{api_version}/sobjects/{obj.name}/"
            raise MultipleMatches(matches, base)
        return matches[0] if matches else None

    def _by_parent_keys(
        self, conn: sqlite3.Connection, obj: ObjectSpec, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """`values` with each parent named by an external id of its own (`"Account":
        {"ExtId__c": "A-1"}`) set as the lookup it stands for (`AccountId`), as Salesforce
        lets a write name a parent it has no Id for."""
        resolved: dict[str, Any] = {}
        for name, raw in values.items():
            lookup = obj.relationship(name) if isinstance(raw, dict) else None
            if lookup is None:
                resolved[name] = raw
                continue
            if any(k.lower() == lookup.name.lower() for k in values):
                raise ApiError(
                    400,
                    "INVALID_FIELD",
                    f"{lookup.name} is given twice: by Id and through {name}",
                    [lookup.name],
                )
            resolved[lookup.name] = self._parent_by_key(conn, lookup, raw)
        return resolved

    def _parent_by_key(
        self, conn: sqlite3.Connection, lookup: FieldSpec, given: Mapping[str, Any]
    ) -> str:
        named = str((given.get("attributes") or {}).get("type") or lookup.reference_to[0])
        if named not in lookup.reference_to:
            raise ApiError(
                400,
                "INVALID_TYPE",
                f"{lookup.relationship_name} cannot refer to a {named}",
                [lookup.name],
            )
        parent = self.sobject(named)
        keys = [(k, v) for k, v in given.items() if k != "attributes"]
        key = parent.field(keys[0][0]) if len(keys) == 1 else None
        if key is None or not key.external_id:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"{lookup.relationship_name} must name the {parent.name} by one external ID field",
                [lookup.name],
            )
        value = keys[0][1]
        matches = self.storage.find(conn, parent, key, coerce(key, value))
        if len(matches) != 1:
            problem = "not found" if not matches else "found more than once"
            raise ApiError(
                400,
                "INVALID_FIELD" if not matches else "DUPLICATE_EXTERNAL_ID",
                f"Foreign key external ID: {shown(value)} {problem} for "
                f"field {key.name} in entity "
                f"{parent.name}",
                [lookup.name],
            )
        return matches[0]

    def _activity_account(
        self, conn: sqlite3.Connection, obj: ObjectSpec, row: Mapping[str, Any]
    ) -> dict[str, Any]:
        """An activity's read-only AccountId, as Salesforce derives it: the Account it is about
        (`WhatId`) or that Opportunity's Account, or else the Account of its Contact (`WhoId`)."""
        if obj.name not in ACTIVITIES:
            return {}
        who, what_id = row.get("WhoId"), row.get("WhatId")
        lead = self.schema.get("Lead")
        if who and what_id and lead is not None and ids.key_prefix(who) == lead.key_prefix:
            # Leads stand apart from Accounts and the rest: an activity about one relates to
            # nothing else (Salesforce: WhatId must be empty when WhoId is a Lead).
            raise ApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                "Related To ID: an activity whose Name is a Lead cannot be related to a record",
                ["WhoId", "WhatId"],
            )
        what = self._account_of(conn, what_id, "Opportunity")
        return {"AccountId": what or self._account_of(conn, row.get("WhoId"), "Contact")}

    def _account_of(self, conn: sqlite3.Connection, record_id: str | None, via: str) -> str | None:
        """`record_id` if it is an Account, else the AccountId of the `via` record it names."""
        obj = self.schema.by_prefix(ids.key_prefix(record_id)) if record_id else None
        if obj is None or record_id is None or obj.name not in ("Account", via):
            return None
        if obj.name == "Account":
            return record_id
        row = self.storage.fetch(conn, obj, record_id)
        return row.get("AccountId") if row else None

    # --- checks that need the database -----------------------------------------------------

    def _check_references(self, conn: sqlite3.Connection, changes: Changes) -> None:
        for ref in changes.references:
            target = self.schema.get(ref.target)
            assert target is not None
            state = self.storage.exists(conn, target, ref.record_id)
            if state is None:
                raise unknown_reference()
            if state is False:
                raise entity_is_deleted(ref.field.name)
            if target.name == "Lead" and self.live_row(conn, target, ref.record_id).get(
                "IsConverted"
            ):
                # A converted Lead is read-only and hidden: nothing may point at it any more.
                raise ApiError(
                    400,
                    "CANNOT_UPDATE_CONVERTED_LEAD",
                    "cannot reference converted lead",
                    [ref.field.name],
                )

    def _check_unique(
        self,
        conn: sqlite3.Connection,
        obj: ObjectSpec,
        values: Mapping[str, Any],
        record_id: str | None,
    ) -> None:
        for name, value in values.items():
            f = obj.field(name)
            if f is None or not f.unique or value is None:
                continue
            clash = next(
                (m for m in self.storage.find(conn, obj, f, value) if m != record_id), None
            )
            if clash is not None:
                raise ApiError(
                    400,
                    "DUPLICATE_VALUE",
                    f"duplicate value found: {f.name} duplicates value on record with id: {clash}",
                    [],
                )


def _same_id(value: Any, record_id: str) -> bool:
    return isinstance(value, str) and ids.normalize(value) == record_id


def _stamped(obj: ObjectSpec, stamp: str, **changes: Any) -> dict[str, Any]:
    """`changes` and the new `SystemModstamp` a system change gives a record (not a
    `LastModifiedDate`: no user edited it)."""
    return changes | ({"SystemModstamp": stamp} if obj.field("SystemModstamp") is not None else {})


def _refused(obj: ObjectSpec, verb: str) -> ApiError:
    return ApiError(
        400, "INVALID_TYPE_FOR_OPERATION", f"entity type cannot be {verb}: {obj.name}", []
    )
