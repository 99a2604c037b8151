"""Entry point of the `forcebridge` command: one Typer app with a sub-app per concept."""

from __future__ import annotations

import typer

from forcebridge.cli import (
    activities,
    admins,
    api_tokens,
    connect,
    connections,
    contacts,
    export,
    mappings,
    messages,
    orgs,
    pull,
    runs,
    sandbox,
    sealed_secrets,
    serve,
    service_configure,
    service_fields,
    services,
)
from forcebridge.cli.demo import demo
from forcebridge.cli.output import Commands
from forcebridge.cli.worker import command as worker

app = typer.Typer(
    name="forcebridge",
    cls=Commands,
    help="Connect a product to its customers' Salesforce orgs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(orgs.app, name="org")
app.add_typer(services.app, name="service")
services.app.command("configure")(service_configure.command)
services.app.add_typer(service_fields.app, name="field")
app.command("connect")(connect.command)
app.add_typer(connections.app, name="connections")
app.add_typer(admins.app, name="admin")
app.add_typer(api_tokens.app, name="api-token")
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(export.app, name="export")
app.add_typer(messages.app, name="messages")
app.add_typer(activities.app, name="activities")
app.command("pull")(pull.command)
app.command("reconcile")(pull.reconcile_command)
app.add_typer(contacts.app, name="contacts")
app.add_typer(mappings.app, name="mapping")
app.add_typer(runs.app, name="runs")
app.add_typer(sealed_secrets.app, name="secrets")
app.command("serve")(serve.command)
app.command("worker")(worker)
app.command("demo")(demo)


if __name__ == "__main__":
    app()
