"""CSV as both Bulk APIs read and write it: uploads read as the JSON a REST write would carry,
and query results and DML results written.

Bulk API 2.0 ingest jobs and Bulk API 1.0 CSV batches read their uploads alike: a header of
field names (a parent by one of its external ids as `Account.ExtId__c`), then one row per
record. Values are read by field type: `true`/`false` for
checkboxes, numbers for numeric fields, and `#N/A` to set a field to null; an empty value
leaves a field alone. Nothing is trimmed in reading, header names included, as Salesforce's
"Valid CSV Record Rows" says of field values (a text value is then saved trimmed, as every
write saves it: `records.saved_text`). A header naming a field the object lacks, or naming one
twice, refuses the whole upload, and a delete takes a file holding nothing but ids, as
Salesforce requires; a row holding more values than the header names columns fails alone.
A failed record's error is written `CODE:message:fields --`, as both APIs write it in their
results. Results quote every value; a null is empty, a datetime ends in `Z`, a number is its
plain digits (`999999999999999999`), and a parent's field is the column `Account.Name`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from forcebridge.sandbox.decimals import plain
from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.fieldtypes import Kind
from forcebridge.sandbox.records import CsvCell
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema
from forcebridge.soql.ast import Field, Label, Query

NULL = "#N/A"
"""How a Bulk API CSV value sets a field to null."""
_TRUE, _FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})
DELIMITERS = {  # the `columnDelimiter` names of Bulk API 2.0
    "COMMA": ",",
    "TAB": "\t",
    "PIPE": "|",
    "SEMICOLON": ";",
    "CARET": "^",
    "BACKQUOTE": "`",
}
LINE_ENDINGS = {"LF": "\n", "CRLF": "\r\n"}
_REST_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")


class RefusedUpload(ValueError):
    """An upload that cannot be written as a whole; `prefix` is the exception code Salesforce
    puts before its message (`InvalidBatch : ...`)."""

    prefix = "InvalidBatch"

    @property
    def state_message(self) -> str:
        """The message as a failed job or batch gives it."""
        return f"{self.prefix} : {self}"


def upload_text(raw: bytes) -> str:
    """An uploaded body as text: Bulk uploads are UTF-8 (a byte order mark is dropped), so
    other bytes refuse the upload rather than being guessed at."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RefusedUpload(
            f"The uploaded data is not valid UTF-8: byte {error.start} cannot be decoded"
        ) from None


@dataclass(frozen=True)
class Column:
    """What a header names: a field of the object, or (`Account.ExtId__c`) a parent by one of
    its external id fields, under the relationship's name."""

    field: FieldSpec
    relationship: str | None = None
    lookup: str | None = None
    """The lookup field a parent's column sets (`AccountId` for `Account.ExtId__c`)."""

    @property
    def api_name(self) -> str:
        """The column as the field's API name spells it (`title` is `Title`)."""
        if self.relationship is None:
            return self.field.name
        return f"{self.relationship}.{self.field.name}"


def header_fields(
    schema: Schema, sobject: ObjectSpec, header: Iterable[str], deleting: bool
) -> list[Column]:
    """Each column, or `RefusedUpload` naming the first the object does not have (as written:
    ` Title` is no field) or, by its API name, the first naming a field an earlier one
    named."""
    columns: list[Column] = []
    for name in header:
        column = _column(schema, sobject, name)
        if column in columns:
            raise RefusedUpload(f"Duplicate field name : {column.api_name}")
        columns.append(column)
    if deleting and [(c.field.name, c.relationship) for c in columns] != [("Id", None)]:
        raise RefusedUpload("The 'delete' batch must contain only ids")
    return columns


def _column(schema: Schema, sobject: ObjectSpec, name: str) -> Column:
    relationship, _, key = name.rpartition(".")
    lookup = sobject.relationship(relationship) if relationship else None
    if lookup is not None and len(lookup.reference_to) == 1:
        parent = schema.get(lookup.reference_to[0])
        spec = parent.field(key) if parent is not None else None
        if spec is not None and spec.external_id:
            return Column(spec, lookup.relationship_name, lookup.name)
    spec = sobject.field(name) if not relationship else None
    if spec is None:
        raise RefusedUpload(f"Field name not found : {name}")
    return Column(spec)


