"""The distributed engine on a real PostgreSQL, with real procrastinate workers in threads."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from forcebridge.jobs.distributed import (
    RUN_STREAM,
    DistributedEngine,
    ensure_procrastinate_schema,
    job_holder,
)
from forcebridge.jobs.errors import PostgresRequired
from forcebridge.jobs.execute import execute_stream
from forcebridge.jobs.runtime import Runtime
from forcebridge.jobs.schedules import Claim, claim_due, service_schedules
from forcebridge.jobs.streams import StreamRegistry
from forcebridge.store.engine import make_engine, make_sessionmaker
from forcebridge.store.models import PullObjects, RunStatus, Service
from forcebridge.store.repositories.leases import holder_of, take_lease
from forcebridge.store.repositories.runs import start_run
from forcebridge.store.repositories.services import create_service
from forcebridge.store.types import utcnow
from tests.jobs.recording import recorded_runs, recording_registry, recording_runner

pytestmark = pytest.mark.postgres

ALL_STREAMS = ["activities", "pull:Contact"]


@pytest.fixture
def service_id(service_id: int, session: Session) -> int:
    """The service pulls Contacts only: its two pulls would take two dispatches (they share
    the contact book's lease, see test_schedules), which these tests are not about."""
    session.get_one(Service, service_id).pull_objects = PullObjects.CONTACTS
    session.commit()
    return service_id


@pytest.fixture
def backend() -> str:
    """Only PostgreSQL: the distributed engine refuses anything else."""
    return "postgres"


@pytest.fixture
def make_engine_for(runtime: Runtime) -> Iterator[Callable[..., DistributedEngine]]:
    ensure_procrastinate_schema(runtime.engine)
    started: list[DistributedEngine] = []

    def make(registry: StreamRegistry, **options: Any) -> DistributedEngine:
        engine = DistributedEngine(runtime, registry, **options)
        started.append(engine)
        return engine

    yield make
    for engine in started:
        engine.stop()


def _jobs(runtime: Runtime) -> list[Any]:
    """The sync jobs (the dispatcher's and the sweeper's own jobs left out)."""
    with runtime.engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT id, task_name, status, args FROM procrastinate_jobs"
                    " WHERE task_name = :task ORDER BY id"
                ),
                {"task": RUN_STREAM},
            )
        )


def _eventually(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_procrastinate_s_schema_is_applied_once(runtime: Runtime) -> None:
    assert ensure_procrastinate_schema(runtime.engine)
    assert not ensure_procrastinate_schema(runtime.engine)
    assert _jobs(runtime) == []


def test_the_engine_refuses_sqlite(runtime: Runtime, tmp_path: Any) -> None:
    sqlite = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    local = Runtime(runtime.settings, sqlite, make_sessionmaker(sqlite), runtime.keyring)

    with pytest.raises(PostgresRequired, match="the database is sqlite through pysqlite; work"):
        DistributedEngine(local, StreamRegistry())
    sqlite.dispose()


def test_a_dispatch_defers_exactly_one_job_per_claimed_stream(
    runtime: Runtime, service_id: int, make_engine_for: Callable[..., DistributedEngine]
) -> None:
    engine = make_engine_for(recording_registry())

    claims = engine.dispatch()
    again = engine.dispatch()

    jobs = _jobs(runtime)
    assert again == []
    assert sorted(c.stream for c in claims) == ALL_STREAMS
    assert [(j.task_name, j.status) for j in jobs] == [(RUN_STREAM, "todo")] * 2
    assert sorted((j.args["service_id"], j.args["stream"]) for j in jobs) == [
        (service_id, stream) for stream in ALL_STREAMS
    ]
    assert {j.args["claimed_until"] for j in jobs} == {claims[0].token.isoformat()}


def test_workers_run_due_streams_from_the_periodic_dispatcher(
    runtime: Runtime, service_id: int, make_engine_for: Callable[..., DistributedEngine]
) -> None:
    holders: list[str | None] = []

    def note_holder(runtime: Runtime, service_id: int) -> None:
        holders.append(holder_of(runtime.engine, service_id, "activities"))

    registry = StreamRegistry(
        {stream: recording_runner(stream) for stream in ALL_STREAMS}
        | {"activities": recording_runner("activities", during=note_holder)}
    )
    engine = make_engine_for(registry, concurrency=3, dispatch_cron="* * * * * *")

    engine.start()
    assert _eventually(lambda: len(recorded_runs(runtime)) == len(ALL_STREAMS))
    engine.stop()

    assert sorted(r.stream for r in recorded_runs(runtime)) == ALL_STREAMS
    # Held in the job's name, which the sweeper can free if the worker dies.
    (job,) = [j for j in _jobs(runtime) if j.args["stream"] == "activities"]
    assert [h is not None and h.startswith(job_holder(job.id)) for h in holders] == [True]
    with runtime.engine.connect() as connection:
        schedules = service_schedules(connection, service_id)
    assert all(s.consecutive_failures == 0 for s in schedules.values())
    assert schedules["activities"].next_run_at > utcnow() + timedelta(minutes=55)


def test_several_jobs_for_one_stream_never_run_it_twice(
    runtime: Runtime, service_id: int, make_engine_for: Callable[..., DistributedEngine]
) -> None:
    engine = make_engine_for(recording_registry(pause=0.5), concurrency=6)
    engine.dispatch()
    with runtime.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, priority, args)"
                " SELECT queue_name, task_name, priority, args FROM procrastinate_jobs,"
                " generate_series(1, 3)"
            )
        )

    engine.start()
    assert _eventually(lambda: [j.status for j in _jobs(runtime)] == ["succeeded"] * 8, seconds=30)
    engine.stop()

    runs = recorded_runs(runtime)
    assert sorted(r.stream for r in runs) == ALL_STREAMS


