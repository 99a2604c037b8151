"""`forcebridge api-token`: the tokens the product calls the REST API with, one org each.

forcebridge api-token create --org ORG --name NAME [--json]   # the token, shown this once
forcebridge api-token list --org ORG [--json]                 # names and use, never a token
forcebridge api-token revoke --org ORG NAME [--json]          # refused from the next request
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from forcebridge.cli.output import JsonFlag, console, database, emit, errors
from forcebridge.store.models import ApiToken
from forcebridge.store.repositories.api_tokens import (
    create_api_token,
    list_api_tokens,
    revoke_api_token,
)
from forcebridge.store.repositories.orgs import get_org
from forcebridge.sync.documents import timestamp

app = typer.Typer(help="Manage the REST API's tokens.", no_args_is_help=True)

OrgOption = Annotated[str, typer.Option(help="The org whose data the token reaches.")]


def _described(org: str, token: ApiToken) -> dict[str, Any]:
    return {
        "org": org,
        "name": token.name,
        "created_at": timestamp(token.created_at),
        "last_used_at": timestamp(token.last_used_at),
    }


@app.command("create")
def create(
    org: OrgOption,
    name: Annotated[str, typer.Option(help="What it is for, e.g. product: revoked by it.")],
    as_json: JsonFlag = False,
) -> None:
    """Make a token of an org; it is printed this once, and only its hash is kept."""
    with database() as session:
        row, token = create_api_token(session, get_org(session, org), name)
        document = {**_described(org, row), "token": token}
        session.commit()

    def show() -> None:
        errors.print(
            f"Created API token [bold]{escape(name)}[/bold] of org {escape(org)}. Copy it now: "
            "it is not shown again. Send it as 'Authorization: Bearer <token>'.",
            soft_wrap=True,
        )
        typer.echo(token)

    emit(document, as_json, show)


@app.command("list")
def list_command(org: OrgOption, as_json: JsonFlag = False) -> None:
    """The org's tokens: names, when made and last used (never the tokens)."""
    with database() as session:
        tokens = [_described(org, t) for t in list_api_tokens(session, get_org(session, org))]

    def show() -> None:
        table = Table("Name", "Created", "Last used")
        for token in tokens:
            table.add_row(
                escape(token["name"]), token["created_at"], token["last_used_at"] or "never"
            )
        console.print(table)

    emit({"org": org, "tokens": tokens}, as_json, show)


@app.command("revoke")
def revoke(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The token's name.")],
    org: OrgOption,
    as_json: JsonFlag = False,
) -> None:
    """Revoke a token: requests presenting it are refused from now on."""
    with database() as session:
        revoke_api_token(session, get_org(session, org), name)
        session.commit()
    emit(
        {"org": org, "name": name, "revoked": True},
        as_json,
        lambda: console.print(
            f"Revoked API token [bold]{escape(name)}[/bold] of org {escape(org)}."
        ),
    )
