"""What this process has spent of a connection's API budget, and what Salesforce says is left.

Runs report "API calls spent", status reports "daily limit reached (used/max)", and benchmarks
compare call counts: all read the same meter. Counts are kept per endpoint kind, named as the
sandbox reports its own usage, so the two can be compared directly.
"""

from __future__ import annotations

import enum
import re
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

_API_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


class EndpointKind(enum.StrEnum):
    """Endpoint families calls are counted by. OAuth calls do not use the daily allowance."""

    QUERY = "query"
    QUERY_MORE = "queryMore"
    SOBJECT = "sobject"
    COMPOSITE = "composite"
    DESCRIBE = "describe"
    LIMITS = "limits"
    BULK = "bulk"
    OAUTH = "oauth"


@dataclass(frozen=True)
class ApiUsage:
    """The org's rolling 24-hour API allowance as of the last response."""

    used: int
    max: int

    @property
    def remaining(self) -> int:
        return max(self.max - self.used, 0)

    @property
    def exhausted(self) -> bool:
        return self.used >= self.max

    def __str__(self) -> str:
        return f"{self.used:,} of {self.max:,} daily API calls used"


def parse_limit_info(header: str | None) -> ApiUsage | None:
    """Read `Sforce-Limit-Info: api-usage=USED/MAX[, per-app-api-usage=...]`."""
    match = _API_USAGE.search(header or "")
    if match is None:
        return None
    return ApiUsage(used=int(match.group(1)), max=int(match.group(2)))


@dataclass(frozen=True)
class UsageSnapshot:
    """Calls made by kind, and the allowance last reported; `minus` gives a run's own spend."""

    calls: Mapping[EndpointKind, int] = field(default_factory=lambda: MappingProxyType({}))
    api_usage: ApiUsage | None = None

    @property
    def api_calls(self) -> int:
        """Calls that count against the daily allowance (everything but OAuth)."""
        return sum(n for kind, n in self.calls.items() if kind is not EndpointKind.OAUTH)

    def minus(self, earlier: UsageSnapshot) -> UsageSnapshot:
        spent = Counter(self.calls)
        spent.subtract(earlier.calls)
        return UsageSnapshot(
            calls=MappingProxyType({k: n for k, n in spent.items() if n}), api_usage=self.api_usage
        )


class UsageMeter:
    """Thread-safe counter shared by a connection's clients (REST and OAuth alike)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[EndpointKind] = Counter()
        self._api_usage: ApiUsage | None = None

    def count(self, kind: EndpointKind) -> None:
        with self._lock:
            self._calls[kind] += 1

    def observe_limit_info(self, header: str | None) -> None:
        usage = parse_limit_info(header)
        if usage is not None:
            with self._lock:
                self._api_usage = usage

    @property
    def api_usage(self) -> ApiUsage | None:
        with self._lock:
            return self._api_usage

    def snapshot(self) -> UsageSnapshot:
        with self._lock:
            return UsageSnapshot(
                calls=MappingProxyType(dict(self._calls)), api_usage=self._api_usage
            )
