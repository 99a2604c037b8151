"""Fetching the next page from Salesforce while the current one is applied.

A page of 2,000 records takes Salesforce a good part of a second to serve, and the engine about
as long to convert, match and write; done in turn, each waits for the other. `read_ahead` asks
for the next item in a background thread as soon as the current one is handed out, so the two
overlap, and never holds more than one item besides the caller's: memory stays flat.

A caller that stops early (Ctrl+C, SIGTERM, nothing left to read for) sets `stop` before it
awaits the fetch in flight, so a source that checks it (`sync.pull_read`) ends that fetch at
its next step rather than at its end: a Bulk job being polled is aborted at once instead of
being waited for and its results downloaded for nobody.

The source is only ever advanced by one thread at a time, and the caller must not use what the
source uses (the Salesforce client) while iterating. Writes the source makes through the store
(a renewed token) take their own short transactions; the caller holds no uncommitted write while
it waits for the next item, so on SQLite neither waits on the other for long.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar, cast

T = TypeVar("T")

_END = object()


def read_ahead(items: Iterator[T], stop: threading.Event | None = None) -> Generator[T]:
    """`items`, each fetched in a background thread while the caller works on the one before.

    An error raised by the source reaches the caller at the item it would have produced. When
    the caller stops early, `stop` is set, the fetch in flight is awaited (Salesforce calls
    have timeouts) and the source is closed."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="forcebridge-read-ahead")
    fetching = threading.Lock()

    def fetch() -> object:
        with fetching:
            return next(items, _END)

    try:
        pending = pool.submit(fetch)
        while (item := pending.result()) is not _END:
            pending = pool.submit(fetch)
            yield cast(T, item)
    finally:
        if stop is not None:
            stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        close = getattr(items, "close", None)
        if close is not None:
            # A signal stopping `submit` while it starts the thread leaves a fetch the pool
            # does not wait for: the source is closed once no fetch holds it (closing a
            # generator another thread runs raises "generator already executing").
            with fetching:
                close()
