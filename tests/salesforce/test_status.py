import datetime as dt

import pytest

from forcebridge.salesforce.errors import (
    ApiDisabled,
    AuthenticationLost,
    BadRequest,
    InsufficientAccess,
    LimitExceeded,
    NotFound,
    SalesforceError,
    TransientError,
    UntrustedCertificate,
)
from forcebridge.salesforce.status import (
    CONNECTED,
    UNSTABLE_AFTER,
    Problem,
    State,
    connection_status,
    org_status,
    outcome_of,
)
from forcebridge.salesforce.usage import ApiUsage

T0 = dt.datetime(2024, 11, 7, 9, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def history(*errors: SalesforceError | None):
    return [outcome_of(error, at(i)) for i, error in enumerate(errors)]


def transient() -> TransientError:
    return TransientError("503", attempts=4, error_code="SERVER_UNAVAILABLE")


def untrusted() -> UntrustedCertificate:
    return UntrustedCertificate(
        "the server's certificate at sandbox.example:8443 is not trusted: not signed by the CA"
        " file the connection uses (/srv/ca.pem) (self-signed certificate in certificate"
        " chain); reconnect with the right CA file (--ca-file), or fix the server's certificate"
    )


def test_no_calls_yet_is_connected() -> None:
    assert connection_status([]) == CONNECTED


@pytest.mark.parametrize(
    ("error", "problem", "words"),
    [
        (AuthenticationLost("revoked"), Problem.AUTHENTICATION_LOST, "reconnect"),
        (ApiDisabled("API_DISABLED_FOR_ORG"), Problem.API_DISABLED, "edition"),
        (LimitExceeded("TotalRequests Limit exceeded."), Problem.LIMIT_REACHED, "daily API limit"),
        (InsufficientAccess("no Task create"), Problem.INSUFFICIENT_ACCESS, "grant it"),
        (untrusted(), Problem.UNTRUSTED_CERTIFICATE, "reconnect with the right CA file"),
    ],
)
def test_each_failure_an_admin_must_act_on_needs_attention(
    error: SalesforceError, problem: Problem, words: str
) -> None:
    status = connection_status(history(None, error))
    assert status.state is State.NEEDS_ATTENTION
    assert status.needs_attention
    assert status.problem is problem
    assert words in status.message
    assert status.since == at(1)


def test_the_limit_message_quotes_the_usage() -> None:
    usage = ApiUsage(used=15_000, max=15_000)
    status = connection_status(history(LimitExceeded("limit")), usage)
    assert "15,000 of 15,000 daily API calls used" in status.message


def test_the_limit_message_says_syncing_resumes_at_the_streams_retries_not_at_once() -> None:
    """The connection shows Connected at the first call that goes through once the window
    frees up, while each stream waits out its backoff: the message may not promise more."""
    status = connection_status(history(LimitExceeded("limit")))

    assert "syncing resumes as" not in status.message
    assert (
        "syncing resumes at each stream's next retry after that (shown as its next run), or at"
        " once with Retry now" in status.message
    )


def test_temporary_failures_of_other_runs_count_toward_the_streak() -> None:
    """One run's client saw only its own two tries; the connection had failed before."""
    two = [transient()] * 2

    assert connection_status(history(*two)).problem is None
    assert connection_status(history(*two), in_a_row=UNSTABLE_AFTER).problem is Problem.UNSTABLE


def test_mistakes_in_the_request_say_nothing_against_the_connection() -> None:
    status = connection_status(history(BadRequest("MALFORMED_QUERY"), NotFound("gone")))
    assert status == CONNECTED


def test_a_success_after_a_problem_clears_it() -> None:
    assert connection_status(history(AuthenticationLost("x"), None)) == CONNECTED


def test_one_temporary_failure_is_not_yet_a_problem_but_a_streak_is() -> None:
    almost = [transient()] * (UNSTABLE_AFTER - 1)
    assert connection_status(history(None, *almost)) == CONNECTED
    status = connection_status(history(None, *almost, transient()))
    assert status.problem is Problem.UNSTABLE
    assert status.since == at(1)


def test_a_spent_allowance_needs_attention_even_when_the_last_call_worked() -> None:
    status = connection_status(history(None), ApiUsage(used=100, max=100))
    assert status.problem is Problem.LIMIT_REACHED
    assert connection_status(history(None), ApiUsage(used=99, max=100)) == CONNECTED


def test_the_streak_start_is_when_the_problem_began() -> None:
    status = connection_status(history(None, ApiDisabled("a"), ApiDisabled("b"), ApiDisabled("c")))
    assert status.since == at(1)


def test_an_org_with_no_connection_needs_one() -> None:
    status = org_status({})
    assert status.problem is Problem.NOT_CONNECTED
    assert "connect one" in status.message


def test_an_org_is_as_well_as_its_worst_connection_and_names_it() -> None:
    limit = connection_status(history(LimitExceeded("x")))
    revoked = connection_status(history(AuthenticationLost("x")))
    status = org_status({"eu": limit, "us": revoked, "apac": CONNECTED})
    assert status.problem is Problem.AUTHENTICATION_LOST
    assert status.message.startswith("Connection 'us': ")
    assert status.message.endswith("(1 other connection also needs attention.)")


def test_an_org_whose_connections_all_work_is_connected() -> None:
    assert org_status({"main": CONNECTED, "eu": CONNECTED}) == CONNECTED


def test_an_untrusted_certificate_needs_attention_at_once_saying_what_and_what_to_do() -> None:
    """No retry cures it, so it is no streak of passing failures: the first call that meets it
    flags the connection, with OpenSSL's reason, the host and what to do, and no word of
    forcebridge retrying."""
    status = connection_status(history(None, untrusted()))

    assert (status.state, status.problem, status.since) == (
        State.NEEDS_ATTENTION,
        Problem.UNTRUSTED_CERTIFICATE,
        at(1),
    )
    assert status.message == (
        "No call to Salesforce goes through, and retrying will not help: the server's"
        " certificate at sandbox.example:8443 is not trusted: not signed by the CA file the"
        " connection uses (/srv/ca.pem) (self-signed certificate in certificate chain);"
        " reconnect with the right CA file (--ca-file), or fix the server's certificate. Once"
        " that is fixed, check the connection (forcebridge connections status --check, or"
        " Check now) to sync again at once."
    )
    assert "keeps retrying" not in status.message
    assert connection_status(history(untrusted(), None)) == CONNECTED


def test_an_untrusted_certificate_ranks_with_what_an_admin_must_act_on() -> None:
    """Above a spent allowance or a flaky org, which pass by themselves; below a lost login."""
    cert = connection_status(history(untrusted()))
    limit = connection_status(history(LimitExceeded("x")))
    flaky = connection_status(history(*[transient()] * UNSTABLE_AFTER))
    revoked = connection_status(history(AuthenticationLost("x")))

    assert org_status({"eu": limit, "us": cert, "apac": flaky}).problem is (
        Problem.UNTRUSTED_CERTIFICATE
    )
    assert org_status({"us": cert, "eu": revoked}).problem is Problem.AUTHENTICATION_LOST
