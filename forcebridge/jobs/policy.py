"""When each stream of a service runs: the scheduling rules both job engines share.

Pure functions over plain data. The engines read rows into these values, ask what to do, and
write the answer back; nothing here knows about a database, a thread or procrastinate.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from forcebridge.salesforce.status import Problem
from forcebridge.store.models import PullObjects


class Stream(enum.StrEnum):
    """The scheduled streams of a service (export is run on demand, never scheduled)."""

    PULL_CONTACT = "pull:Contact"
    PULL_LEAD = "pull:Lead"
    PULL_CUSTOM = "pull:custom"
    ACTIVITIES = "activities"
    RECONCILE = "reconcile"
    """The daily check for what incremental reads cannot see (hard deletes, records that left
    a custom query or routing rule, formula values changed without a new SystemModstamp)."""


RECONCILE_EVERY = timedelta(days=1)


_PULL_STREAMS: dict[PullObjects, tuple[Stream, ...]] = {
    PullObjects.CONTACTS: (Stream.PULL_CONTACT,),
    PullObjects.LEADS: (Stream.PULL_LEAD,),
    PullObjects.BOTH: (Stream.PULL_CONTACT, Stream.PULL_LEAD),
    PullObjects.CUSTOM: (Stream.PULL_CUSTOM,),
}


@dataclass(frozen=True)
class ServiceSettings:
    """What scheduling needs to know of a service."""

    service_id: int
    connected: bool
    """Whether the service has a Salesforce connection; without one nothing can sync."""
    pull_objects: PullObjects
    pull_interval_minutes: int
    activities_interval_minutes: int


@dataclass(frozen=True)
class PlannedStream:
    stream: Stream
    interval: timedelta
    first_run_after: timedelta = timedelta(0)
    """How long a new schedule waits before its first run."""


def planned_streams(settings: ServiceSettings) -> tuple[PlannedStream, ...]:
    """The streams a service's settings ask for; none until it has a connection."""
    if not settings.connected:
        return ()
    pull_every = timedelta(minutes=settings.pull_interval_minutes)
    pulls = (PlannedStream(s, pull_every) for s in _PULL_STREAMS[settings.pull_objects])
    activities = PlannedStream(
        Stream.ACTIVITIES, timedelta(minutes=settings.activities_interval_minutes)
    )
    # The first pull reads everything anyway: the first reconciliation can wait a day.
    reconcile = PlannedStream(Stream.RECONCILE, RECONCILE_EVERY, first_run_after=RECONCILE_EVERY)
    return (*pulls, activities, reconcile)


class FailureKind(enum.StrEnum):
    TRANSIENT = "transient"
    """Likely to pass by itself (a timeout, Salesforce unavailable, a crash): retry soon."""
    LIMIT_REACHED = "limit_reached"
    """The org's daily API allowance is spent: it frees up over hours, not seconds."""
    NEEDS_ATTENTION = "needs_attention"
    """Only a person can fix it (authorization lost, API disabled, an invalid mapping)."""


@dataclass(frozen=True)
class StreamFailure:
    """Why a run could not finish, classed by what waiting can do about it."""

    kind: FailureKind
    problem: str
    """A stable code for the admin pages ("authentication_lost", "mapping_invalid", ...)."""
    message: str


@dataclass(frozen=True)
class BackoffRule:
    """Wait `first` after one failure, doubling with each further one, never more than `cap`."""

    first: timedelta
    cap: timedelta


BACKOFF: dict[FailureKind, BackoffRule] = {
    FailureKind.TRANSIENT: BackoffRule(timedelta(minutes=1), timedelta(hours=1)),
    FailureKind.LIMIT_REACHED: BackoffRule(timedelta(minutes=30), timedelta(hours=4)),
    FailureKind.NEEDS_ATTENTION: BackoffRule(timedelta(hours=1), timedelta(hours=24)),
}


