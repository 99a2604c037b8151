"""Connection status, derived from what actually happened on the last calls.

"Connected", or "Needs Attention" with a reason an admin can act on. Pure functions over
`CallOutcome` values: the client records an outcome per call and tells a `StatusObserver` when the
derived status changes; the upper layers persist it and roll it up per org.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from forcebridge.salesforce.errors import (
    ApiDisabled,
    AuthenticationLost,
    InsufficientAccess,
    LimitExceeded,
    SalesforceError,
    TransientError,
    UntrustedCertificate,
)
from forcebridge.salesforce.usage import ApiUsage

#: Temporary failures in a row before the connection needs attention.
UNSTABLE_AFTER = 3


class State(enum.StrEnum):
    CONNECTED = "Connected"
    NEEDS_ATTENTION = "Needs Attention"


class Problem(enum.StrEnum):
    """Why a connection needs attention, worst first (the order `org_status` ranks by)."""

    NOT_CONNECTED = "not_connected"
    AUTHENTICATION_LOST = "authentication_lost"
    API_DISABLED = "api_disabled"
    UNTRUSTED_CERTIFICATE = "untrusted_certificate"
    INSUFFICIENT_ACCESS = "insufficient_access"
    LIMIT_REACHED = "limit_reached"
    UNSTABLE = "unstable"


_SEVERITY = {problem: rank for rank, problem in enumerate(Problem)}

_PROBLEM_OF: tuple[tuple[type[SalesforceError], Problem], ...] = (
    (AuthenticationLost, Problem.AUTHENTICATION_LOST),
    (ApiDisabled, Problem.API_DISABLED),
    (UntrustedCertificate, Problem.UNTRUSTED_CERTIFICATE),
    (InsufficientAccess, Problem.INSUFFICIENT_ACCESS),
    (LimitExceeded, Problem.LIMIT_REACHED),
    (TransientError, Problem.UNSTABLE),
)


@dataclass(frozen=True)
class CallOutcome:
    """One call's result as status sees it: no problem, or the problem and Salesforce's words."""

    at: dt.datetime
    problem: Problem | None = None
    detail: str = ""


def outcome_of(error: SalesforceError | None, at: dt.datetime) -> CallOutcome:
    """Errors about the request itself (bad query, missing record) say nothing against the
    connection; only those an admin must act on, and temporary failures, count."""
    for cls, problem in _PROBLEM_OF:
        if isinstance(error, cls):
            return CallOutcome(at=at, problem=problem, detail=error.message)
    return CallOutcome(at=at)


@dataclass(frozen=True)
class ConnectionStatus:
    state: State
    problem: Problem | None = None
    message: str = ""
    since: dt.datetime | None = None

    @property
    def needs_attention(self) -> bool:
        return self.state is State.NEEDS_ATTENTION


CONNECTED = ConnectionStatus(State.CONNECTED, message="Connected to Salesforce.")


def advice(problem: Problem, detail: str = "", usage: ApiUsage | None = None) -> str:
    """What the admin reads, and what to do about it."""
    match problem:
        case Problem.NOT_CONNECTED:
            return "No Salesforce connection yet: connect one to start syncing."
        case Problem.AUTHENTICATION_LOST:
            return (
                "Salesforce no longer accepts this connection's authorization (the token was"
                " revoked or has expired): reconnect to Salesforce."
            )
        case Problem.API_DISABLED:
            return (
                "This Salesforce org has no API access (its edition does not include the API, or"
                " the connected user's profile lacks 'API Enabled'): use an edition with API"
                " access or enable it for the user, then reconnect."
            )
        case Problem.UNTRUSTED_CERTIFICATE:
            why = detail.rstrip(".") or (
                "the server's certificate is not trusted; check the connection's CA file, or"
                " whether a proxy intercepts TLS"
            )
            return (
                f"No call to Salesforce goes through, and retrying will not help: {why}. Once"
                " that is fixed, check the connection (forcebridge connections status --check,"
                " or Check now) to sync again at once."
            )
        case Problem.INSUFFICIENT_ACCESS:
            return (
                "The connected Salesforce user lacks a permission forcebridge needs"
                f"{f' ({detail})' if detail else ''}: grant it in Salesforce, or reconnect as a"
                " user who has it."
            )
        case Problem.LIMIT_REACHED:
            used = f" ({usage})" if usage else ""
            return (
                f"The org's daily API limit is reached{used}: Salesforce takes calls again as"
                " its rolling 24-hour window frees up, and syncing resumes at each stream's"
                " next retry after that (shown as its next run), or at once with Retry now."
                " Raise the limit in Salesforce or sync less often."
            )
        case Problem.UNSTABLE:
            return (
                f"Salesforce failed {UNSTABLE_AFTER} or more requests in a row with temporary"
                f" errors{f' ({detail})' if detail else ''}: forcebridge keeps retrying; check"
                " Salesforce's service status if this goes on."
            )


def connection_status(
    outcomes: Sequence[CallOutcome], usage: ApiUsage | None = None, *, in_a_row: int | None = None
) -> ConnectionStatus:
    """The status after `outcomes` (oldest first) with the allowance last reported.
    `in_a_row`: the connection's requests that failed with temporary errors in a row, those
    before `outcomes` included (other runs', other processes'); by default, the trailing
    streak of `outcomes` alone."""
    problem = outcomes[-1].problem if outcomes else None
    if problem is not None:
        streak = _trailing_streak(outcomes, problem)
        failures = len(streak) if in_a_row is None else in_a_row
        if problem is not Problem.UNSTABLE or failures >= UNSTABLE_AFTER:
            return ConnectionStatus(
                State.NEEDS_ATTENTION,
                problem,
                advice(problem, streak[-1].detail, usage),
                since=streak[0].at,
            )
    if usage is not None and usage.exhausted:
        return ConnectionStatus(
            State.NEEDS_ATTENTION,
            Problem.LIMIT_REACHED,
            advice(Problem.LIMIT_REACHED, usage=usage),
            since=outcomes[-1].at if outcomes else None,
        )
    return CONNECTED


def org_status(connections: Mapping[str, ConnectionStatus]) -> ConnectionStatus:
    """An org's status: its worst connection's, naming that connection."""
    if not connections:
        return ConnectionStatus(
            State.NEEDS_ATTENTION, Problem.NOT_CONNECTED, advice(Problem.NOT_CONNECTED)
        )
    troubled = [(name, s) for name, s in connections.items() if s.problem is not None]
    if not troubled:
        return CONNECTED
    name, worst = min(troubled, key=lambda item: _SEVERITY[item[1].problem or Problem.UNSTABLE])
    others = len(troubled) - 1
    message = f"Connection {name!r}: {worst.message}"
    if others == 1:
        message += " (1 other connection also needs attention.)"
    elif others:
        message += f" ({others} other connections also need attention.)"
    return ConnectionStatus(worst.state, worst.problem, message, worst.since)


def _trailing_streak(outcomes: Sequence[CallOutcome], problem: Problem) -> list[CallOutcome]:
    streak: list[CallOutcome] = []
    for outcome in reversed(outcomes):
        if outcome.problem is not problem:
            break
        streak.append(outcome)
    return streak[::-1]


class StatusObserver(Protocol):
    """Told when a connection's derived status changes, so it can be stored and shown."""

    def status_changed(self, status: ConnectionStatus) -> None: ...


class FailureCount(Protocol):
    """A connection's requests that failed with temporary errors in a row, one count that
    every client of the connection adds to (each run, each process): a Salesforce that stops
    answering fails a run after two timed-out tries, so a count kept per client would never
    reach `UNSTABLE_AFTER`."""

    def add(self, failures: int) -> int:
        """Count `failures` more in a row; the count now, other clients' failures included."""
        ...

    def clear(self) -> None:
        """A request went through, or failed for a reason of its own: the row is broken."""
        ...


class InMemoryFailureCount:
    """The count of one client alone; for tests and scripts."""

    def __init__(self, count: int = 0) -> None:
        self.count = count

    def add(self, failures: int) -> int:
        self.count += failures
        return self.count

    def clear(self) -> None:
        self.count = 0


class InMemoryStatusLog:
    """Keeps each status change in order; for tests and scripts."""

    def __init__(self) -> None:
        self.changes: list[ConnectionStatus] = []

    def status_changed(self, status: ConnectionStatus) -> None:
        self.changes.append(status)
