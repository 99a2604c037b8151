"""The org's daily API allowance, and the faults the sandbox injects on purpose.

Integrations must survive what a busy org does to them: run out of API calls, answer 503, fail
to lock a row, answer slowly. Each is a setting, so a test or a benchmark can ask for it.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from forcebridge.sandbox.errors import ApiError

#: The `/limits` entries other than the API allowance, with a new Enterprise org's figures.
STATIC_LIMITS: dict[str, int] = {
    "ConcurrentAsyncGetReportInstances": 200,
    "ConcurrentSyncReportRuns": 20,
    "DailyAsyncApexExecutions": 250_000,
    "DailyBulkApiBatches": 15_000,
    "DailyBulkV2QueryFileStorageMB": 976_562,
    "DailyBulkV2QueryJobs": 10_000,
    "DailyDurableStreamingApiEvents": 10_000,
    "DailyStreamingApiEvents": 10_000,
    "DailyWorkflowEmails": 1_890,
    "DataStorageMB": 1_024,
    "FileStorageMB": 10_240,
    "HourlyDashboardRefreshes": 200,
    "HourlyODataCallout": 10_000,
    "HourlyTimeBasedWorkflow": 1_000,
    "MassEmail": 5_000,
    "SingleEmail": 5_000,
}


def row_lock_error(record_id: str | None = None) -> ApiError:
    """What Salesforce answers when another transaction holds the row."""
    message = "unable to obtain exclusive access to this record"
    if record_id:
        message += f" or 1 records: {record_id}"
    return ApiError(400, "UNABLE_TO_LOCK_ROW", message)


class ApiKind(enum.StrEnum):
    """The endpoint families API usage is reported by. OAuth calls are not API calls."""

    QUERY = "query"
    QUERY_MORE = "queryMore"
    SOBJECT = "sobject"
    COMPOSITE = "composite"
    DESCRIBE = "describe"
    LIMITS = "limits"
    BULK = "bulk"


@dataclass(frozen=True)
class UsageSnapshot:
    used: int
    limit: int
    by_kind: dict[str, int]

    @property
    def header(self) -> str:
        """The `Sforce-Limit-Info` value clients parse."""
        return f"api-usage={self.used}/{self.limit}"

    def to_json(self) -> dict[str, Any]:
        return {"used": self.used, "limit": self.limit, "byKind": self.by_kind}


def limits_payload(usage: UsageSnapshot) -> dict[str, dict[str, int]]:
    """The body of `GET /limits`: every entry as `{"Max", "Remaining"}`."""
    remaining = max(usage.limit - usage.used, 0)
    payload = {"DailyApiRequests": {"Max": usage.limit, "Remaining": remaining}}
    payload.update({name: {"Max": top, "Remaining": top} for name, top in STATIC_LIMITS.items()})
    return dict(sorted(payload.items()))


WINDOW = dt.timedelta(hours=24)
"""Salesforce counts the calls of the last 24 hours, not those since midnight."""
_BUCKET = dt.timedelta(minutes=1)


class ApiUsage:
    """Counts API calls against an allowance over a rolling 24 hours, as Salesforce does: a
    call is refused until the calls of the 24 hours before it fall below the limit. Calls are
    kept by the minute, so each one leaves the count 24 hours after the minute it was made."""

    def __init__(
        self, limit: int, clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    ) -> None:
        self._limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._minutes: deque[tuple[dt.datetime, Counter[str]]] = deque()
        self._counts: Counter[str] = Counter()
        """The sum of the minutes still in the window, by kind."""

    def admit(self, kind: ApiKind) -> bool:
        """Count one call of `kind`; False (and nothing counted) once the allowance is spent."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            if self._counts.total() >= self._limit:
                return False
            minute = now.replace(second=0, microsecond=0)
            if not self._minutes or self._minutes[-1][0] != minute:
                self._minutes.append((minute, Counter()))
            self._minutes[-1][1][kind.value] += 1
            self._counts[kind.value] += 1
            return True

    def snapshot(self) -> UsageSnapshot:
        with self._lock:
            self._expire(self._clock())
            return UsageSnapshot(
                used=self._counts.total(), limit=self._limit, by_kind=dict(self._counts)
            )

    def reset(self) -> None:
        with self._lock:
            self._minutes.clear()
            self._counts.clear()

    def _expire(self, now: dt.datetime) -> None:
        while self._minutes and self._minutes[0][0] + _BUCKET + WINDOW <= now:
            _, counts = self._minutes.popleft()
            self._counts -= counts


@dataclass(frozen=True)
class FaultSettings:
    fail_rate: float = 0.0
    lock_rate: float = 0.0
    latency_ms: int = 0


class Faults:
    """Rolls the dice for injected faults; a seeded `rng` makes a run repeatable."""

    def __init__(self, settings: FaultSettings, rng: random.Random | None = None) -> None:
        self.settings = settings
        self._rng = rng or random.Random()
        self._lock = threading.Lock()

    @property
    def latency_seconds(self) -> float:
        return self.settings.latency_ms / 1000

    def server_unavailable(self) -> bool:
        """Should this API call be answered 503 SERVER_UNAVAILABLE?"""
        return self._roll(self.settings.fail_rate)

    def row_locked(self) -> bool:
        """Should this record write fail with UNABLE_TO_LOCK_ROW?"""
        return self._roll(self.settings.lock_rate)

    def _roll(self, rate: float) -> bool:
        if rate <= 0.0:
            return False
        with self._lock:
            return self._rng.random() < rate
