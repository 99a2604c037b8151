"""Where each of a service's scheduled streams stands, as an admin reads it.

A stream is OK, Retrying (it failed, and the scheduler tries again after its backoff), Needs
Attention (only a person can fix what stops it: the reason says what, e.g. a mapped field
deleted in Salesforce), or Off (the service's settings no longer ask for it). Read from the
schedule rows both job engines keep (`forcebridge.jobs.schedules`); the CLI's `service status`
and the service page show the same.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from forcebridge.jobs.policy import ScheduleState
from forcebridge.jobs.schedules import (
    reconcile_schedules,
    retry_streams_now,
    service_schedules,
)
from forcebridge.store.types import utcnow


class StreamHealth(enum.StrEnum):
    OK = "OK"
    RETRYING = "Retrying"
    NEEDS_ATTENTION = "Needs Attention"
    OFF = "Off"


@dataclass(frozen=True)
class StreamStatus:
    stream: str
    health: StreamHealth
    every_minutes: int | None
    """How often it runs; None while it is off: the interval its row still holds is the one
    it ran at before the settings stopped asking for it, no longer the service's."""
    next_run_at: datetime | None
    """When it runs next, its backoff included; None while it is off."""
    failures: int
    """Failed runs in a row."""
    problem: str | None = None
    """A stable code while it needs attention ("mapping_invalid", "authentication_lost", ...)."""
    reason: str | None = None
    """Why the latest run failed."""

    def as_json(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "status": self.health.value,
            "problem": self.problem,
            "reason": self.reason,
            "every_minutes": self.every_minutes,
            "next_run_at": self.next_run_at.isoformat() if self.next_run_at else None,
            "failures": self.failures,
        }


def stream_status(stream: str, state: ScheduleState, now: datetime | None = None) -> StreamStatus:
    """As of `now`: a row a dispatcher claimed holds its `next_run_at` back (`CLAIM_HOLD`) while
    its run is in progress; the run that follows it comes an interval later at most. A stream
    already due (waiting for the next tick, or for a shared read to cover it) runs next `now`,
    not at a moment past that would read as stale."""
    if not state.enabled:
        return StreamStatus(stream, StreamHealth.OFF, None, None, state.consecutive_failures)
    if state.needs_attention is not None:
        health = StreamHealth.NEEDS_ATTENTION
    elif state.consecutive_failures:
        health = StreamHealth.RETRYING
    else:
        health = StreamHealth.OK
    next_run = state.next_run_at
    if now is not None:
        next_run = max(min(next_run, now + state.interval), now)
    next_run = max(next_run, state.backoff_until or next_run)
    return StreamStatus(
        stream,
        health,
        state.interval // timedelta(minutes=1),
        next_run,
        state.consecutive_failures,
        state.needs_attention,
        state.last_error,
    )


def service_stream_statuses(
    connection: Connection, service_id: int, now: datetime | None = None
) -> list[StreamStatus]:
    """The service's scheduled streams, by name, as of `now` (this moment by default)."""
    at = now or utcnow()
    return [
        stream_status(stream, state, at)
        for stream, state in service_schedules(connection, service_id).items()
    ]


def run_streams_now(
    connection: Connection, service_id: int, wanted: Collection[str], now: datetime
) -> list[str]:
    """Have the scheduler run those of `wanted` the service runs (scheduled and on) at its next
    tick, backoff or not, as an admin's Run now asks; the streams it will run. The sync runs
    there, never in the request that asked."""
    reconcile_schedules(connection, now, [service_id])
    scheduled = [
        status.stream
        for status in service_stream_statuses(connection, service_id, now)
        if status.stream in wanted and status.health is not StreamHealth.OFF
    ]
    if scheduled:
        retry_streams_now(connection, service_id, now, scheduled)
    return scheduled
