from __future__ import annotations

import datetime as dt

import pytest

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.org import Org
from tests.sandbox.clocks import START, Clock


def test_get_updated_lists_what_changed_in_whole_minutes(org: Org, clock: Clock) -> None:
    early = org.create("Contact", {"LastName": "Early"})  # 15:30:00
    clock.advance(minutes=10, seconds=30)
    late = org.create("Contact", {"LastName": "Late"})  # 15:40:30
    clock.advance(minutes=10)
    org.update("Contact", early, {"Title": "Changed"})  # 15:50:30
    clock.advance(seconds=90)  # now 15:52:00
    window = org.get_updated("Contact", START + dt.timedelta(minutes=1), clock.now)
    assert window == {"ids": [late, early], "latestDateCovered": "2024-11-07T15:52:00.000+0000"}
    # Seconds are dropped: this window is [15:30, 15:40) and nothing in it is still unchanged.
    first_ten = org.get_updated("Contact", START, START + dt.timedelta(minutes=10, seconds=59))
    assert first_ten == {"ids": [], "latestDateCovered": "2024-11-07T15:40:00.000+0000"}
    future = org.get_updated("Contact", START, clock.now + dt.timedelta(days=1))
    assert future["latestDateCovered"] == "2024-11-07T15:52:00.000+0000"


def test_get_deleted_lists_deleted_records_with_their_deletion_time(org: Org, clock: Clock) -> None:
    kept = org.create("Contact", {"LastName": "Kept"})
    gone = org.create("Contact", {"LastName": "Gone"})
    clock.advance(minutes=3)
    org.delete("Contact", gone)
    clock.advance(minutes=3)
    result = org.get_deleted("Contact", START, clock.now)
    assert result == {
        "deletedRecords": [{"id": gone, "deletedDate": "2024-11-07T15:33:00.000+0000"}],
        "earliestDateAvailable": "2024-11-07T15:33:00.000+0000",
        "latestDateCovered": "2024-11-07T15:36:00.000+0000",
    }
    assert gone not in org.get_updated("Contact", START, clock.now)["ids"]
    assert kept in org.get_updated("Contact", START, clock.now)["ids"]


def test_a_window_that_ends_before_it_starts_is_refused(org: Org, clock: Clock) -> None:
    with pytest.raises(ApiError) as raised:
        org.get_updated("Contact", clock.now, clock.now - dt.timedelta(hours=1))
    assert raised.value.error_code == "INVALID_REPLICATION_DATE"


@pytest.mark.parametrize("call", ["get_updated", "get_deleted"])
def test_a_window_may_start_no_more_than_30_days_ago(org: Org, clock: Clock, call: str) -> None:
    clock.advance(days=40)
    read = getattr(org, call)

    assert read("Contact", clock.now - dt.timedelta(days=30), clock.now)["latestDateCovered"]
    with pytest.raises(ApiError) as refused:
        read("Contact", clock.now - dt.timedelta(days=31), clock.now)
    assert (refused.value.status, refused.value.error_code) == (400, "INVALID_REPLICATION_DATE")
