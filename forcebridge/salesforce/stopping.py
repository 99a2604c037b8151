"""Stopping work that calls Salesforce midway (Ctrl+C, SIGTERM, a reader that no longer wants
the rest): it starts no call after the one in flight but its cleanup, and never cuts short a
call whose answer must be kept.

Signals reach the main thread only, where Python raises them wherever they land. A read made
on another thread (`forcebridge.sync.read_ahead`) is told by a `threading.Event` its reader
sets instead: the read checks it before each call it would start, and wakes on it while it
waits (for a Bulk job, `bulk_reads`), then raises `ReadStopped`.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType


class ReadStopped(Exception):
    """The reader stopped the read before its end: what it read is incomplete. Not a
    `SalesforceError`, so that no handler of Salesforce's failures takes a stop for one."""


def raise_if_stopped(stop: threading.Event | None, before: str) -> None:
    """`ReadStopped` once `stop` is set, naming the call it would have started `before`."""
    if stop is not None and stop.is_set():
        raise ReadStopped(f"stopped before {before}")


@contextmanager
def interrupts_held() -> Iterator[None]:
    """SIGINT and SIGTERM, where Python turns them into exceptions (KeyboardInterrupt; the
    command line's SIGTERM, see `cli.output.terminated_as_interrupted`), take effect when the
    block ends rather than inside it; a second one arriving meanwhile takes effect at once.
    For a call whose answer must be kept: the records a write made (`sync.export_write`), the
    Bulk job a read created, so it can be aborted. Signals only reach the main thread:
    elsewhere there is nothing to hold."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handlers: dict[int, Callable[[int, FrameType | None], object]] = {}
    held: list[int] = []

    def restore() -> None:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)

    def hold(signum: int, frame: FrameType | None) -> None:
        if held:
            restore()
            handlers[signum](signum, frame)
        held.append(signum)

    for stopping in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(stopping)
        if callable(handler):
            handlers[stopping] = handler
            signal.signal(stopping, hold)
    try:
        yield
    finally:
        restore()
    if held:
        handlers[held[0]](held[0], None)
