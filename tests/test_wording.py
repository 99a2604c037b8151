import datetime as dt

import pytest

from forcebridge.wording import sentence, shortened, when_due

NOW = dt.datetime(2026, 12, 7, 7, 4, 30, 123456, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("later", "said"),
    [
        (dt.timedelta(0), "due now"),
        (-dt.timedelta(hours=3), "due now"),  # overdue: not a time past
        (dt.timedelta(seconds=20), "in under 1 min (07:04 UTC)"),
        (dt.timedelta(seconds=40), "in 1 min (07:05 UTC)"),  # 07:04 now, 07:05 then
        (dt.timedelta(minutes=3, seconds=40), "in 4 min (07:08 UTC)"),
        (dt.timedelta(minutes=60), "in 1 h (08:04 UTC)"),
        (dt.timedelta(hours=2, minutes=5), "in 2 h 5 min (09:09 UTC)"),
        (dt.timedelta(hours=24), "on 2026-12-08 07:04 UTC"),
    ],
)
def test_a_time_due_is_said_as_a_wait_and_a_utc_clock_time(later: dt.timedelta, said: str) -> None:
    assert when_due(NOW + later, NOW) == said


def test_the_wait_and_the_clock_agree_as_read_to_the_minute_begun() -> None:
    """At 08:24:35 a run at 08:27:56 is 3 min of clock away: the wait rounded up (4) beside
    the clock cut down (08:27) said it at 08:28."""
    now = dt.datetime(2026, 12, 7, 8, 24, 35, tzinfo=dt.UTC)

    assert when_due(now.replace(minute=27, second=56), now) == "in 3 min (08:27 UTC)"
    assert when_due(now.replace(minute=27, second=5), now) == "in 3 min (08:27 UTC)"


def test_a_time_in_another_zone_is_said_in_utc() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    assert when_due(dt.datetime(2026, 12, 7, 9, 0, tzinfo=paris), NOW) == "in 56 min (08:00 UTC)"


def test_a_long_reason_is_shortened_to_a_line_after_a_whole_word() -> None:
    reason = "The mapping has 1 problem:\n- row 2: " + "Contact has no field x, " * 9

    assert shortened("a\n  short   reason") == "a short reason"
    assert shortened(reason, 60) == "The mapping has 1 problem: - row 2: Contact has no field..."
    assert len(shortened(reason)) <= 100
    assert shortened("x" * 120, 10) == "xxxxxxx..."


def test_a_sentence_that_starts_with_a_typed_value_keeps_it_as_typed() -> None:
    assert sentence("uuuu must use https") == "Uuuu must use https."
    assert sentence("uuuu must use https", ["main", "uuuu"]) == "uuuu must use https."
    assert sentence("connection name '' is wrong", ["", "c"]) == "Connection name '' is wrong."
