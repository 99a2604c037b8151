"""The login throttle: a few failures, then a pause that ends as the window slides on."""

from __future__ import annotations

from sqlalchemy import Engine, select

from forcebridge.store.models import LoginFailure
from forcebridge.web.throttle import LoginThrottle, StoredFailures, ThrottlePolicy


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_pause_starts_at_the_limit_and_ends_when_the_oldest_failure_ages_out() -> None:
    clock = Clock()
    throttle = LoginThrottle(ThrottlePolicy(max_failures=3, window_seconds=60), clock)
    for at in (1000, 1010, 1030):
        clock.now = at
        assert throttle.retry_after("ip|acme|ann") == 0
        throttle.failed("ip|acme|ann")

    assert throttle.retry_after("ip|acme|ann") == 30  # until the failure at 1000 is 60 s old
    clock.now = 1060
    assert throttle.retry_after("ip|acme|ann") == 0


def test_each_key_is_counted_apart_and_a_success_forgets_the_failures() -> None:
    throttle = LoginThrottle(ThrottlePolicy(max_failures=2, window_seconds=60), Clock())
    throttle.failed("a")
    throttle.failed("a")
    throttle.failed("b")

    assert throttle.retry_after("a") > 0
    assert throttle.retry_after("b") == 0
    throttle.succeeded("a")
    assert throttle.retry_after("a") == 0


def test_failures_kept_in_the_store_pause_every_web_process_alike(engine: Engine) -> None:
    clock = Clock()
    policy = ThrottlePolicy(max_failures=2, window_seconds=60)
    one, other = (LoginThrottle(policy, clock, StoredFailures(engine)) for _ in range(2))
    clock.now = 1000
    one.failed("ip|acme|ann")
    clock.now = 1010
    other.failed("ip|acme|ann")

    assert one.retry_after("ip|acme|ann") == other.retry_after("ip|acme|ann") == 50
    other.succeeded("ip|acme|ann")
    assert one.retry_after("ip|acme|ann") == 0


def test_the_store_keeps_only_failures_that_still_count(engine: Engine) -> None:
    clock = Clock()
    throttle = LoginThrottle(ThrottlePolicy(window_seconds=60), clock, StoredFailures(engine))
    clock.now = 1000
    throttle.failed("a")
    throttle.failed("b")
    clock.now = 1100
    throttle.failed("c")

    with engine.connect() as connection:
        kept = connection.scalars(select(LoginFailure.key)).all()
    assert kept == ["c"]
