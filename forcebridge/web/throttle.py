"""Slowing down password guessing: a few failed logins, then a pause.

Failures are counted per key (the client address and the e-mail tried, so one attacker cannot
lock every admin out, and one admin's typos do not block a whole office) within a sliding window.
The counts live in memory: a restart forgets them, which costs an attacker a restart per few
guesses, and several web processes each allow their own few. That is the "simple" the admin
pages need; a shared store can replace `LoginThrottle` behind the same two methods.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = MAX_FAILURES
    window_seconds: float = WINDOW_SECONDS


class LoginThrottle:
    """Remembers recent failures per key; thread-safe, as uvicorn may serve from a thread pool."""

    def __init__(
        self, policy: ThrottlePolicy | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._policy = policy or ThrottlePolicy()
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it may try now."""
        with self._lock:
            recent = self._recent(key)
            if len(recent) < self._policy.max_failures:
                return 0
            oldest_counted = recent[-self._policy.max_failures]
            return max(1, math.ceil(oldest_counted + self._policy.window_seconds - self._clock()))

    def failed(self, key: str) -> None:
        with self._lock:
            recent = self._recent(key)
            recent.append(self._clock())
            self._failures[key] = recent

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        """The key's failures still inside the window, oldest first; keys with none are dropped,
        so the table holds only addresses that failed recently."""
        failures = self._failures.pop(key, deque())
        horizon = self._clock() - self._policy.window_seconds
        while failures and failures[0] <= horizon:
            failures.popleft()
        if failures:
            self._failures[key] = failures
        return failures
