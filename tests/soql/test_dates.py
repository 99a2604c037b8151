import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from forcebridge.soql.ast import DateLiteral
from forcebridge.soql.dates import DATE_LITERALS, date_range, datetime_range, known_zone
from forcebridge.soql.weeks import MONDAY, SATURDAY

D = dt.date
NEW_YORK = ZoneInfo("America/New_York")

# Wednesday 15 May 2024: the week began on Sunday the 12th, the quarter on 1 April.
WEDNESDAY = D(2024, 5, 15)
EXPECTED_ON_WEDNESDAY = {
    "YESTERDAY": (D(2024, 5, 14), D(2024, 5, 15)),
    "TODAY": (D(2024, 5, 15), D(2024, 5, 16)),
    "TOMORROW": (D(2024, 5, 16), D(2024, 5, 17)),
    "LAST_90_DAYS": (D(2024, 2, 15), D(2024, 5, 16)),
    "NEXT_90_DAYS": (D(2024, 5, 16), D(2024, 8, 14)),
    "LAST_N_DAYS": (D(2024, 5, 13), D(2024, 5, 16)),
    "NEXT_N_DAYS": (D(2024, 5, 16), D(2024, 5, 18)),
    "N_DAYS_AGO": (D(2024, 5, 13), D(2024, 5, 14)),
    "LAST_WEEK": (D(2024, 5, 5), D(2024, 5, 12)),
    "THIS_WEEK": (D(2024, 5, 12), D(2024, 5, 19)),
    "NEXT_WEEK": (D(2024, 5, 19), D(2024, 5, 26)),
    "LAST_N_WEEKS": (D(2024, 4, 28), D(2024, 5, 12)),
    "NEXT_N_WEEKS": (D(2024, 5, 19), D(2024, 6, 2)),
    "N_WEEKS_AGO": (D(2024, 4, 28), D(2024, 5, 5)),
    "LAST_MONTH": (D(2024, 4, 1), D(2024, 5, 1)),
    "THIS_MONTH": (D(2024, 5, 1), D(2024, 6, 1)),
    "NEXT_MONTH": (D(2024, 6, 1), D(2024, 7, 1)),
    "LAST_N_MONTHS": (D(2024, 3, 1), D(2024, 5, 1)),
    "NEXT_N_MONTHS": (D(2024, 6, 1), D(2024, 8, 1)),
    "N_MONTHS_AGO": (D(2024, 3, 1), D(2024, 4, 1)),
    "LAST_QUARTER": (D(2024, 1, 1), D(2024, 4, 1)),
    "THIS_QUARTER": (D(2024, 4, 1), D(2024, 7, 1)),
    "NEXT_QUARTER": (D(2024, 7, 1), D(2024, 10, 1)),
    "LAST_N_QUARTERS": (D(2023, 10, 1), D(2024, 4, 1)),
    "NEXT_N_QUARTERS": (D(2024, 7, 1), D(2025, 1, 1)),
    "N_QUARTERS_AGO": (D(2023, 10, 1), D(2024, 1, 1)),
    "LAST_YEAR": (D(2023, 1, 1), D(2024, 1, 1)),
    "THIS_YEAR": (D(2024, 1, 1), D(2025, 1, 1)),
    "NEXT_YEAR": (D(2025, 1, 1), D(2026, 1, 1)),
    "LAST_N_YEARS": (D(2022, 1, 1), D(2024, 1, 1)),
    "NEXT_N_YEARS": (D(2025, 1, 1), D(2027, 1, 1)),
    "N_YEARS_AGO": (D(2022, 1, 1), D(2023, 1, 1)),
    # The org's fiscal year is the calendar year.
    "LAST_FISCAL_QUARTER": (D(2024, 1, 1), D(2024, 4, 1)),
    "THIS_FISCAL_QUARTER": (D(2024, 4, 1), D(2024, 7, 1)),
    "NEXT_FISCAL_QUARTER": (D(2024, 7, 1), D(2024, 10, 1)),
    "LAST_N_FISCAL_QUARTERS": (D(2023, 10, 1), D(2024, 4, 1)),
    "NEXT_N_FISCAL_QUARTERS": (D(2024, 7, 1), D(2025, 1, 1)),
    "N_FISCAL_QUARTERS_AGO": (D(2023, 10, 1), D(2024, 1, 1)),
    "LAST_FISCAL_YEAR": (D(2023, 1, 1), D(2024, 1, 1)),
    "THIS_FISCAL_YEAR": (D(2024, 1, 1), D(2025, 1, 1)),
    "NEXT_FISCAL_YEAR": (D(2025, 1, 1), D(2026, 1, 1)),
    "LAST_N_FISCAL_YEARS": (D(2022, 1, 1), D(2024, 1, 1)),
    "NEXT_N_FISCAL_YEARS": (D(2025, 1, 1), D(2027, 1, 1)),
    "N_FISCAL_YEARS_AGO": (D(2022, 1, 1), D(2023, 1, 1)),
}


