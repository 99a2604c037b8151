"""What a date function gives for one value, as Salesforce computes it.

The sandbox computes it for each stored row, and a routing rule for each record read, so both
read `CALENDAR_YEAR(CreatedDate) = 2024` alike. A datetime is taken in UTC, or in the user's
zone under `convertTimezone()`; a date has no zone. Weeks are counted from the first of the
month or of January (days 1 to 7 are week 1), and a week's days from Sunday (1) to Saturday
(7). The fiscal functions count from a fiscal year that begins in January, Salesforce's
default for a new org: they equal the calendar ones. What Salesforce refuses (a function of a
text field, a year compared with a date literal) is worded here once, for the sandbox's errors
and for the checks a pull makes before it saves a query or routing rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from forcebridge.soql.ast import (
    DateFunction,
    DateFunctionName,
    DateValue,
    NullValue,
    NumberValue,
    Value,
)
from forcebridge.soql.literals import parse_datetime

DATETIME_ONLY = frozenset({DateFunctionName.DAY_ONLY, DateFunctionName.HOUR_IN_DAY})
"""The functions Salesforce takes on a datetime field only."""


def _quarter(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


_OF_DAY: dict[DateFunctionName, Callable[[dt.date], int]] = {
    DateFunctionName.CALENDAR_MONTH: lambda day: day.month,
    DateFunctionName.CALENDAR_QUARTER: _quarter,
    DateFunctionName.CALENDAR_YEAR: lambda day: day.year,
    DateFunctionName.DAY_IN_MONTH: lambda day: day.day,
    DateFunctionName.DAY_IN_WEEK: lambda day: day.isoweekday() % 7 + 1,
    DateFunctionName.DAY_IN_YEAR: lambda day: day.timetuple().tm_yday,
    DateFunctionName.FISCAL_MONTH: lambda day: day.month,
    DateFunctionName.FISCAL_QUARTER: _quarter,
    DateFunctionName.FISCAL_YEAR: lambda day: day.year,
    DateFunctionName.WEEK_IN_MONTH: lambda day: (day.day - 1) // 7 + 1,
    DateFunctionName.WEEK_IN_YEAR: lambda day: (day.timetuple().tm_yday - 1) // 7 + 1,
}


def date_part(
    function: DateFunctionName, value: dt.date | dt.datetime, zone: dt.tzinfo = dt.UTC
) -> int | dt.date:
    """`function` of `value`; a datetime is read in `zone` (aware, or naive as UTC)."""
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        local = moment.astimezone(zone)
        if function is DateFunctionName.HOUR_IN_DAY:
            return local.hour
        day = local.date()
    elif function in DATETIME_ONLY:
        raise ValueError(f"{function.value}() takes a datetime, not the date {value}")
    else:
        day = value
    if function is DateFunctionName.DAY_ONLY:
        return day
    return _OF_DAY[function](day)


def date_part_of_text(function: DateFunctionName, text: str, zone: dt.tzinfo = dt.UTC) -> int | str:
    """`function` of a date (`2024-11-07`) or datetime (`2024-11-07T07:00:00.000+0000`) as
    Salesforce writes them, DAY_ONLY's date written the same way; ValueError for other text."""
    value = parse_datetime(text) if "T" in text else dt.date.fromisoformat(text)
    part = date_part(function, value, zone)
    return part.isoformat() if isinstance(part, dt.date) else part


def field_refusal(call: DateFunction, field_type: str, field_name: str) -> str | None:
    """Why Salesforce refuses `call` on a field of `field_type` (a describe's type: `date`,
    `datetime`, ...), in its words; None when it takes it."""
    if field_type not in ("date", "datetime"):
        return (
            f"{call.function.value}() takes a date or datetime field, and {field_name} is neither"
        )
    if field_type == "date" and (call.function in DATETIME_ONLY or call.in_user_zone):
        used = "convertTimezone" if call.in_user_zone else call.function.value
        return f"{used}() takes a datetime field, and {field_name} is a date"
    return None


def value_refusal(call: DateFunction, value: Value) -> str | None:
    """Why `call` cannot be compared with `value`: it gives a whole number, or for DAY_ONLY a
    date (never a date literal); None when it can (null always can)."""
    match value:
        case NullValue():
            return None
        case NumberValue(number) if call.function is not DateFunctionName.DAY_ONLY:
            if number == number.to_integral_value():
                return None
        case DateValue() if call.function is DateFunctionName.DAY_ONLY:
            return None
    wanted = "a date" if call.function is DateFunctionName.DAY_ONLY else "a whole number"
    return f"{call.function.value}({call.field.name}) can only be compared with {wanted}"
