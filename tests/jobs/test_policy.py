from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.jobs.policy import (
    BACKOFF,
    FailureKind,
    ScheduleState,
    ServiceSettings,
    Stream,
    StreamFailure,
    after_failure,
    after_new_login,
    after_success,
    asked_again,
    backoff_delay,
    claimed,
    is_due,
    planned_streams,
    rescheduled,
    retry_now,
)
from forcebridge.store.models import PullObjects

T0 = datetime(2024, 11, 7, 9, 0, tzinfo=UTC)
FIVE_MINUTES = timedelta(minutes=5)
TIMEOUT = StreamFailure(FailureKind.TRANSIENT, "unstable", "Salesforce timed out")
AUTH_LOST = StreamFailure(FailureKind.NEEDS_ATTENTION, "authentication_lost", "reconnect")


def _settings(pull: PullObjects, *, connected: bool = True) -> ServiceSettings:
    return ServiceSettings(
        service_id=1,
        connected=connected,
        pull_objects=pull,
        pull_interval_minutes=5,
        activities_interval_minutes=60,
    )


@pytest.mark.parametrize(
    ("pull", "streams"),
    [
        (
            PullObjects.BOTH,
            [Stream.PULL_CONTACT, Stream.PULL_LEAD, Stream.ACTIVITIES, Stream.RECONCILE],
        ),
        (PullObjects.CONTACTS, [Stream.PULL_CONTACT, Stream.ACTIVITIES, Stream.RECONCILE]),
        (PullObjects.LEADS, [Stream.PULL_LEAD, Stream.ACTIVITIES, Stream.RECONCILE]),
        (PullObjects.CUSTOM, [Stream.PULL_CUSTOM, Stream.ACTIVITIES, Stream.RECONCILE]),
    ],
)
def test_a_service_streams_what_it_pulls_and_its_activities(
    pull: PullObjects, streams: list[Stream]
) -> None:
    planned = planned_streams(_settings(pull))

    assert [p.stream for p in planned] == streams
    assert {p.stream: p.interval for p in planned}[Stream.ACTIVITIES] == timedelta(hours=1)
    assert {p.stream: p.interval for p in planned}[Stream.RECONCILE] == timedelta(days=1)
    pulls = [p for p in planned if p.stream not in (Stream.ACTIVITIES, Stream.RECONCILE)]
    assert all(p.interval == FIVE_MINUTES for p in pulls)


def test_a_service_without_a_connection_streams_nothing() -> None:
    assert planned_streams(_settings(PullObjects.BOTH, connected=False)) == ()


def test_a_success_runs_again_one_interval_after_the_run_started() -> None:
    state = ScheduleState(next_run_at=T0, interval=FIVE_MINUTES)

    after = after_success(state, T0, T0 + timedelta(seconds=40))

    assert after.next_run_at == T0 + FIVE_MINUTES


def test_a_run_longer_than_its_interval_is_followed_at_once() -> None:
    state = ScheduleState(next_run_at=T0, interval=FIVE_MINUTES)

    after = after_success(state, T0, T0 + timedelta(minutes=7))

    assert after.next_run_at == T0 + timedelta(minutes=7)


def test_failures_back_off_exponentially_and_a_success_resets_them() -> None:
    state = ScheduleState(next_run_at=T0, interval=FIVE_MINUTES)
    waits = []
    for _ in range(4):
        state = after_failure(state, TIMEOUT, T0)
        waits.append(state.next_run_at - T0)

    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert state.backoff_until == state.next_run_at
    assert (state.consecutive_failures, state.last_error) == (4, "Salesforce timed out")
    assert state.needs_attention is None

    recovered = after_success(state, T0, T0 + timedelta(seconds=5))
    assert (recovered.consecutive_failures, recovered.backoff_until, recovered.last_error) == (
        0,
        None,
        None,
    )
    assert after_failure(recovered, TIMEOUT, T0).next_run_at == T0 + timedelta(minutes=1)


def test_a_failure_only_a_person_can_fix_waits_longer_and_is_flagged_until_a_success() -> None:
    state = ScheduleState(next_run_at=T0, interval=FIVE_MINUTES)

    failed = after_failure(state, AUTH_LOST, T0)

    assert failed.needs_attention == "authentication_lost"
    assert failed.next_run_at - T0 > after_failure(state, TIMEOUT, T0).next_run_at - T0
    assert after_success(failed, T0, T0).needs_attention is None


def test_a_success_leaves_a_login_flag_while_the_connection_still_stands_flagged_for_it() -> None:
    """Any call that works clears the connection's flag: a success that finds it still there
    asked Salesforce nothing (a push with nothing new) and proved nothing of the login."""
    failed = after_failure(ScheduleState(next_run_at=T0, interval=FIVE_MINUTES), AUTH_LOST, T0)
    finished = T0 + timedelta(hours=2)

    kept = after_success(failed, finished, finished, "authentication_lost")

    assert kept == replace(failed, next_run_at=finished + FIVE_MINUTES)
    assert after_failure(kept, AUTH_LOST, finished).consecutive_failures == 2
    assert after_success(failed, finished, finished, None).needs_attention is None
    assert after_success(failed, finished, finished, "limit_reached").needs_attention is None


