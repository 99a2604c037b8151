from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from forcebridge.sync.activity_windows import day_span, local_day
from forcebridge.sync.service_days import ServiceCalendar, ZonePeriod, change_zone

UTC = dt.UTC
ONE_DAY, TICK = dt.timedelta(days=1), dt.timedelta(microseconds=1)
PARIS, NEW_YORK = "Europe/Paris", "America/New_York"
ZONES = sorted(available_timezones())

zones = st.sampled_from(ZONES)
instants = st.datetimes(
    min_value=dt.datetime(1970, 1, 3), max_value=dt.datetime(2099, 12, 1), timezones=st.just(UTC)
)
gaps = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=4))
far_gaps = st.timedeltas(min_value=dt.timedelta(days=2), max_value=dt.timedelta(days=400))


@st.composite
def histories(draw: st.DrawFn) -> tuple[ServiceCalendar, dt.datetime, dt.datetime]:
    """A calendar made by changing the zone a few times (sometimes twice the same day, or
    with days written ahead), and the instants its changes span."""
    first = draw(instants)
    now = first
    calendar = ServiceCalendar(draw(zones))
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        now += draw(gaps)
        # Days written ahead of now, in the zone pending or not, some far ahead.
        ahead = draw(st.lists(gaps | far_gaps, max_size=3))
        written = [calendar.day_of(now + gap) for gap in ahead]
        calendar = change_zone(calendar, draw(zones), now, written)
    return calendar, first - dt.timedelta(days=3), now + dt.timedelta(days=6)


def between(data: st.DataObject, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """An instant from `start` to `end`."""
    return start + data.draw(st.timedeltas(min_value=dt.timedelta(0), max_value=end - start))


# --- the rule, by example --------------------------------------------------------------------


def test_paris_to_new_york_takes_effect_at_paris_midnight_and_the_next_day_runs_long() -> None:
    paris = ServiceCalendar(PARIS)
    afternoon = dt.datetime(2024, 6, 3, 13, 0, tzinfo=UTC)  # 15:00 in Paris, Monday 3 June

    moved = change_zone(paris, NEW_YORK, afternoon)

    midnight = dt.datetime(2024, 6, 3, 22, 0, tzinfo=UTC)  # Tuesday 00:00 in Paris
    assert moved.zone == NEW_YORK
    assert moved.changes == (ZonePeriod(PARIS, midnight),)
    assert moved.pending(afternoon) == (ZonePeriod(PARIS, midnight),)
    assert moved.pending(midnight) == ()
    assert moved.span(dt.date(2024, 6, 3)) == paris.span(dt.date(2024, 6, 3))  # unchanged
    # Tuesday starts at Paris midnight (18:00 on Monday in New York) and ends at New York's.
    assert moved.span(dt.date(2024, 6, 4)) == (
        midnight,
        dt.datetime(2024, 6, 5, 4, 0, tzinfo=UTC),
    )
    assert moved.day_of(midnight) == dt.date(2024, 6, 4)
    assert moved.span(dt.date(2024, 6, 5)) == day_span(dt.date(2024, 6, 5), ZoneInfo(NEW_YORK))
    assert moved.zone_at(midnight - dt.timedelta(microseconds=1)) == ZoneInfo(PARIS)
    assert moved.zone_at(midnight) == ZoneInfo(NEW_YORK)


def test_new_york_to_paris_leaves_a_short_first_day() -> None:
    evening = dt.datetime(2024, 6, 4, 0, 30, tzinfo=UTC)  # 20:30 Monday in New York

    moved = change_zone(ServiceCalendar(NEW_YORK), PARIS, evening)

    start, end = moved.span(dt.date(2024, 6, 4))
    assert start == dt.datetime(2024, 6, 4, 4, 0, tzinfo=UTC)  # New York's midnight
    assert end == dt.datetime(2024, 6, 4, 22, 0, tzinfo=UTC)  # Paris's midnight
    assert end - start == dt.timedelta(hours=18)


def test_more_than_a_day_east_skips_a_date_as_samoa_did() -> None:
    now = dt.datetime(2024, 6, 3, 12, 0, tzinfo=UTC)  # 01:00 on the 3rd at UTC-11

    moved = change_zone(ServiceCalendar("Pacific/Pago_Pago"), "Pacific/Kiritimati", now)

    skipped_start, skipped_end = moved.span(dt.date(2024, 6, 4))
    assert skipped_start == skipped_end  # no instant belongs to it
    assert moved.day_of(skipped_start) == dt.date(2024, 6, 5)


def test_a_second_request_before_midnight_replaces_the_pending_zone() -> None:
    morning = dt.datetime(2024, 6, 3, 8, 0, tzinfo=UTC)
    first = change_zone(ServiceCalendar(PARIS), "America/Chicago", morning)

    second = change_zone(first, NEW_YORK, morning + dt.timedelta(hours=5))
    back = change_zone(second, PARIS, morning + dt.timedelta(hours=6))

    assert second == ServiceCalendar(NEW_YORK, first.changes)
    assert back == ServiceCalendar(PARIS)  # nothing changed after all


def test_cancelling_a_change_keeps_the_days_already_written_in_the_pending_zone() -> None:
    evening = dt.datetime(2026, 12, 6, 22, 48, tzinfo=UTC)  # 17:48 in New York
    to_paris = change_zone(ServiceCalendar(NEW_YORK), PARIS, evening)
    # Future-dated messages, written on the 7th and the 8th by Paris's days.
    z2, z3, z4 = (dt.datetime(2026, 12, 7, h, 30, tzinfo=UTC) for h in (5, 22, 23))
    assert [to_paris.day_of(z) for z in (z2, z3, z4)] == [
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 8),
    ]

    for zone in (NEW_YORK, "Asia/Tokyo"):
        again = change_zone(
            to_paris,
            zone,
            evening + dt.timedelta(minutes=5),
            [dt.date(2026, 12, 7), dt.date(2026, 12, 8)],
        )

        assert [again.day_of(z) for z in (z2, z3, z4)] == [to_paris.day_of(z) for z in (z2, z3, z4)]
        assert [again.zone_at(z) for z in (z2, z3, z4)] == [ZoneInfo(PARIS)] * 3
        sunday_end = dt.datetime(2026, 12, 8, 23, 0, tzinfo=UTC)  # Paris's midnight
        assert again.pending(evening) == (
            ZonePeriod(NEW_YORK, dt.datetime(2026, 12, 7, 5, 0, tzinfo=UTC)),
            ZonePeriod(PARIS, sunday_end),
        )
        assert again.span(dt.date(2026, 12, 9))[0] == sunday_end  # days never go back
        assert again.zone_at(sunday_end) == ZoneInfo(zone)


