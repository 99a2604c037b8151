"""`forcebridge pull`: bring a service's contact book in step with Salesforce, now; and
`forcebridge reconcile`: run its daily reconciliation now.

    forcebridge pull --service ORG/SERVICE [--full] [--dry-run] [--json]
    forcebridge reconcile --service ORG/SERVICE [--json]

Reports the run (`run_id`, `status`, `read`, `created`, `updated`, `unchanged`, `skipped`,
`failed`, `api_calls`) and exits 0 only when it succeeded. On a terminal a progress bar shows
the records read of the total on stderr. The schedules of the streams it ran learn what it
found (`forcebridge.jobs.execute.record_on_demand`): a stream that pulls again after a fix is
no longer flagged, and one that cannot run as configured is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    TaskID,
)
from rich.table import Table
from sqlalchemy.orm import Session

from forcebridge.cli.output import (
    JsonFlag,
    ServiceOption,
    console,
    database,
    emit,
    fail,
    naming_the_stopped_run,
    progress_bar,
)
from forcebridge.jobs.execute import holding, record_on_demand
from forcebridge.jobs.failures import run_failure
from forcebridge.jobs.policy import StreamFailure
from forcebridge.settings import Settings
from forcebridge.store.models import RunStatus, Service
from forcebridge.store.repositories.leases import CONTACT_BOOK, REHEARSAL
from forcebridge.store.repositories.services import get_service
from forcebridge.store.types import utcnow
from forcebridge.sync.connections import open_client
from forcebridge.sync.documents import PULL_COUNTS, recorded_counts
from forcebridge.sync.pull import Progress as ProgressCallback
from forcebridge.sync.pull import PullOptions, PullResult, pull
from forcebridge.sync.reconcile import STREAM as RECONCILE
from forcebridge.sync.reconcile import reconcile

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient


@contextmanager
def service_client(session: Session, path: str) -> Iterator[tuple[Service, SalesforceClient]]:
    """The service named `path` and a client on its connection."""
    service = get_service(session, path)
    if service.connection is None:
        fail(f"service {path} has no Salesforce connection: connect its org first")
    with open_client(session, service.connection) as client:
        yield service, client


AGAIN = "the next pull reads the rest"
"""What to do about a pull Ctrl+C or SIGTERM stopped: its pages committed are kept."""


def command(
    service: ServiceOption,
    full: Annotated[
        bool, typer.Option("--full", help="Read every record again, not only what changed.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would change; write nothing.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Pull the service's Contacts, Leads or custom query from Salesforce now."""
    options = PullOptions.from_settings(Settings(), full=full, dry_run=dry_run)
    with (
        database() as session,
        service_client(session, service) as (found, client),
        _progress_bar(quiet=as_json) as progress,
        naming_the_stopped_run(
            as_json,
            AGAIN,
            dry_run=dry_run,
            counts=partial(recorded_counts, session, counts=PULL_COUNTS),
        ) as run_ids,
    ):
        engine = session.get_bind().engine
        # Held before the run is recorded and across all its streams: a pull refused records
        # no run, and the one going on is not cut short between its streams. A dry run's
        # lease only lets the next command settle its run if this process dies.
        lease, busy = (
            (REHEARSAL, f"another dry run of {service} is in progress; try again once it ends")
            if dry_run
            else (CONTACT_BOOK, _book_busy(service))
        )
        with holding(engine, found.id, lease) as held:
            if not held:
                fail(busy)
            started = utcnow()
            result = pull(
                session, client, found, options, progress=progress, run_started=run_ids.append
            )
            ended = utcnow()
        if not dry_run:
            record_on_demand(engine, found.id, _outcomes(result, client), started, ended)
            for stream, other, error in result.others:  # their runs went with this one's read
                outcome = None if error is None else run_failure(client.observed_status, error)
                record_on_demand(engine, other, [(stream, outcome)], started, ended)
    emit(
        result.to_json(),
        as_json,
        lambda: show_result(result, "Would pull" if dry_run else "Pulled"),
        stopped=result.error,
    )
    if result.status is not RunStatus.SUCCEEDED:
        raise typer.Exit(1)


def reconcile_command(service: ServiceOption, as_json: JsonFlag = False) -> None:
    """Run the service's reconciliation now: find what incremental pulls cannot see (records
    deleted for good, records that left the query or routing rule, recalculated formulas)."""
    with database() as session, service_client(session, service) as (found, client):
        engine = session.get_bind().engine
        with holding(engine, found.id, RECONCILE) as held:
            if not held:
                fail(_book_busy(service))
            started = utcnow()
            result = reconcile(session, client, found)
            record_on_demand(engine, found.id, _outcomes(result, client), started, utcnow())
    emit(result.to_json(), as_json, lambda: show_result(result, "Reconciled"), stopped=result.error)
    if result.status is not RunStatus.SUCCEEDED:
        raise typer.Exit(1)


def _book_busy(service: str) -> str:
    return (
        f"another run that changes {service}'s contact book (a pull or the daily "
        "reconciliation) is in progress; try again once it has finished"
    )


def _outcomes(
    result: PullResult, client: SalesforceClient
) -> list[tuple[str, StreamFailure | None]]:
    """Each stream the run ran, with its failure classed as a scheduled run's would be."""
    status = client.observed_status
    return [
        (stream, None if error is None else run_failure(status, error))
        for stream, error in result.streams
    ]


def show_result(result: PullResult, verb: str) -> None:
    console.print(f"{verb} (run {result.run_id}): {result.status.value}")
    table = Table(show_header=False)
    for key, value in result.to_json().items():
        if key not in ("run_id", "status", "error"):  # why it stopped goes to stderr
            table.add_row(key.replace("_", " ").capitalize(), f"{value:,}")
    console.print(table)


@contextmanager
def _progress_bar(*, quiet: bool) -> Iterator[ProgressCallback | None]:
    """Records read of the total, one bar per stream, on a terminal only."""
    with progress_bar(quiet=quiet) as bar:
        if bar is None:
            yield None
            return
        tasks: dict[str, TaskID] = {}

        def report(stream: str, done: int, total: int) -> None:
            if stream not in tasks:
                tasks[stream] = bar.add_task(stream, total=total)
            bar.update(tasks[stream], completed=done, total=max(total, done))

        yield report
