"""The `forcebridge` console script: the command line, stopped cleanly even while it loads.

Loading the command line (SQLAlchemy, simple-salesforce, FastAPI, ...) takes a second or more
on a busy machine, before any of its own signal handling is in place: Ctrl+C then printed a
traceback, and a script given `--json` no document. This module imports nothing heavy, so it is
in place from the start: a stop while loading ends as a stop during a command does (exit status
130 or 143, and under `--json` one `{"error": ...}` document).
"""

from __future__ import annotations

import json
import signal
import sys
from types import FrameType
from typing import NoReturn

INTERRUPTED_STATUS = 128 + signal.SIGINT
TERMINATED_STATUS = 128 + signal.SIGTERM
INTERRUPTED = "interrupted (Ctrl+C) before the end"
TERMINATED = "stopped (SIGTERM) before the end"


class _TerminatedWhileLoading(Exception):
    """SIGTERM while the command line loads."""


def _terminated(signum: int, frame: FrameType | None) -> NoReturn:
    raise _TerminatedWhileLoading


def stopped(message: str, status: int) -> NoReturn:
    """End before any command ran: the reason on stderr and, under `--json`, as the document."""
    print(f"Error: {message}", file=sys.stderr)
    if "--json" in sys.argv[1:]:
        print(json.dumps({"error": message}))
    sys.exit(status)


def main() -> None:
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        from forcebridge.cli.main import app
    except KeyboardInterrupt:
        stopped(INTERRUPTED, INTERRUPTED_STATUS)
    except _TerminatedWhileLoading:
        stopped(TERMINATED, TERMINATED_STATUS)
    finally:
        signal.signal(signal.SIGTERM, previous)
    app()
