"""Write validation and coercion: a JSON record in, column values out, checked as Salesforce does.

Checks run in Salesforce's order (unknown field, field permission, each value, required
fields) and the first failure raises an `ApiError` with Salesforce's code and wording, so
nothing is written for a record that fails. Existence of referenced records needs the
database; `prepare` only collects those references for the caller to check.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from forcebridge.sandbox import calculations, ids
from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.fieldtypes import Kind, format_datetime, parse_datetime, text_length
from forcebridge.sandbox.json_values import JsonFloat, cannot_deserialize, json_boolean
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema

PERMISSION_HINT = (
    "Please check the security settings of this field and verify that it is read/write for "
    "your profile or permission set."
)
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)
_TIME = re.compile(r"^(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?Z?$")
_INT32 = 2**31
#: Person-name parts, in the order Salesforce joins them into the read-only `Name`.
_NAME_PARTS = ("FirstName", "MiddleName", "LastName", "Suffix")


@dataclass(frozen=True)
class Reference:
    """A lookup value that must name an existing, live record of `target`."""

    field: FieldSpec
    record_id: str
    target: str


@dataclass(frozen=True)
class Changes:
    values: dict[str, Any]
    """Column name -> value as stored."""
    references: tuple[Reference, ...]


def prepare(
    schema: Schema, obj: ObjectSpec, values: Mapping[str, Any], *, creating: bool
) -> Changes:
    """Validate and coerce the fields a client sent for a create or an update."""
    given: list[tuple[FieldSpec, Any]] = []
    for name, raw in values.items():
        if name == "attributes":
            continue
        f = obj.field(name)
        if f is None:
            raise ApiError(
                400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {obj.name}"
            )
        given.append((f, raw))
    if creating and any(f.name == "Id" for f, _ in given):
        raise ApiError(
            400, "INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", ["Id"]
        )
    refused = [f.name for f, _ in given if not (f.createable if creating else f.updateable)]
    if refused:
        raise ApiError(
            400,
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            f"Unable to create/update fields: {', '.join(refused)}. {PERMISSION_HINT}",
            refused,
        )
    coerced: dict[str, Any] = {}
    references = []
    for f, raw in given:
        value = coerce(f, raw)
        if f.kind is Kind.ID and value is not None:
            references.append(Reference(f, value, _reference_target(schema, f, value)))
        coerced[f.name] = value
    if creating:
        missing = [f.name for f in obj.fields if f.required and coerced.get(f.name) is None]
    else:
        missing = [
            f.name
            for f, _ in given
            if not f.nillable and f.kind is not Kind.BOOLEAN and coerced[f.name] is None
        ]
    if missing:
        raise ApiError(
            400,
            "REQUIRED_FIELD_MISSING",
            f"Required fields are missing: [{', '.join(missing)}]",
            missing,
        )
    return Changes(coerced, tuple(references))


#: Values Salesforce gives a field on create when the client leaves it out, though the field's
#: describe names no default: a Task is of subtype Task unless the feature logging it (an
#: email, a call) says otherwise, and `TaskSubtype` cannot be changed afterwards.
SYSTEM_DEFAULTS: Mapping[str, Mapping[str, Any]] = {"Task": {"TaskSubtype": "Task"}}


def defaults(obj: ObjectSpec, given: Mapping[str, Any]) -> dict[str, Any]:
    """Values Salesforce fills in on create for the fields the client left out: a createable
    picklist's default, every checkbox's default, which is false for a checkbox that may not
    be null even when no one may write it (`IsClosed`, `IsEmailBounced`), and the
    `SYSTEM_DEFAULTS`."""
    filled: dict[str, Any] = {}
    system = SYSTEM_DEFAULTS.get(obj.name, {})
    for f in obj.stored_fields:
        if given.get(f.name) is not None:
            continue
        if f.kind is Kind.BOOLEAN and (f.default_value is not None or not f.nillable):
            filled[f.name] = int(bool(f.default_value))
        elif f.createable and f.picklist_default is not None:
            filled[f.name] = f.picklist_default
        elif f.name in system:
            filled[f.name] = system[f.name]
    return filled


def derived(obj: ObjectSpec, row: Mapping[str, Any], given: Collection[str] = ()) -> dict[str, Any]:
    """The values Salesforce computes from a record's other fields, `row` being the record as
    this write saves it (its `LastModifiedDate` the time of the save); `given` names the fields
    the write set, which keep a value the client may also set itself (see `calculations`)."""
    result: dict[str, Any] = {}
    name = obj.field("Name")
    if name is not None and not name.createable and obj.field("LastName") is not None:
        result["Name"] = " ".join(str(row[p]) for p in _NAME_PARTS if row.get(p)) or None
    if obj.name == "Task":
        result |= calculations.task(row)
    elif obj.name == "Opportunity":
        result |= calculations.opportunity(row, given)
    elif obj.name == "Event":
        result |= calculations.event(row, given)
    return {k: v for k, v in result.items() if obj.field(k) is not None}


# --- values ----------------------------------------------------------------------------------


def coerce(f: FieldSpec, raw: Any) -> Any:
    """One JSON value as the column value for `f`, or an ApiError worded as Salesforce's. A
    text value is saved trimmed, and one that trims to nothing as null (`saved_text`)."""
    if isinstance(raw, str) and f.kind in (Kind.TEXT, Kind.MULTIPICKLIST):
        raw = saved_text(raw)
    if raw is None or (raw == "" and f.kind is not Kind.BOOLEAN):
        return 0 if f.kind is Kind.BOOLEAN and not f.nillable else None
    match f.kind:
        case Kind.TEXT | Kind.MULTIPICKLIST:
            return _text(f, raw)
        case Kind.ID:
            return _reference(f, raw)
        case Kind.BOOLEAN:
            return _boolean(f, raw)
        case Kind.INTEGER:
            return _integer(f, raw)
        case Kind.NUMBER:
            return _number(f, raw)
        case Kind.DATE:
            return _date(f, raw)
        case Kind.DATETIME:
            return _datetime(f, raw)
        case Kind.TIME:
            return _time(f, raw)
        case Kind.COMPOUND:
            raise _cannot_deserialize(f, raw)


_TRIMMED = "".join(map(chr, range(0x21)))
"""What a saved text loses at either end: the characters up to the space, as Java's
`String.trim` removes them (a no-break space stays)."""


def saved_text(text: str) -> str:
    """A text as Salesforce saves it into any string-typed field (text, text area, email,
    phone, URL, picklist): the Apex guide's "Primitive Data Types" says sObject String field
    values "can never be empty (only null), and they can never include leading and trailing
    whitespace", so the ends are trimmed and a text that trims to nothing is empty, saved as
    null (a required field given only spaces is then missing)."""
    return text.strip(_TRIMMED)


def _text(f: FieldSpec, raw: Any) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise _cannot_deserialize(f, raw)
    value = raw if isinstance(raw, str) else str(raw)
    if f.length and text_length(value) > f.length:
        raise ApiError(
            400,
            "STRING_TOO_LONG",
            f"{f.label}: data value too large: {value} (max length={f.length})",
            [f.name],
        )
    if f.type == "email" and not _EMAIL.match(value):
        raise ApiError(
            400, "INVALID_EMAIL_ADDRESS", f"{f.label}: invalid email address: {value}", [f.name]
        )
    if f.restricted_picklist:
        allowed = {entry.value for entry in f.picklist if entry.active}
        chosen = value.split(";") if f.kind is Kind.MULTIPICKLIST else [value]
        bad = next((v for v in chosen if v not in allowed), None)
        if bad is not None:
            raise ApiError(
                400,
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{f.label}: bad value for restricted picklist field: {bad}",
                [f.name],
            )
    return value


def _boolean(f: FieldSpec, raw: Any) -> int:
    flag = json_boolean(raw)
    if flag is None:
        raise _cannot_deserialize(f, raw)
    return int(flag)


def _reference(f: FieldSpec, raw: Any) -> str:
    if not isinstance(raw, str):
        raise _cannot_deserialize(f, raw)
    value = ids.normalize(raw)
    if value is None:
        raise ApiError(
            400, "MALFORMED_ID", f"{f.label}: id value of incorrect type: {raw}", [f.name]
        )
    return value


def _reference_target(schema: Schema, f: FieldSpec, record_id: str) -> str:
    target = schema.by_prefix(ids.key_prefix(record_id))
    if target is None or target.name not in f.reference_to:
        raise ApiError(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            f"{f.label}: id value of incorrect type: {record_id}",
            [f.name],
        )
    return target.name


def _integer(f: FieldSpec, raw: Any) -> int:
    number = _decimal(f, raw)
    if number != number.to_integral_value():
        raise _cannot_deserialize(f, raw)
    value = int(number)
    limit = 10**f.digits if f.digits else _INT32
    if not -limit < value < limit:
        raise _out_of_range(f, raw)
    return value


def _number(f: FieldSpec, raw: Any) -> Decimal:
    number = _decimal(f, raw)
    if f.precision:
        bound = Decimal(10) ** (f.precision - f.scale)
        # Checked before rounding too: a number far past the field's digits would otherwise
        # overflow the rounding itself.
        if abs(number) >= bound:
            raise _out_of_range(f, raw)
        number = number.quantize(Decimal(1).scaleb(-f.scale), rounding=ROUND_HALF_UP)
        if abs(number) >= bound:
            raise _out_of_range(f, raw)
    return number


def _decimal(f: FieldSpec, raw: Any) -> Decimal:
    """`raw` as the exact decimal it spells: a JSON number with the digits it was written with
    (`JsonFloat`), a text, a decimal read from a Bulk CSV or a stored record."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise _cannot_deserialize(f, raw)
    try:
        number = Decimal(raw.text if isinstance(raw, JsonFloat) else str(raw).strip())
    except InvalidOperation:
        raise _cannot_deserialize(f, raw) from None
    if not number.is_finite():
        raise _cannot_deserialize(f, raw)
    return number


