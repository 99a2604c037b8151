from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from forcebridge.jobs.embedded import EmbeddedEngine
from forcebridge.jobs.execute import Outcome
from forcebridge.jobs.runtime import Runtime
from forcebridge.jobs.schedules import service_schedules
from forcebridge.jobs.streams import StreamRegistry
from forcebridge.store.models import RunStatus
from tests.jobs.recording import recorded_runs, recording_registry, recording_runner

T0 = datetime(2024, 11, 7, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _eventually(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_due_streams_run_once_each_and_again_when_their_interval_has_passed(
    runtime: Runtime, service_id: int
) -> None:
    clock = Clock(T0)
    engine = EmbeddedEngine(runtime, recording_registry(), clock=clock)
    try:
        first = engine.run_due_once()
        then = engine.run_due_once()  # a service's pulls one after the other
        nothing = engine.run_due_once()
        clock.now = T0 + timedelta(minutes=5)
        pulls_again = engine.run_due_once() + engine.run_due_once()
    finally:
        engine.stop()

    assert sorted(e.stream for e in first) == ["activities", "pull:Contact"]
    assert [e.stream for e in then] == ["pull:Lead"]
    assert {e.outcome for e in first + then} == {Outcome.SUCCEEDED}
    assert nothing == []
    assert sorted(e.stream for e in pulls_again) == ["pull:Contact", "pull:Lead"]
    runs = recorded_runs(runtime)
    assert len(runs) == 5
    assert {r.status for r in runs} == {RunStatus.SUCCEEDED}
    with runtime.engine.connect() as connection:
        schedules = service_schedules(connection, service_id)
    assert schedules["activities"].next_run_at == T0 + timedelta(hours=1)
    assert schedules["pull:Lead"].next_run_at == T0 + timedelta(minutes=10)


def test_the_dispatcher_thread_runs_due_streams_until_stopped(
    runtime: Runtime, service_id: int
) -> None:
    engine = EmbeddedEngine(
        runtime, recording_registry(), threads=2, every=timedelta(milliseconds=50)
    )
    engine.start()
    try:
        assert _eventually(lambda: len(recorded_runs(runtime)) == 3)
    finally:
        engine.stop()

    assert sorted(r.stream for r in recorded_runs(runtime)) == [
        "activities",
        "pull:Contact",
        "pull:Lead",
    ]


def test_stopping_waits_for_the_runs_in_progress(runtime: Runtime, service_id: int) -> None:
    registry = StreamRegistry({"activities": recording_runner("activities", pause=0.5)})
    engine = EmbeddedEngine(runtime, registry, every=timedelta(milliseconds=50))
    engine.start()
    assert _eventually(lambda: len(recorded_runs(runtime)) == 1)

    engine.stop()

    (run,) = recorded_runs(runtime)
    assert run.finished_at is not None


def test_every_run_is_logged_whatever_its_outcome(
    runtime: Runtime, service_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    """An operator reading `serve`'s log sees each sync run, not only the failed ones."""
    engine = EmbeddedEngine(runtime, recording_registry(), clock=Clock(T0))
    with caplog.at_level(logging.INFO, logger="forcebridge.jobs"):
        try:
            engine.run_due_once()
            engine.run_due_once()
        finally:
            engine.stop()

    logged = sorted(r.getMessage() for r in caplog.records if "succeeded" in r.getMessage())
    assert logged == [
        f"stream {stream} of service {service_id}: succeeded"
        for stream in ("activities", "pull:Contact", "pull:Lead")
    ]