def typed(spec: FieldSpec, text: str) -> Any:
    """A CSV value as the JSON value a REST write would carry for the field. What does not
    read as the field's type is passed on as text, for the write's own check to refuse."""
    if text == NULL:
        return None
    if spec.kind is Kind.BOOLEAN:
        lowered = text.strip().lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else text
    try:
        if spec.kind is Kind.INTEGER:
            return int(text)
        if spec.kind is Kind.NUMBER:
            number = Decimal(text)
            return number if number.is_finite() else text
    except (ValueError, InvalidOperation):
        return text
    return text


def csv_record(columns: list[Column], row: list[str]) -> dict[str, Any] | ApiError:
    """A CSV row as a write's values: empty cells left out, the rest read by field type, a
    parent's key as the nested record a REST write names its parent by (`#N/A` there clears
    the lookup, as "Valid CSV Record Rows" says `#N/A` nulls a field). A row with more
    values than the header has columns is no record: its error, for the row to fail alone
    rather than lose a value."""
    if len(row) > len(columns):
        return ApiError(
            400,
            "INVALID_FIELD",
            f"Row has {len(row)} values but the header names {len(columns)} columns: the "
            f"value at col {len(columns)} has no field",
            [],
        )
    record: dict[str, Any] = {}
    for position, (column, text) in enumerate(zip(columns, row, strict=False)):
        if text == "":
            continue
        value = typed(column.field, CsvCell(text, position))
        if column.relationship is None:
            record[column.field.name] = value
        elif value is None:  # `#N/A` under a parent's key clears the lookup
            record[str(column.lookup)] = None
        else:
            record[column.relationship] = {column.field.name: value}
    return record


def error_text(errors: Iterable[Mapping[str, Any]]) -> str:
    """A record's errors as the Bulk APIs' CSV results give them."""
    return " ".join(
        f"{e['statusCode']}:{e['message']}:{','.join(e.get('fields') or ())} --" for e in errors
    )


def csv_value(value: Any) -> str:
    """A REST JSON value as Bulk API CSV writes it: empty for null, `Z` for UTC datetimes, a
    number's exact digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, str) and _REST_DATETIME.fullmatch(value):
        return value[:-5] + "Z"
    return str(value)


def lookup(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    """Follow a field path through nested parent records, ignoring letter case as SOQL does."""
    value: Any = record
    for name in path:
        if not isinstance(value, dict):
            return None
        value = next((v for k, v in value.items() if k.lower() == name.lower()), None)
    return value


def record_row(record: dict[str, Any], columns: list[tuple[str, ...]]) -> list[str]:
    """A record's values under `columns` (see `csv_columns`), as CSV writes them."""
    return [csv_value(lookup(record, path)) for path in columns]


def csv_columns(query: Query, first: dict[str, Any] | None) -> list[tuple[str, ...]]:
    """The columns in select order (a `toLabel()` under its field's name); a `FIELDS(...)` item
    expands to the fields it returned."""
    named = [item.field if isinstance(item, Label) else item for item in query.select]
    explicit = {item.name.lower() for item in named if isinstance(item, Field)}
    columns: list[tuple[str, ...]] = []
    for item in named:
        if isinstance(item, Field):
            columns.append(item.path)
        elif first is not None:
            names = (k for k in first if k != "attributes" and k.lower() not in explicit)
            columns.extend((name,) for name in names)
    return columns


def encode_row(values: list[str], delimiter: str, line_ending: str) -> str:
    """One CSV line as Bulk API 2.0 writes its results: every value quoted."""
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=DELIMITERS[delimiter],
        lineterminator=LINE_ENDINGS[line_ending],
        quoting=csv.QUOTE_ALL,
    )
    writer.writerow(values)
    return out.getvalue()
