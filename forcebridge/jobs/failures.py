"""What a failed run means for its schedule: the exception, classed by what waiting can do.

Salesforce errors are classed as the connection status classes them, so a stream and its
connection tell the admin the same story; a mapping or query that no longer holds needs a
person too. Anything else is taken as transient and retried with backoff.
"""

from __future__ import annotations

from forcebridge.jobs.errors import NoRunner
from forcebridge.jobs.policy import FailureKind, StreamFailure
from forcebridge.jobs.streams import StreamRunFailed
from forcebridge.mapping.errors import MappingError
from forcebridge.salesforce.errors import (
    BadRequest,
    DescribeOutdated,
    LoginFailed,
    SalesforceError,
    UntrustedUrl,
)
from forcebridge.salesforce.status import ConnectionStatus, Problem, advice, outcome_of
from forcebridge.soql.errors import SoqlError
from forcebridge.store.types import utcnow
from forcebridge.sync.connection_errors import NotConnected

UNEXPECTED = "failed"
"""The problem code of a failure nothing foresaw (a bug, a database outage)."""
SALESFORCE_ERROR = "salesforce_error"
"""The problem code of an error Salesforce answered that no other code names (a 500)."""

_KIND_OF_PROBLEM = {
    Problem.NOT_CONNECTED: FailureKind.NEEDS_ATTENTION,
    Problem.AUTHENTICATION_LOST: FailureKind.NEEDS_ATTENTION,
    Problem.API_DISABLED: FailureKind.NEEDS_ATTENTION,
    Problem.UNTRUSTED_CERTIFICATE: FailureKind.NEEDS_ATTENTION,
    Problem.INSUFFICIENT_ACCESS: FailureKind.NEEDS_ATTENTION,
    Problem.LIMIT_REACHED: FailureKind.LIMIT_REACHED,
    Problem.UNSTABLE: FailureKind.TRANSIENT,
}


def _of_problem(problem: Problem, message: str) -> StreamFailure:
    return StreamFailure(_KIND_OF_PROBLEM[problem], problem.value, message)


def connection_failure(status: ConnectionStatus | None) -> StreamFailure | None:
    """The failure a run that stopped records when its client found the connection in trouble
    (the sync engine records the refusal as text; the client's status keeps its class); None
    when its calls found none, or it made none (`SalesforceClient.observed_status`)."""
    if status is None or status.problem is None:
        return None
    return _of_problem(status.problem, status.message)


def run_failure(status: ConnectionStatus | None, error: Exception) -> StreamFailure:
    """Why a stream's run failed: the connection's trouble if its client found any (the run
    recorded the refusal as text), else the error that stopped the stream."""
    return connection_failure(status) or classify(error)


def _needs_attention(problem: str, message: str) -> StreamFailure:
    return StreamFailure(FailureKind.NEEDS_ATTENTION, problem, message)


def classify(error: Exception) -> StreamFailure:
    """The failure a run that raised `error` records on its schedule."""
    # The pull's own modules bring the Salesforce client and the SOQL parser: a command that
    # only reads the store should not load them for these two checks.
    from forcebridge.sync.pull_members import StreamFailed, StreamInterrupted
    from forcebridge.sync.pull_plan import PlanError

    if isinstance(error, StreamRunFailed):
        return error.result.failure or StreamFailure(
            FailureKind.TRANSIENT, "run_failed", str(error)
        )
    if isinstance(error, NoRunner):
        return StreamFailure(FailureKind.TRANSIENT, "no_runner", str(error))
    if isinstance(error, NotConnected):
        return _needs_attention(Problem.NOT_CONNECTED.value, str(error))
    if isinstance(error, LoginFailed):
        return _needs_attention(
            Problem.AUTHENTICATION_LOST.value,
            f"{advice(Problem.AUTHENTICATION_LOST)} (Salesforce said: {error})",
        )
    if isinstance(error, UntrustedUrl):
        return _needs_attention("untrusted_url", str(error))
    if isinstance(error, BadRequest | SoqlError):
        return _needs_attention(
            "query_invalid",
            f"Salesforce refused the stream's query: {error}. Check the service's mapping and "
            "custom query against the org (forcebridge mapping verify).",
        )
    if isinstance(error, StreamInterrupted):
        return StreamFailure(FailureKind.TRANSIENT, "interrupted", str(error))
    if isinstance(error, StreamFailed | PlanError):
        return _needs_attention(error.problem, str(error))
    if isinstance(error, MappingError):
        return _needs_attention(
            "mapping_invalid", f"The stream's mapping no longer holds: {error}. Fix the mapping."
        )
    if isinstance(error, DescribeOutdated):
        return StreamFailure(FailureKind.TRANSIENT, "describe_outdated", str(error))
    if isinstance(error, SalesforceError):
        problem = outcome_of(error, utcnow()).problem
        if problem is not None:
            kind = _KIND_OF_PROBLEM[problem]
            message = (
                str(error) if kind is FailureKind.TRANSIENT else advice(problem, error.message)
            )
            return StreamFailure(kind, problem.value, message)
        # Salesforce answered with an error of its own (a 500, say): a remote failure, not a
        # fault of forcebridge's to trace.
        return StreamFailure(FailureKind.TRANSIENT, SALESFORCE_ERROR, f"Salesforce: {error}")
    return StreamFailure(FailureKind.TRANSIENT, UNEXPECTED, f"{type(error).__name__}: {error}")


WORKER_LOST = StreamFailure(
    FailureKind.TRANSIENT,
    "worker_lost",
    "The process running this stream (forcebridge serve, worker or a command) stopped before "
    "the run finished (it crashed, was killed, or lost its database connection); the stream "
    "is retried.",
)
