"""`forcebridge service configure`: what a service pulls and logs, and how often.

    forcebridge service configure ORG/SERVICE [--pull contacts|leads|both] [--soql QUERY]
        [--routing CONDITION] [--pull-every MINUTES] [--update-only | --create-and-update]
        [--activities-to contacts|leads|both] [--activities-every MINUTES]
        [--task-subject TEMPLATE] [--timezone ZONE] [--json]

The pull settings are verified against the live describe first: a change of what the service
reads (`--pull`, `--soql`, `--routing`) is refused while they do not verify, each problem named,
and nothing is saved (the refusal says what the command saves without those options). The
answer shows the Salesforce API calls a day the interval projects for the org's current volume
(`null`, with why, when an object's records cannot be counted).

What needs no Salesforce call (the time zone, the activity settings, the pull interval and
mode) is saved without a connection, or while Salesforce cannot be reached; the answer says the
pull settings were not verified and why. `--pull`, `--soql` and `--routing` are refused then.
A new time zone takes effect at the end of the service's current day (`service_days`). It is
refused, and nothing saved, while an activity push of the service runs: the change holds the
pushes' lease until it commits, so that no push writes a later day in between.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from forcebridge.cli.output import JsonFlag, console, database, emit, errors, fail, wrong_options
from forcebridge.jobs.execute import holding_for_zone_change
from forcebridge.jobs.schedules import reconcile_schedules
from forcebridge.salesforce.errors import SalesforceError
from forcebridge.store.models import ActivityTarget, PullObjects, Service
from forcebridge.store.repositories.services import check_timezone, get_service
from forcebridge.store.types import utcnow
from forcebridge.sync.connection_errors import ConnectError
from forcebridge.sync.connections import open_client
from forcebridge.sync.documents import activity_settings_document, pull_settings_document
from forcebridge.sync.pull_settings import (
    MAX_INTERVAL_MINUTES,
    ConfigurationRefused,
    PullChange,
    PullConfiguration,
    configure_pull,
    save_unverified,
    scope_changes,
)
from forcebridge.sync.service_days import move_service, zone_document, zone_in_words
from forcebridge.sync.transcript import check_subject_template
from forcebridge.wording import listed


class PullChoice(enum.StrEnum):
    CONTACTS = "contacts"
    LEADS = "leads"
    BOTH = "both"


def command(
    path: Annotated[str, typer.Argument(metavar="ORG/SERVICE", help="The service to configure.")],
    pull: Annotated[
        PullChoice | None, typer.Option("--pull", help="Pull Contacts, Leads, or both.")
    ] = None,
    soql: Annotated[
        str | None,
        typer.Option("--soql", help="Pull a custom SOQL query instead (any object)."),
    ] = None,
    routing: Annotated[
        str | None,
        typer.Option(
            "--routing",
            help="SOQL condition choosing this service's records on a shared connection "
            "(empty to remove).",
        ),
    ] = None,
    pull_every: Annotated[
        int | None,
        typer.Option(
            "--pull-every", min=1, max=MAX_INTERVAL_MINUTES, help="Minutes between pulls."
        ),
    ] = None,
    update_only: Annotated[
        bool, typer.Option("--update-only", help="Only enrich existing contacts.")
    ] = False,
    create_and_update: Annotated[
        bool,
        typer.Option("--create-and-update", help="Also create contacts (the default mode)."),
    ] = False,
    activities_to: Annotated[
        ActivityTarget | None,
        typer.Option("--activities-to", help="Log conversations to Contacts, Leads, or both."),
    ] = None,
    activities_every: Annotated[
        int | None,
        typer.Option(
            "--activities-every",
            min=1,
            max=MAX_INTERVAL_MINUTES,
            help="Minutes between activity pushes.",
        ),
    ] = None,
    task_subject: Annotated[
        str | None, typer.Option("--task-subject", help="Subject template of logged Tasks.")
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="IANA time zone of the activity days (e.g. America/New_York), from the end "
            "of the service's current day; refused while an activity push runs.",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Configure a service; pull settings are verified against Salesforce before saving."""
    if pull is not None and soql is not None:
        wrong_options("choose --pull or --soql, not both")
    if update_only and create_and_update:
        wrong_options("choose --update-only or --create-and-update, not both")
    if task_subject and task_subject.strip():
        try:
            check_subject_template(task_subject)
        except ValueError as error:
            fail(str(error))
    change = PullChange(
        objects=PullObjects(pull.value) if pull is not None else None,
        soql=soql,
        routing=routing,
        interval_minutes=pull_every,
        update_only=True if update_only else (False if create_and_update else None),
    )
    given = {
        "--pull-every": pull_every is not None,
        "--update-only": update_only,
        "--create-and-update": create_and_update,
        "--activities-to": activities_to is not None,
        "--activities-every": activities_every is not None,
        "--task-subject": task_subject is not None,
        "--timezone": timezone is not None,
    }
    others = tuple(option for option, present in given.items() if present)
    zone_notices: tuple[str, ...] = ()
    with database() as session:
        service = get_service(session, path)
        now = utcnow()
        if timezone is not None:  # an unknown zone is refused before Salesforce is asked
            check_timezone(timezone)
        # Held from before the first write (the pull settings') until the commit.
        with holding_for_zone_change(session, service, timezone) as busy:
            if busy is not None:
                fail(busy)
            configured, unverified = _configure_pull(session, service, change, others)
            if timezone is not None:
                # Written after Salesforce was asked: on SQLite a write left pending would lock
                # out the token the client renews in a transaction of its own.
                zone_notices = move_service(service, timezone, now).notices
            _activities(service, activities_to, activities_every, task_subject)
            session.flush()
            reconcile_schedules(session.connection(), now, [service.id])
            pull_document = (
                {**configured.to_json(), "not_verified": None}
                if configured
                else {**pull_settings_document(service), **unverified}
            )
            document = {
                "service": path,
                **pull_document,
                **activity_settings_document(service),
                **zone_document(service, now),
            }
            session.commit()
    emit(document, as_json, lambda: _show(path, configured, document))
    for problem in configured.problems if configured else ():
        # Saved as asked (exit status 0), but the runs will fail until the org or the mapping
        # is mended: said on stderr, under --json too.
        errors.print(f"[yellow]The pull settings no longer verify:[/yellow] {escape(problem)}")
    for notice in zone_notices:  # days written ahead: said on stderr, under --json too
        errors.print(f"[yellow]Time zone:[/yellow] {escape(notice)}")


