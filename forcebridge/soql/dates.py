"""Relative date literals (`TODAY`, `LAST_N_DAYS:7`, `THIS_QUARTER`, ...) as half-open ranges.

A literal stands for a range `[start, end)` of whole days counted in the time zone of the user
the query runs as, as Salesforce defines them: weeks start on the first day of the week of the
user's locale (`weeks.first_day_of_week`: Sunday for en_US, Monday for en_GB), quarters are
calendar quarters, and the fiscal year (`THIS_FISCAL_QUARTER`, `LAST_N_FISCAL_YEARS:2`) is the
calendar year, an org's default. A comparison against a literal reads the range like this:

    field =  LITERAL   start <= field < end        (within)
    field != LITERAL   field < start or field >= end
    field <  LITERAL   field < start               (before it begins)
    field <= LITERAL   field < end                 (before it ends)
    field >  LITERAL   field >= end                (on or after its end)
    field >= LITERAL   field >= start              (on or after its start)

Date fields use `date_range`; datetime fields use `datetime_range`, whose bounds are the local
midnights turned into UTC instants, so a day across a DST change lasts 23 or 25 hours. The zone
is the one the query's user lives in (`TimeZoneSidKey`), by its IANA name (`known_zone`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forcebridge.soql.ast import DateLiteral
from forcebridge.soql.weeks import SUNDAY


class _Unit(Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"
    YEAR = "YEAR"


@dataclass(frozen=True)
class _Rule:
    """The range spans units `first` to `stop` (exclusive), counted from the current unit."""

    unit: _Unit
    offsets: Callable[[int], tuple[int, int]]
    takes_n: bool


def _fixed(first: int, stop: int) -> Callable[[int], tuple[int, int]]:
    return lambda _n: (first, stop)


def _rules() -> dict[str, _Rule]:
    def last_n(n: int) -> tuple[int, int]:
        return -n, 0

    def next_n(n: int) -> tuple[int, int]:
        return 1, n + 1

    def n_ago(n: int) -> tuple[int, int]:
        return -n, -n + 1

    day = _Unit.DAY
    rules = {
        "YESTERDAY": _Rule(day, _fixed(-1, 0), False),
        "TODAY": _Rule(day, _fixed(0, 1), False),
        "TOMORROW": _Rule(day, _fixed(1, 2), False),
        # The day ranges that look back include today; the ones that look ahead do not.
        "LAST_90_DAYS": _Rule(day, _fixed(-90, 1), False),
        "NEXT_90_DAYS": _Rule(day, _fixed(1, 91), False),
        "LAST_N_DAYS": _Rule(day, lambda n: (-n, 1), True),
        "NEXT_N_DAYS": _Rule(day, next_n, True),
        "N_DAYS_AGO": _Rule(day, n_ago, True),
    }
    units = [(unit, unit.value) for unit in (_Unit.WEEK, _Unit.MONTH, _Unit.QUARTER, _Unit.YEAR)]
    # The fiscal year is the calendar year, Salesforce's default for an org.
    units += [(_Unit.QUARTER, "FISCAL_QUARTER"), (_Unit.YEAR, "FISCAL_YEAR")]
    for unit, name in units:
        rules[f"LAST_{name}"] = _Rule(unit, _fixed(-1, 0), False)
        rules[f"THIS_{name}"] = _Rule(unit, _fixed(0, 1), False)
        rules[f"NEXT_{name}"] = _Rule(unit, _fixed(1, 2), False)
        rules[f"LAST_N_{name}S"] = _Rule(unit, last_n, True)
        rules[f"NEXT_N_{name}S"] = _Rule(unit, next_n, True)
        rules[f"N_{name}S_AGO"] = _Rule(unit, n_ago, True)
    return rules


_RULES = _rules()

DATE_LITERALS: Mapping[str, bool] = {name: rule.takes_n for name, rule in _RULES.items()}
"""Every supported literal name (upper case), mapped to whether it takes `:n`."""


def known_zone(name: str | None) -> ZoneInfo | None:
    """The time zone `name` names (`America/New_York`), or None when it names none this machine
    knows (or is empty): callers fall back to a zone of their own, or refuse it. The one rule
    for a zone name anyone typed: `ZoneInfo` reads it as a path under the zone database, so a
    name that is not one fails there in several ways, each meaning "unknown": not found, not a
    normalised relative path or an embedded NUL (ValueError), a folder such as `Europe` or a
    name too long for a file name (OSError)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, ZoneInfoNotFoundError):
        return None


def date_range(
    literal: DateLiteral, today: dt.date, week_start: int = SUNDAY
) -> tuple[dt.date, dt.date]:
    """The days `[start, end)` that `literal` covers when it is `today` in the user's time zone,
    weeks starting on `week_start` (`date.weekday()`'s numbering: Sunday 6, en_US's first day)."""
    rule = _RULES.get(literal.name.upper())
    if rule is None:
        raise ValueError(f"unknown date literal {literal.name!r}")
    if rule.takes_n != (literal.n is not None):
        form = f"{literal.name}:n" if rule.takes_n else literal.name
        raise ValueError(f"date literal {literal.name} is written {form}")
    first, stop = rule.offsets(literal.n or 0)
    try:
        current = _floor(rule.unit, today, week_start)
        return _shift(rule.unit, current, first), _shift(rule.unit, current, stop)
    except (OverflowError, ValueError) as exc:
        raise ValueError(f"date literal {_spelling(literal)} reaches outside the calendar") from exc


def datetime_range(
    literal: DateLiteral, now: dt.datetime, tz: dt.tzinfo, week_start: int = SUNDAY
) -> tuple[dt.datetime, dt.datetime]:
    """The instants `[start, end)`, in UTC, that `literal` covers at `now` for a user in `tz`
    whose weeks start on `week_start`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    start, end = date_range(literal, now.astimezone(tz).date(), week_start)
    return _local_midnight(start, tz), _local_midnight(end, tz)


def _local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)


def _floor(unit: _Unit, day: dt.date, week_start: int) -> dt.date:
    """The first day of the unit that contains `day`."""
    match unit:
        case _Unit.DAY:
            return day
        case _Unit.WEEK:
            return day - dt.timedelta(days=(day.weekday() - week_start) % 7)
        case _Unit.MONTH:
            return day.replace(day=1)
        case _Unit.QUARTER:
            return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        case _Unit.YEAR:
            return dt.date(day.year, 1, 1)


def _shift(unit: _Unit, start: dt.date, count: int) -> dt.date:
    """The start of the unit `count` units after the one starting at `start`."""
    match unit:
        case _Unit.DAY:
            return start + dt.timedelta(days=count)
        case _Unit.WEEK:
            return start + dt.timedelta(weeks=count)
        case _Unit.MONTH:
            return _add_months(start, count)
        case _Unit.QUARTER:
            return _add_months(start, 3 * count)
        case _Unit.YEAR:
            return _add_months(start, 12 * count)


def _add_months(first_of_month: dt.date, months: int) -> dt.date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _spelling(literal: DateLiteral) -> str:
    return literal.name if literal.n is None else f"{literal.name}:{literal.n}"
