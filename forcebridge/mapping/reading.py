"""Reading Salesforce's values into the product's types, faithfully: the converters of a pull.

Values come from REST (JSON, numbers already `Decimal`) or from Bulk API CSV (every value a
string), so readers accept both spellings.

- A `false` checkbox stays `False`; numbers are `Decimal`, never float; datetimes are aware
  and keep the zone they came with; Salesforce times carry no zone (the `Z` Salesforce writes
  is a formality), so they become naive `time`s.
- A number reads as Salesforce shows it, by its field's scale (`3` for a Number(18, 0)'s
  `3.0`, `3.50` at scale 2), not as its JSON or CSV spells it: into a number field as that
  exact `Decimal` (kept as its text), into a text field as that text. So the same value is the
  same text whichever way it was read.
- Text longer than a contact field holds is truncated, and the result carries a warning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from forcebridge.mapping.compatibility import pull_mismatch, salesforce_family, unsupported
from forcebridge.mapping.converters import (
    Converted,
    FieldConverter,
    Refused,
    Step,
    as_text,
    canonical_number,
    chained,
    date_as_datetime,
    one_of,
    read_text,
    shown_number_text,
)
from forcebridge.mapping.describe import SalesforceField
from forcebridge.mapping.errors import UnsupportedField
from forcebridge.mapping.local_fields import Family, LocalField, LocalType


def read_boolean(value: Any) -> bool:
    if value is True or value is False:
        return bool(value)
    if isinstance(value, str):
        spelled = value.strip().lower()
        if spelled in ("true", "false"):
            return spelled == "true"
    raise Refused("is not a checkbox value (true or false)")


def read_number(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise Refused("is not a number") from None
    else:
        raise Refused("is not a number")
    if not number.is_finite():
        raise Refused("is not a finite number")
    return number


def read_whole_number(value: Any) -> Decimal:
    number = read_number(value)
    if number != number.to_integral_value():
        raise Refused("is not a whole number")
    return number


def number_as_shown(scale: int) -> Step:
    """A number read from a field of `scale` decimal places as the text Salesforce shows."""
    return lambda number: shown_number_text(number, scale)


def number_of_scale(scale: int) -> Step:
    """A number read from a field of `scale` decimal places in its one spelling (see
    `canonical_number`), so that REST's `5.0` and Bulk CSV's `5` are stored alike."""
    return lambda number: canonical_number(number, scale)


def _parse(parse: Callable[[str], Any], text: str) -> Any:
    try:
        return parse(text)
    except ValueError:
        return None


def read_date(value: Any) -> dt.date:
    if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
        value = _parse(dt.date.fromisoformat, value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise Refused("is not a date (YYYY-MM-DD)")


def read_datetime(value: Any) -> dt.datetime:
    if isinstance(value, str) and len(value) > 10 and value[10] == "T":
        value = _parse(dt.datetime.fromisoformat, value)
    if not isinstance(value, dt.datetime):
        raise Refused("is not a date and time (ISO 8601 with a time zone)")
    if value.tzinfo is None:
        raise Refused("has no time zone")
    return value


def read_time(value: Any) -> dt.time:
    if isinstance(value, str) and len(value) >= 5 and value[2] == ":":
        value = _parse(dt.time.fromisoformat, value.rstrip("Zz"))
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None)
    raise Refused("is not a time (HH:MM:SS)")


_READERS: dict[str, Step] = {
    **dict.fromkeys(("int", "long"), read_whole_number),
    **dict.fromkeys(("double", "currency", "percent"), read_number),
    "boolean": read_boolean,
    "date": read_date,
    "datetime": read_datetime,
    "time": read_time,
}
"""Salesforce type -> its reader; every other supported type is text."""

FAMILY_READERS: dict[Family, Step] = {
    Family.TEXT: read_text,
    Family.NUMBER: read_number,
    Family.BOOLEAN: read_boolean,
    Family.DATE: read_date,
    Family.DATETIME: read_datetime,
    Family.TIME: read_time,
}
"""A family of values -> the reader of its values (an export reads a prospect's value so)."""


def pull_converter(source: SalesforceField, target: LocalField) -> FieldConverter:
    """Converts `source`'s Salesforce values into `target`'s contact values.

    Raises `UnsupportedField` when the pair cannot convert; verification reports the same.
    """
    refusal = unsupported(source) or pull_mismatch(source, target)
    if refusal is not None:
        raise UnsupportedField(refusal)
    steps = [_READERS.get(source.type, read_text)]
    family = salesforce_family(source)
    if target.type is LocalType.TEXT and family is Family.NUMBER:
        steps.append(number_as_shown(source.scale))
    elif target.type is LocalType.NUMBER:
        steps.append(number_of_scale(source.scale))
    elif target.type is LocalType.TEXT and family is not Family.TEXT:
        steps.append(as_text)
    elif target.type is LocalType.DATETIME and family is Family.DATE:
        steps.append(date_as_datetime)
    return _into(source, target, steps)


def held_as_target(source: SalesforceField, target: LocalField) -> FieldConverter:
    """`source`'s values read as what `target` holds, for a run after an admin changed
    `source`'s type in Salesforce to one `target` cannot hold (verification refuses the pair
    when a mapping is saved): a value that does not read is refused on its own, as it was
    before the change, rather than the whole stream stopping. A number is spelled as one of
    no known scale (`source` is no number field any more)."""
    steps = [FAMILY_READERS[target.type.family]]
    if target.type is LocalType.NUMBER:
        steps.append(number_of_scale(0))
    return _into(source, target, steps)


def _into(source: SalesforceField, target: LocalField, steps: list[Step]) -> FieldConverter:
    """`steps` read a value; what `target` asks of every value follows."""
    if target.type is LocalType.CHOICE and target.choices is not None:
        steps.append(one_of(target.choices, target.name))
    truncate_at = target.max_length if target.type.family is Family.TEXT else None
    return FieldConverter(source.name, chained(*steps), truncate_at, target.name)


def convert_for_pull(value: Any, source: SalesforceField, target: LocalField) -> Converted:
    """One value, for callers converting a single field; runs reuse `pull_converter`."""
    return pull_converter(source, target)(value)