def test_the_sweeper_fails_the_jobs_of_a_dead_worker_and_backs_their_streams_off(
    runtime: Runtime, service_id: int, make_engine_for: Callable[..., DistributedEngine]
) -> None:
    engine = make_engine_for(recording_registry(), stalled_after=timedelta(seconds=30))
    engine.dispatch()
    with runtime.engine.begin() as connection:
        dead = connection.execute(text("SELECT worker_id FROM procrastinate_register_worker_v1()"))
        worker_id = dead.scalar_one()
        connection.execute(
            text("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '10 minutes'")
        )
        for _ in range(2):
            connection.execute(
                text("SELECT id FROM procrastinate_fetch_job_v2(ARRAY['forcebridge'], :worker)"),
                {"worker": worker_id},
            )
    # The activities push is still running somewhere: its lease is held and renewed.
    assert take_lease(runtime.engine, service_id, "activities", "alive", timedelta(minutes=2))

    async def sweep() -> int:
        async with engine.app.open_async():
            return await engine.sweep()

    swept = asyncio.run(sweep())

    assert swept == 2
    assert [j.status for j in _jobs(runtime)] == ["failed"] * 2
    with runtime.engine.connect() as connection:
        schedules = service_schedules(connection, service_id)
    assert schedules["pull:Contact"].consecutive_failures == 1
    assert "stopped before the run finished" in (schedules["pull:Contact"].last_error or "")
    assert schedules["activities"].consecutive_failures == 0
    assert recorded_runs(runtime) == []


def _dead_worker(connection: Connection) -> int:
    """A worker registered with procrastinate whose last heartbeat is ten minutes old: the id."""
    worker_id: int = connection.execute(
        text("SELECT worker_id FROM procrastinate_register_worker_v1()")
    ).scalar_one()
    connection.execute(
        text("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '10 minutes'")
    )
    return worker_id


def test_the_sweeper_frees_the_leases_a_dead_worker_s_run_held_and_counts_its_failure(
    runtime: Runtime, service_id: int, make_engine_for: Callable[..., DistributedEngine]
) -> None:
    """A worker killed mid-run (kill -9) leaves its run's lease held: the stream must not wait
    for it to expire, nor look healthy."""
    engine = make_engine_for(recording_registry(), stalled_after=timedelta(seconds=30))
    engine.dispatch()
    with runtime.engine.begin() as connection:
        worker_id = _dead_worker(connection)
        job = connection.execute(
            text("SELECT id, args FROM procrastinate_fetch_job_v2(ARRAY['forcebridge'], :worker)"),
            {"worker": worker_id},
        ).one()
    stream = job.args["stream"]
    holder = job_holder(job.id) + "host:41:9"
    assert take_lease(runtime.engine, service_id, stream, holder, timedelta(minutes=2))

    async def sweep() -> int:
        async with engine.app.open_async():
            return await engine.sweep()

    assert asyncio.run(sweep()) == 1

    with runtime.engine.connect() as connection:
        schedule = service_schedules(connection, service_id)[stream]
    assert schedule.consecutive_failures == 1
    assert take_lease(runtime.engine, service_id, stream, "next", timedelta(minutes=2))


