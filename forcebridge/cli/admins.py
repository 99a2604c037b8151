"""`forcebridge admin`: the people who log in to an org's admin pages.

forcebridge admin create --org ORG EMAIL [--role admin|viewer] [--password-stdin]
forcebridge admin list --org ORG
forcebridge admin password --org ORG EMAIL [--password-stdin]   # ends their sessions
forcebridge admin role --org ORG EMAIL admin|viewer
forcebridge admin remove --org ORG EMAIL                         # ends their sessions
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from forcebridge.cli.output import JsonFlag, asked_secret, console, database, emit
from forcebridge.store.models import AdminRole, AdminUser
from forcebridge.store.repositories.admins import (
    create_admin,
    get_admin,
    list_admins,
    remove_admin,
    set_password,
    set_role,
)
from forcebridge.store.repositories.orgs import get_org

app = typer.Typer(help="Manage the admin pages' users.", no_args_is_help=True)

Email = Annotated[
    str, typer.Argument(metavar="EMAIL", help="The admin's email address: their login.")
]
OrgOption = Annotated[str, typer.Option(help="The org they manage.")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from standard input instead of asking."
    ),
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.read().rstrip("\r\n")
    return asked_secret("Password", "give it on standard input with --password-stdin", confirm=True)


def _described(org: str, admin: AdminUser) -> dict[str, Any]:
    last = admin.last_login_at
    return {
        "org": org,
        "email": admin.email,
        "role": admin.role.value,
        "last_login_at": None if last is None else last.isoformat(),
    }


@app.command("create")
def create(
    email: Email,
    org: OrgOption,
    role: Annotated[
        AdminRole, typer.Option(help="admin changes settings; viewer only looks.")
    ] = AdminRole.ADMIN,
    password_stdin: PasswordStdin = False,
    as_json: JsonFlag = False,
) -> None:
    """Create an admin of an org; the password is asked for (twice), or read from a pipe with
    --password-stdin."""
    password = _password(password_stdin)
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


@app.command("list")
def list_command(org: OrgOption, as_json: JsonFlag = False) -> None:
    """The org's admins, their roles and last logins."""
    with database() as session:
        admins = [_described(org, a) for a in list_admins(session, get_org(session, org))]

    def show() -> None:
        table = Table("Email", "Role", "Last login")
        for admin in admins:
            table.add_row(escape(admin["email"]), admin["role"], admin["last_login_at"] or "never")
        console.print(table)

    emit({"org": org, "admins": admins}, as_json, show)


def _changed(org: str, email: str, change: Callable[[Session, AdminUser], None]) -> dict[str, Any]:
    """The admin after `change`, committed."""
    with database() as session:
        admin = get_admin(session, get_org(session, org), email)
        change(session, admin)
        document = _described(org, admin)
        session.commit()
    return document


@app.command("password")
def password_command(
    email: Email, org: OrgOption, password_stdin: PasswordStdin = False, as_json: JsonFlag = False
) -> None:
    """Give an admin a new password (asked twice, or read from a pipe with --password-stdin);
    their sessions end."""
    password = _password(password_stdin)
    document = _changed(org, email, lambda session, admin: set_password(session, admin, password))
    emit(
        document,
        as_json,
        lambda: console.print(
            f"New password for [bold]{escape(document['email'])}[/bold]; their sessions ended."
        ),
    )


@app.command("role")
def role_command(
    email: Email,
    org: OrgOption,
    role: Annotated[AdminRole, typer.Argument(help="admin changes settings; viewer only looks.")],
    as_json: JsonFlag = False,
) -> None:
    """Make an admin a viewer, or a viewer an admin, from their next page on."""
    document = _changed(org, email, lambda session, admin: set_role(session, admin, role))
    emit(
        document,
        as_json,
        lambda: console.print(f"[bold]{escape(document['email'])}[/bold] is now {role.value}."),
    )


@app.command("remove")
def remove(email: Email, org: OrgOption, as_json: JsonFlag = False) -> None:
    """Remove an admin of an org; their sessions end at their next request."""
    with database() as session:
        admin = get_admin(session, get_org(session, org), email)
        address = admin.email
        remove_admin(session, admin)
        session.commit()
    emit(
        {"org": org, "email": address, "removed": True},
        as_json,
        lambda: console.print(f"Removed [bold]{escape(address)}[/bold] of org {escape(org)}."),
    )
