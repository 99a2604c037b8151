"""Slowing down password guessing: a few failed logins, then a pause.

Failures are counted per key (the client address and the e-mail tried, so one attacker cannot
lock every admin out, and one admin's typos do not block a whole office) within a sliding window.
The admin pages keep them in the store (`StoredFailures`): every web process, and a restarted
one, pauses a guesser alike. `MemoryFailures` keeps them in one process, for tests and tools.

A key holds what was typed at the login: an org, an e-mail, or a password typed into the wrong
field. The store keeps only its HMAC, under a key derived from the product's secret key: equal
keys still meet, and whoever reads the table learns nothing typed, nor can test guesses at it
(as they could against a plain SHA-256) without the secret key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Engine

from forcebridge.store.crypto import derived_key
from forcebridge.store.repositories.login_failures import (
    failures_since,
    forget_failures,
    record_failure,
)

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int = MAX_FAILURES
    window_seconds: float = WINDOW_SECONDS


class FailureLog(Protocol):
    """Where failures are kept; moments are seconds since the epoch."""

    def since(self, key: str, moment: float) -> list[float]:
        """The key's failures after `moment`, oldest first."""
        ...

    def add(self, key: str, moment: float, forget_before: float) -> None:
        """Note a failure; failures up to `forget_before` count no more and may be dropped."""
        ...

    def clear(self, key: str) -> None: ...


class MemoryFailures:
    """Failures in this process's memory; thread-safe, as uvicorn may serve from a thread pool."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def since(self, key: str, moment: float) -> list[float]:
        with self._lock:
            return [at for at in self._failures.get(key, ()) if at > moment]

    def add(self, key: str, moment: float, forget_before: float) -> None:
        with self._lock:
            for other in list(self._failures):
                kept = deque(at for at in self._failures[other] if at > forget_before)
                if kept:
                    self._failures[other] = kept
                else:
                    del self._failures[other]
            self._failures.setdefault(key, deque()).append(moment)

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class StoredFailures:
    """Failures in the product's store (`login_failures`), shared by every web process that has
    the same `secret_key`; each key stored as its HMAC."""

    def __init__(self, engine: Engine, secret_key: str) -> None:
        self._engine = engine
        self._hmac_key = derived_key(secret_key, _PURPOSE)

    def since(self, key: str, moment: float) -> list[float]:
        stored = self._stored(key)
        return [at.timestamp() for at in failures_since(self._engine, stored, _utc(moment))]

    def add(self, key: str, moment: float, forget_before: float) -> None:
        record_failure(self._engine, self._stored(key), _utc(moment), _utc(forget_before))

    def clear(self, key: str) -> None:
        forget_failures(self._engine, self._stored(key))

    def _stored(self, key: str) -> str:
        return hmac.new(self._hmac_key, key.encode(), hashlib.sha256).hexdigest()


_PURPOSE = b"forcebridge/web/login-throttle"


def _utc(moment: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(moment, dt.UTC)


class LoginThrottle:
    """How long a key must wait, from the failures `failures` keeps (in memory by default)."""

    def __init__(
        self,
        policy: ThrottlePolicy | None = None,
        clock: Callable[[], float] = time.time,
        failures: FailureLog | None = None,
    ) -> None:
        self._policy = policy or ThrottlePolicy()
        self._clock = clock
        self._failures = failures if failures is not None else MemoryFailures()

    def retry_after(self, key: str) -> int:
        """Seconds until `key` may try again; 0 when it may try now."""
        now = self._clock()
        recent = self._failures.since(key, now - self._policy.window_seconds)
        if len(recent) < self._policy.max_failures:
            return 0
        oldest_counted = recent[-self._policy.max_failures]
        return max(1, math.ceil(oldest_counted + self._policy.window_seconds - now))

    def failed(self, key: str) -> None:
        now = self._clock()
        self._failures.add(key, now, now - self._policy.window_seconds)

    def succeeded(self, key: str) -> None:
        self._failures.clear(key)
