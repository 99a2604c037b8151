"""Runs `forcebridge` commands inside the demo exactly as a person would type them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import typer

from forcebridge.cli.demo.narration import Narrator


class DemoStepFailed(RuntimeError):
    """A command the demo relies on did not succeed; the demo stops there."""


@dataclass(frozen=True)
class CommandRunner:
    """Shows each command, then runs it with `invoke` (the `forcebridge` command itself)."""

    narrator: Narrator
    invoke: Callable[[list[str]], object]

    def __call__(self, argv: list[str], *, show: list[str] | None = None) -> None:
        """`show` is what is printed instead of `argv`, e.g. with secrets left out."""
        self.narrator.command(show if show is not None else argv)
        try:
            self.invoke(argv)
        except SystemExit as leaving:
            if leaving.code not in (0, None):
                raise DemoStepFailed(f"`forcebridge {argv[0]}` exited {leaving.code}") from None
        except typer.Exit as leaving:
            if leaving.exit_code != 0:
                raise DemoStepFailed(f"`forcebridge {argv[0]}` failed") from None
