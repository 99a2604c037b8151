"""Whether a live worker runs the due streams: said in the distributed mode, never embedded."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from forcebridge.jobs.distributed import ensure_procrastinate_schema
from forcebridge.jobs.embedded import syncing_in_process
from forcebridge.jobs.runtime import Runtime
from forcebridge.jobs.schedules import reconcile_schedules
from forcebridge.jobs.workers import (
    NO_WORKER,
    STALLED_AFTER,
    WARN_EVERY,
    WorkerWatch,
    service_worker_check,
    worker_check,
)
from forcebridge.store.types import utcnow

NOW = utcnow()


@pytest.mark.parametrize(
    ("silences", "due", "alive", "warning"),
    [
        ([], 2, 0, NO_WORKER),
        ([timedelta(minutes=10)], 1, 0, NO_WORKER),  # a dead worker runs nothing
        ([timedelta(seconds=5), timedelta(minutes=10)], 3, 1, None),
        ([STALLED_AFTER], 1, 1, None),
        ([], 0, 0, None),  # nothing waits
    ],
)
def test_a_warning_only_when_streams_are_due_and_no_worker_beat_lately(
    silences: list[timedelta], due: int, alive: int, warning: str | None
) -> None:
    check = worker_check(silences, due, NOW)

    assert (check.alive, check.warning) == (alive, warning)
    assert check.as_json() == {"alive": alive, "checked_at": NOW.isoformat(), "warning": warning}


def _heartbeat(engine: Engine, seconds: int) -> None:
    """A worker row that beat `seconds` ago, as procrastinate's workers write it."""
    ensure_procrastinate_schema(engine)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - :age)"),
            {"age": timedelta(seconds=seconds)},
        )


@pytest.fixture
def due_service(session: Session, service_id: int) -> int:
    """The connected service, its pulls and push due now."""
    reconcile_schedules(session.connection(), NOW)
    session.commit()
    return service_id


def test_the_distributed_mode_says_no_worker_runs_the_due_streams(
    backend: str, engine: Engine, session: Session, due_service: int
) -> None:
    check = service_worker_check(session.connection(), [due_service], NOW)

    if backend == "sqlite":  # embedded: serve runs them itself
        assert check is None
    else:
        assert check is not None
        assert (check.alive, check.warning) == (0, NO_WORKER)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
@pytest.mark.parametrize(("age", "warning"), [(1, None), (600, NO_WORKER)])
def test_a_fresh_heartbeat_is_a_live_worker_and_a_stale_one_is_not(
    engine: Engine, session: Session, due_service: int, age: int, warning: str | None
) -> None:
    _heartbeat(engine, age)

    check = service_worker_check(session.connection(), [due_service], NOW)

    assert check is not None
    assert check.warning == warning


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
def test_serve_warns_at_once_then_at_most_every_few_minutes_and_again_after_a_worker_came(
    engine: Engine, due_service: int, caplog: pytest.LogCaptureFixture
) -> None:
    watch = WorkerWatch(engine)
    caplog.set_level(logging.WARNING, "forcebridge.jobs.workers")

    warned = [watch.check(NOW), watch.check(NOW + WARN_EVERY / 2), watch.check(NOW + WARN_EVERY)]
    _heartbeat(engine, 1)
    warned.append(watch.check(NOW + WARN_EVERY * 2))
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM procrastinate_workers"))
    warned.append(watch.check(NOW + WARN_EVERY * 2 + timedelta(minutes=1)))

    assert warned == [True, False, True, False, True]
    assert [r.getMessage() for r in caplog.records] == [NO_WORKER] * 3
    assert all(r.levelno == logging.WARNING for r in caplog.records)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
def test_serve_on_postgresql_warns_as_it_starts_when_no_worker_runs_the_due_streams(
    runtime: Runtime, due_service: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "forcebridge.jobs")
    deadline = time.monotonic() + 10

    with syncing_in_process(runtime) as engine:
        while NO_WORKER not in caplog.messages and time.monotonic() < deadline:
            time.sleep(0.05)

    assert engine is None  # the syncs are the workers'
    assert [r.levelno for r in caplog.records if r.getMessage() == NO_WORKER] == [logging.WARNING]
