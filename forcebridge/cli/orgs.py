"""`forcebridge org create|list`: the product's customers, each with its Salesforce status."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from forcebridge.cli.output import JsonFlag, console, database, emit
from forcebridge.store.models import Org
from forcebridge.store.repositories.connections import list_connections
from forcebridge.store.repositories.orgs import create_org, list_orgs
from forcebridge.store.repositories.services import list_services
from forcebridge.sync.connections import org_connection_status
from forcebridge.sync.documents import timestamp

app = typer.Typer(help="Create and list orgs (the product's customers).", no_args_is_help=True)


def org_document(session: Session, org: Org) -> dict[str, Any]:
    status = org_connection_status(session, org)
    return {
        "name": org.name,
        "status": status.state.value,
        "problem": status.problem.value if status.problem else None,
        "reason": status.message if status.problem else None,
        "connections": [c.name for c in list_connections(session, org)],
        "services": [s.name for s in list_services(session, org)],
        "created_at": timestamp(org.created_at),
    }


@app.command("create")
def create(
    org: Annotated[
        str, typer.Argument(metavar="ORG", help="The org's name, as commands will address it.")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Create an org; connect it to Salesforce next with `forcebridge connect --org ORG`."""
    with database() as session:
        document = org_document(session, create_org(session, org))
        session.commit()
    emit(
        document,
        as_json,
        lambda: console.print(
            f"Created org [bold]{escape(org)}[/bold]. Next: forcebridge connect --org"
            f" {escape(org)} ..."
        ),
    )


@app.command("list")
def list_command(as_json: JsonFlag = False) -> None:
    """Every org, with its services, connections and Salesforce status."""
    with database() as session:
        documents = [org_document(session, org) for org in list_orgs(session)]
    emit({"orgs": documents}, as_json, lambda: console.print(_table(documents)))


def _table(documents: list[dict[str, Any]]) -> Table:
    table = Table("Org", "Status", "Connections", "Services")
    for document in documents:
        status = document["status"]
        if document["reason"]:
            status += f"\n{document['reason']}"
        table.add_row(
            escape(document["name"]),
            escape(status),
            escape(", ".join(document["connections"]) or "-"),
            escape(", ".join(document["services"]) or "-"),
        )
    return table
