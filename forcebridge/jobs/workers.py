"""Whether a `forcebridge worker` is alive to run the streams that are due (distributed mode).

On PostgreSQL `serve` runs no syncs: only `forcebridge worker` processes do. Without one, every
stream reads OK and due now forever and nothing runs. procrastinate's workers beat into
`procrastinate_workers` every 10 seconds; one silent for `STALLED_AFTER` is dead, as the
sweeper judges it. `service status`, the service page and `serve`'s log say so when streams are
due and no worker is alive. On SQLite `serve` runs the syncs itself and there is nothing to say.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Interval, column, func, select, table, type_coerce

from forcebridge.jobs.policy import is_due
from forcebridge.jobs.schedules import count_due, service_schedules
from forcebridge.store.types import utcnow

logger = logging.getLogger(__name__)

STALLED_AFTER = timedelta(seconds=30)
"""A worker silent this long is dead (procrastinate's workers beat every 10 seconds)."""
NO_WORKER = "No worker is running: streams due are not being run. Start `forcebridge worker`."
CHECK_EVERY = timedelta(minutes=1)
WARN_EVERY = timedelta(minutes=5)
"""How often `serve` repeats its warning while due streams wait with no live worker."""

_WORKERS = table("procrastinate_workers", column("last_heartbeat"))


@dataclass(frozen=True)
class WorkerCheck:
    alive: int
    """Workers that sent a heartbeat within `STALLED_AFTER`."""
    checked_at: datetime
    warning: str | None
    """`NO_WORKER` when streams are due and no worker is alive to run them."""

    def as_json(self) -> dict[str, Any]:
        return {
            "alive": self.alive,
            "checked_at": self.checked_at.isoformat(),
            "warning": self.warning,
        }


def worker_check(
    silences: Iterable[timedelta], due: int, now: datetime, stalled_after: timedelta = STALLED_AFTER
) -> WorkerCheck:
    """The workers alive, from how long each has been silent, and whether the `due` streams
    wait for none."""
    alive = sum(1 for silence in silences if silence <= stalled_after)
    return WorkerCheck(alive, now, NO_WORKER if due and not alive else None)


def is_distributed(connection: Connection | Engine) -> bool:
    """Whether syncs run on `forcebridge worker` processes (PostgreSQL), not in `serve`."""
    return connection.dialect.name != "sqlite"


def worker_silences(connection: Connection) -> list[timedelta]:
    """How long each registered worker has been silent, on the database's clock (the one its
    heartbeats are written with); none before a worker created procrastinate's tables."""
    if not connection.execute(select(func.to_regclass("procrastinate_workers"))).scalar():
        return []
    silence = type_coerce(func.now() - _WORKERS.c.last_heartbeat, Interval)
    return list(connection.execute(select(silence)).scalars())


def service_worker_check(
    connection: Connection, service_ids: Iterable[int], now: datetime | None = None
) -> WorkerCheck | None:
    """For the due streams of the services (one, or an org's); None in the embedded mode."""
    if not is_distributed(connection):
        return None
    at = now or utcnow()
    due = sum(
        is_due(state, at)
        for service_id in service_ids
        for state in service_schedules(connection, service_id).values()
    )
    return worker_check(worker_silences(connection), due, at)


def all_worker_check(connection: Connection, now: datetime) -> WorkerCheck:
    """For every service's due streams."""
    return worker_check(worker_silences(connection), count_due(connection, now), now)


class WorkerWatch:
    """Logs a warning, at once and then every `WARN_EVERY` at most, while due streams wait
    with no live worker; `serve` runs one on PostgreSQL."""

    def __init__(self, engine: Engine, every: timedelta = CHECK_EVERY) -> None:
        self._engine = engine
        self._every = every.total_seconds()
        self._warned_at: datetime | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, name="forcebridge-worker-watch", daemon=True
        )

    def check(self, now: datetime | None = None) -> bool:
        """Check once; whether it warned."""
        at = now or utcnow()
        with self._engine.connect() as connection:
            found = all_worker_check(connection, at)
        if found.warning is None:
            self._warned_at = None  # the next time it happens is news again
            return False
        if self._warned_at is not None and at - self._warned_at < WARN_EVERY:
            return False
        self._warned_at = at
        logger.warning(found.warning)
        return True

    def _watch(self) -> None:
        while not self._stopping.is_set():
            try:
                self.check()
            except Exception:
                logger.exception("checking for a live `forcebridge worker` failed")
            self._stopping.wait(self._every)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()


@contextmanager
def watching_workers(engine: Engine) -> Iterator[WorkerWatch]:
    """A `WorkerWatch` running for the block."""
    watch = WorkerWatch(engine)
    watch.start()
    try:
        yield watch
    finally:
        watch.stop()
