"""Number fields' values as Salesforce keeps them: exact decimals, every digit a field's
precision allows (18) kept, where a binary float holds 15 to 17 significant digits.

A value is a `Decimal` in Python and, in SQLite, the text of its plain digits
(`123456789012.123456`, `-0.5`, `0`: no exponent, no trailing zeros after the point), in a
column compared through the `NUMBER_ORDER` collation, by value: `=`, `<`, IN, ORDER BY,
GROUP BY, MIN and MAX then work as on numbers. SUM and AVG are this module's aggregates
(`SUM_NUMBERS`, `AVG_NUMBERS`), exact too. A REAL column cannot keep 18 digits, and INTEGER
keeps no fraction. The answers write the same digits: a CSV or text value as they are
(`plain`), a JSON number with a fraction, as Salesforce writes a double (`json_number`).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

NUMBER_ORDER = "sf_number_order"
"""The SQL collation each sandbox connection registers as `compare_numbers`."""
SUM_NUMBERS = "sf_sum_numbers"
"""SUM of stored numbers in SQL (`NumberSum`)."""
AVG_NUMBERS = "sf_avg_numbers"
"""AVG of stored numbers in SQL (`NumberAverage`)."""


def plain(number: Decimal) -> str:
    """`number`'s digits as Salesforce turns a number into text: `123456789012345678`, `12.5`,
    `0`; never an exponent (`1E+18`) or a zero after the last digit of the fraction."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def json_number(number: Decimal) -> str:
    """`number` as a JSON number with every digit, written with a fraction as Salesforce
    writes a double (`1500.0`), so that a client reads it as the floating-point number it
    is (or, told to, as a decimal that keeps every digit)."""
    text = plain(number)
    return text if "." in text else f"{text}.0"


def stored(value: object) -> object:
    """A value as SQLite is given it: a number as its plain digits, anything else as is."""
    return plain(value) if isinstance(value, Decimal) else value


def read(raw: object) -> Decimal | None:
    """A number column's value (None for null) as the decimal it holds. A folder written
    before numbers were kept exact may still hand a REAL over, read as its shortest digits."""
    if raw is None:
        return None
    return Decimal(repr(raw) if isinstance(raw, float) else str(raw))


def compare_numbers(left: str, right: str) -> int:
    """Two stored numbers in numeric order; a text that is no number (none is stored) after
    every number, in text order."""
    a, b = _ordered(left), _ordered(right)
    return (a > b) - (a < b)


def _ordered(text: str) -> tuple[int, Decimal, str]:
    try:
        return 0, Decimal(text), ""
    except InvalidOperation:
        return 1, Decimal(0), text


class NumberSum:
    """SUM of stored numbers, exact; null when none is set, as SOQL's SUM."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, raw: object) -> None:
        number = read(raw)
        if number is not None:
            self.total = number if self.total is None else self.total + number

    def finalize(self) -> str | None:
        return None if self.total is None else plain(self.total)


class NumberAverage:
    """AVG of stored numbers, exact to 28 significant digits; null when none is set."""

    def __init__(self) -> None:
        self.total = Decimal(0)
        self.count = 0

    def step(self, raw: object) -> None:
        number = read(raw)
        if number is not None:
            self.total += number
            self.count += 1

    def finalize(self) -> str | None:
        return plain(self.total / self.count) if self.count else None


#: The aggregates each sandbox connection registers, by their SQL names.
AGGREGATES = {SUM_NUMBERS: NumberSum, AVG_NUMBERS: NumberAverage}
