"""Entry point of the `forcebridge` command: one Typer app with a sub-app per concept.

Each command's module is imported only when that command runs (`COMMANDS`): a command pays
for what it uses, not for the web app, the sandbox's test data generator and the distributed
workers' library, which took half of every command's start (0.5 of 1.1 s). `forcebridge
--help` still loads them all, to list them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from difflib import get_close_matches
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

from forcebridge.cli.output import Commands

COMMANDS: dict[str, str] = {
    "org": "forcebridge.cli.orgs:app",
    "service": "forcebridge.cli.services:app",
    "connect": "forcebridge.cli.connect:command",
    "connections": "forcebridge.cli.connections:app",
    "admin": "forcebridge.cli.admins:app",
    "api-token": "forcebridge.cli.api_tokens:app",
    "sandbox": "forcebridge.cli.sandbox:app",
    "export": "forcebridge.cli.export:app",
    "messages": "forcebridge.cli.messages:app",
    "activities": "forcebridge.cli.activities:app",
    "pull": "forcebridge.cli.pull:command",
    "reconcile": "forcebridge.cli.pull:reconcile_command",
    "contacts": "forcebridge.cli.contacts:app",
    "mapping": "forcebridge.cli.mappings:app",
    "runs": "forcebridge.cli.runs:app",
    "secrets": "forcebridge.cli.sealed_secrets:app",
    "serve": "forcebridge.cli.serve:command",
    "worker": "forcebridge.cli.worker:command",
    "demo": "forcebridge.cli.demo:demo",
}
"""Each command, in the order `--help` lists them: `module:name` of its Typer app (a group of
commands) or of its function (a command)."""


def _click_command(name: str, target: typer.Typer | Callable[..., Any]) -> Any:
    """The Click command Typer makes of a sub-app or a function, as `add_typer` and `command`
    would have made it."""
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer(add_completion=False)
    single.command(name)(target)
    return typer.main.get_command(single)


class LazyCommands(Commands):
    """The root group, loading each command from `COMMANDS` when it is first asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name].split(":")
            target = getattr(importlib.import_module(module), attribute)
            self.commands[cmd_name] = _click_command(cmd_name, target)
        return TyperGroup.get_command(self, ctx, cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """A command mistyped is answered with the nearest, as Typer answers among the commands
        it has loaded (none yet, here)."""
        try:
            return super().resolve_command(ctx, args)
        except Exception as error:
            said = getattr(error, "message", "")
            near = get_close_matches(args[0], list(COMMANDS)) if args else []
            if near and said.startswith("No such command") and "Did you mean" not in said:
                suggested = f"{said.rstrip('.')}. Did you mean {', '.join(map(repr, near))}?"
                setattr(error, "message", suggested)  # noqa: B010 - Click's message, not typed here
            raise


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
