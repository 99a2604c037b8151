"""Date functions of one value, as Salesforce documents them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.soql.ast import DateFunctionName as F
from forcebridge.soql.date_functions import date_part

SUNDAY = dt.date(2024, 3, 10)


@pytest.mark.parametrize(
    ("function", "day", "expected"),
    [
        (F.CALENDAR_MONTH, dt.date(2024, 12, 31), 12),
        (F.CALENDAR_QUARTER, dt.date(2024, 3, 31), 1),
        (F.CALENDAR_QUARTER, dt.date(2024, 4, 1), 2),
        (F.CALENDAR_QUARTER, dt.date(2024, 10, 1), 4),
        (F.CALENDAR_YEAR, dt.date(2009, 6, 1), 2009),
        (F.DAY_IN_MONTH, dt.date(2024, 2, 20), 20),
        (F.DAY_IN_WEEK, SUNDAY, 1),
        (F.DAY_IN_WEEK, SUNDAY + dt.timedelta(days=1), 2),
        (F.DAY_IN_WEEK, SUNDAY - dt.timedelta(days=1), 7),
        (F.DAY_IN_YEAR, dt.date(2024, 2, 1), 32),
        (F.DAY_IN_YEAR, dt.date(2024, 12, 31), 366),
        (F.WEEK_IN_MONTH, dt.date(2024, 4, 7), 1),
        (F.WEEK_IN_MONTH, dt.date(2024, 4, 10), 2),
        (F.WEEK_IN_MONTH, dt.date(2024, 4, 29), 5),
        (F.WEEK_IN_YEAR, dt.date(2024, 1, 7), 1),
        (F.WEEK_IN_YEAR, dt.date(2024, 1, 8), 2),
        (F.WEEK_IN_YEAR, dt.date(2024, 12, 31), 53),
        (F.FISCAL_YEAR, dt.date(2024, 12, 31), 2024),
        (F.FISCAL_QUARTER, dt.date(2024, 5, 1), 2),
        (F.FISCAL_MONTH, dt.date(2024, 5, 1), 5),
    ],
)  # fmt: skip
def test_each_function_of_a_date(function: F, day: dt.date, expected: int) -> None:
    assert date_part(function, day) == expected


def test_a_datetime_is_read_in_utc_unless_a_zone_is_given() -> None:
    moment = dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.UTC)
    auckland = ZoneInfo("Pacific/Auckland")

    assert date_part(F.CALENDAR_YEAR, moment) == 2024
    assert date_part(F.CALENDAR_YEAR, moment, auckland) == 2025
    assert date_part(F.DAY_ONLY, moment) == dt.date(2024, 12, 31)
    assert date_part(F.DAY_ONLY, moment, auckland) == dt.date(2025, 1, 1)
    assert date_part(F.HOUR_IN_DAY, moment) == 23
    assert date_part(F.HOUR_IN_DAY, moment, auckland) == 12  # UTC+13 in summer
    assert date_part(F.HOUR_IN_DAY, moment.replace(tzinfo=None)) == 23


@pytest.mark.parametrize("function", [F.DAY_ONLY, F.HOUR_IN_DAY])
def test_day_only_and_hour_in_day_take_a_datetime_only(function: F) -> None:
    with pytest.raises(ValueError, match="takes a datetime"):
        date_part(function, dt.date(2024, 1, 1))


_ZONES = st.sampled_from([dt.UTC, ZoneInfo("America/Los_Angeles"), ZoneInfo("Asia/Kolkata")])


@given(st.datetimes(dt.datetime(1900, 1, 2), dt.datetime(2200, 12, 30), timezones=_ZONES), _ZONES)
def test_a_datetime_gives_what_its_day_in_the_zone_gives(
    moment: dt.datetime, zone: ZoneInfo
) -> None:
    day = date_part(F.DAY_ONLY, moment, zone)
    assert isinstance(day, dt.date)
    assert day == moment.astimezone(zone).date()
    for function in set(F) - {F.DAY_ONLY, F.HOUR_IN_DAY}:
        assert date_part(function, moment, zone) == date_part(function, day)