def _date(f: FieldSpec, raw: Any) -> str:
    if isinstance(raw, str):
        try:
            if len(raw.strip()) == 10:
                return dt.date.fromisoformat(raw.strip()).isoformat()
            return parse_datetime(raw).astimezone(dt.UTC).date().isoformat()
        except ValueError:
            pass
    raise _cannot_deserialize(f, raw)


def _datetime(f: FieldSpec, raw: Any) -> str:
    if isinstance(raw, str):
        try:
            return format_datetime(parse_datetime(raw))
        except ValueError:
            pass
    raise _cannot_deserialize(f, raw)


def _time(f: FieldSpec, raw: Any) -> str:
    match = _TIME.match(raw.strip()) if isinstance(raw, str) else None
    if match is None:
        raise _cannot_deserialize(f, raw)
    hours, minutes, seconds, millis = match.groups()
    if int(hours) > 23 or int(minutes) > 59 or int(seconds or 0) > 59:
        raise _cannot_deserialize(f, raw)
    return f"{hours}:{minutes}:{seconds or '00'}.{(millis or '').ljust(3, '0')}Z"


def _out_of_range(f: FieldSpec, raw: Any) -> ApiError:
    return ApiError(
        400,
        "NUMBER_OUTSIDE_VALID_RANGE",
        f"{f.label}: value outside of valid range on numeric field: {raw}",
        [f.name],
    )


class CsvCell(str):
    """A value read from column `column` (from 0) of a Bulk CSV upload. It is checked as any
    other value, but a CSV holds no JSON, so a value of the wrong type is worded as Bulk words
    it rather than as REST's JSON parser error."""

    column: int

    def __new__(cls, text: str, column: int) -> CsvCell:
        cell = super().__new__(cls, text)
        cell.column = column
        return cell


def _cannot_deserialize(f: FieldSpec, raw: Any) -> ApiError:
    """Salesforce's error for a value of the wrong type: its JSON parser's, or for a Bulk CSV
    cell, Bulk's."""
    if isinstance(raw, CsvCell):
        return ApiError(
            400,
            "INVALID_FIELD",
            f"Failed to deserialize field at col {raw.column}. Due to, '{raw}' is not a valid "
            f"value for the type {f.field_type.soap_type}",
            [f.name],
        )
    return cannot_deserialize(f.type, raw, [f.name])
