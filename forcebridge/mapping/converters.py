"""What converts one field's values, and the steps reading and writing both take.

A converter is built once per (source field, target field) pair and called per value, so the
per-record work is a couple of function calls. `reading` builds the converters of a pull
(Salesforce -> contact), `writing` those of an export (prospect -> Salesforce), each from the
steps here and its own.

A value of the wrong type (say, text where describe promised a number, after an admin changed
the field in Salesforce) raises `ConversionError` naming the field and value: the run skips
that field of that record and goes on.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from forcebridge.mapping.errors import ConversionError
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


def read_text(value: Any) -> str:
    """Text as it is. Here rather than in `reading` because `FieldConverter` knows that a
    converter of this step alone leaves text unchanged."""
    if isinstance(value, str):
        return value
    raise Refused("is not text")


def number_text(number: Decimal) -> str:
    """Plain digits, never exponent notation: `1E+3` would read badly in a contact field."""
    return format(number, "f")


def canonical_number(number: Decimal, scale: int) -> Decimal:
    """`number` with exactly `scale` decimal places, or with every nonzero decimal it has
    beyond them, never minus zero: the one spelling of a value of a field of `scale` decimal
    places, however it came (`5` from Bulk CSV, `5.0` from REST JSON, `5E+0`, `-0`).

    Exact: digits are moved, never rounded, and no context precision applies. Decimals beyond
    the scale, which Salesforce keeps for a value set through its API (and shows rounded), are
    kept rather than rounded away, so no value is ever changed. A scale not known is 0: whole
    numbers without a fraction, fractions with no trailing zero."""
    sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int):
        raise Refused("is not a finite number")
    if not any(digits):
        return Decimal((0, (0,), -scale))
    end = len(digits)
    while exponent < -scale and digits[end - 1] == 0:
        end, exponent = end - 1, exponent + 1
    if exponent > -scale:
        return Decimal((sign, (*digits[:end], *(0,) * (exponent + scale)), -scale))
    return Decimal((sign, digits[:end], exponent))


def shown_number_text(number: Decimal, scale: int) -> str:
    """A number as Salesforce shows a field of `scale` decimal places (without its currency
    symbol, percent sign or thousands separators): `3.0` at scale 0 is `3`, at scale 2 `3.00`.
    Salesforce writes a number field in JSON as a double (`3.0`, `1.2345678E7`), which is
    not what its users see."""
    return number_text(canonical_number(number, scale))


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


def chained(*steps: Step) -> Step:
    first, *rest = steps
    if not rest:
        return first
    second = chained(*rest)
    return lambda value: second(first(value))


def one_of(choices: tuple[str, ...], what: str) -> Step:
    allowed = frozenset(choices)
    shown = listed(choices)

    def check(value: str) -> str:
        if value not in allowed:
            raise Refused(f"is not one of the values {what} allows ({shown})")
        return value

    return check