def test_a_stream_is_due_again_exactly_at_the_tick_one_interval_after_its_claim(
    runtime: Runtime, service_id: int, make_engine_for: Callable[..., DistributedEngine]
) -> None:
    """Workers reach a periodic tick a few milliseconds after it, sometimes more, sometimes
    less: a 5-minute pull must run every 5 minutes, not slip a tick half the time."""
    tick = datetime(2026, 12, 7, 9, 0, 15, tzinfo=UTC)
    now = [tick + timedelta(milliseconds=16)]
    engine = make_engine_for(recording_registry(), clock=lambda: now[0])

    engine._dispatch_tick(int(tick.timestamp()))
    claims = {c.stream: c for c in _claims_of(runtime)}
    execute_stream(
        runtime, recording_registry(), service_id, "pull:Contact",
        claim=claims["pull:Contact"], clock=lambda: now[0],
    )  # fmt: skip
    later = tick + timedelta(minutes=5)
    now[0] = later + timedelta(milliseconds=8)
    engine._dispatch_tick(int(later.timestamp()))

    assert [c.stream for c in _claims_of(runtime)].count("pull:Contact") == 2


def _claims_of(runtime: Runtime) -> list[Claim]:
    return [
        Claim(job.args["service_id"], job.args["stream"],
              datetime.fromisoformat(job.args["claimed_until"]))
        for job in _jobs(runtime)
    ]  # fmt: skip


def test_the_sweeper_backs_off_every_service_a_dead_worker_s_shared_read_ran_for(
    runtime: Runtime,
    service_id: int,
    session: Session,
    make_engine_for: Callable[..., DistributedEngine],
) -> None:
    """A worker killed mid-way through a read shared by three services: every one of them
    counts the failure and backs off with the lead, rather than lead the same read (which may
    be what kills workers) at the next tick."""
    support = session.get_one(Service, service_id)
    group = [service_id] + [
        create_service(session, support.org, name, connection=support.connection).id
        for name in ("west", "big")
    ]
    for member in group:
        session.get_one(Service, member).pull_objects = PullObjects.CONTACTS
    session.commit()
    engine = make_engine_for(recording_registry(), stalled_after=timedelta(seconds=30))
    claims = engine.dispatch()
    with runtime.engine.begin() as connection:
        worker_id = _dead_worker(connection)
        jobs = [
            connection.execute(
                text("SELECT id, args FROM procrastinate_fetch_job_v2(ARRAY['forcebridge'], :w)"),
                {"w": worker_id},
            ).one()
            for _ in claims
        ]
    (job,) = [j for j in jobs if j.args["stream"] == "pull:Contact"]
    # The lead's run took the others' leases under its own lease's name, and a run for each.
    holder = job_holder(job.id) + "host:41:9"
    for member in group:
        assert take_lease(runtime.engine, member, "pull:Contact", holder, timedelta(minutes=30))
        start_run(session, support.org, "pull:Contact", service=session.get_one(Service, member))
    session.commit()

    async def sweep() -> int:
        async with engine.app.open_async():
            return await engine.sweep()

    assert asyncio.run(sweep()) == len(claims)

    with runtime.engine.begin() as connection:
        schedules = [service_schedules(connection, m)["pull:Contact"] for m in group]
        next_tick = claim_due(connection, utcnow() + timedelta(seconds=15), 500)
    assert [s.consecutive_failures for s in schedules] == [1, 1, 1]
    assert all(s.backoff_until is not None for s in schedules)
    assert [c for c in next_tick if c.stream == "pull:Contact"] == []
    assert [r.status for r in recorded_runs(runtime)] == [RunStatus.FAILED] * 3
