from __future__ import annotations

import pytest

from forcebridge.jobs.errors import NoRunner
from forcebridge.jobs.failures import UNEXPECTED, classify, run_failure
from forcebridge.jobs.policy import FailureKind
from forcebridge.jobs.streams import RunResult, StreamRunFailed
from forcebridge.mapping.errors import UnknownField
from forcebridge.salesforce.errors import (
    ApiDisabled,
    AuthenticationLost,
    BadRequest,
    DescribeOutdated,
    InsufficientAccess,
    LimitExceeded,
    LoginFailed,
    SalesforceError,
    TransientError,
    UntrustedCertificate,
)
from forcebridge.salesforce.status import ConnectionStatus, Problem, State
from forcebridge.soql.errors import MalformedQuery
from forcebridge.store.models import RunStatus
from forcebridge.sync.connection_errors import NotConnected
from forcebridge.sync.pull_members import StreamFailed, StreamInterrupted
from forcebridge.sync.pull_plan import PlanError


@pytest.mark.parametrize(
    ("error", "kind", "problem"),
    [
        (
            AuthenticationLost("INVALID_SESSION_ID"),
            FailureKind.NEEDS_ATTENTION,
            "authentication_lost",
        ),
        (
            LoginFailed("expired access/refresh token"),
            FailureKind.NEEDS_ATTENTION,
            "authentication_lost",
        ),
        (ApiDisabled("API is not enabled"), FailureKind.NEEDS_ATTENTION, "api_disabled"),
        (InsufficientAccess("no read on Lead"), FailureKind.NEEDS_ATTENTION, "insufficient_access"),
        (
            UntrustedCertificate("the server's certificate at h:443 is not trusted"),
            FailureKind.NEEDS_ATTENTION,
            "untrusted_certificate",
        ),
        (NotConnected("disconnected"), FailureKind.NEEDS_ATTENTION, "not_connected"),
        (UnknownField("Contact.Shoe_Size__c"), FailureKind.NEEDS_ATTENTION, "mapping_invalid"),
        (BadRequest("No such column 'Foo__c'"), FailureKind.NEEDS_ATTENTION, "query_invalid"),
        (
            MalformedQuery("SELECT Id FROM", 14, "unexpected end of query"),
            FailureKind.NEEDS_ATTENTION,
            "query_invalid",
        ),
        (LimitExceeded("REQUEST_LIMIT_EXCEEDED"), FailureKind.LIMIT_REACHED, "limit_reached"),
        (TransientError("503 three times", attempts=3), FailureKind.TRANSIENT, "unstable"),
        (NoRunner("pull:custom"), FailureKind.TRANSIENT, "no_runner"),
        (DescribeOutdated("Key__c is gone"), FailureKind.TRANSIENT, "describe_outdated"),
        (
            StreamFailed("The mapping has 1 problem: row 2: Contact has no field 'Region__c'"),
            FailureKind.NEEDS_ATTENTION,
            "mapping_invalid",
        ),
        (
            PlanError("the service has no Salesforce connection; connect one first"),
            FailureKind.NEEDS_ATTENTION,
            "mapping_invalid",
        ),
        (
            StreamInterrupted("the run lost its lease to another run; it stops here"),
            FailureKind.TRANSIENT,
            "interrupted",
        ),
        (
            StreamRunFailed(RunResult(7, RunStatus.FAILED, "boom")),
            FailureKind.TRANSIENT,
            "run_failed",
        ),
        (
            SalesforceError("Internal Server Error", status=500),
            FailureKind.TRANSIENT,
            "salesforce_error",
        ),
        (ZeroDivisionError("division by zero"), FailureKind.TRANSIENT, UNEXPECTED),
    ],
)
def test_a_failure_is_classed_by_what_waiting_can_do(
    error: Exception, kind: FailureKind, problem: str
) -> None:
    failure = classify(error)

    assert (failure.kind, failure.problem) == (kind, problem)
    assert failure.message


def test_a_lost_authorization_tells_the_admin_to_reconnect() -> None:
    assert "reconnect" in classify(AuthenticationLost("INVALID_SESSION_ID")).message


def test_a_run_that_called_no_one_is_classed_by_its_own_error_not_the_connections_past() -> None:
    lost = ConnectionStatus(State.NEEDS_ATTENTION, Problem.AUTHENTICATION_LOST, "log in again")
    mapping = PlanError("the custom query does not parse: unexpected end of query")

    assert run_failure(lost, mapping).problem == Problem.AUTHENTICATION_LOST.value
    assert run_failure(None, mapping).problem == "mapping_invalid"
