"""Reading the next page while the current one is applied."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import closing

import pytest

from forcebridge.sync.read_ahead import read_ahead

WAIT = 10.0
"""Generous: a loaded CI machine may schedule the fetching thread late."""


class Source:
    """A source that records what was asked of it, and from which thread."""

    def __init__(self, count: int, fail_at: int | None = None) -> None:
        self.count, self.fail_at = count, fail_at
        self.produced = 0
        self.closed = False
        self.threads: set[str] = set()
        self.asked = [threading.Event() for _ in range(count + 1)]

    def __iter__(self) -> Iterator[int]:
        try:
            for n in range(self.count):
                self.asked[n].set()
                self.threads.add(threading.current_thread().name)
                if n == self.fail_at:
                    raise ValueError(f"page {n} could not be read")
                self.produced += 1
                yield n
        finally:
            self.closed = True


def test_every_item_arrives_in_order_fetched_off_the_callers_thread() -> None:
    source = Source(5)

    assert list(read_ahead(iter(source))) == [0, 1, 2, 3, 4]
    assert threading.current_thread().name not in source.threads


def test_the_next_item_is_fetched_while_the_caller_works_on_the_current_one() -> None:
    source = Source(3)
    ahead = read_ahead(iter(source))

    assert next(ahead) == 0
    # The caller has not asked for item 1 yet, and it is already being fetched.
    assert source.asked[1].wait(WAIT)
    assert list(ahead) == [1, 2]


def test_no_more_than_one_item_is_read_ahead() -> None:
    source = Source(10)
    ahead = read_ahead(iter(source))

    assert next(ahead) == 0
    assert source.asked[1].wait(WAIT)
    assert not source.asked[2].wait(0.2)
    assert source.produced <= 2
    ahead.close()


def test_an_error_of_the_source_reaches_the_caller_at_its_item() -> None:
    source = Source(5, fail_at=2)
    received = []

    with pytest.raises(ValueError, match="page 2 could not be read"):
        for item in read_ahead(iter(source)):
            received.append(item)

    assert received == [0, 1]


def test_stopping_early_closes_the_source_and_leaves_no_fetch_running() -> None:
    source = Source(100)

    with closing(read_ahead(iter(source))) as ahead:
        for item in ahead:
            if item == 1:
                break

    assert source.closed
    assert source.produced <= 3
    assert not [t for t in threading.enumerate() if t.name.startswith("forcebridge-read-ahead")]


def test_a_stop_while_the_fetching_thread_starts_closes_the_source_once_its_fetch_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A signal can stop `submit` inside `Thread.start`, after the thread took the fetch but
    before the pool counts the thread: the stop reaches the caller, and the source is closed
    only once that fetch is done, never under it."""
    fetching, release = threading.Event(), threading.Event()

    def source() -> Iterator[int]:
        fetching.set()
        release.wait(WAIT)
        yield 1

    real_start = threading.Thread.start

    def started_then_stopped(thread: threading.Thread) -> None:
        real_start(thread)
        assert fetching.wait(WAIT)
        real_start(threading.Timer(0.2, release.set))
        raise KeyboardInterrupt

    items = source()
    with monkeypatch.context() as patched:
        patched.setattr(threading.Thread, "start", started_then_stopped)
        ahead = read_ahead(items)
        with pytest.raises(KeyboardInterrupt):
            next(ahead)

    assert release.is_set()
    assert items.gi_frame is None  # closed, after its fetch


def test_a_caller_stopping_early_tells_the_fetch_in_flight_before_awaiting_it() -> None:
    """A fetch that waits on Salesforce (a Bulk job being polled) ends at once, not at its end:
    the caller leaving (Ctrl+C, SIGTERM) no longer waits for the job and its download."""
    stop, fetching = threading.Event(), threading.Event()
    ended: list[bool] = []

    def source() -> Iterator[int]:
        yield 0
        fetching.set()
        ended.append(stop.wait(WAIT))  # the poll's wait, which the stop cuts short
        yield 1

    ahead = read_ahead(source(), stop)
    assert next(ahead) == 0
    assert fetching.wait(WAIT)
    ahead.close()

    assert ended == [True]
