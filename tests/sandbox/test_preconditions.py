"""Conditional request headers as pure rules (over HTTP: test_http_rest)."""

from __future__ import annotations

import datetime as dt

import pytest

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.preconditions import Preconditions, Validators, etag

NOON = dt.datetime(2024, 11, 7, 12, 0, 0, 400_000, tzinfo=dt.UTC)
NOON_TEXT = "Thu, 07 Nov 2024 12:00:00 GMT"
BEFORE = "Thu, 07 Nov 2024 11:59:59 GMT"
LATER = NOON + dt.timedelta(hours=1)
ONE_S = dt.timedelta(seconds=1)
"""The server's clock when the conditions are checked."""
TAG = etag({"Id": "001000000000001AAA", "Name": "Acme"})
ACCOUNT = Validators(NOON, TAG)
CONTACT = Validators(NOON, None)


def when(**headers: str) -> Preconditions:
    return Preconditions.of({k.replace("_", "-"): v for k, v in headers.items()}, write=False)


def test_a_tag_changes_with_any_value() -> None:
    assert etag({"Id": "001000000000001AAA", "Name": "Acme Corp"}) != TAG
    assert TAG.startswith('"') and TAG.endswith('"')


def test_a_read_of_an_unchanged_record_is_not_modified() -> None:
    assert when(If_None_Match=TAG).failure(ACCOUNT, read=True, now=LATER) == 304
    assert when(If_None_Match=f'"other", W/{TAG}').failure(ACCOUNT, read=True, now=LATER) == 304
    assert when(If_None_Match='"other"').failure(ACCOUNT, read=True, now=LATER) is None
    # Dates compare to the second, as HTTP dates carry no more.
    assert when(If_Modified_Since=NOON_TEXT).failure(CONTACT, read=True, now=LATER) == 304
    assert when(If_Modified_Since=BEFORE).failure(CONTACT, read=True, now=LATER) is None


def test_an_if_modified_since_later_than_the_servers_clock_is_ignored() -> None:
    # RFC 2616 §14.25: such a date is invalid, and RFC 9110 §13.1.3 ignores an invalid one.
    ahead = "Thu, 07 Nov 2024 13:00:01 GMT"  # a second past LATER
    assert when(If_Modified_Since=ahead).failure(CONTACT, read=True, now=LATER) is None
    assert when(If_Modified_Since=ahead).failure(CONTACT, read=True, now=LATER + ONE_S) == 304
    # A Last-Modified the server dated past its clock (`next_modified`) is no future date.
    dated_ahead = Validators(LATER + ONE_S, None)
    assert when(If_Modified_Since=ahead).failure(dated_ahead, read=True, now=LATER) == 304


def test_a_write_to_a_record_that_changed_fails_its_precondition() -> None:
    assert when(If_Match='"stale"').failure(ACCOUNT, read=False, now=LATER) == 412
    assert when(If_Match=TAG).failure(ACCOUNT, read=False, now=LATER) is None
    assert when(If_Match="*").failure(ACCOUNT, read=False, now=LATER) is None
    assert when(If_None_Match=TAG).failure(ACCOUNT, read=False, now=LATER) == 412
    assert when(If_Unmodified_Since=BEFORE).failure(CONTACT, read=False, now=LATER) == 412
    assert when(If_Unmodified_Since=NOON_TEXT).failure(CONTACT, read=False, now=LATER) is None


def test_tags_count_on_account_records_only() -> None:
    assert when(If_Match='"stale"').failure(CONTACT, read=False, now=LATER) is None
    assert when(If_None_Match='"any"').failure(CONTACT, read=True, now=LATER) is None


def test_if_match_takes_precedence_over_if_unmodified_since() -> None:
    both = when(If_Match=TAG, If_Unmodified_Since=BEFORE)
    assert both.failure(ACCOUNT, read=False, now=LATER) is None


def test_an_unreadable_header_is_ignored_on_a_read_and_refused_on_a_write() -> None:
    assert not when(If_Match="nope", If_Modified_Since="yesterday").any
    with pytest.raises(ApiError) as refused:
        Preconditions.of({"If-Unmodified-Since": "yesterday"}, write=True)
    assert (refused.value.status, refused.value.error_code) == (400, "INVALID_HEADER_TYPE")
