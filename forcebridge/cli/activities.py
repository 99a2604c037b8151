"""`forcebridge activities`: log a service's conversations to Salesforce as Tasks.

    forcebridge activities push --service ORG/SERVICE [--dry-run] [--json]
    forcebridge activities windows --service ORG/SERVICE [--retry] [--json]

`push` runs the activities stream once (the scheduler runs it every `--activities-every`
minutes) and exits 0 only when its run succeeded. Windows it could not write say so on stderr,
`--json` or not: those that failed in this run, and the service's parked windows, which no run
writes until someone acts and whose conversations are missing from Salesforce until then.
`windows` lists the windows that are parked, whose last write failed, or held (their contact
has no Salesforce record the service logs to), with why; `--retry` gives the parked ones
another chance.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from forcebridge.cli.output import (
    JsonFlag,
    ServiceOption,
    console,
    database,
    emit,
    errors,
    fail,
    naming_the_stopped_run,
    progress_bar,
)
from forcebridge.jobs.execute import holding, record_on_demand
from forcebridge.jobs.failures import connection_failure
from forcebridge.jobs.policy import Stream, StreamFailure
from forcebridge.settings import Settings
from forcebridge.store.models import RunStatus
from forcebridge.store.repositories.activity_windows import (
    held_windows,
    latest_errors,
    troubled_windows,
    unpark_windows,
)
from forcebridge.store.repositories.contacts import contacts_by_id, identities_by_contact
from forcebridge.store.repositories.services import get_service
from forcebridge.store.types import utcnow
from forcebridge.sync.activities import Progress as ProgressCallback
from forcebridge.sync.activities import PushOptions, push_activities
from forcebridge.sync.activity_drafts import contact_name
from forcebridge.sync.activity_report import PushReport
from forcebridge.sync.activity_tasks import held_reason, target_sources
from forcebridge.sync.connections import open_client
from forcebridge.sync.documents import PUSH_COUNTS, recorded_counts, window_counts

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

app = typer.Typer(help="Log conversations to Salesforce as Tasks.", no_args_is_help=True)


@app.command("push")
def push(
    service: ServiceOption,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Decide what would be written; write nothing.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Write new messages to Salesforce: one Task per contact per day of the service's zone."""
    options = PushOptions.from_settings(Settings(), dry_run=dry_run)
    with database() as session:
        found = get_service(session, service)
        if found.connection is None:
            fail(
                f"service {service} has no Salesforce connection: connect its org first "
                "(forcebridge connect)"
            )
        engine = session.get_bind().engine
        with (
            holding(engine, found.id, Stream.ACTIVITIES.value) as held,
            open_client(session, found.connection) as client,
            _progress_bar(as_json) as bar,
            naming_the_stopped_run(
                as_json,
                AGAIN,
                dry_run=dry_run,
                counts=partial(recorded_counts, session, counts=PUSH_COUNTS),
            ) as started_runs,
        ):
            if not held and not dry_run:
                fail(
                    f"another run of activities for {service} is in progress; try again once it "
                    "has finished"
                )
            started = utcnow()
            report = push_activities(
                session, found, client, options, progress=bar, run_started=started_runs.append
            )
            if not dry_run:
                record_on_demand(engine, found.id, _outcome(report, client), started, utcnow())
        counts = window_counts(session, found)
        counts["held"] += report.newly_held
    emit(
        report.to_dict() | counts,
        as_json,
        lambda: _show(report, counts["parked"], counts["held"]),
        stopped=report.error,
    )
    for notice in unwritten_notices(service, report.failed, counts["parked"]):
        errors.print(escape(notice), soft_wrap=True)
    if report.status is not RunStatus.SUCCEEDED:
        raise typer.Exit(1)


AGAIN = "the next push writes the rest"
"""What to do about a push Ctrl+C or SIGTERM stopped: each call's outcome is committed as it
comes back, so the next push neither loses nor writes twice what this one had sent."""


def unwritten_notices(service: str, failed: int, parked: int) -> list[str]:
    """What a push says on stderr of the windows it left unwritten: those that failed in its
    run (tried again by the next), and the service's parked ones, which no push tries again
    until new messages arrive that day or someone asks. Said on every push while windows stay
    parked, whatever the run's status: the parking run was the last to fail, and a cron job
    would otherwise hear nothing more while those conversations stay out of Salesforce.
    `service status` says the parked ones alike, for pushes the scheduler runs."""
    see_why = _see_why(service)
    notices = []
    if failed:
        notices.append(f"{_windows(failed)} failed: see why with {see_why}")
    if parked:
        is_, its, them = ("is", "its", "it") if parked == 1 else ("are", "their", "them")
        notices.append(
            f"{_windows(parked)} of {service} {is_} parked ({its} conversations are not in "
            f"Salesforce): see why with {see_why}, then try {them} again with {see_why} --retry"
        )
    return notices