def test_the_days_written_right_after_now_s_delay_the_change_until_they_end() -> None:
    now = dt.datetime(2026, 12, 6, 22, 48, tzinfo=UTC)  # 17:48 on the 6th in New York
    written = [dt.date(2026, 12, 7), dt.date(2026, 12, 8)]

    moved = change_zone(ServiceCalendar(NEW_YORK), PARIS, now, written)

    assert moved.changes == (ZonePeriod(NEW_YORK, dt.datetime(2026, 12, 9, 5, 0, tzinfo=UTC)),)
    assert moved.kept == ()
    # A day written before now's does not delay it.
    assert change_zone(ServiceCalendar(NEW_YORK), PARIS, now, [dt.date(2026, 12, 1)]) == (
        change_zone(ServiceCalendar(NEW_YORK), PARIS, now)
    )


@pytest.mark.parametrize("zone", [PARIS, "America/Los_Angeles", "Pacific/Kiritimati"])
def test_a_day_written_far_ahead_keeps_its_hours_and_holds_the_change_back_no_more(
    zone: str,
) -> None:
    """A message from a device whose clock is years off, pushed: its day keeps New York's
    hours, and the days around it are the new zone's, from the end of today as asked."""
    now = dt.datetime(2026, 12, 6, 22, 48, tzinfo=UTC)
    new_york = ServiceCalendar(NEW_YORK)
    far = dt.date(2200, 6, 1)

    moved = change_zone(new_york, zone, now, [dt.date(2026, 12, 20), far, far + ONE_DAY])

    assert moved.changes == (ZonePeriod(NEW_YORK, dt.datetime(2026, 12, 7, 5, 0, tzinfo=UTC)),)
    assert moved.pending(now) == moved.changes  # takes effect tonight, not in 2200
    for day in (dt.date(2026, 12, 20), far, far + ONE_DAY):
        start, end = new_york.span(day)
        assert moved.span(day)[0] <= start and moved.span(day)[1] == end
        assert moved.zone_at(start) == moved.zone_at(end - TICK) == ZoneInfo(NEW_YORK)
    if zone == PARIS:  # the 20th starts at Paris's midnight, which no Task's day held
        assert moved.span(dt.date(2026, 12, 20))[0] == dt.datetime(2026, 12, 19, 23, tzinfo=UTC)
    # Around them, the new zone's days, each one unbroken span.
    assert moved.span(far - ONE_DAY)[1] == moved.span(far)[0]
    assert moved.span(far + 2 * ONE_DAY)[0] == moved.span(far + ONE_DAY)[1]
    later = dt.datetime(2201, 1, 1, 12, tzinfo=UTC)
    assert (moved.day_of(later), moved.zone_at(later)) == (local_day(later, ZoneInfo(zone)),
                                                         ZoneInfo(zone))  # fmt: skip
    assert ServiceCalendar.of(zone, moved.changes_json()) == moved


