"""`forcebridge connections list|status|disconnect`: an org's Salesforce connections.

Documents describe a connection without any secret: tokens, passwords and keys never leave the
store through the command line.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from forcebridge.cli.output import JsonFlag, console, database, emit, errors
from forcebridge.jobs.schedules import after_checking, after_disconnecting
from forcebridge.store.models import Connection, Org
from forcebridge.store.repositories.connections import list_connections
from forcebridge.store.repositories.orgs import get_org, list_orgs
from forcebridge.store.types import utcnow
from forcebridge.sync.connections import (
    disconnect,
    org_connection_status,
    refresh_status,
    remove_connection,
)
from forcebridge.sync.documents import timestamp
from forcebridge.sync.store_ports import stored_status

app = typer.Typer(
    help="List, check, disconnect and remove Salesforce connections.", no_args_is_help=True
)

OrgFilter = Annotated[str | None, typer.Option("--org", help="Only this org's connections.")]


def connection_document(connection: Connection) -> dict[str, Any]:
    status = stored_status(connection)
    usage = (
        {"used": connection.last_api_usage, "limit": connection.last_api_limit}
        if connection.last_api_limit is not None
        else None
    )
    return {
        "org": connection.org.name,
        "name": connection.name,
        "kind": connection.kind.value,
        "auth_method": connection.auth_method.value,
        "login_url": connection.login_url,
        "instance_url": connection.instance_url,
        "username": connection.username,
        "salesforce_org_id": connection.salesforce_org_id,
        "salesforce_user_id": connection.salesforce_user_id,
        "user_time_zone": connection.user_time_zone,
        "status": status.state.value,
        "problem": status.problem.value if status.problem else None,
        "reason": status.message if status.problem else None,
        "status_since": timestamp(connection.status_changed_at),
        "api_usage": usage,
    }


def show_connection(document: dict[str, Any], verb: str) -> None:
    """One line for people: what happened to which connection, and how it stands now."""
    where = f"{escape(document['org'])}/{escape(document['name'])}"
    console.print(f"{verb} [bold]{where}[/bold] ({document['kind']}, {document['instance_url']}).")
    console.print(f"Status: {_status_text(document)}")


def _status_text(document: dict[str, Any]) -> str:
    if document["problem"] is None:
        return f"[green]{document['status']}[/green]"
    return f"[yellow]{document['status']}[/yellow]: {escape(document['reason'])}"


def _orgs(session: Session, org: str | None) -> list[Org]:
    return [get_org(session, org)] if org else list_orgs(session)


@app.command("list")
def list_command(org: OrgFilter = None, as_json: JsonFlag = False) -> None:
    """Connections with where they log in and their last known status."""
    with database() as session:
        documents = [
            connection_document(c)
            for o in _orgs(session, org)
            for c in list_connections(session, o)
        ]
    emit({"connections": documents}, as_json, lambda: console.print(_table(documents)))


@app.command("status")
def status_command(
    org: OrgFilter = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Ask Salesforce first (one API call per connection) and record it."
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Each org's status, rolled up from its connections ("Connected" or "Needs Attention"
    with the reason and what to do). A check exits 1 when it finds a connection not Connected."""
    with database() as session:
        documents = []
        for found in _orgs(session, org):
            connections = list_connections(session, found)
            if check:
                connections = [refresh_status(session, c) for c in connections]
                for checked in connections:
                    after_checking(session, checked, utcnow())
                session.commit()
            rollup = org_connection_status(session, found)
            documents.append(
                {
                    "org": found.name,
                    "status": rollup.state.value,
                    "problem": rollup.problem.value if rollup.problem else None,
                    "reason": rollup.message if rollup.problem else None,
                    "connections": [connection_document(c) for c in connections],
                }
            )
    emit({"orgs": documents}, as_json, lambda: _show_status(documents))
    if check and (failing := _not_connected(documents)):
        errors.print(f"Not connected: {escape(', '.join(failing))}", soft_wrap=True)
        raise typer.Exit(1)


def _not_connected(documents: list[dict[str, Any]]) -> list[str]:
    """The connections a check found not Connected, as ORG/NAME: the check failed for them,
    and a script (cron, a health probe) learns it from the exit status."""
    return [
        f"{connection['org']}/{connection['name']} ({connection['problem']})"
        for document in documents
        for connection in document["connections"]
        if connection["problem"] is not None
    ]


ConnectionName = Annotated[str, typer.Argument(metavar="NAME", help="The connection's name.")]
ItsOrg = Annotated[str, typer.Option("--org", help="The org it belongs to.")]


@app.command("disconnect")
def disconnect_command(
    name: ConnectionName,
    org: ItsOrg,
    as_json: JsonFlag = False,
) -> None:
    """Revoke the connection's tokens at Salesforce and forget its credentials. The connection
    and its services' settings stay, marked "Needs Attention", until it is reconnected."""
    with database() as session:
        disconnected = disconnect(session, org, name)
        after_disconnecting(session, disconnected, utcnow())
        session.commit()
        document = connection_document(disconnected)
    emit(document, as_json, lambda: show_connection(document, "Disconnected"))


@app.command("remove")
def remove_command(
    name: ConnectionName,
    org: ItsOrg,
    as_json: JsonFlag = False,
) -> None:
    """Revoke the connection's tokens and delete it (refused while a service uses it): for a
    connection the org no longer wants, which would keep the org's status "Needs Attention"."""
    with database() as session:
        remove_connection(session, org, name)
    document = {"org": org, "name": name, "removed": True}
    emit(document, as_json, lambda: console.print(f"Removed {escape(org)}/{escape(name)}."))


def _table(documents: list[dict[str, Any]]) -> Table:
    table = Table("Connection", "Kind", "Login", "User", "Status")
    for document in documents:
        table.add_row(
            f"{escape(document['org'])}/{escape(document['name'])}",
            document["kind"],
            f"{document['auth_method']} at {document['login_url']}",
            escape(document["username"] or "-"),
            _status_text(document),
        )
    return table


def _show_status(documents: list[dict[str, Any]]) -> None:
    if not documents:
        console.print("No orgs yet: create one with forcebridge org create ORG.")
    for document in documents:
        console.print(f"[bold]{escape(document['org'])}[/bold]: {_status_text(document)}")
        for connection in document["connections"]:
            console.print(f"  {escape(connection['name'])}: {_status_text(connection)}")
