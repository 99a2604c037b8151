from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.sync.activity_windows import (
    WindowKey,
    day_span,
    idempotency_key,
    local_day,
    window_of,
    windows_touched,
)
from forcebridge.sync.service_days import ServiceCalendar

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC

zones = st.sampled_from(sorted(available_timezones())).map(ZoneInfo)
instants = st.datetimes(
    min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2100, 1, 1), timezones=st.just(UTC)
)


def test_a_window_is_the_contacts_calendar_day_in_the_services_zone() -> None:
    # 03:30 UTC on the 13th is 23:30 on the 12th in New York.
    late_evening = dt.datetime(2024, 3, 13, 3, 30, tzinfo=UTC)

    new_york, paris = ServiceCalendar("America/New_York"), ServiceCalendar("Europe/Paris")

    assert window_of(7, late_evening, new_york) == WindowKey(dt.date(2024, 3, 12), 7)
    assert window_of(7, late_evening, paris).day == dt.date(2024, 3, 13)


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        (dt.date(2024, 3, 10), 23),  # clocks spring forward
        (dt.date(2024, 11, 3), 25),  # clocks fall back: 01:00-02:00 happens twice
        (dt.date(2024, 7, 4), 24),
    ],
)
def test_a_day_lasts_as_long_as_the_clocks_say(day: dt.date, hours: int) -> None:
    start, end = day_span(day, NEW_YORK)

    assert end - start == dt.timedelta(hours=hours)
    assert start == dt.datetime.combine(day, dt.time(), tzinfo=NEW_YORK).astimezone(UTC)


def test_both_passes_through_the_repeated_hour_belong_to_the_same_day() -> None:
    first = dt.datetime(2024, 11, 3, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = dt.datetime(2024, 11, 3, 6, 30, tzinfo=UTC)  # 01:30 EST

    assert local_day(first, NEW_YORK) == local_day(second, NEW_YORK) == dt.date(2024, 11, 3)


def test_a_day_whose_midnight_never_happened_starts_at_its_first_instant() -> None:
    # Sao Paulo skipped from 00:00 to 01:00 on 4 November 2018.
    sao_paulo = ZoneInfo("America/Sao_Paulo")

    start, end = day_span(dt.date(2018, 11, 4), sao_paulo)

    assert start == dt.datetime(2018, 11, 4, 3, 0, tzinfo=UTC)
    assert local_day(start, sao_paulo) == dt.date(2018, 11, 4)
    assert local_day(start - dt.timedelta(microseconds=1), sao_paulo) == dt.date(2018, 11, 3)
    assert end - start == dt.timedelta(hours=23)


@given(instants, zones)
def test_every_instant_falls_inside_the_span_of_its_day(
    moment: dt.datetime, zone: ZoneInfo
) -> None:
    start, end = day_span(local_day(moment, zone), zone)

    assert start <= moment < end


@given(st.dates(min_value=dt.date(1970, 1, 2), max_value=dt.date(2100, 1, 1)), zones)
def test_consecutive_days_meet_without_gap_or_overlap(day: dt.date, zone: ZoneInfo) -> None:
    assert day_span(day, zone)[1] == day_span(day + dt.timedelta(days=1), zone)[0]


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        local_day(dt.datetime(2024, 3, 12, 10, 0), NEW_YORK)


def test_messages_touch_each_window_once_in_day_order() -> None:
    messages = [
        (2, dt.datetime(2024, 3, 13, 15, 0, tzinfo=UTC)),
        (1, dt.datetime(2024, 3, 12, 15, 0, tzinfo=UTC)),
        (1, dt.datetime(2024, 3, 12, 18, 0, tzinfo=UTC)),
        (2, dt.datetime(2024, 3, 12, 16, 0, tzinfo=UTC)),
    ]

    assert windows_touched(messages, ServiceCalendar("America/New_York")) == [
        WindowKey(dt.date(2024, 3, 12), 1),
        WindowKey(dt.date(2024, 3, 12), 2),
        WindowKey(dt.date(2024, 3, 13), 2),
    ]


def test_a_window_parts_key_names_service_contact_day_and_part() -> None:
    window = WindowKey(dt.date(2024, 3, 12), 42)

    assert idempotency_key("k1a2b3c4d", window, 1) == "fb-k1a2b3c4d-42-20240312-1"
    assert idempotency_key("3", window, 1) == "fb-3-42-20240312-1"  # a service made before scopes
    assert idempotency_key("3", window, 2) != idempotency_key("3", window, 1)
    assert idempotency_key("4", window, 1) != idempotency_key("3", window, 1)
    with pytest.raises(ValueError):
        idempotency_key("3", window, 0)
