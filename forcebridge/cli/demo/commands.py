"""Runs `forcebridge` commands inside the demo exactly as a person would type them."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import redirect_stdout
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

    def __call__(
        self, argv: list[str], *, show: list[str] | None = None, allowed_exit: int = 0
    ) -> None:
        """`show` is what is printed instead of `argv`, e.g. with secrets left out;
        `allowed_exit` is a non-zero status the step expects (a run with some failed rows)."""
        self.narrator.command(show if show is not None else argv)
        self._run(argv, allowed_exit)

    def _run(self, argv: list[str], allowed_exit: int) -> None:
        try:
            status = self.invoke(argv)
        except SystemExit as leaving:
            self._check(argv, leaving.code, allowed_exit)
        except typer.Exit as leaving:
            self._check(argv, leaving.exit_code, allowed_exit)
        else:
            # Outside standalone mode, click returns a command's exit status instead of exiting.
            self._check(argv, status if isinstance(status, int) else 0, allowed_exit)

    def output(self, argv: list[str]) -> str:
        """Run the command as `__call__` does; what it printed on stdout, kept off the screen
        (a document the demo reads, or a secret it only shows in part)."""
        self.narrator.command(argv)
        printed = io.StringIO()
        with redirect_stdout(printed):
            self._run(argv, 0)
        return printed.getvalue()

    @staticmethod
    def _check(argv: list[str], status: object, allowed_exit: int) -> None:
        if status not in (0, None, allowed_exit):
            raise DemoStepFailed(f"`forcebridge {argv[0]}` exited {status}")