def held_notice(service: str, held: int) -> str:
    """What `service status` says of the service's held windows: not a failure (a push spends
    nothing on them), but conversations out of Salesforce until the pull links their contact."""
    is_, its = ("is", "its") if held == 1 else ("are", "their")
    return (
        f"{_windows(held)} of {service} {is_} held ({its} contact has no Salesforce record the "
        f"service logs to; written once the pull links one): see which with {_see_why(service)}"
    )


def _see_why(service: str) -> str:
    return f"forcebridge activities windows --service {service}"


def _windows(count: int) -> str:
    return f"{count:,} activity window{'' if count == 1 else 's'}"


def _outcome(
    report: PushReport, client: SalesforceClient
) -> list[tuple[str, StreamFailure | None]]:
    """The push as its schedule is to learn it: a success, or a stop classed as a scheduled
    push's is (by the trouble the client found on the connection); a run that failed some
    windows only, or stopped for another reason, tells the schedule nothing new."""
    stream = Stream.ACTIVITIES.value
    if report.status is RunStatus.SUCCEEDED:
        return [(stream, None)]
    failure = connection_failure(client.observed_status) if report.error else None
    return [(stream, failure)] if failure is not None else []


@contextmanager
def _progress_bar(quiet: bool) -> Iterator[ProgressCallback | None]:
    with progress_bar(quiet=quiet) as progress:
        if progress is None:
            yield None
            return
        task = progress.add_task("Writing Tasks", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def _show(report: PushReport, parked: int, held: int) -> None:
    verb = "Would write" if report.dry_run else "Wrote"
    table = Table(title=f"{verb} activity windows (run {report.run_id})", show_header=False)
    for label, value in (
        ("Windows", report.windows),
        ("Created", report.created),
        ("Updated", report.updated),
        ("Unchanged", report.unchanged),
        ("of which read again", report.reread),
        ("Failed", report.failed),
        ("API calls", report.api_calls),
        ("Parked (all days)", parked),
        ("Held (all days)", held),
    ):
        table.add_row(label, f"{value:,}")
    table.add_row("Status", report.status.value)
    console.print(table)


@app.command("windows")
def windows(
    service: ServiceOption,
    retry: Annotated[
        bool, typer.Option("--retry", help="Try the parked windows again on the next push.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Windows that are parked (too many failed writes), whose last write failed, or held
    (their contact has no Salesforce record the service logs to)."""
    with database() as session:
        found = get_service(session, service)
        retried = unpark_windows(session, found.id) if retry else 0
        session.commit()
        sources = target_sources(found.activities_to)
        troubled = troubled_windows(session, found.id, sources)
        held = held_windows(session, found.id, sources)
        reasons = latest_errors(session, found.id, [w.key for w in troubled])
        links = identities_by_contact(session, {w.contact_id for w in held})
        for w in held:
            linked = [identity.source for identity in links.get(w.contact_id, ())]
            reasons[w.key] = held_reason(linked, found.activities_to)
        contacts = contacts_by_id(session, {w.contact_id for w in [*troubled, *held]})
        documents: list[dict[str, Any]] = [
            {
                "key": w.key,
                "contact_id": w.contact_id,
                "contact": contact_name(w.contact_id, contacts.get(w.contact_id)).full,
                "day": w.day.isoformat(),
                "part": w.part,
                "state": state,
                "parked": w.parked,
                "attempts": w.attempts,
                "reason": w.parked_reason or reasons.get(w.key),
                "task_id": w.task_id,
            }
            for w, state in [
                *((w, "parked" if w.parked else "failing") for w in troubled),
                *((w, "held") for w in held),
            ]
        ]
    emit(
        {"service": service, "retried": retried, "windows": documents},
        as_json,
        lambda: _show_windows(service, retried, documents),
    )


def _show_windows(service: str, retried: int, documents: list[dict[str, Any]]) -> None:
    if retried:
        console.print(f"{retried:,} parked windows will be tried again on the next push.")
    if not documents:
        console.print(f"Every activity window of [bold]{escape(service)}[/bold] is fine.")
        return
    table = Table("Contact", "Day", "Part", "State", "Attempts", "Why", title="Activity windows")
    for d in documents:
        table.add_row(
            escape(f"{d['contact']} ({d['contact_id']})"),
            d["day"],
            str(d["part"]),
            d["state"],
            str(d["attempts"]),
            escape(d["reason"] or ""),
        )
    console.print(table)