def test_kept_days_stay_kept_when_the_zone_changes_again() -> None:
    now = dt.datetime(2026, 12, 6, 22, 48, tzinfo=UTC)
    far = dt.date(2200, 6, 1)
    to_paris = change_zone(ServiceCalendar(NEW_YORK), PARIS, now, [far])

    to_tokyo = change_zone(to_paris, "Asia/Tokyo", now + dt.timedelta(days=3), [far])

    start, end = ServiceCalendar(NEW_YORK).span(far)
    tokyo_midnight = dt.datetime(2200, 5, 31, 15, 0, tzinfo=UTC)  # no Task's day held it
    assert to_tokyo.span(far) == (tokyo_midnight, end)
    assert to_tokyo.zone_at(start) == to_tokyo.zone_at(end - TICK) == ZoneInfo(NEW_YORK)
    assert [k.zone for k in to_tokyo.kept] == [NEW_YORK]


def test_a_change_after_one_took_effect_starts_at_the_end_of_the_long_day() -> None:
    monday = dt.datetime(2024, 6, 3, 13, 0, tzinfo=UTC)
    in_new_york = change_zone(ServiceCalendar(PARIS), NEW_YORK, monday)
    # Tuesday (the long day) is running: 01:00 UTC on Wednesday is 21:00 in New York.
    during = dt.datetime(2024, 6, 5, 1, 0, tzinfo=UTC)

    again = change_zone(in_new_york, "Asia/Tokyo", during)

    tuesday_end = dt.datetime(2024, 6, 5, 4, 0, tzinfo=UTC)
    assert again.changes[-1] == ZonePeriod(NEW_YORK, tuesday_end)
    assert again.day_of(tuesday_end) == dt.date(2024, 6, 5)  # 13:00 in Tokyo, Wednesday
    assert again.span(dt.date(2024, 6, 5))[1] == dt.datetime(2024, 6, 5, 15, 0, tzinfo=UTC)


def test_the_change_history_round_trips_through_its_stored_form() -> None:
    moved = change_zone(ServiceCalendar(PARIS), NEW_YORK, dt.datetime(2024, 6, 3, tzinfo=UTC))

    stored = moved.changes_json()

    assert stored == [{"zone": PARIS, "until": "2024-06-03T22:00:00+00:00"}]
    assert ServiceCalendar.of(NEW_YORK, stored) == moved


def test_changes_out_of_order_or_naive_are_refused() -> None:
    later, earlier = dt.datetime(2024, 6, 4, tzinfo=UTC), dt.datetime(2024, 6, 3, tzinfo=UTC)
    with pytest.raises(ValueError, match="follow each other"):
        ServiceCalendar(PARIS, (ZonePeriod(NEW_YORK, later), ZonePeriod(PARIS, earlier)))
    with pytest.raises(ValueError, match="UTC instant"):
        ServiceCalendar(PARIS, (ZonePeriod(NEW_YORK, dt.datetime(2024, 6, 4)),))
    with pytest.raises(ValueError, match="time zone"):
        ServiceCalendar(PARIS).day_of(dt.datetime(2024, 6, 4))


