"""Small real stream runners for the tests: each run is a row in `runs`, as a sync run's is."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import select

from forcebridge.jobs.runtime import Runtime
from forcebridge.jobs.streams import RunResult, StreamRegistry, StreamRunner
from forcebridge.store.models import Run, Service
from forcebridge.store.repositories.runs import finish_run, start_run

STREAMS = ("pull:Contact", "pull:Lead", "activities")


def recording_runner(
    stream: str, *, pause: float = 0.0, during: Callable[[Runtime, int], None] | None = None
) -> StreamRunner:
    """Records a run of `stream`, taking `pause` seconds (calling `during` meanwhile)."""

    def run(runtime: Runtime, service_id: int) -> RunResult:
        with runtime.sessions() as session:
            service = session.get(Service, service_id)
            assert service is not None
            row = start_run(session, service.org, stream, service=service)
            session.commit()
            if during is not None:
                during(runtime, service_id)
            time.sleep(pause)
            finish_run(session, row)
            session.commit()
            return RunResult(row.id, row.status)

    return run


def failing_runner(error: Exception) -> StreamRunner:
    def run(runtime: Runtime, service_id: int) -> RunResult:
        raise error

    return run


def recording_registry(*, pause: float = 0.0) -> StreamRegistry:
    return StreamRegistry({stream: recording_runner(stream, pause=pause) for stream in STREAMS})


def recorded_runs(runtime: Runtime) -> list[Run]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Run).order_by(Run.started_at, Run.id)))