def _configure_pull(
    session: Session, service: Service, change: PullChange, others: tuple[str, ...]
) -> tuple[PullConfiguration | None, dict[str, Any]]:
    """The pull settings verified and saved; or, when Salesforce cannot be asked and the change
    needs no verifying, saved as they are, with why they were not verified (and the streams
    reading everything again) to show. A refusal saves nothing, and names the options that
    caused it, and those of `others` the command saves without them."""
    path = f"{service.org.name}/{service.name}"
    options = {"objects": "--pull", "soql": "--soql", "routing": "--routing"}
    asked = tuple(  # a query implies its object: `--soql` alone is not `--pull` as well
        options[name]
        for name in scope_changes(service, change)
        if name != "objects" or change.objects is not None
    )
    if service.connection is None:
        why = f"service {path} has no Salesforce connection: connect its org first"
    else:
        try:
            with open_client(session, service.connection) as client:
                return configure_pull(session, client, service, change), {}
        except ConfigurationRefused as refused:
            if not asked:  # an interval out of range: that is all there is to say
                fail(str(refused))
            problems = "\n".join(refused.problems)
            fail(_refusal(asked, others, f"the pull settings do not verify:\n{problems}"))
        except (SalesforceError, ConnectError) as error:
            why = f"Salesforce could not be asked: {error}"
    if asked:
        fail(_refusal(asked, others, f"Salesforce must verify it first, and {why}"))
    reread = save_unverified(session, service, change)
    return None, {"full_read_next": list(reread), "not_verified": why}


def _refusal(asked: tuple[str, ...], others: tuple[str, ...], why: str) -> str:
    """Why nothing was saved: the change of what the service reads (the `asked` options) is
    refused `why`; the command is all or nothing, so it says what the same command without
    them saves (`others`, the options that need no verifying)."""
    blocked = listed(asked)
    rest = f"\nWithout {blocked}, the same command saves {listed(others)}." if others else ""
    return f"nothing was saved: what the service reads ({blocked}) is not changed, as {why}{rest}"


def _activities(
    service: Service, to: ActivityTarget | None, every: int | None, subject: str | None
) -> None:
    if to is not None:
        service.activities_to = to
    if every is not None:
        service.activities_interval_minutes = every
    if subject is not None:
        service.task_subject_template = subject.strip() or None


def _show(path: str, configured: PullConfiguration | None, document: dict[str, Any]) -> None:
    what = (
        f"the query {document['soql']}"
        if document["soql"]
        else {"contacts": "Contacts", "leads": "Leads", "both": "Contacts and Leads"}[
            document["pull"]
        ]
    )
    mode = "updates existing contacts only" if document["update_only"] else "creates and updates"
    console.print(
        f"[bold]{escape(path)}[/bold] pulls {escape(what)} "
        f"{_every(document['pull_every_minutes'])} and {mode}."
    )
    if document["routing"]:
        console.print(f"Routing: only records where {escape(document['routing'])}")
    if configured is None:
        console.print(
            f"[yellow]Pull settings not verified:[/yellow] {escape(document['not_verified'])}"
        )
    else:
        _show_verified(configured)
    console.print(
        f"Activities go to {document['activities_to']} "
        f"{_every(document['activities_every_minutes'])}."
    )
    console.print(escape(zone_in_words(document)))


def _every(minutes: int) -> str:
    """An interval as people say it: "every minute", not "every 1 minutes"."""
    return "every minute" if minutes == 1 else f"every {minutes} minutes"


def _show_verified(configured: PullConfiguration) -> None:
    if configured.records:
        table = Table("Object", "Records", title="Volume")
        for sobject, count in configured.records.items():
            table.add_row(escape(sobject), f"{count:,}")
        console.print(table)
    console.print(escape(configured.cost))
    if configured.reread:
        console.print(f"The next run reads everything again ({', '.join(configured.reread)}).")
