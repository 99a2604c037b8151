"""The embedded engine: `forcebridge serve` runs the syncs itself, on SQLite, with no broker.

A dispatcher thread wakes every few seconds, brings the schedules in step with the services'
settings, claims due streams (no more than the pool has free threads, so a claim never waits
in a queue) and runs each in a small thread pool under its lease.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import timedelta

from forcebridge.jobs.engine import JobEngine
from forcebridge.jobs.execute import (
    Clock,
    Execution,
    LeaseTiming,
    execute_stream,
    settle_dead_holders,
)
from forcebridge.jobs.runners import product_registry
from forcebridge.jobs.runtime import Runtime
from forcebridge.jobs.schedules import Claim, claim_due, reconcile_schedules
from forcebridge.jobs.streams import StreamRegistry
from forcebridge.jobs.workers import is_distributed, watching_workers
from forcebridge.store.types import utcnow

logger = logging.getLogger(__name__)

DISPATCH_EVERY = timedelta(seconds=5)
DEFAULT_THREADS = 4
CLAIM_ALL = 10_000
"""`run_due_once` claims every due stream; this only bounds one pass over a huge backlog."""


class EmbeddedEngine:
    """Runs due streams in this process; a `JobEngine`."""

    def __init__(
        self,
        runtime: Runtime,
        registry: StreamRegistry,
        *,
        threads: int = DEFAULT_THREADS,
        every: timedelta = DISPATCH_EVERY,
        timing: LeaseTiming | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self._runtime = runtime
        self._registry = registry
        self._threads = threads
        self._every = every.total_seconds()
        self._timing = timing
        self._clock = clock
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="forcebridge-sync")
        self._running: set[Future[Execution]] = set()
        self._running_lock = threading.Lock()
        self._stopping = threading.Event()
        self._dispatcher: threading.Thread | None = None

    def _claim(self, limit: int) -> list[Claim]:
        now = self._clock()
        with self._runtime.engine.begin() as connection:
            reconcile_schedules(connection, now)
            return claim_due(connection, now, limit)

    def _submit(self, claim: Claim) -> Future[Execution]:
        future = self._pool.submit(
            execute_stream,
            self._runtime,
            self._registry,
            claim.service_id,
            claim.stream,
            claim=claim,
            timing=self._timing,
            clock=self._clock,
        )
        with self._running_lock:
            self._running.add(future)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, future: Future[Execution]) -> None:
        with self._running_lock:
            self._running.discard(future)
        if not future.cancelled() and future.exception() is not None:
            logger.error("a sync run could not be carried out", exc_info=future.exception())

    def dispatch(self) -> list[Claim]:
        with self._running_lock:
            free = self._threads - len(self._running)
        if free <= 0:
            return []
        claims = self._claim(free)
        for claim in claims:
            self._submit(claim)
        return claims

    def run_due_once(self) -> list[Execution]:
        """Run every stream due now and wait for them: for tests, the demo and scripts."""
        futures = [self._submit(claim) for claim in self._claim(CLAIM_ALL)]
        wait(futures)
        return [future.result() for future in futures]

    def _dispatch_until_stopped(self) -> None:
        while not self._stopping.is_set():
            try:
                self.dispatch()
            except Exception:
                logger.exception("dispatching due syncs failed; trying again shortly")
            self._stopping.wait(self._every)

    def start(self) -> None:
        if self._dispatcher is not None:
            raise RuntimeError("the embedded job engine is already started")
        settle_dead_holders(self._runtime.engine, self._clock)
        self._dispatcher = threading.Thread(
            target=self._dispatch_until_stopped, name="forcebridge-dispatcher", daemon=True
        )
        self._dispatcher.start()

    def stop(self) -> None:
        """Stop claiming, let the runs in progress finish, and drop nothing: a claim whose run
        never started simply comes due again."""
        self._stopping.set()
        if self._dispatcher is not None:
            self._dispatcher.join()
        self._pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def syncing_in_process(runtime: Runtime) -> Iterator[JobEngine | None]:
    """Run the product's syncs in this process for the block, on SQLite (the embedded default).

    On PostgreSQL the block runs without: `forcebridge worker` processes do the syncing there,
    and a web process should not compete with them for CPU; it only warns while streams are
    due and no worker is alive (`workers.WorkerWatch`)."""
    if is_distributed(runtime.engine):
        logger.info("PostgreSQL database: syncs run on `forcebridge worker` processes")
        with watching_workers(runtime.engine):
            yield None
        return
    engine: JobEngine = EmbeddedEngine(runtime, product_registry())
    engine.start()
    try:
        yield engine
    finally:
        engine.stop()
