"""Entry point of the `forcebridge` command: one Typer app with a sub-app per concept.

Each command's module is imported only when that command runs (`COMMANDS`): a command pays
for what it uses, not for the web app, the sandbox's test data generator and the distributed
workers' library, which took half of every command's start (0.5 of 1.1 s). `forcebridge
--help` lists each command by the one-line help kept beside it, loading none (it loaded them
all, 3 s).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from forcebridge.cli.output import Commands


@dataclass(frozen=True)
class Listed:
    """A command as the root group knows it before loading it."""

    target: str
    """`module:name` of its Typer app (a group of commands) or of its function (a command)."""
    help: str
    """What `forcebridge --help` says of it: the first paragraph of its own help, on one line
    (`tests/cli/test_main.py` keeps the two the same)."""


COMMANDS: dict[str, Listed] = {
    "org": Listed("forcebridge.cli.orgs:app", "Create and list orgs (the product's customers)."),
    "service": Listed(
        "forcebridge.cli.services:app", "Create and list services (units of an org)."
    ),
    "connect": Listed(
        "forcebridge.cli.connect:command",
        "Connect an org to Salesforce (or log an existing connection in again).",
    ),
    "connections": Listed(
        "forcebridge.cli.connections:app",
        "List, check, disconnect and remove Salesforce connections.",
    ),
    "admin": Listed("forcebridge.cli.admins:app", "Manage the admin pages' users."),
    "api-token": Listed("forcebridge.cli.api_tokens:app", "Manage the REST API's tokens."),
    "sandbox": Listed(
        "forcebridge.cli.sandbox:app", "Run and fill the Salesforce-compatible sandbox."
    ),
    "export": Listed(
        "forcebridge.cli.export:app",
        "Export prospects to Salesforce as Leads or Contacts, and choose what an org may "
        "export to.",
    ),
    "messages": Listed("forcebridge.cli.messages:app", "Record the conversations the product had."),
    "activities": Listed(
        "forcebridge.cli.activities:app", "Log conversations to Salesforce as Tasks."
    ),
    "pull": Listed(
        "forcebridge.cli.pull:command",
        "Pull the service's Contacts, Leads or custom query from Salesforce now.",
    ),
    "reconcile": Listed(
        "forcebridge.cli.pull:reconcile_command",
        "Run the service's reconciliation now: find what incremental pulls cannot see (records "
        "deleted for good, records that left the query or routing rule, recalculated "
        "formulas).",
    ),
    "contacts": Listed("forcebridge.cli.contacts:app", "List and import a service's contacts."),
    "mapping": Listed("forcebridge.cli.mappings:app", "Show, verify and set field mappings."),
    "runs": Listed("forcebridge.cli.runs:app", "List runs and show one with its log."),
    "secrets": Listed(
        "forcebridge.cli.sealed_secrets:app", "Move stored secrets to the current secret key."
    ),
    "serve": Listed(
        "forcebridge.cli.serve:command",
        "Run the admin web UI and the REST API (log in with an account from `admin create`).",
    ),
    "worker": Listed(
        "forcebridge.cli.worker:command",
        "Run sync jobs from the PostgreSQL job queue (FORCEBRIDGE_DATABASE_URL).",
    ),
    "demo": Listed(
        "forcebridge.cli.demo:demo",
        "Run every capability built so far against a freshly seeded sandbox org.",
    ),
}
"""Each command, in the order `--help` lists them."""


def _click_command(name: str, target: typer.Typer | Callable[..., Any]) -> Any:
    """The Click command Typer makes of a sub-app or a function, as `add_typer` and `command`
    would have made it."""
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        _listed_on_one_line(group)
        return group
    single = typer.Typer(add_completion=False)
    single.command(name)(target)
    return typer.main.get_command(single)


def _listed_on_one_line(group: TyperGroup) -> None:
    """Have a group's `--help` list each of its commands by the first paragraph of its help on
    one line: Typer's rich help keeps the docstring's line breaks, which cut the list's
    sentences at the docstring's margin, not the terminal's."""
    for command in group.commands.values():
        if command.short_help is None and command.help:
            command.short_help = " ".join(command.help.split("\n\n")[0].split())
        if isinstance(command, TyperGroup):
            _listed_on_one_line(command)


class LazyCommands(Commands):
    """The root group: each command listed from `COMMANDS`, and loaded when it is to run."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command as loaded, or, not loaded yet, as listed: its name and one-line help,
        all that `--help` and shell completion read of it."""
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            return TyperCommand(cmd_name, short_help=COMMANDS[cmd_name].help)
        return TyperGroup.get_command(self, ctx, cmd_name)

    def loaded(self, name: str) -> Any:
        """The command `name` of `COMMANDS`, its module imported on first use."""
        if name not in self.commands:
            module, attribute = COMMANDS[name].target.split(":")
            target = getattr(importlib.import_module(module), attribute)
            self.commands[name] = _click_command(name, target)
        return self.commands[name]

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """The command to run, loaded. A command mistyped is answered with the nearest, as
        Typer answers among the commands it has loaded (none yet, here)."""
        try:
            name, command, rest = super().resolve_command(ctx, args)
        except Exception as error:
            said = getattr(error, "message", "")
            near = get_close_matches(args[0], list(COMMANDS)) if args else []
            if near and said.startswith("No such command") and "Did you mean" not in said:
                suggested = f"{said.rstrip('.')}. Did you mean {', '.join(map(repr, near))}?"
                setattr(error, "message", suggested)  # noqa: B010 - Click's message, not typed here
            raise
        return name, self.loaded(name) if name in COMMANDS else command, rest


app = typer.Typer(
    name="forcebridge",
    cls=LazyCommands,
    help="Connect a product to its customers' Salesforce orgs.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _forcebridge() -> None:
    """Connect a product to its customers' Salesforce orgs."""


if __name__ == "__main__":
    app()
