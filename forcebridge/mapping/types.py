"""Converting values between Salesforce's JSON and the product's fields, faithfully.

A converter is built once per (source field, target field) pair and called per value, so the
per-record work is a couple of function calls. Values come from REST (JSON, numbers already
`Decimal`) or from Bulk API CSV (every value a string), so decoders accept both spellings.

- A `false` checkbox stays `False`; numbers are `Decimal`, never float; datetimes are aware
  and keep the zone they came with; Salesforce times carry no zone (the `Z` Salesforce writes
  is a formality), so they become naive `time`s.
- Text longer than a contact field holds is truncated, and the result carries a warning.
- A value of the wrong type (say, text where describe promised a number, after an admin changed
  the field in Salesforce) raises `ConversionError` naming the field and value: the run skips
  that field of that record and goes on.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, NamedTuple

from email_validator import EmailNotValidError, validate_email

from forcebridge.mapping.compatibility import (
    export_mismatch,
    pull_mismatch,
    salesforce_family,
    unsupported,
)
from forcebridge.mapping.describe import SalesforceField
from forcebridge.mapping.errors import ConversionError, UnsupportedField
from forcebridge.mapping.local_fields import Family, LocalField, LocalType
from forcebridge.mapping.report import listed

Step = Callable[[Any], Any]
"""One conversion step: a value in, a value out, or `Refused` with the reason."""


class Refused(ValueError):
    """A step's reason for refusing a value; `FieldConverter` turns it into ConversionError."""


class Converted(NamedTuple):
    """A converted value and what the conversion had to say about it (a truncation). A
    NamedTuple because one is built per field per record."""

    value: Any
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FieldConverter:
    """Converts one field's values. `field` is the Salesforce field errors name."""

    field: str
    step: Step
    truncate_at: int | None = None
    target: str = ""

    def __call__(self, value: Any) -> Converted:
        if value is None or (isinstance(value, str) and not value.strip()):
            return Converted(None)
        return self.present(value)

    @property
    def text_as_is_up_to(self) -> int:
        """Text of at most this many characters comes out unchanged (0: this converter may
        change any value), so the hot path can skip calling it for text into text."""
        if self.step is not read_text:
            return 0
        return sys.maxsize if self.truncate_at is None else self.truncate_at

    def present(self, value: Any) -> Converted:
        """Converts a value already known not to be empty (what `rules.resolve` calls)."""
        try:
            converted = self.step(value)
        except Refused as refused:
            raise ConversionError(self.field, value, str(refused)) from None
        warnings: tuple[str, ...] = ()
        if converted.__class__ is str and "\x00" in converted:
            # PostgreSQL cannot store a NUL character, and no person typed one.
            converted = converted.replace("\x00", "")
            warnings = (f"{self.field} holds NUL characters, which were removed",)
        limit = self.truncate_at
        if limit is not None and converted.__class__ is str and len(converted) > limit:
            warning = (
                f"{self.field} has {len(converted):,} characters; truncated to the {limit:,} "
                f"that {self.target} holds"
            )
            return Converted(converted[:limit], (*warnings, warning))
        return Converted(converted, warnings)


# --- reading Salesforce values -------------------------------------------------------------


def read_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise Refused("is not text")


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

_FAMILY_READERS: dict[Family, Step] = {
    Family.TEXT: read_text,
    Family.NUMBER: read_number,
    Family.BOOLEAN: read_boolean,
    Family.DATE: read_date,
    Family.DATETIME: read_datetime,
    Family.TIME: read_time,
}


# --- shaping values for the other side -----------------------------------------------------


def number_text(number: Decimal) -> str:
    """Plain digits, never exponent notation: `1E+3` would read badly in a contact field."""
    return format(number, "f")


def as_text(value: Any) -> str:
    """Any read value as the text a person would type."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    raise Refused("cannot be written as text")


def date_as_datetime(value: dt.date) -> dt.datetime:
    """A date with no time as that day's UTC midnight, the way Salesforce stores it."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


def _chained(*steps: Step) -> Step:
    first, *rest = steps
    if not rest:
        return first
    second = _chained(*rest)
    return lambda value: second(first(value))


def _one_of(choices: tuple[str, ...], what: str) -> Step:
    allowed = frozenset(choices)
    shown = listed(choices)

    def check(value: str) -> str:
        if value not in allowed:
            raise Refused(f"is not one of the values {what} allows ({shown})")
        return value

    return check


# --- pull: Salesforce -> contact -----------------------------------------------------------


def pull_converter(source: SalesforceField, target: LocalField) -> FieldConverter:
    """Converts `source`'s Salesforce values into `target`'s contact values.

    Raises `UnsupportedField` when the pair cannot convert; verification reports the same.
    """
    refusal = unsupported(source) or pull_mismatch(source, target)
    if refusal is not None:
        raise UnsupportedField(refusal)
    steps = [_READERS.get(source.type, read_text)]
    family = salesforce_family(source)
    if target.type is LocalType.TEXT and family is not Family.TEXT:
        steps.append(as_text)
    elif target.type is LocalType.DATETIME and family is Family.DATE:
        steps.append(date_as_datetime)
    return _into(source, target, steps)


