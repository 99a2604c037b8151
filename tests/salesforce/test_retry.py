import threading

import pytest

from forcebridge.salesforce.errors import (
    BadRequest,
    Failure,
    LimitExceeded,
    RecordError,
    TransientError,
    UntrustedCertificate,
)
from forcebridge.salesforce.retry import (
    AttemptFailed,
    Retrier,
    RetryPolicy,
    backoff_delay,
    is_transient,
    records_to_retry,
    should_retry,
)
from forcebridge.salesforce.stopping import ReadStopped

UNAVAILABLE = Failure(status=503, error_code="SERVER_UNAVAILABLE", message="busy")
LOCKED = Failure(status=400, error_code="UNABLE_TO_LOCK_ROW", message="locked")
MALFORMED = Failure(status=400, error_code="MALFORMED_QUERY", message="unexpected token: FORM")
READ_TIMEOUT = Failure(status=None, error_code=None, message="read timed out", maybe_processed=True)
NO_ANSWER = Failure(
    status=None,
    error_code=None,
    message="no answer from acme.my.salesforce.com within 120 seconds",
    maybe_processed=True,
    timeout=120.0,
)
REFUSED = Failure(status=None, error_code=None, message="connection refused")


@pytest.mark.parametrize(
    "failure",
    [
        UNAVAILABLE,
        LOCKED,
        Failure(status=502, error_code=None, message="bad gateway"),
        Failure(status=504, error_code=None, message="gateway timeout"),
        READ_TIMEOUT,
        REFUSED,
    ],
)
def test_temporary_failures_are_retried(failure: Failure) -> None:
    assert is_transient(failure)


@pytest.mark.parametrize(
    "failure",
    [
        MALFORMED,
        Failure(status=403, error_code="REQUEST_LIMIT_EXCEEDED", message="limit"),
        Failure(status=401, error_code="INVALID_SESSION_ID", message="expired"),
        Failure(status=404, error_code="NOT_FOUND", message="gone"),
        Failure(status=500, error_code="UNKNOWN_EXCEPTION", message="boom"),
    ],
)
def test_failures_a_retry_cannot_cure_are_not_retried(failure: Failure) -> None:
    assert not is_transient(failure)


def test_a_create_that_may_have_happened_is_not_sent_again() -> None:
    assert not is_transient(READ_TIMEOUT, idempotent=False)
    assert is_transient(REFUSED, idempotent=False)
    assert is_transient(UNAVAILABLE, idempotent=False)


def test_attempts_stop_at_the_policy_maximum() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert [should_retry(policy, UNAVAILABLE, n, idempotent=True) for n in (1, 2, 3)] == [
        True,
        True,
        False,
    ]


def test_backoff_is_full_jitter_under_a_growing_capped_step() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0)
    assert [backoff_delay(policy, n, lambda: 0.999999) for n in (1, 2, 3, 4, 5)] == pytest.approx(
        [0.5, 1.0, 2.0, 3.0, 3.0], rel=1e-5
    )
    assert backoff_delay(policy, 4, lambda: 0.0) == 0.0
    assert backoff_delay(policy, 2, lambda: 0.5) == pytest.approx(0.5)


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="delays"):
        RetryPolicy(base_delay=5, max_delay=1)


def _lock(code: str = "UNABLE_TO_LOCK_ROW") -> list[RecordError]:
    return [RecordError(code, "...")]


def test_without_all_or_none_only_locked_records_go_again() -> None:
    errors = [[], _lock(), [RecordError("REQUIRED_FIELD_MISSING", "LastName")], _lock()]
    assert records_to_retry(errors, all_or_none=False) == [1, 3]


def test_with_all_or_none_a_lock_sends_the_whole_call_again() -> None:
    errors = [
        _lock("ALL_OR_NONE_OPERATION_ROLLED_BACK"),
        _lock(),
        _lock("ALL_OR_NONE_OPERATION_ROLLED_BACK"),
    ]
    assert records_to_retry(errors, all_or_none=True) == [0, 1, 2]


def test_with_all_or_none_a_real_error_means_no_retry() -> None:
    errors = [_lock(), [RecordError("REQUIRED_FIELD_MISSING", "LastName")]]
    assert records_to_retry(errors, all_or_none=True) == []


def test_no_lock_no_retry() -> None:
    assert records_to_retry([[], [RecordError("DUPLICATE_VALUE", "dup")]], all_or_none=False) == []


class Script:
    """An attempt that fails with the given failures, then answers 'ok'."""

    def __init__(self, *failures: Failure) -> None:
        self.failures = list(failures)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise AttemptFailed(self.failures.pop(0))
        return "ok"