def backoff_delay(kind: FailureKind, consecutive_failures: int) -> timedelta:
    """How long to wait after the `consecutive_failures`-th failure in a row (1 or more)."""
    rule = BACKOFF[kind]
    doublings = max(consecutive_failures - 1, 0)
    # Beyond this many doublings the cap is reached anyway; stop before the integer grows.
    limit = (rule.cap // rule.first).bit_length()
    return min(rule.first * 2 ** min(doublings, limit), rule.cap)


@dataclass(frozen=True)
class ScheduleState:
    """One `sync_schedules` row as plain data."""

    next_run_at: datetime
    interval: timedelta
    enabled: bool = True
    consecutive_failures: int = 0
    backoff_until: datetime | None = None
    last_error: str | None = None
    needs_attention: str | None = None


def is_due(state: ScheduleState, now: datetime) -> bool:
    """Whether a dispatcher should start the stream now."""
    return (
        state.enabled
        and state.next_run_at <= now
        and (state.backoff_until is None or state.backoff_until <= now)
    )


CLAIM_HOLD = timedelta(minutes=10)
"""How long a claimed row stays out of dispatch when its run never reports back (a worker that
died before taking the lease); a run in progress keeps it out through its lease instead."""


def claimed(now: datetime) -> datetime:
    """The `next_run_at` a claim writes: the row comes due again if its run is lost."""
    return now + CLAIM_HOLD


def claimed_at(token: datetime) -> datetime:
    """When a claim was made, from the `next_run_at` it wrote (`claimed`)."""
    return token - CLAIM_HOLD


LOGIN_PROBLEMS = frozenset(
    problem.value
    for problem in (
        Problem.NOT_CONNECTED,
        Problem.AUTHENTICATION_LOST,
        Problem.API_DISABLED,
        Problem.UNTRUSTED_CERTIFICATE,
        Problem.INSUFFICIENT_ACCESS,
    )
)
"""The flags about the connection's login, and its trust of the server's certificate (a
setting of the connection, fixed by reconnecting with the right CA file or outside
forcebridge). A new login, or a check that goes through, answers them (the org or its user may
well be another's now, so the stream is tried again rather than left flagged); a success lifts
them only once the connection's calls work again (`after_success`)."""


def after_success(
    state: ScheduleState,
    started_at: datetime,
    finished_at: datetime,
    connection_problem: str | None = None,
) -> ScheduleState:
    """One interval after the run started (so runs do not drift by their own duration), but
    never in the past: a run longer than its interval is followed at once by the next. A
    dispatched run counts as started when its dispatcher claimed it: a worker picks it up a
    moment later, and counting from then would miss the dispatcher's tick one interval on
    and wait for the next, every time.

    The success lifts the stream's flag, reason and failures, unless the flag is for the
    connection's login and the connection still stands flagged for its login
    (`connection_problem`, as its latest calls found it): any call that works clears that, so
    the run asked Salesforce nothing (a push with nothing new to write) and proved nothing.
    Then only the next run moves; the failures and their backoff stay, as the next run that
    calls Salesforce will most likely fail the same way and should wait longer, not start
    the count over."""
    next_run_at = max(started_at + state.interval, finished_at)
    if state.needs_attention in LOGIN_PROBLEMS and connection_problem in LOGIN_PROBLEMS:
        return replace(state, next_run_at=next_run_at)
    return replace(
        state,
        next_run_at=next_run_at,
        consecutive_failures=0,
        backoff_until=None,
        last_error=None,
        needs_attention=None,
    )


def after_failure(state: ScheduleState, failure: StreamFailure, now: datetime) -> ScheduleState:
    """Back off exponentially; a failure only a person can fix waits longer and is flagged."""
    failures = state.consecutive_failures + 1
    retry_at = now + backoff_delay(failure.kind, failures)
    flagged = failure.kind is FailureKind.NEEDS_ATTENTION
    return replace(
        state,
        next_run_at=retry_at,
        consecutive_failures=failures,
        backoff_until=retry_at,
        last_error=failure.message,
        needs_attention=failure.problem if flagged else None,
    )


def rescheduled(state: ScheduleState, interval: timedelta, now: datetime) -> ScheduleState:
    """The row after an admin changed the stream's interval or turned it back on.

    A new interval counts from the previous run, as if it had always applied; a stream turned
    back on runs at once. A stream backing off keeps waiting.
    """
    if not state.enabled:
        return replace(state, enabled=True, interval=interval, next_run_at=now)
    if state.backoff_until is not None:
        return replace(state, interval=interval)
    return replace(
        state, interval=interval, next_run_at=state.next_run_at - state.interval + interval
    )


def asked_again(
    state: ScheduleState, ended: ScheduleState, started_at: datetime, finished_at: datetime
) -> ScheduleState:
    """`ended` (the row after a scheduled run, `after_success` or `after_failure`), unless
    someone asked for the stream to run while the run went on (run-now, Retry now moved
    `next_run_at` to a moment within it, `state`): what the run read may predate what
    prompted the request, so the request stands, as `retry_now` would have it. The run's own
    claim mark (`claimed`) is no request."""
    mark = state.next_run_at
    if not started_at < mark <= finished_at or mark == claimed(started_at):
        return ended
    return retry_now(ended, mark)


def retry_now(state: ScheduleState, now: datetime) -> ScheduleState:
    """After a person fixed the problem: run at the next tick, keeping the failure count for the
    record until a run succeeds."""
    return replace(state, next_run_at=now, backoff_until=None)


def after_disconnect(state: ScheduleState, reason: str) -> ScheduleState:
    """A stream whose connection an admin disconnected: flagged at once, as its next run
    would flag it, so no page shows it OK in between; a new login lifts the flag."""
    return replace(state, needs_attention=Problem.NOT_CONNECTED.value, last_error=reason)


def after_new_login(state: ScheduleState, now: datetime) -> ScheduleState:
    """A stream flagged for its connection's login, once the connection logged in again: its
    flag, its reason and the failures behind it no longer hold (a page would show it
    retrying, or OK, with the old reason), and it runs at the next tick (a failure brings the
    flag back)."""
    if state.needs_attention not in LOGIN_PROBLEMS:
        return state
    return replace(
        retry_now(state, now), needs_attention=None, last_error=None, consecutive_failures=0
    )
