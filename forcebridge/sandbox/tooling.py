"""The org's custom fields, made, changed and deleted through the Tooling API's CustomField.

Each definition is a `CustomField` record (`00N...`: `TableEnumOrId`, `DeveloperName`,
`FullName`) with its `Metadata` beside it, in the org's own database, so a field survives a
restart. The org's schema is its describes plus these fields (`schema`); every change hands the
new schema to the org at once, in the same transaction as the data it moves:

- a new field gets an empty column;
- a field whose type changes keeps each value that converts to the new type, as Salesforce
  does, and loses the others (a Text `"12"` becomes the Number 12, `"twelve"` becomes empty);
- a deleted field's column goes with it, so a field made again under that name starts empty.

Only custom fields (`__c`) are made here; the Tooling API's other objects are not served.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from forcebridge.sandbox import decimals
from forcebridge.sandbox.custom_fields import field_spec, split_full_name, with_fields
from forcebridge.sandbox.describe import describe_global
from forcebridge.sandbox.errors import ApiError, from_soql, not_found
from forcebridge.sandbox.fieldtypes import Kind, format_datetime
from forcebridge.sandbox.ids import normalize
from forcebridge.sandbox.query import DEFAULT_BATCH, QueryEngine
from forcebridge.sandbox.records import coerce
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema, with_system_fields
from forcebridge.sandbox.storage import SEQ, Storage
from forcebridge.soql.errors import SoqlError
from forcebridge.soql.parser import parse

CUSTOM_FIELD = with_system_fields(
    ObjectSpec(
        name="CustomField",
        label="Custom Field Definition",
        label_plural="Custom Field Definitions",
        key_prefix="00N",
        fields=(
            FieldSpec("TableEnumOrId", "string", "Table Enum or ID", length=40, nillable=False),
            FieldSpec("DeveloperName", "string", "Developer Name", length=40, nillable=False),
            FieldSpec("FullName", "string", "Full Name", length=255, nillable=False),
            FieldSpec("NamespacePrefix", "string", "Namespace Prefix", length=15),
            FieldSpec("ManageableState", "string", "Manageable State", length=40),
            FieldSpec("Description", "textarea", "Description", length=1000),
        ),
        urls=("rowTemplate", "sobject"),
        extra={
            "feedEnabled": False,
            "layoutable": False,
            "mruEnabled": False,
            "replicateable": False,
            "searchable": False,
            "triggerable": False,
            "undeletable": False,
        },
    )
)
TOOLING = Schema((CUSTOM_FIELD,))
"""What the Tooling API's queries and its describeGlobal reach."""


def tooling_describe_global(api_version: str) -> dict[str, Any]:
    """`GET tooling/sobjects`: the data API's describeGlobal shape, listing the Tooling objects
    served (CustomField), each URL under `tooling/sobjects/`, as a real org's Tooling
    describeGlobal gives it."""
    catalogue = describe_global(TOOLING, api_version)
    data = f"/services/data/v{api_version}/sobjects/"
    tooling = f"/services/data/v{api_version}/tooling/sobjects/"
    for entry in catalogue["sobjects"]:
        entry["urls"] = {name: url.replace(data, tooling, 1) for name, url in entry["urls"].items()}
    return catalogue


_METADATA_TABLE = "_custom_field_metadata"


