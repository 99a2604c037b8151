"""Entry point of the `forcebridge` command: one Typer app with a sub-app per concept."""

from __future__ import annotations

import typer

from forcebridge.cli import admins, connect, connections, orgs, sandbox, serve, services
from forcebridge.cli.demo import demo

app = typer.Typer(
    name="forcebridge",
    help="Connect a product to its customers' Salesforce orgs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(orgs.app, name="org")
app.add_typer(services.app, name="service")
app.command("connect")(connect.command)
app.add_typer(connections.app, name="connections")
app.add_typer(admins.app, name="admin")
app.add_typer(sandbox.app, name="sandbox")
app.command("serve")(serve.command)
app.command("demo")(demo)


if __name__ == "__main__":
    app()