# --- properties over random histories --------------------------------------------------------


@given(instants, zones)
def test_without_a_change_days_are_the_zones_calendar_days(moment: dt.datetime, zone: str) -> None:
    calendar, info = ServiceCalendar(zone), ZoneInfo(zone)
    day = local_day(moment, info)

    assert calendar.day_of(moment) == day
    assert calendar.span(day) == day_span(day, info)
    assert calendar.zone_at(moment) == info


@given(histories(), st.data())
def test_every_instant_lies_in_the_span_of_its_one_day(
    history: tuple[ServiceCalendar, dt.datetime, dt.datetime], data: st.DataObject
) -> None:
    calendar, start, end = history
    moment = between(data, start, end)

    day = calendar.day_of(moment)
    first, last = calendar.span(day)

    assert first <= moment < last
    assert calendar.span(day - dt.timedelta(days=1))[1] == first  # no gap, no overlap
    assert calendar.span(day + dt.timedelta(days=1))[0] == last


@given(histories(), st.data())
def test_days_never_go_back(
    history: tuple[ServiceCalendar, dt.datetime, dt.datetime], data: st.DataObject
) -> None:
    calendar, start, end = history
    earlier = between(data, start, end)
    later = between(data, earlier, end)

    assert calendar.day_of(earlier) <= calendar.day_of(later)


@given(histories(), zones, gaps, st.data())
def test_a_change_never_moves_an_instant_before_it_takes_effect(
    history: tuple[ServiceCalendar, dt.datetime, dt.datetime],
    zone: str,
    gap: dt.timedelta,
    data: st.DataObject,
) -> None:
    calendar, start, end = history
    now = end - dt.timedelta(days=6) + gap
    moved = change_zone(calendar, zone, now)
    moment = between(data, start, now)

    assert moved.day_of(moment) == calendar.day_of(moment)
    assert moved.zone_at(moment) == calendar.zone_at(moment)
    if moved.changes and moved.changes[-1].until > now:
        # It takes effect at the end of the day `now` belongs to, and no earlier.
        assert moved.changes[-1].until == calendar.span(calendar.day_of(now))[1]


@given(histories(), st.data())
def test_once_the_first_day_after_a_change_is_over_days_are_the_new_zones(
    history: tuple[ServiceCalendar, dt.datetime, dt.datetime], data: st.DataObject
) -> None:
    """But for days kept (written far ahead of a change), and the day before and after them,
    which end and start where they do."""
    calendar, _, end = history
    last_change = calendar.changes[-1].until if calendar.changes else end
    settled = calendar.span(calendar.day_of(last_change))[1]
    assume(settled < end + dt.timedelta(days=1))  # not a change held back by days written
    moment = between(data, settled, end + dt.timedelta(days=1))
    zone = ZoneInfo(calendar.zone)
    around_kept = [
        (calendar.span(k.first - ONE_DAY)[0], calendar.span(k.last + ONE_DAY)[1])
        for k in calendar.kept
    ]
    assume(not any(start <= moment < until for start, until in around_kept))

    assert calendar.day_of(moment) == local_day(moment, zone)
    assert calendar.zone_at(moment) == zone


@given(histories(), zones, gaps, st.data())
def test_a_change_never_moves_an_instant_of_a_day_already_written(
    history: tuple[ServiceCalendar, dt.datetime, dt.datetime],
    zone: str,
    gap: dt.timedelta,
    data: st.DataObject,
) -> None:
    calendar, start, end = history
    now = end - dt.timedelta(days=6) + gap
    far = end + dt.timedelta(days=400)
    written = [
        calendar.day_of(between(data, now, far)) for _ in range(data.draw(st.integers(1, 3)))
    ]
    moved = change_zone(calendar, zone, now, written)
    day = data.draw(st.sampled_from(written))
    first, last = calendar.span(day)
    # Every instant until now's day ends, and every instant of a day written.
    moment = data.draw(
        st.sampled_from([between(data, start, calendar.span(calendar.day_of(now))[1] - TICK)])
        | (st.just(between(data, first, last - TICK)) if first < last else st.nothing())
    )

    assert moved.day_of(moment) == calendar.day_of(moment)
    assert moved.zone_at(moment) == calendar.zone_at(moment)
