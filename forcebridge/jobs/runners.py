"""The product's stream runners: each builds a session and a Salesforce client for the service
and hands them to the sync engine's run (pull, activities push), which never builds them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from forcebridge.jobs.failures import connection_failure, run_failure
from forcebridge.jobs.policy import Stream
from forcebridge.jobs.runtime import Runtime
from forcebridge.jobs.streams import RunResult, StreamRegistry, StreamRunner
from forcebridge.salesforce.client import SalesforceClient
from forcebridge.store.errors import NotFound
from forcebridge.store.models import RunStatus, Service
from forcebridge.sync.activities import PushOptions, push_activities
from forcebridge.sync.connection_errors import NotConnected
from forcebridge.sync.connections import open_client
from forcebridge.sync.pull import PullOptions, pull
from forcebridge.sync.reconcile import reconcile


@dataclass(frozen=True)
class ServiceContext:
    """What a sync run of one service is handed."""

    session: Session
    service: Service
    client: SalesforceClient


@contextmanager
def service_context(runtime: Runtime, service_id: int) -> Iterator[ServiceContext]:
    """A session, the service, and a client for its connection, closed afterwards."""
    with runtime.sessions() as session:
        service = session.get(Service, service_id)
        if service is None:
            raise NotFound("service", str(service_id))
        if service.connection is None:
            raise NotConnected(
                f"service {service.org.name}/{service.name} has no Salesforce connection: "
                "give it one (forcebridge service configure, or the admin pages)"
            )
        with open_client(session, service.connection) as client:
            yield ServiceContext(session, service, client)


def _result(
    context: ServiceContext,
    run_id: int,
    status: RunStatus,
    error: str | None,
    covered: tuple[int, ...] = (),
    cause: Exception | None = None,
    others_failed: tuple[tuple[int, Exception], ...] = (),
) -> RunResult:
    """The run's result; a failed one is classed by the connection's trouble if it has any,
    else by what stopped the run (a mapping that no longer holds needs a person), and so are
    the failures of the other services its read served."""
    trouble = context.client.observed_status
    failure = None
    if status is RunStatus.FAILED:
        failure = connection_failure(trouble) if cause is None else run_failure(trouble, cause)
    others = tuple((other, run_failure(trouble, error)) for other, error in others_failed)
    return RunResult(run_id, status, error, failure, covered, others)


def pull_runner(stream: Stream) -> StreamRunner:
    def run(runtime: Runtime, service_id: int) -> RunResult:
        with service_context(runtime, service_id) as context:
            options = PullOptions.from_settings(runtime.settings)
            pulled = pull(
                context.session, context.client, context.service, options, streams=[stream.value]
            )
            return _result(
                context,
                pulled.run_id,
                pulled.status,
                pulled.error,
                pulled.covered,
                pulled.cause,
                pulled.others_failed,
            )

    return run


def push_runner(runtime: Runtime, service_id: int) -> RunResult:
    options = PushOptions.from_settings(runtime.settings)
    with service_context(runtime, service_id) as context:
        pushed = push_activities(context.session, context.service, context.client, options)
        return _result(context, pushed.run_id, pushed.status, pushed.error)


def reconcile_runner(runtime: Runtime, service_id: int) -> RunResult:
    with service_context(runtime, service_id) as context:
        checked = reconcile(context.session, context.client, context.service)
        return _result(context, checked.run_id, checked.status, checked.error, cause=checked.cause)


def product_registry() -> StreamRegistry:
    """The runners of every stream the product schedules."""
    pulls = (Stream.PULL_CONTACT, Stream.PULL_LEAD, Stream.PULL_CUSTOM)
    return StreamRegistry(
        {stream.value: pull_runner(stream) for stream in pulls}
        | {Stream.ACTIVITIES.value: push_runner, Stream.RECONCILE.value: reconcile_runner}
    )
