"""The login throttle: a few failures, then a pause that ends as the window slides on."""

from __future__ import annotations

import re

from sqlalchemy import Engine, func, select

from forcebridge.store.models import LoginFailure
from forcebridge.web.throttle import LoginThrottle, StoredFailures, ThrottlePolicy
from tests.web.conftest import TEST_SECRET, AdminPages


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
    one, other = (
        LoginThrottle(policy, clock, StoredFailures(engine, TEST_SECRET)) for _ in range(2)
    )
    clock.now = 1000
    one.failed("ip|acme|ann")
    clock.now = 1010
    other.failed("ip|acme|ann")

    assert one.retry_after("ip|acme|ann") == other.retry_after("ip|acme|ann") == 50
    other.succeeded("ip|acme|ann")
    assert one.retry_after("ip|acme|ann") == 0


def test_the_store_keeps_only_failures_that_still_count(engine: Engine) -> None:
    clock = Clock()
    failures = StoredFailures(engine, TEST_SECRET)
    throttle = LoginThrottle(ThrottlePolicy(window_seconds=60), clock, failures)
    clock.now = 1000
    throttle.failed("a")
    throttle.failed("b")
    clock.now = 1100
    throttle.failed("c")

    with engine.connect() as connection:
        kept = connection.scalar(select(func.count()).select_from(LoginFailure))
    assert kept == 1
    assert failures.since("c", 0) == [1100]


def test_the_store_keeps_nothing_typed_at_a_failed_login_and_pauses_the_sixth_attempt(
    pages: AdminPages,
) -> None:
    """A password typed into the e-mail field was kept in plain text, with the org, for 15
    minutes. The key is now an HMAC; its failures still count however the address is spelled."""
    spellings = ["Hunter2-Secret!", " hunter2-secret! ", "HUNTER2-SECRET!"]
    for attempt in range(5):
        answer = pages.log_in("acme", spellings[attempt % 3], "guess")
        assert answer.status_code == 401

    assert pages.log_in(" acme ", "hunter2-SECRET!", "guess").status_code == 429
    assert pages.log_in("acme", "ann@acme.example.com").status_code == 303  # another account
    with pages.runtime.engine.connect() as connection:
        (key,) = set(connection.scalars(select(LoginFailure.key)))
    assert re.fullmatch("[0-9a-f]{64}", key)
    other_process = StoredFailures(pages.runtime.engine, TEST_SECRET)
    assert len(other_process.since("testclient|acme|hunter2-secret!", 0)) == 5
    assert (
        StoredFailures(pages.runtime.engine, "another-secret-" * 3).since(
            "testclient|acme|hunter2-secret!", 0
        )
        == []
    )
