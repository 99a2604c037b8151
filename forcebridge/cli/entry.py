"""The `forcebridge` console script: the command line, stopped cleanly even while it loads.

Loading the command line (SQLAlchemy, simple-salesforce, ...) takes a second or more on a busy
machine, before any of its own signal handling is in place: Ctrl+C then printed a traceback,
and a script given `--json` no document. This module imports nothing heavy, so it is in place
from the start: a stop while loading, or while handing over to the command, ends as a stop
during a command does (exit status 130 or 143, and under `--json` one `{"error": ...}`
document). It also keeps the rule that a command prints one document: once it has printed
it, a stop adds none, and a stop while it is being written waits for its end
(`document_written`), so a script never reads half a document with another glued on.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import FrameType
from typing import Any, NoReturn

INTERRUPTED_STATUS = 128 + signal.SIGINT
TERMINATED_STATUS = 128 + signal.SIGTERM
INTERRUPTED = "interrupted (Ctrl+C) before the end"
TERMINATED = "stopped (SIGTERM) before the end"

document_printed = ContextVar("document_printed", default=False)
"""Whether the running command has printed its one JSON document."""

_STOPPING = (signal.SIGINT, signal.SIGTERM)


class _TerminatedWhileLoading(Exception):
    """SIGTERM while the command line loads."""


def _terminated(signum: int, frame: FrameType | None) -> NoReturn:
    raise _TerminatedWhileLoading


def stopped(message: str, status: int) -> NoReturn:
    """End before any command ran: the reason on stderr and, under `--json`, as the document
    (unless one was printed)."""
    print(f"Error: {message}", file=sys.stderr)
    if "--json" in sys.argv[1:] and not document_printed.get():
        print(json.dumps({"error": message}))
    sys.exit(status)


@contextmanager
def document_written() -> Iterator[None]:
    """Ctrl+C and SIGTERM held back while the document is written, and delivered once it is
    (where signals can be caught: the main thread); the document counts as printed from the
    start, so the stop prints no other."""
    document_printed.set(True)
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous: dict[int, Any] = {sig: signal.signal(sig, hold) for sig in _STOPPING}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            signal.raise_signal(received[0])


def main() -> None:
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        from forcebridge.cli.main import app

        signal.signal(signal.SIGTERM, previous)
        app()
    except KeyboardInterrupt:  # outside the command's own handling (`Commands.invoke`)
        stopped(INTERRUPTED, INTERRUPTED_STATUS)
    except _TerminatedWhileLoading:
        stopped(TERMINATED, TERMINATED_STATUS)
