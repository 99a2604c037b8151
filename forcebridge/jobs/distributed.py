"""The distributed engine: `forcebridge worker` processes on many machines, one PostgreSQL.

procrastinate carries the jobs; forcebridge's own tables keep the policy. A periodic dispatcher
task claims due schedule rows and defers one `run_stream` job each on the same database
connection, inside the claim's transaction: the claims and their jobs commit together or not
at all. Sync jobs have no procrastinate lock and no retry. The stream's lease keeps two runs
apart, and a failure is retried by a later claim after the schedule's backoff. A periodic
sweeper fails the jobs of workers that stopped sending heartbeats, frees the leases their runs
held and counts those runs as failed, so a stream that crashes its worker backs off too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from procrastinate import App, JobContext, PsycopgConnector, SyncPsycopgConnector
from procrastinate.jobs import Job, Status
from procrastinate.manager import JobManager
from procrastinate.schema import SchemaManager
from sqlalchemy import Connection, Engine, func, select

from forcebridge.jobs.errors import PostgresRequired
from forcebridge.jobs.execute import (
    Clock,
    LeaseTiming,
    execute_stream,
    record_lost_run,
    settle_dead_holders,
)
from forcebridge.jobs.runtime import Runtime
from forcebridge.jobs.schedules import Claim, claim_due, reconcile_schedules
from forcebridge.jobs.streams import StreamRegistry
from forcebridge.jobs.workers import STALLED_AFTER
from forcebridge.store.repositories.leases import holder_id
from forcebridge.store.types import utcnow

logger = logging.getLogger(__name__)

QUEUE = "forcebridge"
RUN_STREAM = "forcebridge.run_stream"
DISPATCH = "forcebridge.dispatch"
SWEEP = "forcebridge.sweep_stalled"

DISPATCH_CRON = "* * * * * */15"
"""Every 15 seconds (procrastinate's cron takes seconds as a sixth field)."""
SWEEP_CRON = "* * * * *"
CLAIMS_PER_DISPATCH = 500
HOUSEKEEPING_PRIORITY = 10
"""Dispatching and sweeping go before sync jobs when a worker slot frees up."""

_SCHEMA_LOCK = 0x666F7263_6A6F6273
"""The advisory lock under which one process at a time checks and applies the schema."""


def ensure_procrastinate_schema(engine: Engine) -> bool:
    """Apply procrastinate's schema to the database unless it is there; True when applied.

    Idempotent and safe when several workers start together: they take turns under an
    advisory lock, and only the first finds the schema missing.
    """
    with engine.begin() as connection:
        connection.execute(select(func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
        if connection.execute(select(func.to_regclass("procrastinate_jobs"))).scalar():
            return False
        # Sent without parameters, so psycopg passes the script's '%' signs through as is.
        _psycopg(connection).execute(SchemaManager.get_schema())
        return True


def _psycopg(connection: Connection) -> psycopg.Connection[Any]:
    """The psycopg connection under a SQLAlchemy one, to run procrastinate's SQL in the same
    transaction."""
    driver = connection.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise PostgresRequired(f"the database is {connection.dialect.name}")
    return driver


def _conninfo(engine: Engine) -> str:
    """The SQLAlchemy URL as libpq reads it (no `+psycopg` driver suffix)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _arguments(claim: Claim) -> dict[str, Any]:
    """A `run_stream` job's arguments (JSON)."""
    return {
        "service_id": claim.service_id,
        "stream": claim.stream,
        "claimed_until": claim.token.isoformat(),
    }


def _claim_of(arguments: Mapping[str, Any]) -> Claim:
    return Claim(
        int(arguments["service_id"]),
        str(arguments["stream"]),
        datetime.fromisoformat(str(arguments["claimed_until"])),
    )


def job_holder(job_id: int | None) -> str:
    """The start of the lease holder's name a job's run takes, so the sweeper that finds the
    job's worker dead can free its leases at once instead of waiting for them to expire."""
    return f"job {job_id} at "


STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class DistributedEngine:
    """Runs due streams on procrastinate workers; a `JobEngine`."""

    def __init__(
        self,
        runtime: Runtime,
        registry: StreamRegistry,
        *,
        concurrency: int = 4,
        dispatch_cron: str = DISPATCH_CRON,
        sweep_cron: str = SWEEP_CRON,
        stalled_after: timedelta = STALLED_AFTER,
        timing: LeaseTiming | None = None,
        clock: Clock = utcnow,
    ) -> None:
        dialect = runtime.engine.dialect
        if (dialect.name, dialect.driver) != ("postgresql", "psycopg"):
            raise PostgresRequired(f"the database is {dialect.name} through {dialect.driver}")
        self._runtime = runtime
        self._registry = registry
        self._concurrency = concurrency
        self._stalled_after = stalled_after
        self._timing = timing
        self._clock = clock
        self.app = App(
            connector=PsycopgConnector(
                conninfo=_conninfo(runtime.engine), min_size=1, max_size=concurrency + 3
            )
        )
        # Deferring on a connection the caller hands over needs no pool of its own.
        self._deferrer = JobManager(SyncPsycopgConnector())
        self.app.task(name=RUN_STREAM, queue=QUEUE, pass_context=True)(self._run_stream)
        dispatch = self.app.task(name=DISPATCH, queue=QUEUE, priority=HOUSEKEEPING_PRIORITY)(
            self._dispatch_tick
        )
        self.app.periodic(cron=dispatch_cron, periodic_id="dispatch")(dispatch)
        sweep = self.app.task(name=SWEEP, queue=QUEUE, priority=HOUSEKEEPING_PRIORITY)(
            self._sweep_tick
        )
        self.app.periodic(cron=sweep_cron, periodic_id="sweep")(sweep)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._worker: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None

    # --- the tasks ---------------------------------------------------------------------------

    def _run_stream(
        self, context: JobContext, service_id: int, stream: str, claimed_until: str
    ) -> None:
        claim = Claim(service_id, stream, datetime.fromisoformat(claimed_until))
        execute_stream(
            self._runtime,
            self._registry,
            service_id,
            stream,
            claim=claim,
            timing=self._timing,
            clock=self._clock,
            holder=job_holder(context.job.id) + holder_id(),
        )

    def _dispatch_tick(self, timestamp: int) -> None:
        # The tick's own time, not the moment a worker got to it: a stream claimed at one tick
        # is due again exactly at a later tick, where the clock would read a few milliseconds
        # past it and the next tick, a few milliseconds early in its second, would not see it.
        self.dispatch(datetime.fromtimestamp(timestamp, UTC))

    async def _sweep_tick(self, timestamp: int) -> None:
        await self.sweep()

    def _job(self, claim: Claim) -> Job:
        return Job(
            queue=QUEUE,
            lock=None,
            queueing_lock=None,
            task_name=RUN_STREAM,
            task_kwargs=_arguments(claim),
        )

    def dispatch(self, now: datetime | None = None) -> list[Claim]:
        """Claim the streams due at `now` (the clock's time by default) and defer their jobs
        in one transaction."""
        now = now or self._clock()
        with self._runtime.engine.begin() as connection:
            reconcile_schedules(connection, now)
            claims = claim_due(connection, now, CLAIMS_PER_DISPATCH)
            if claims:
                self._deferrer.batch_defer_jobs(
                    [self._job(claim) for claim in claims],
                    connection=_psycopg(connection),
                )
        return claims

    async def sweep(self) -> int:
        """Fail the sync jobs of dead workers and count their runs as failed; how many."""
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(
            task_name=RUN_STREAM, seconds_since_heartbeat=self._stalled_after.total_seconds()
        )
        for job in stalled:
            await manager.finish_job(job, status=Status.FAILED, delete_job=False)
            lost = _claim_of(job.task_kwargs)
            await asyncio.to_thread(
                record_lost_run, self._runtime.engine, lost, job_holder(job.id), self._clock
            )
            logger.warning("job %s of a dead worker marked failed (%s)", job.id, job.call_string)
        return len(list(stalled))

    # --- running a worker --------------------------------------------------------------------

    async def _work(self, **options: Any) -> None:
        async with self.app.open_async():
            await self.app.run_worker_async(
                queues=[QUEUE],
                concurrency=self._concurrency,
                name=f"forcebridge@{socket.gethostname()}:{os.getpid()}",
                stalled_worker_timeout=self._stalled_after.total_seconds(),
                **options,
            )

    def run(self) -> signal.Signals | None:
        """Work in the foreground until SIGINT or SIGTERM, then finish the jobs in progress;
        the signal that stopped it. A second signal stops it at once."""
        ensure_procrastinate_schema(self._runtime.engine)
        settle_dead_holders(self._runtime.engine, self._clock)
        return asyncio.run(self._work_until_signalled())

    async def _work_until_signalled(self) -> signal.Signals | None:
        """procrastinate's own signal handling stops the worker without saying which signal
        came; the command line exits as `serve` does, 130 after Ctrl+C and 0 after SIGTERM.
        Cancelling procrastinate's worker is its graceful stop."""
        loop = asyncio.get_running_loop()
        worker = asyncio.create_task(self._work(install_signal_handlers=False))
        received: list[signal.Signals] = []

        def stop(signum: signal.Signals) -> None:
            received.append(signum)
            for each in STOPPING_SIGNALS:  # the next one takes Python's own way
                loop.remove_signal_handler(each)
            worker.cancel()

        for each in STOPPING_SIGNALS:
            loop.add_signal_handler(each, stop, each)
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        return received[0] if received else None

    def start(self) -> None:
        """Work in a background thread until `stop`."""
        if self._thread is not None:
            raise RuntimeError("the distributed job engine is already started")
        ensure_procrastinate_schema(self._runtime.engine)
        settle_dead_holders(self._runtime.engine, self._clock)
        loop = asyncio.new_event_loop()
        worker = loop.create_task(self._work(install_signal_handlers=False))
        self._loop, self._worker = loop, worker

        def serve() -> None:
            try:
                loop.run_until_complete(worker)
            except asyncio.CancelledError:
                pass
            except Exception:
                logger.exception("the background worker stopped on an error")
            finally:
                loop.close()

        self._thread = threading.Thread(target=serve, name="forcebridge-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop fetching jobs and wait for those in progress (procrastinate's graceful stop)."""
        if self._loop is None or self._worker is None or self._thread is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop already closed: the worker ended
            self._loop.call_soon_threadsafe(self._worker.cancel)
        self._thread.join()
        self._loop = self._worker = self._thread = None
