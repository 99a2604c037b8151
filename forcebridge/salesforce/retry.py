"""The retry policy: which failures are worth another try, and how long to wait before it.

Pure functions over `Failure` values, so the policy is tested without a network and the client
only asks "retry?" and "how long?". Waits use full jitter (a uniform draw between zero and the
capped exponential step) so many workers hitting the same busy org do not retry in lockstep.
`Retrier` is the one loop that applies the policy; its sleep and random draw are injectable so
tests neither wait nor depend on chance. A read its reader stops (`stopping`) is not retried: its
backoff waits on the stop, and ends with `ReadStopped` as soon as it is set.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from forcebridge.salesforce.errors import Failure, RecordError, error_for
from forcebridge.salesforce.redaction import get_logger
from forcebridge.salesforce.stopping import ReadStopped

T = TypeVar("T")
log = get_logger(__name__)

TRANSIENT_STATUSES = frozenset({502, 503, 504})
TRANSIENT_CODES = frozenset({"SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW"})
ROLLED_BACK = "ALL_OR_NONE_OPERATION_ROLLED_BACK"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: `max_attempts` counts the first try; waits grow from `base_delay`.

    Of those, at most `timeout_attempts` may go unanswered within the timeout: each waited the
    whole timeout, a second in a row says Salesforce is slow rather than that an answer was
    lost, and each may still be running there (a query is cancelled by Salesforce at its
    limit, a write is not)."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    timeout_attempts: int = 2

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.timeout_attempts < 1:
            raise ValueError("max_attempts and timeout_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError("delays must satisfy 0 <= base_delay <= max_delay")

    def most_attempts(self, failure: Failure) -> int:
        """The tries a call failing this way gets."""
        if failure.timeout is None:
            return self.max_attempts
        return min(self.max_attempts, self.timeout_attempts)


def is_transient(failure: Failure, *, idempotent: bool = True) -> bool:
    """A failure another identical try may cure.

    A request that got no answer may still have been carried out; it is only sent again when
    doing it twice is harmless (`idempotent`), so a timed-out create never creates twice.
    A certificate the connection does not trust stays untrusted until someone acts.
    """
    if failure.untrusted:
        return False
    if failure.status is None:
        return idempotent or not failure.maybe_processed
    return failure.status in TRANSIENT_STATUSES or failure.error_code in TRANSIENT_CODES


def should_retry(
    policy: RetryPolicy, failure: Failure, attempt: int, *, idempotent: bool, timeouts: int = 0
) -> bool:
    """Try again after failed attempt number `attempt` (1-based), `timeouts` of the attempts so
    far (this one included) having had no answer in time?"""
    if failure.timeout is not None and timeouts >= policy.timeout_attempts:
        return False
    return attempt < policy.max_attempts and is_transient(failure, idempotent=idempotent)


def backoff_delay(policy: RetryPolicy, attempt: int, draw: Callable[[], float]) -> float:
    """Seconds to wait after failed attempt `attempt`; `draw` returns a float in [0, 1)."""
    step = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
    return step * draw()


def records_to_retry(
    errors_by_record: Sequence[Sequence[RecordError]], *, all_or_none: bool
) -> list[int]:
    """Positions in a collection call worth sending again because a row lock stopped them.

    Without allOrNone only the records that failed on a lock go again. With allOrNone a lock
    rolls back the whole call, so everything goes again, unless some record failed for a reason
    a retry cannot cure: then the call stands as it is.
    """
    locked = [i for i, errs in enumerate(errors_by_record) if _only_transient(errs)]
    if not all_or_none:
        return locked
    if not locked:
        return []
    retryable = TRANSIENT_CODES | {ROLLED_BACK}
    cured_by_retry = all(
        errs and all(e.status_code in retryable for e in errs) for errs in errors_by_record
    )
    return list(range(len(errors_by_record))) if cured_by_retry else []


def _only_transient(errors: Sequence[RecordError]) -> bool:
    return bool(errors) and all(e.status_code in TRANSIENT_CODES for e in errors)


class AttemptFailed(Exception):
    """Raised by one attempt to hand what went wrong to `Retrier.run`."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


class Retrier:
    """Runs an attempt until it succeeds, fails for good, or the policy's attempts run out."""

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self._draw = draw

    def pause(self, attempt: int, stop: threading.Event | None = None) -> None:
        """Wait the backoff due after failed attempt number `attempt`: on `stop` when given,
        rather than by the injected sleep, which nothing wakes, so that a stop ends the wait
        at once with `ReadStopped`."""
        delay = backoff_delay(self.policy, attempt, self._draw)
        if stop is None:
            self.sleep(delay)
        elif stop.wait(delay):
            raise ReadStopped(
                f"stopped before retry {attempt} of a failed Salesforce call"
            ) from None

    def run(
        self,
        attempt: Callable[[], T],
        *,
        idempotent: bool = True,
        stop: threading.Event | None = None,
    ) -> T:
        """`attempt()`'s result; its last `AttemptFailed` becomes the matching typed error,
        which says what happened to each try. `ReadStopped` when `stop` is set during a
        backoff: a reader that left wants no retry."""
        number = timeouts = 0
        earlier: list[Failure] = []
        while True:
            number += 1
            try:
                return attempt()
            except AttemptFailed as failed:
                failure = failed.failure
                timeouts += failure.timeout is not None
                if not should_retry(
                    self.policy, failure, number, idempotent=idempotent, timeouts=timeouts
                ):
                    transient = failure.status is None or is_transient(failure)
                    resent = idempotent or not failure.maybe_processed
                    raise error_for(
                        failure,
                        transient=transient,
                        attempts=number,
                        resent=resent,
                        earlier=earlier,
                    ) from None
                earlier.append(failure)
                log.warning(
                    "Salesforce call failed (%s); retry %d of %d",
                    failure.error_code or failure.status or failure.message,
                    number,
                    self.policy.most_attempts(failure) - 1,
                )
                self.pause(number, stop)