def test_retrier_waits_between_attempts_and_returns_the_success() -> None:
    waits: list[float] = []
    retrier = Retrier(
        RetryPolicy(max_attempts=4, base_delay=1, max_delay=8), sleep=waits.append, draw=lambda: 1.0
    )
    attempt = Script(UNAVAILABLE, LOCKED)
    assert retrier.run(attempt) == "ok"
    assert attempt.calls == 3
    assert waits == [1.0, 2.0]


def test_retrier_gives_up_with_a_transient_error_that_counts_attempts() -> None:
    retrier = Retrier(RetryPolicy(max_attempts=3), sleep=lambda _: None)
    attempt = Script(UNAVAILABLE, UNAVAILABLE, UNAVAILABLE, UNAVAILABLE)
    with pytest.raises(TransientError) as caught:
        retrier.run(attempt)
    assert caught.value.attempts == 3
    assert caught.value.error_code == "SERVER_UNAVAILABLE"
    assert attempt.calls == 3


def test_retrier_raises_lasting_failures_at_once_as_their_type() -> None:
    retrier = Retrier(sleep=lambda _: pytest.fail("must not wait"))
    attempt = Script(MALFORMED)
    with pytest.raises(BadRequest, match="unexpected token"):
        retrier.run(attempt)
    assert attempt.calls == 1
    limit = Script(
        Failure(
            status=403, error_code="REQUEST_LIMIT_EXCEEDED", message="TotalRequests Limit exceeded."
        )
    )
    with pytest.raises(LimitExceeded):
        retrier.run(limit)


def test_retrier_raises_an_untrusted_certificate_at_once_as_its_own_error() -> None:
    """No answer came, as when Salesforce is unreachable, but no retry cures it, and it is no
    `TransientError`, which would tell its caller to try again."""
    retrier = Retrier(sleep=lambda _: pytest.fail("must not wait"))
    refused = Failure(
        None, None, "the server's certificate at h:443 is not trusted", untrusted=True
    )
    attempt = Script(refused)

    with pytest.raises(UntrustedCertificate) as caught:
        retrier.run(attempt)

    assert not isinstance(caught.value, TransientError)
    assert caught.value.message == "the server's certificate at h:443 is not trusted"
    assert attempt.calls == 1


def test_retrier_does_not_resend_an_unanswered_create() -> None:
    retrier = Retrier(sleep=lambda _: pytest.fail("must not wait"))
    attempt = Script(READ_TIMEOUT)
    with pytest.raises(TransientError) as caught:
        retrier.run(attempt, idempotent=False)
    assert caught.value.attempts == 1
    assert attempt.calls == 1


def test_a_call_unanswered_in_time_is_tried_twice_not_four_times() -> None:
    """Each try waits the whole timeout, and a second in a row says Salesforce is slow: four
    would hold a run 8 minutes a call at the default 120 seconds."""
    waits: list[float] = []
    retrier = Retrier(RetryPolicy(max_attempts=4), sleep=waits.append, draw=lambda: 0.5)
    attempt = Script(NO_ANSWER, NO_ANSWER, NO_ANSWER)

    with pytest.raises(TransientError) as caught:
        retrier.run(attempt)

    assert (caught.value.attempts, attempt.calls, len(waits)) == (2, 2, 1)
    assert str(caught.value) == (
        "Salesforce did not answer successfully after trying 2 times: no answer from "
        "acme.my.salesforce.com within 120 seconds each time; Salesforce, or the network to "
        "it, is slow: the next run tries again, or give it longer with "
        "FORCEBRIDGE_SALESFORCE_TIMEOUT (seconds)"
    )
    # A 503 first is not a timeout: the call still gets its second unanswered try
    assert Retrier(sleep=lambda _: None).run(Script(UNAVAILABLE, NO_ANSWER)) == "ok"
    with pytest.raises(ValueError, match="timeout_attempts"):
        RetryPolicy(timeout_attempts=0)


def test_an_unanswered_create_says_it_was_not_sent_again() -> None:
    retrier = Retrier(sleep=lambda _: pytest.fail("must not wait"))

    with pytest.raises(TransientError) as caught:
        retrier.run(Script(NO_ANSWER), idempotent=False)

    assert caught.value.attempts == 1
    assert "within 120 seconds; not sent again, as Salesforce may have carried it out;" in str(
        caught.value
    )


def test_a_stop_during_the_backoff_ends_it_without_a_retry() -> None:
    """The stop is waited on, not the injected sleep; one already set ends the wait at once."""
    stop = threading.Event()
    retrier = Retrier(
        RetryPolicy(base_delay=60, max_delay=60), sleep=lambda _: pytest.fail("must not sleep")
    )

    def stopped_meanwhile() -> str:
        stop.set()
        return Script(UNAVAILABLE)()

    with pytest.raises(ReadStopped, match="stopped before retry 1 of a failed Salesforce call"):
        retrier.run(stopped_meanwhile, stop=stop)