def literal(name: str) -> DateLiteral:
    """The literal, with n = 2 when it takes one."""
    return DateLiteral(name, 2 if DATE_LITERALS[name] else None)


def test_the_table_covers_every_literal() -> None:
    assert set(EXPECTED_ON_WEDNESDAY) == set(DATE_LITERALS)


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED_ON_WEDNESDAY.items()))
def test_each_literal_on_an_ordinary_wednesday(name: str, expected: tuple[D, D]) -> None:
    assert date_range(literal(name), WEDNESDAY) == expected


@pytest.mark.parametrize(
    ("today", "written", "expected"),
    [
        # month boundary
        (D(2024, 1, 31), "NEXT_MONTH", (D(2024, 2, 1), D(2024, 3, 1))),
        (D(2024, 1, 31), "LAST_MONTH", (D(2023, 12, 1), D(2024, 1, 1))),
        (D(2024, 1, 31), "TOMORROW", (D(2024, 2, 1), D(2024, 2, 2))),
        (D(2024, 3, 1), "LAST_N_DAYS:1", (D(2024, 2, 29), D(2024, 3, 2))),
        # quarter boundary, on a Sunday: the week starts that day
        (D(2024, 3, 31), "THIS_QUARTER", (D(2024, 1, 1), D(2024, 4, 1))),
        (D(2024, 3, 31), "NEXT_QUARTER", (D(2024, 4, 1), D(2024, 7, 1))),
        (D(2024, 4, 1), "LAST_QUARTER", (D(2024, 1, 1), D(2024, 4, 1))),
        (D(2024, 3, 31), "THIS_WEEK", (D(2024, 3, 31), D(2024, 4, 7))),
        (D(2024, 3, 30), "THIS_WEEK", (D(2024, 3, 24), D(2024, 3, 31))),
        # year boundary
        (D(2024, 12, 31), "TOMORROW", (D(2025, 1, 1), D(2025, 1, 2))),
        (D(2024, 12, 31), "THIS_WEEK", (D(2024, 12, 29), D(2025, 1, 5))),
        (D(2024, 12, 31), "NEXT_YEAR", (D(2025, 1, 1), D(2026, 1, 1))),
        (D(2024, 12, 31), "NEXT_N_QUARTERS:1", (D(2025, 1, 1), D(2025, 4, 1))),
        (D(2024, 12, 31), "LAST_N_QUARTERS:5", (D(2023, 7, 1), D(2024, 10, 1))),
        (D(2025, 1, 1), "LAST_N_MONTHS:13", (D(2023, 12, 1), D(2025, 1, 1))),
        (D(2025, 1, 1), "N_WEEKS_AGO:1", (D(2024, 12, 22), D(2024, 12, 29))),
    ],
)
def test_boundaries(today: D, written: str, expected: tuple[D, D]) -> None:
    name, _, n = written.partition(":")
    assert date_range(DateLiteral(name, int(n) if n else None), today) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("THIS_WEEK", (D(2024, 5, 13), D(2024, 5, 20))),
        ("LAST_WEEK", (D(2024, 5, 6), D(2024, 5, 13))),
        ("NEXT_WEEK", (D(2024, 5, 20), D(2024, 5, 27))),
        ("LAST_N_WEEKS:2", (D(2024, 4, 29), D(2024, 5, 13))),
        ("NEXT_N_WEEKS:2", (D(2024, 5, 20), D(2024, 6, 3))),
        ("N_WEEKS_AGO:2", (D(2024, 4, 29), D(2024, 5, 6))),
    ],
)
def test_weeks_start_on_the_day_the_users_locale_starts_them(
    written: str, expected: tuple[D, D]
) -> None:
    name, _, n = written.partition(":")
    assert date_range(DateLiteral(name, int(n) if n else None), WEDNESDAY, MONDAY) == expected