def held_as_target(source: SalesforceField, target: LocalField) -> FieldConverter:
    """`source`'s values read as what `target` holds, for a run after an admin changed
    `source`'s type in Salesforce to one `target` cannot hold (verification refuses the pair
    when a mapping is saved): a value that does not read is refused on its own, as it was
    before the change, rather than the whole stream stopping."""
    return _into(source, target, [_FAMILY_READERS[target.type.family]])


def _into(source: SalesforceField, target: LocalField, steps: list[Step]) -> FieldConverter:
    """`steps` read a value; what `target` asks of every value follows."""
    if target.type is LocalType.CHOICE and target.choices is not None:
        steps.append(_one_of(target.choices, target.name))
    truncate_at = target.max_length if target.type.family is Family.TEXT else None
    return FieldConverter(source.name, _chained(*steps), truncate_at, target.name)


# --- export: prospect -> Salesforce --------------------------------------------------------


def write_datetime(value: dt.datetime) -> str:
    """Salesforce's own spelling, in UTC (what it stores and returns), so a value read back
    for `fill_empty` compares equal to the one written."""
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def write_time(value: dt.time) -> str:
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _text_for(target: SalesforceField) -> Step:
    def text(value: Any) -> str:
        written = as_text(value).strip()
        if target.length and len(written) > target.length:
            raise Refused(
                f"has {len(written):,} characters; {target.name} holds at most {target.length:,}"
            )
        return written

    return text


def _email(value: str) -> str:
    """Syntax only, as Salesforce checks; `.test` addresses (sandbox and demo data) pass.
    Salesforce's email fields take ASCII addresses only (INVALID_EMAIL_ADDRESS otherwise), so
    an internationalized one is refused here, before anything is written for it."""
    if not value.isascii():
        raise Refused("is not an email address Salesforce accepts: it has characters outside ASCII")
    try:
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise Refused(f"is not an email address ({exc})") from None
    return value


def _multipicklist(check: Step) -> Step:
    def each(value: str) -> str:
        parts = [part.strip() for part in value.split(";") if part.strip()]
        for part in parts:
            try:
                check(part)
            except Refused as refused:
                raise Refused(f"holds {part!r}, which {refused}") from None
        return ";".join(parts)

    return each


_LONG_DIGITS = 18
"""The most digits a Salesforce whole-number field (a `long`) holds."""


def _whole_number(target: SalesforceField) -> Step:
    digits = target.digits or _LONG_DIGITS

    def whole(value: Decimal) -> int:
        if value != value.to_integral_value():
            raise Refused(f"is not a whole number, which {target.name} needs")
        # By its exponent, before `int`: `1E+999999999` would not fit in memory as an int.
        if value.adjusted() >= digits:
            raise Refused(f"has more than the {digits} digits {target.name} holds")
        return int(value)

    return whole


def _decimal_for(target: SalesforceField) -> Step:
    """Rounded to the field's scale, half up, as Salesforce rounds a value on save: what is sent
    is what is kept, so a value read back compares equal and an export run again finds it
    unchanged. Too many whole digits is refused."""
    integer_digits = target.precision - target.scale if target.precision else None
    step = Decimal(1).scaleb(-target.scale) if target.precision else None

    def fits(value: Decimal) -> Decimal:
        if integer_digits is not None and value.adjusted() >= integer_digits:
            raise Refused(f"has more than the {integer_digits} whole digits {target.name} holds")
        return value

    def decimal(value: Decimal) -> Decimal:
        # Checked first too: a value far too large would not round within Decimal's precision.
        fits(value)
        return value if step is None else fits(value.quantize(step, rounding=ROUND_HALF_UP))

    return decimal


def _write_steps(target: SalesforceField) -> list[Step]:
    kind = target.type
    if kind in ("int", "long"):
        return [_whole_number(target)]
    if kind in ("double", "currency", "percent"):
        return [_decimal_for(target)]
    if kind == "boolean":
        return []
    if kind == "date":
        return [lambda value: value.isoformat()]
    if kind == "datetime":
        return [date_as_datetime, write_datetime]
    if kind == "time":
        return [write_time]
    steps = [_text_for(target)]
    if kind == "email":
        steps.append(_email)
    if kind in ("picklist", "multipicklist") and target.restricted_picklist:
        check = _one_of(target.picklist_values, target.name)
        steps.append(_multipicklist(check) if kind == "multipicklist" else check)
    return steps


def export_converter(source: LocalField, target: SalesforceField) -> FieldConverter:
    """Converts `source`'s prospect values into JSON values Salesforce accepts for `target`.

    Too-long text and values a restricted picklist refuses raise rather than truncate: the
    prospect's export fails with the field named, where a pull would keep a shortened value.
    """
    refusal = unsupported(target) or export_mismatch(source, target)
    if refusal is not None:
        raise UnsupportedField(refusal)
    reader = _FAMILY_READERS[source.type.family]
    return FieldConverter(target.name, _chained(reader, *_write_steps(target)), None, target.name)


def convert_for_pull(value: Any, source: SalesforceField, target: LocalField) -> Converted:
    """One value, for callers converting a single field; runs reuse `pull_converter`."""
    return pull_converter(source, target)(value)


def convert_for_export(value: Any, source: LocalField, target: SalesforceField) -> Converted:
    return export_converter(source, target)(value)
