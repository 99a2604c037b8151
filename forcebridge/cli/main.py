"""Entry point of the `forcebridge` command: one Typer app with a sub-app per concept."""

from __future__ import annotations

import typer

from forcebridge.cli import sandbox
from forcebridge.cli.demo import demo

app = typer.Typer(
    name="forcebridge",
    help="Connect a product to its customers' Salesforce orgs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(sandbox.app, name="sandbox")
app.command()(demo)


if __name__ == "__main__":
    app()