def test_a_success_lifts_a_flag_that_is_not_the_login_s_whatever_the_connection() -> None:
    mapping = StreamFailure(FailureKind.NEEDS_ATTENTION, "mapping_invalid", "fix the mapping")
    failed = after_failure(ScheduleState(next_run_at=T0, interval=FIVE_MINUTES), mapping, T0)

    assert after_success(failed, T0, T0, "authentication_lost").needs_attention is None


@given(
    kind=st.sampled_from(FailureKind),
    failures=st.integers(min_value=1, max_value=10_000),
)
def test_backoff_stays_between_its_first_wait_and_its_cap(kind: FailureKind, failures: int) -> None:
    delay = backoff_delay(kind, failures)

    assert BACKOFF[kind].first <= delay <= BACKOFF[kind].cap
    assert delay <= backoff_delay(kind, failures + 1)


@given(kind=st.sampled_from(FailureKind))
def test_backoff_reaches_its_cap(kind: FailureKind) -> None:
    assert backoff_delay(kind, 64) == BACKOFF[kind].cap


@given(
    next_run=st.integers(-600, 600),
    backoff=st.none() | st.integers(-600, 600),
    enabled=st.booleans(),
)
def test_a_stream_is_due_once_its_time_and_any_backoff_have_passed(
    next_run: int, backoff: int | None, enabled: bool
) -> None:
    state = ScheduleState(
        next_run_at=T0 + timedelta(seconds=next_run),
        interval=FIVE_MINUTES,
        enabled=enabled,
        backoff_until=None if backoff is None else T0 + timedelta(seconds=backoff),
    )

    expected = enabled and next_run <= 0 and (backoff is None or backoff <= 0)
    assert is_due(state, T0) is expected


def test_a_new_interval_counts_from_the_previous_run() -> None:
    state = ScheduleState(next_run_at=T0 + timedelta(minutes=60), interval=timedelta(minutes=60))

    shorter = rescheduled(state, FIVE_MINUTES, T0)

    assert shorter.next_run_at == T0 + FIVE_MINUTES
    assert shorter.interval == FIVE_MINUTES


def test_a_stream_turned_back_on_runs_at_once_and_one_backing_off_keeps_waiting() -> None:
    off = ScheduleState(next_run_at=T0 - timedelta(days=3), interval=FIVE_MINUTES, enabled=False)
    backing_off = after_failure(ScheduleState(T0, FIVE_MINUTES), AUTH_LOST, T0)

    assert rescheduled(off, FIVE_MINUTES, T0 + timedelta(days=1)).next_run_at == T0 + timedelta(
        days=1
    )
    assert rescheduled(backing_off, timedelta(minutes=1), T0).next_run_at == (
        backing_off.next_run_at
    )


def test_only_a_request_made_during_a_scheduled_run_outlives_its_end() -> None:
    started = T0
    finished = T0 + timedelta(minutes=2)
    ended = after_success(ScheduleState(next_run_at=T0, interval=FIVE_MINUTES), started, finished)

    def kept(mark: datetime) -> datetime:
        state = ScheduleState(next_run_at=mark, interval=FIVE_MINUTES)
        return asked_again(state, ended, started, finished).next_run_at

    assert kept(T0 + timedelta(minutes=1)) == T0 + timedelta(minutes=1)  # asked meanwhile
    assert kept(claimed(started)) == ended.next_run_at  # the run's own claim
    assert kept(T0 - timedelta(minutes=1)) == ended.next_run_at  # due before it began


def test_retrying_now_lifts_the_backoff_but_keeps_the_problem_shown() -> None:
    failed = after_failure(ScheduleState(T0, FIVE_MINUTES), AUTH_LOST, T0)

    retried = retry_now(failed, T0 + timedelta(minutes=2))

    assert is_due(retried, T0 + timedelta(minutes=2))
    assert retried.needs_attention == "authentication_lost"


@pytest.mark.parametrize(
    ("flag", "lifted"),
    [("authentication_lost", True), ("not_connected", True), ("mapping_invalid", False)],
)
def test_a_new_login_lifts_only_the_flags_a_login_answers(flag: str, lifted: bool) -> None:
    failure = StreamFailure(FailureKind.NEEDS_ATTENTION, flag, "a person must act")
    flagged = after_failure(ScheduleState(T0, timedelta(minutes=5)), failure, T0)
    later = T0 + timedelta(minutes=3)

    moved = after_new_login(flagged, later)

    if lifted:
        assert (moved.needs_attention, moved.next_run_at) == (None, later)
        assert (moved.last_error, moved.consecutive_failures) == (None, 0)
    else:
        assert moved == flagged
