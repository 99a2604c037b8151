"""What each Salesforce field type means to the sandbox: storage, SOAP type, wire format.

Salesforce compares text case-insensitively, so text columns use SQLite's NOCASE collation;
ids are case-sensitive and keep BINARY. NOCASE folds only ASCII letters, so a comparison with a
text holding other letters (`'MÜLLER'`) compares both sides through `fold_case` instead. Text
is put in order (ORDER BY, `<` and `>`, MIN and MAX) as SOQL orders it for English locales, by
the UTF-8 values of the upper-case characters (`SORT_TEXT`): `A@x.com` before `_u@x.com`,
where NOCASE's lower case would put the underscore first.
Numbers (double, currency, percent) are stored as the text of their exact digits, compared by
value (`decimals`).
Datetimes are stored as UTC text in the exact format the API sends
(`2024-11-07T07:00:00.000+0000`), so text order is time order and no conversion is needed on
the way out.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from forcebridge.sandbox.decimals import NUMBER_ORDER
from forcebridge.soql.ast import DateFunctionName
from forcebridge.soql.date_functions import date_part_of_text
from forcebridge.soql.dates import known_zone

FOLD_CASE = "sf_fold_case"
"""The SQL function each sandbox connection registers as `fold_case`."""
DATE_PART = "sf_date_part"
"""The SQL function each sandbox connection registers as `stored_date_part`."""
SORT_TEXT = "sf_sort_text"
"""The SQL collation each sandbox connection registers as `compare_text`."""


def fold_case(value: Any) -> Any:
    """A text with every letter in lower case, as Salesforce compares text; other values as
    they are."""
    return value.lower() if isinstance(value, str) else value


def compare_text(left: str, right: str) -> int:
    """Text in SOQL's order for English locales: by the UTF-8 values of the upper-case
    characters (code point order is UTF-8's byte order), so case aside."""
    left, right = left.upper(), right.upper()
    return (left > right) - (left < right)


def needs_folding(value: Any) -> bool:
    """Whether NOCASE alone would compare `value` case-sensitively: a text beyond ASCII."""
    return isinstance(value, str) and not value.isascii()


class Kind(StrEnum):
    """How values of a type behave in writes, filters and results."""

    ID = "id"
    TEXT = "text"
    MULTIPICKLIST = "multipicklist"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    COMPOUND = "compound"


@dataclass(frozen=True)
class FieldType:
    name: str
    kind: Kind
    soap_type: str
    sql_type: str | None
    """None for compound fields, which are assembled from their parts rather than stored."""
    collation: str = "BINARY"
    filter_name: str = "string"
    """The type a SOQL filter value must have, as Salesforce names it in errors."""


def _text(name: str) -> FieldType:
    return FieldType(name, Kind.TEXT, "xsd:string", "TEXT", "NOCASE")


def _number(name: str) -> FieldType:
    """A number field: its exact digits as text, compared by value (`decimals`)."""
    return FieldType(name, Kind.NUMBER, "xsd:double", "TEXT", NUMBER_ORDER, filter_name=name)


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        FieldType("id", Kind.ID, "tns:ID", "TEXT", filter_name="id"),
        FieldType("reference", Kind.ID, "tns:ID", "TEXT", filter_name="id"),
        _text("string"),
        _text("textarea"),
        _text("picklist"),
        _text("combobox"),
        _text("email"),
        _text("phone"),
        _text("url"),
        _text("encryptedstring"),
        FieldType("multipicklist", Kind.MULTIPICKLIST, "xsd:string", "TEXT", "NOCASE"),
        FieldType("boolean", Kind.BOOLEAN, "xsd:boolean", "INTEGER", filter_name="boolean"),
        FieldType("int", Kind.INTEGER, "xsd:int", "INTEGER", filter_name="integer"),
        FieldType("long", Kind.INTEGER, "xsd:long", "INTEGER", filter_name="long"),
        _number("double"),
        _number("currency"),
        _number("percent"),
        FieldType("date", Kind.DATE, "xsd:date", "TEXT", filter_name="date"),
        FieldType("datetime", Kind.DATETIME, "xsd:dateTime", "TEXT", filter_name="dateTime"),
        FieldType("time", Kind.TIME, "xsd:time", "TEXT", filter_name="time"),
        FieldType("address", Kind.COMPOUND, "urn:address", None),
        FieldType("location", Kind.COMPOUND, "urn:location", None),
    )
}

#: The keys of an address value, in the order Salesforce sends them.
ADDRESS_KEYS = (
    "city",
    "country",
    "geocodeAccuracy",
    "latitude",
    "longitude",
    "postalCode",
    "state",
    "street",
)


def text_length(text: str) -> int:
    """A text's length as Salesforce measures it against a field's `length`: in UTF-16 code
    units, as the platform's Java strings count, so a character beyond the Basic Multilingual
    Plane (most emoji, rare CJK ideographs) counts two. A lone surrogate counts one."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def format_datetime(value: dt.datetime) -> str:
    """`2024-11-07T07:00:00.000+0000`, in UTC (naive values are taken as UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def stored_date_part(function: str, stored: str | None, zone: str | None) -> int | str | None:
    """A date function (`CALENDAR_YEAR`) of a stored date or datetime, a datetime read in the
    zone named (`America/New_York`; None for UTC); DAY_ONLY's date as stored dates are."""
    if stored is None:
        return None
    return date_part_of_text(DateFunctionName(function), stored, _zone(zone))


@functools.cache
def _zone(name: str | None) -> dt.tzinfo:
    return known_zone(name) or dt.UTC


def parse_datetime(text: str) -> dt.datetime:
    """An aware datetime from Salesforce's format or ISO 8601; naive input is taken as UTC.

    Raises ValueError for anything else.
    """
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    elif len(cleaned) > 5 and cleaned[-5] in "+-" and cleaned[-4:].isdigit():
        cleaned = f"{cleaned[:-2]}:{cleaned[-2:]}"
    value = dt.datetime.fromisoformat(cleaned)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def wire_flag(raw: object) -> bool:
    """A yes-or-no of a query parameter (`?allOrNone=true`): the text `true` in any case;
    anything else is no. A JSON body's flags are read by `json_values.request_flag`."""
    if isinstance(raw, bool):
        return raw
    return str(raw).strip().lower() == "true"