class CustomFields:
    """The definitions, and the schema they make of the org's describes (`base`)."""

    def __init__(
        self,
        storage: Storage,
        base: Schema,
        clock: Callable[[], dt.datetime],
        user_id: Callable[[], str],
        apply: Callable[[sqlite3.Connection, Schema], None],
    ) -> None:
        """`apply` puts a schema in force, in the caller's write transaction."""
        self.storage, self.base, self.clock, self.user_id = storage, base, clock, user_id
        self._apply = apply
        self.queries = QueryEngine(TOOLING, storage, clock, dt.UTC, api="tooling/")
        with storage.write() as conn:
            storage.ensure_tables(conn, TOOLING.objects)
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {_METADATA_TABLE}"
                " (Id TEXT PRIMARY KEY, Metadata TEXT NOT NULL)"
            )

    def schema(self, conn: sqlite3.Connection | None = None) -> Schema:
        """The describes with every live custom field added."""
        rows = (conn or self.storage.connection()).execute(
            f"SELECT f.TableEnumOrId, f.FullName, m.Metadata FROM {CUSTOM_FIELD.name} f"
            f" JOIN {_METADATA_TABLE} m ON m.Id = f.Id WHERE f.IsDeleted = 0 ORDER BY f.{SEQ}"
        )
        fields = []
        for sobject, full_name, metadata in rows:
            name = full_name.partition(".")[2]
            fields.append((sobject, field_spec(self.base, name, json.loads(metadata))))
        return with_fields(self.base, fields)

    # --- the Tooling API's calls -------------------------------------------------------------

    def create(self, values: Any) -> str:
        """`POST tooling/sobjects/CustomField` with `FullName` and `Metadata`: the new id."""
        body = _body(values)
        with self.storage.write() as conn:
            current = self.schema(conn)
            obj, name = split_full_name(current, body.get("FullName"))
            if obj.field(name) is not None:
                raise ApiError(
                    400,
                    "DUPLICATE_DEVELOPER_NAME",
                    f"There is already a field named {name.removesuffix('__c')} on {obj.name}.",
                    ["FullName"],
                )
            spec = field_spec(current, name, body.get("Metadata"))
            (record_id,) = self.storage.new_ids(conn, CUSTOM_FIELD.key_prefix)
            stamp = format_datetime(self.clock())
            audit = {"CreatedDate": stamp, "LastModifiedDate": stamp, "SystemModstamp": stamp}
            user = self.user_id()
            self.storage.insert(
                conn,
                CUSTOM_FIELD,
                {"Id": record_id, "IsDeleted": 0, "TableEnumOrId": obj.name,
                 "DeveloperName": name.removesuffix("__c"), "FullName": f"{obj.name}.{name}",
                 "ManageableState": "unmanaged", "CreatedById": user, "LastModifiedById": user,
                 **audit},
            )  # fmt: skip
            self._set_metadata(conn, record_id, body["Metadata"])
            self._apply(conn, with_fields(current, [(obj.name, spec)]))
            self._fill_default(conn, obj, spec)
        return record_id

    def retrieve(self, record_id: str, api_version: str) -> dict[str, Any]:
        """The definition, with its `FullName` and `Metadata` as a query never gives them."""
        row = self._live(self.storage.connection(), record_id)
        url = f"/services/data/v{api_version}/tooling/sobjects/CustomField/{row['Id']}"
        names = [f.name for f in CUSTOM_FIELD.stored_fields]
        return {
            "attributes": {"type": "CustomField", "url": url},
            **{name: row[name] for name in names if name != "IsDeleted"},
            "Metadata": self._metadata(self.storage.connection(), row["Id"]),
        }

    def update(self, record_id: str, values: Any) -> None:
        """`PATCH` with a new `Metadata` (the `FullName`, if given, must stay the same)."""
        body = _body(values)
        with self.storage.write() as conn:
            row = self._live(conn, record_id)
            if body.get("FullName") not in (None, row["FullName"]):
                raise ApiError(
                    400,
                    "FIELD_INTEGRITY_EXCEPTION",
                    "FullName: a field is renamed in Setup, not through its definition",
                    ["FullName"],
                )
            current = self.schema(conn)
            obj, name = split_full_name(current, row["FullName"])
            old = obj.field(name)
            new = field_spec(current, name, body.get("Metadata"))
            assert old is not None, f"{row['FullName']} is defined but not in the schema"
            self._set_metadata(conn, row["Id"], body["Metadata"])
            self.storage.update(
                conn, CUSTOM_FIELD, row["Id"], {"LastModifiedDate": format_datetime(self.clock())}
            )
            if old.kind is not new.kind or old.type != new.type:
                self._retype(conn, obj, old, new)
            else:
                self._apply(conn, self.schema(conn))

    def delete(self, record_id: str) -> None:
        """The field goes, and its values with it."""
        with self.storage.write() as conn:
            row = self._live(conn, record_id)
            obj, name = split_full_name(self.schema(conn), row["FullName"])
            self.storage.update(conn, CUSTOM_FIELD, row["Id"], {"IsDeleted": 1})
            self._apply(conn, self.schema(conn))
            self.storage.drop_column(conn, obj, name)

    def query(self, soql: str, api_version: str, batch_size: int = DEFAULT_BATCH) -> dict[str, Any]:
        """`GET tooling/query?q=`: SOQL over the definitions (`Metadata` and `FullName` are
        read one record at a time, by `retrieve`), a page at a time as the data API's."""
        try:
            return self.queries.run(
                parse(soql), include_deleted=False, batch_size=batch_size, api_version=api_version
            )
        except SoqlError as error:
            raise from_soql(error) from None

    def query_more(self, locator: str, api_version: str) -> dict[str, Any]:
        """The page a tooling query's `nextRecordsUrl` points at."""
        return self.queries.more(locator, batch_size=None, api_version=api_version)

    # --- inside -------------------------------------------------------------------------------

    def _live(self, conn: sqlite3.Connection, raw_id: str) -> dict[str, Any]:
        record_id = normalize(raw_id)
        row = self.storage.fetch(conn, CUSTOM_FIELD, record_id) if record_id else None
        if row is None or row.get("IsDeleted"):
            raise not_found()
        return row

    def _metadata(self, conn: sqlite3.Connection, record_id: str) -> Any:
        stored = conn.execute(
            f"SELECT Metadata FROM {_METADATA_TABLE} WHERE Id = ?", (record_id,)
        ).fetchone()
        return json.loads(stored[0])

    def _set_metadata(self, conn: sqlite3.Connection, record_id: str, metadata: Any) -> None:
        conn.execute(
            f"INSERT INTO {_METADATA_TABLE} (Id, Metadata) VALUES (?, ?)"
            " ON CONFLICT(Id) DO UPDATE SET Metadata = excluded.Metadata",
            (record_id, json.dumps(metadata)),
        )

    def _retype(
        self, conn: sqlite3.Connection, obj: ObjectSpec, old: FieldSpec, new: FieldSpec
    ) -> None:
        """Move the field's values to a column of the new type, each converted or lost."""
        aside = f"{old.name}__retyped"
        self.storage.rename_column(conn, obj, old.name, aside)
        self._apply(conn, self.schema(conn))
        rows = conn.execute(
            f'SELECT "Id", "{aside}" FROM "{obj.name}" WHERE "{aside}" IS NOT NULL'
        ).fetchall()
        conn.executemany(
            f'UPDATE "{obj.name}" SET "{new.name}" = ? WHERE "Id" = ?',
            [(decimals.stored(converted(old, new, value)), record_id) for record_id, value in rows],
        )
        self.storage.drop_column(conn, obj, aside)
        self._fill_default(conn, obj, new)

    def _fill_default(self, conn: sqlite3.Connection, obj: ObjectSpec, spec: FieldSpec) -> None:
        """A checkbox is never empty: the records it finds take its default, as Salesforce
        gives them when the field is made."""
        if spec.kind is Kind.BOOLEAN and not spec.nillable:
            conn.execute(
                f'UPDATE "{obj.name}" SET "{spec.name}" = ? WHERE "{spec.name}" IS NULL',
                (int(bool(spec.default_value)),),
            )


def _body(values: Any) -> dict[str, Any]:
    if not isinstance(values, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "The CustomField must be a JSON object")
    return values


def converted(old: FieldSpec, new: FieldSpec, stored: Any) -> Any:
    """A stored value of `old` as `new` stores it, or None when it does not convert: a
    number's plain digits as text (`123456789012345678`, `0`), a text read as a number
    exactly."""
    value = bool(stored) if old.kind is Kind.BOOLEAN else stored
    number = decimals.read(value) if old.kind is Kind.NUMBER else None
    if number is not None:
        value = decimals.plain(number)
    if isinstance(value, str) and new.kind is Kind.BOOLEAN:
        value = {"true": True, "false": False}.get(value.strip().lower())
    elif isinstance(value, bool) and new.kind is not Kind.BOOLEAN:
        value = str(value).lower()
    try:
        return coerce(replace(new, restricted_picklist=False), value)
    except ApiError:
        return None
