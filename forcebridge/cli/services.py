"""`forcebridge service create|list|status`: units of an org, each with its time zone and
connection, and where its scheduled streams stand."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Column, Table

from forcebridge.cli import service_configure, service_fields
from forcebridge.cli.activities import held_notice, unwritten_notices
from forcebridge.cli.output import JsonFlag, console, database, emit
from forcebridge.jobs.execute import settle_dead_holders
from forcebridge.jobs.schedules import reconcile_schedules
from forcebridge.jobs.stream_status import service_stream_statuses
from forcebridge.jobs.workers import service_worker_check
from forcebridge.store.names import split_service_path
from forcebridge.store.repositories.orgs import get_org, list_orgs
from forcebridge.store.repositories.services import (
    check_service_name_free,
    create_service,
    get_service,
    list_services,
)
from forcebridge.store.types import utcnow
from forcebridge.sync.connections import connection_for_new_service
from forcebridge.sync.documents import activity_windows_document, service_document
from forcebridge.sync.service_days import zone_document, zone_in_words
from forcebridge.wording import when_due

app = typer.Typer(help="Create and list services (units of an org).", no_args_is_help=True)


@app.command("create")
def create(
    path: Annotated[str, typer.Argument(metavar="ORG/SERVICE", help="The org and the new name.")],
    timezone: Annotated[
        str, typer.Option(help="IANA time zone of the service's activity days, e.g. Europe/Paris.")
    ] = "UTC",
    region: Annotated[
        str, typer.Option(help="Country (ISO 3166) whose phone numbers may omit the +prefix.")
    ] = "US",
    connection: Annotated[
        str | None,
        typer.Option(help="The org's Salesforce connection to use (needed when it has several)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a service; it uses the org's only Salesforce connection unless told otherwise."""
    with database() as session:
        org_name, name = split_service_path(path)
        org = get_org(session, org_name)
        check_service_name_free(session, org, name)
        service = create_service(
            session,
            org,
            name,
            timezone=timezone,
            region=region,
            connection=connection_for_new_service(session, org, connection),
        )
        session.flush()
        reconcile_schedules(session.connection(), utcnow(), [service.id])
        document = service_document(service)
        session.commit()
    emit(document, as_json, lambda: _show_created(document))


@app.command("list")
def list_command(
    org: Annotated[str | None, typer.Option(help="Only this org's services.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Services with their time zone, phone region and connection."""
    with database() as session:
        orgs = [get_org(session, org)] if org else list_orgs(session)
        documents = [service_document(s) for o in orgs for s in list_services(session, o)]
    emit({"services": documents}, as_json, lambda: console.print(_table(documents)))


@app.command("status")
def status(
    path: Annotated[str, typer.Argument(metavar="ORG/SERVICE", help="The service.")],
    as_json: JsonFlag = False,
) -> None:
    """Where each scheduled stream stands: OK, Retrying, Needs Attention (with the reason), or
    Off, and when it runs next; how many activity windows are parked or held (their
    conversations are not in Salesforce); on PostgreSQL, also whether a `forcebridge worker` is
    alive to run the streams due."""
    with database() as session:
        settle_dead_holders(session.get_bind().engine)  # a killed run's stream is Retrying
        service = get_service(session, path)
        now = utcnow()
        streams = [
            s.as_json() for s in service_stream_statuses(session.connection(), service.id, now)
        ]
        zone = zone_document(service, now)
        workers = service_worker_check(session.connection(), [service.id], now)
        windows = activity_windows_document(session, service)
    document = {"service": path, **zone, "streams": streams, "activity_windows": windows}
    if workers is not None:  # distributed mode: are the workers that run the streams alive?
        document["workers"] = workers.as_json()
    emit(document, as_json, lambda: _show_status(document, now))


def _show_status(document: dict[str, Any], now: dt.datetime) -> None:
    console.print(escape(zone_in_words(document)))
    if not document["streams"]:
        console.print(
            f"{escape(document['service'])} has no scheduled streams yet: it needs a "
            "Salesforce connection."
        )
        return
    table = Table("Stream", "Status", "Every", Column("Next run", no_wrap=True), "Reason")
    for stream in document["streams"]:
        table.add_row(
            stream["stream"],
            stream["status"],
            "-" if stream["every_minutes"] is None else f"{stream['every_minutes']} min",
            _next_run(stream["next_run_at"], now),
            escape(stream["reason"] or ""),
        )
    console.print(table)
    _show_windows(document["service"], document["activity_windows"])
    warning = document.get("workers", {}).get("warning")
    if warning:
        console.print(f"[bold yellow]{escape(warning)}[/bold yellow]")


def _show_windows(service: str, windows: dict[str, int] | None) -> None:
    """Windows out of Salesforce, said as a push says them: scheduled pushes say it nowhere
    else, and the activities stream reads OK all the while."""
    if windows is None:
        return
    for notice in unwritten_notices(service, 0, windows["parked"]):
        console.print(f"[bold yellow]{escape(notice)}[/bold yellow]", soft_wrap=True)
    if windows["held"]:
        console.print(escape(held_notice(service, windows["held"])), soft_wrap=True)


def _next_run(at: str | None, now: dt.datetime) -> str:
    """The JSON's ISO time, as a person reads it ("due now", "in 4 min (07:08 UTC)")."""
    return "-" if at is None else when_due(dt.datetime.fromisoformat(at), now)


def _show_created(document: dict[str, Any]) -> None:
    uses = (
        f"uses connection {escape(document['connection'])}"
        if document["connection"]
        else "has no Salesforce connection yet"
    )
    console.print(
        f"Created service [bold]{escape(document['path'])}[/bold] ({document['timezone']},"
        f" {document['region']}); it {uses}."
    )


def _table(documents: list[dict[str, Any]]) -> Table:
    table = Table("Service", "Time zone", "Region", "Connection")
    for document in documents:
        table.add_row(
            escape(document["path"]),
            _zone_cell(document),
            document["region"],
            escape(document["connection"] or "-"),
        )
    return table


def _zone_cell(document: dict[str, Any]) -> str:
    """The zone, or while a change is pending each zone the days are counted in until it
    takes effect (a cancelled change still counts the days written in the other zone)."""
    change = document["timezone_change"]
    if change is None:
        return str(document["timezone"])
    periods = ", then ".join(
        f"{period['zone']} until {dt.datetime.fromisoformat(period['until']):%Y-%m-%d %H:%M}Z"
        for period in change["periods"]
    )
    return f"{periods}, then {change['to']}"


app.command("configure")(service_configure.command)
app.add_typer(service_fields.app, name="field")
