"""A stream's status as an admin reads it, from its schedule row: pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forcebridge.jobs.policy import (
    FailureKind,
    ScheduleState,
    StreamFailure,
    after_failure,
    after_success,
    claimed,
)
from forcebridge.jobs.stream_status import StreamHealth, stream_status

T0 = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
FRESH = ScheduleState(next_run_at=T0, interval=timedelta(minutes=5))
MAPPING = StreamFailure(
    FailureKind.NEEDS_ATTENTION, "mapping_invalid", "row 2: Contact has no field 'Region__c'"
)
TIMEOUT = StreamFailure(FailureKind.TRANSIENT, "timeout", "Salesforce did not answer")


def test_a_stream_that_runs_is_ok_and_says_when_it_runs_next() -> None:
    status = stream_status("pull:Contact", after_success(FRESH, T0, T0))
    assert (status.health, status.next_run_at, status.every_minutes) == (
        StreamHealth.OK,
        T0 + timedelta(minutes=5),
        5,
    )
    assert status.reason is None


def test_a_transient_failure_is_retried_after_its_backoff() -> None:
    status = stream_status("pull:Contact", after_failure(FRESH, TIMEOUT, T0))
    assert (status.health, status.failures, status.problem) == (StreamHealth.RETRYING, 1, None)
    assert status.reason == "Salesforce did not answer"
    assert status.next_run_at is not None and status.next_run_at > T0


def test_a_failure_only_a_person_can_fix_needs_attention_with_its_reason() -> None:
    status = stream_status("pull:Contact", after_failure(FRESH, MAPPING, T0))
    assert (status.health, status.problem) == (StreamHealth.NEEDS_ATTENTION, "mapping_invalid")
    assert status.as_json()["status"] == "Needs Attention"
    assert status.as_json()["reason"] == "row 2: Contact has no field 'Region__c'"


def test_a_stream_the_settings_no_longer_ask_for_is_off() -> None:
    off = ScheduleState(next_run_at=T0, interval=timedelta(days=1), enabled=False)
    status = stream_status("pull:custom", off)
    assert (status.health, status.next_run_at) == (StreamHealth.OFF, None)
    # The interval its row kept is the one it ran at, no longer the settings': none shown.
    assert status.every_minutes is None
    assert status.as_json()["every_minutes"] is None


def test_a_stream_whose_run_is_in_progress_says_it_runs_again_an_interval_on_at_most() -> None:
    running = ScheduleState(next_run_at=claimed(T0), interval=timedelta(minutes=1))

    status = stream_status("activities", running, T0)

    assert status.next_run_at == T0 + timedelta(minutes=1)  # not the claim's ten-minute hold


def test_a_stream_already_due_runs_next_now_not_at_a_moment_past() -> None:
    overdue = ScheduleState(next_run_at=T0 - timedelta(hours=1), interval=timedelta(minutes=5))

    status = stream_status("activities", overdue, T0)

    assert status.next_run_at == T0
