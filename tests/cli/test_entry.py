"""The console script stops cleanly while the command line is still loading."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

from forcebridge.cli.entry import INTERRUPTED_STATUS, TERMINATED_STATUS

STOPPED_WHILE_LOADING = """
import importlib.abc, os, signal, sys

class SignalOnLoading(importlib.abc.MetaPathFinder):
    # The signal arrives as the command line starts loading, as a Ctrl+C in its first second.
    def find_spec(self, name, path, target=None):
        if name == "forcebridge.cli.main":
            os.kill(os.getpid(), signal.{signal})
        return None

sys.meta_path.insert(0, SignalOnLoading())
from forcebridge.cli.entry import main
main()
"""


@pytest.mark.parametrize(
    ("sent", "status", "error"),
    [
        (signal.SIGINT, INTERRUPTED_STATUS, "interrupted (Ctrl+C) before the end"),
        (signal.SIGTERM, TERMINATED_STATUS, "stopped (SIGTERM) before the end"),
    ],
)
def test_a_signal_while_the_command_line_loads_ends_with_its_status_and_one_document(
    sent: signal.Signals, status: int, error: str
) -> None:
    script = STOPPED_WHILE_LOADING.format(signal=sent.name)
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