def test_a_monday_week_holds_the_sunday_that_ends_it_not_the_one_before() -> None:
    monday = D(2026, 12, 7)
    assert date_range(DateLiteral("THIS_WEEK"), monday, MONDAY) == (monday, D(2026, 12, 14))
    assert date_range(DateLiteral("THIS_WEEK"), D(2026, 12, 6), MONDAY)[0] == D(2026, 11, 30)
    assert date_range(DateLiteral("THIS_WEEK"), monday, SATURDAY) == (
        D(2026, 12, 5),
        D(2026, 12, 12),
    )


def test_datetime_bounds_follow_the_week_start_too() -> None:
    start, end = datetime_range(DateLiteral("THIS_WEEK"), utc(2024, 5, 15, 12), NEW_YORK, MONDAY)
    assert (start, end) == (utc(2024, 5, 13, 4), utc(2024, 5, 20, 4))


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def test_a_spring_forward_day_lasts_23_hours() -> None:
    now = dt.datetime(2024, 3, 10, 12, tzinfo=NEW_YORK)
    start, end = datetime_range(DateLiteral("TODAY"), now, NEW_YORK)
    assert (start, end) == (utc(2024, 3, 10, 5), utc(2024, 3, 11, 4))
    assert end - start == dt.timedelta(hours=23)


def test_a_fall_back_day_lasts_25_hours() -> None:
    now = dt.datetime(2024, 11, 3, 12, tzinfo=NEW_YORK)
    start, end = datetime_range(DateLiteral("TODAY"), now, NEW_YORK)
    assert end - start == dt.timedelta(hours=25)


def test_a_week_across_the_dst_change_starts_and_ends_at_local_midnight() -> None:
    now = utc(2024, 3, 13, 15)
    start, end = datetime_range(DateLiteral("THIS_WEEK"), now, NEW_YORK)
    assert (start, end) == (utc(2024, 3, 10, 5), utc(2024, 3, 17, 4))


def test_today_is_the_org_zone_s_day_not_utc_s() -> None:
    late_evening_utc = utc(2024, 5, 15, 23, 30)
    start, end = datetime_range(DateLiteral("TODAY"), late_evening_utc, ZoneInfo("Asia/Tokyo"))
    assert (start, end) == (utc(2024, 5, 15, 15), utc(2024, 5, 16, 15))


def test_bounds_are_in_utc() -> None:
    start, end = datetime_range(DateLiteral("TODAY"), utc(2024, 5, 15, 12), NEW_YORK)
    assert start.utcoffset() == end.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (DateLiteral("TODAY", 3), "written TODAY"),
        (DateLiteral("LAST_N_DAYS"), "written LAST_N_DAYS:n"),
        (DateLiteral("SOMEDAY"), "unknown date literal"),
        (DateLiteral("N_YEARS_AGO", 5000), "outside the calendar"),
    ],
)
def test_literals_that_cannot_be_resolved(item: DateLiteral, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        date_range(item, WEDNESDAY)


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        datetime_range(DateLiteral("TODAY"), dt.datetime(2024, 5, 15, 12), NEW_YORK)


@pytest.mark.parametrize(
    "name",
    ["", "Mars/Olympus", "Z" * 255, "Z" * 4000, "é" * 200, "Europe", "Etc", "Europe/Paris\x00",
     "../Europe/Paris", "Europe//Paris", "zone.tab"],
)  # fmt: skip
def test_a_name_that_is_no_zone_is_unknown_however_zoneinfo_fails_on_it(name: str) -> None:
    """Not found, not a path (ValueError), a folder, or too long for a file name (OSError)."""
    assert known_zone(name) is None


def test_a_known_zone_is_its_zoneinfo() -> None:
    assert known_zone("America/New_York") == NEW_YORK
