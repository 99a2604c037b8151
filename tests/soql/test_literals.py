import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.soql.literals import (
    EscapeError,
    decode_string,
    encode_like,
    format_datetime,
    is_identifier,
    parse_datetime,
)
from tests.soql.strategies import like_patterns


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("Email", True),
        ("My_Field__c", True),
        ("ns__Thing__r", True),
        ("Order", True),
        ("Group", True),
        ("limit", False),
        ("_private", False),
        ("2fast", False),
        ("Name'", False),
        ("", False),
    ],
)
def test_identifiers(name: str, ok: bool) -> None:
    assert is_identifier(name) is ok


@given(like_patterns)
def test_a_like_pattern_reads_back_unchanged(pattern: str) -> None:
    assert decode_string(encode_like(pattern)[1:-1], like=True) == pattern


def test_a_trailing_backslash_is_refused() -> None:
    with pytest.raises(EscapeError) as caught:
        decode_string("abc\\", like=False)
    assert caught.value.offset == 3


def test_a_short_unicode_escape_is_refused() -> None:
    with pytest.raises(EscapeError):
        decode_string("\\u00e", like=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-31T10:00:00Z", dt.datetime(2024, 1, 31, 10, tzinfo=dt.UTC)),
        ("2024-01-31t10:00:00z", dt.datetime(2024, 1, 31, 10, tzinfo=dt.UTC)),
        (
            "2024-01-31T10:00:00.5-01:30",
            dt.datetime(2024, 1, 31, 11, 30, 0, 500_000, tzinfo=dt.UTC),
        ),
        (
            "2024-01-31T10:00:00.1234567+0000",
            dt.datetime(2024, 1, 31, 10, 0, 0, 123_456, tzinfo=dt.UTC),
        ),
    ],
)
def test_datetime_forms(text: str, expected: dt.datetime) -> None:
    assert parse_datetime(text) == expected


def test_datetimes_are_written_in_utc_with_milliseconds_unless_finer() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    assert format_datetime(dt.datetime(2024, 1, 1, 1, tzinfo=paris)) == "2024-01-01T00:00:00.000Z"
    assert (
        format_datetime(dt.datetime(812, 1, 1, 0, 0, 0, 1, dt.UTC)) == "0812-01-01T00:00:00.000001Z"
    )
    with pytest.raises(ValueError):
        format_datetime(dt.datetime(2024, 1, 1))


@given(st.datetimes(timezones=st.just(dt.UTC)).filter(lambda moment: moment.year >= 1000))
def test_written_datetimes_read_back(moment: dt.datetime) -> None:
    assert parse_datetime(format_datetime(moment)) == moment
