"""The console script stops cleanly while the command line is still loading."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from forcebridge.cli.entry import INTERRUPTED_STATUS, TERMINATED_STATUS
from forcebridge.cli.output import Commands, JsonFlag, emit

STOPPED_WHILE_LOADING = """
import importlib.abc, os, signal, sys

class SignalOnLoading(importlib.abc.MetaPathFinder):
    # The signal arrives as the command line starts loading, as a Ctrl+C in its first second.
    def find_spec(self, name, path, target=None):
        if name == "{module}":
            os.kill(os.getpid(), signal.{signal})
        return None

sys.meta_path.insert(0, SignalOnLoading())
from forcebridge.cli.entry import main
main()
"""


@pytest.mark.parametrize(
    "module",
    [
        "forcebridge.cli.main",  # the command line
        "forcebridge.cli.runs",  # the command's own module, loaded once the line is parsed
    ],
)
@pytest.mark.parametrize(
    ("sent", "status", "error"),
    [
        (signal.SIGINT, INTERRUPTED_STATUS, "interrupted (Ctrl+C) before the end"),
        (signal.SIGTERM, TERMINATED_STATUS, "stopped (SIGTERM) before the end"),
    ],
)
def test_a_signal_while_the_command_line_loads_ends_with_its_status_and_one_document(
    module: str, sent: signal.Signals, status: int, error: str
) -> None:
    script = STOPPED_WHILE_LOADING.format(signal=sent.name, module=module)
    stopped = subprocess.run(
        [sys.executable, "-c", script, "runs", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert stopped.returncode == status
    assert json.loads(stopped.stdout) == {"error": error}
    assert "Traceback" not in stopped.stderr
    assert error in stopped.stderr


def test_a_signal_while_the_document_is_written_waits_for_its_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl+C while a large document goes to a slow reader: the document is finished, then the
    command stops (130), with no other document glued to a half-written one."""
    written = typer.echo

    def interrupted_while_writing(message: object = None, *args: Any, **kwargs: Any) -> None:
        signal.raise_signal(signal.SIGINT)
        written(message, *args, **kwargs)

    reporting = typer.Typer(cls=Commands)

    @reporting.command()
    def report(as_json: JsonFlag = False) -> None:
        emit({"contacts": list(range(1000))}, as_json, lambda: None)

    monkeypatch.setattr(typer, "echo", interrupted_while_writing)
    result = CliRunner().invoke(reporting, ["--json"])

    assert result.exit_code == INTERRUPTED_STATUS
    assert json.loads(result.stdout) == {"contacts": list(range(1000))}
