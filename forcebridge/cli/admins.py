"""`forcebridge admin create`: the people who log in to an org's admin pages."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from forcebridge.cli.output import JsonFlag, console, database, emit
from forcebridge.store.models import AdminRole
from forcebridge.store.repositories.admins import create_admin
from forcebridge.store.repositories.orgs import get_org

app = typer.Typer(help="Manage the admin pages' users.", no_args_is_help=True)


@app.command("create")
def create(
    email: Annotated[
        str, typer.Argument(metavar="EMAIL", help="The admin's email address: their login.")
    ],
    org: Annotated[str, typer.Option(help="The org they manage.")],
    role: Annotated[
        AdminRole, typer.Option(help="admin changes settings; viewer only looks.")
    ] = AdminRole.ADMIN,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input instead of asking."
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Create an admin of an org; the password is asked for (twice) unless piped in."""
    if password_stdin:
        password = sys.stdin.read().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)
    with database() as session:
        admin = create_admin(session, get_org(session, org), email, password, role)
        document = {"org": org, "email": admin.email, "role": admin.role.value}
        session.commit()
    emit(
        document,
        as_json,
        lambda: console.print(
            f"Created {document['role']} [bold]{escape(admin.email)}[/bold] of org {escape(org)}."
        ),
    )
