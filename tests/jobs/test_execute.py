from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from forcebridge.jobs.execute import (
    LeaseTiming,
    Outcome,
    execute_stream,
    record_lost_run,
    settle_dead_holders,
)
from forcebridge.jobs.policy import CLAIM_HOLD, ScheduleState
from forcebridge.jobs.runtime import Runtime
from forcebridge.jobs.schedules import (
    Claim,
    claim_due,
    reconcile_schedules,
    retry_streams_now,
    service_schedules,
)
from forcebridge.jobs.streams import RunResult, StreamRegistry
from forcebridge.salesforce.errors import AuthenticationLost
from forcebridge.store.models import ConnectionStatus, RunStatus, Service
from forcebridge.store.repositories.connections import set_status
from forcebridge.store.repositories.leases import (
    EXPORT,
    OrgScope,
    holder_id,
    release_lease,
    take_lease,
)
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.runs import EXPORT_LOST, start_run
from forcebridge.store.repositories.services import create_service
from forcebridge.store.types import utcnow
from tests.jobs.recording import failing_runner, recorded_runs, recording_registry, recording_runner

T0 = datetime(2024, 11, 7, 9, 0, tzinfo=UTC)
TTL = LeaseTiming().ttl


def _at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def _claim(runtime: Runtime, stream: str, now: datetime = T0) -> Claim:
    with runtime.engine.begin() as connection:
        reconcile_schedules(connection, now)
        (claim,) = [c for c in claim_due(connection, now, 10) if c.stream == stream]
    return claim


def _schedule(runtime: Runtime, service_id: int, stream: str) -> ScheduleState:
    with runtime.engine.connect() as connection:
        return service_schedules(connection, service_id)[stream]


def test_a_claimed_run_is_recorded_and_scheduled_one_interval_later(
    runtime: Runtime, service_id: int
) -> None:
    claim = _claim(runtime, "pull:Contact")

    execution = execute_stream(
        runtime, recording_registry(), service_id, "pull:Contact", claim=claim, clock=_at(T0)
    )

    assert execution.outcome is Outcome.SUCCEEDED
    assert execution.result is not None and execution.result.status is RunStatus.SUCCEEDED
    assert [(r.stream, r.service_id) for r in recorded_runs(runtime)] == [
        ("pull:Contact", service_id)
    ]
    assert _schedule(runtime, service_id, "pull:Contact").next_run_at == T0 + timedelta(minutes=5)
    assert take_lease(runtime.engine, service_id, "pull:Contact", "next", TTL, now=T0)


def test_a_run_picked_up_after_its_claim_is_due_one_interval_after_the_claim(
    runtime: Runtime, service_id: int
) -> None:
    """A worker starts a dispatched run a moment after the tick that claimed it: counting the
    interval from then would miss the tick one interval on, and every run would slip a tick."""
    claim = _claim(runtime, "pull:Contact")

    execute_stream(
        runtime,
        recording_registry(),
        service_id,
        "pull:Contact",
        claim=claim,
        clock=_at(T0 + timedelta(seconds=2)),
    )

    assert _schedule(runtime, service_id, "pull:Contact").next_run_at == T0 + timedelta(minutes=5)


def test_a_request_to_run_made_while_the_run_went_on_is_kept(
    runtime: Runtime, service_id: int
) -> None:
    """The product posts messages while the push runs, then asks for a run: the run in
    progress may have read before them, so the request must outlive its end."""
    asked = T0 + timedelta(seconds=30)

    def run_now(runtime: Runtime, service_id: int) -> None:
        with runtime.engine.begin() as connection:
            retry_streams_now(connection, service_id, asked, ["activities"])

    claim = _claim(runtime, "activities")
    registry = StreamRegistry({"activities": recording_runner("activities", during=run_now)})

    execute_stream(
        runtime,
        registry,
        service_id,
        "activities",
        claim=claim,
        clock=_at(T0 + timedelta(minutes=1)),
    )

    assert _schedule(runtime, service_id, "activities").next_run_at == asked


def test_a_failed_run_backs_off_and_says_why(runtime: Runtime, service_id: int) -> None:
    claim = _claim(runtime, "activities")
    registry = StreamRegistry({"activities": failing_runner(AuthenticationLost("revoked"))})

    execution = execute_stream(
        runtime, registry, service_id, "activities", claim=claim, clock=_at(T0)
    )

    schedule = _schedule(runtime, service_id, "activities")
    assert execution.outcome is Outcome.FAILED
    assert schedule.needs_attention == "authentication_lost"
    assert "reconnect" in (schedule.last_error or "")
    assert schedule.next_run_at == schedule.backoff_until == T0 + timedelta(hours=1)
    assert schedule.consecutive_failures == 1


def test_a_scheduled_success_that_asked_salesforce_nothing_leaves_the_login_flag(
    runtime: Runtime, session: Session, service_id: int
) -> None:
    """The connection's calls last found its authorization revoked, and the push had nothing
    to write: the stream still needs attention, with its failures, until a call works."""
    failing = StreamRegistry({"activities": failing_runner(AuthenticationLost("revoked"))})
    failed = _claim(runtime, "activities")
    execute_stream(runtime, failing, service_id, "activities", claim=failed, clock=_at(T0))
    connection = session.get_one(Service, service_id).connection
    assert connection is not None
    set_status(
        session,
        connection,
        ConnectionStatus.NEEDS_ATTENTION,
        problem="authentication_lost",
        reason="reconnect to Salesforce",
    )
    session.commit()
    later = T0 + timedelta(hours=2)

    execution = execute_stream(
        runtime,
        recording_registry(),
        service_id,
        "activities",
        claim=_claim(runtime, "activities", later),
        clock=_at(later),
    )

    schedule = _schedule(runtime, service_id, "activities")
    assert execution.outcome is Outcome.SUCCEEDED
    assert (schedule.needs_attention, schedule.consecutive_failures) == ("authentication_lost", 1)
    assert schedule.next_run_at == later + timedelta(hours=1)


def test_a_run_reported_failed_by_its_runner_backs_off(runtime: Runtime, service_id: int) -> None:
    registry = StreamRegistry(
        {"activities": lambda runtime, service_id: RunResult(3, RunStatus.FAILED, "page 2 lost")}
    )
    _claim(runtime, "activities")

    execution = execute_stream(runtime, registry, service_id, "activities", clock=_at(T0))

    schedule = _schedule(runtime, service_id, "activities")
    assert execution.outcome is Outcome.FAILED
    assert (schedule.last_error, schedule.needs_attention) == ("page 2 lost", None)
    assert schedule.next_run_at == T0 + timedelta(minutes=1)


def test_a_partial_run_is_logged_partial_not_succeeded(
    runtime: Runtime, service_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    registry = StreamRegistry(
        {"activities": lambda runtime, service_id: RunResult(3, RunStatus.PARTIAL)}
    )
    _claim(runtime, "activities")

    with caplog.at_level(logging.INFO, logger="forcebridge.jobs"):
        execution = execute_stream(runtime, registry, service_id, "activities", clock=_at(T0))

    assert execution.outcome is Outcome.SUCCEEDED  # for the schedule: no backoff
    said = [r.getMessage() for r in caplog.records]
    assert f"stream activities of service {service_id}: partial" in said


def test_a_stream_without_a_runner_backs_off_instead_of_crashing(
    runtime: Runtime, service_id: int
) -> None:
    claim = _claim(runtime, "activities")

    execution = execute_stream(
        runtime, StreamRegistry(), service_id, "activities", claim=claim, clock=_at(T0)
    )

    assert execution.failure is not None and execution.failure.problem == "no_runner"
    assert "no runner for stream 'activities'" in (
        _schedule(runtime, service_id, "activities").last_error or ""
    )


def test_a_run_that_cannot_take_the_lease_exits_at_once_until_the_lease_expires(
    runtime: Runtime, service_id: int
) -> None:
    _claim(runtime, "pull:Contact")
    assert take_lease(runtime.engine, service_id, "pull:Contact", "dead-worker", TTL, now=T0)
    before = _schedule(runtime, service_id, "pull:Contact")
    registry = recording_registry()

    busy = execute_stream(runtime, registry, service_id, "pull:Contact", clock=_at(T0 + TTL / 2))

    assert busy.outcome is Outcome.BUSY
    assert recorded_runs(runtime) == []
    assert _schedule(runtime, service_id, "pull:Contact") == before

    expired = execute_stream(runtime, registry, service_id, "pull:Contact", clock=_at(T0 + TTL))
    assert expired.outcome is Outcome.SUCCEEDED


def test_the_heartbeat_keeps_the_lease_while_a_long_run_goes_on(
    runtime: Runtime, service_id: int
) -> None:
    timing = LeaseTiming(ttl=timedelta(seconds=0.4), heartbeat=timedelta(seconds=0.1))
    registry = StreamRegistry({"activities": recording_runner("activities", pause=1.0)})
    _claim(runtime, "activities", now=utcnow())
    outcomes: list[Outcome] = []
    long_run = threading.Thread(
        target=lambda: outcomes.append(
            execute_stream(runtime, registry, service_id, "activities", timing=timing).outcome
        )
    )

    long_run.start()
    time.sleep(0.7)  # well past the lease's 0.4 s: only renewals keep it
    started = time.monotonic()
    second = execute_stream(runtime, registry, service_id, "activities", timing=timing)
    waited = time.monotonic() - started
    long_run.join()

    assert second.outcome is Outcome.BUSY
    assert waited < 0.5
    assert outcomes == [Outcome.SUCCEEDED]
    assert len(recorded_runs(runtime)) == 1


def test_a_run_that_lost_its_lease_records_no_outcome(runtime: Runtime, service_id: int) -> None:
    def stolen(runtime: Runtime, service_id: int) -> None:
        later = utcnow() + timedelta(days=1)  # as if this process had stalled past its lease
        assert take_lease(runtime.engine, service_id, "activities", "other", TTL, now=later)

    timing = LeaseTiming(heartbeat=timedelta(seconds=0.05))
    registry = StreamRegistry(
        {"activities": recording_runner("activities", pause=0.3, during=stolen)}
    )
    claim = _claim(runtime, "activities", now=utcnow())

    execution = execute_stream(
        runtime, registry, service_id, "activities", claim=claim, timing=timing
    )

    assert execution.outcome is Outcome.LEASE_LOST
    assert _schedule(runtime, service_id, "activities").next_run_at == claim.token


def test_an_overtaken_claim_does_not_run(runtime: Runtime, service_id: int) -> None:
    claim = _claim(runtime, "pull:Contact")
    registry = recording_registry()
    execute_stream(runtime, registry, service_id, "pull:Contact", clock=_at(T0))

    stale = execute_stream(
        runtime, registry, service_id, "pull:Contact", claim=claim, clock=_at(T0)
    )

    assert stale.outcome is Outcome.STALE
    assert len(recorded_runs(runtime)) == 1


def test_a_twin_job_that_finds_the_lease_held_does_not_stop_the_run_that_holds_it(
    runtime: Runtime, service_id: int
) -> None:
    """Procrastinate may run a job twice. The twin that finds the lease held gives the claim
    back; the job holding the lease must still run rather than take the claim as overtaken,
    or neither runs until a later tick."""
    claim = _claim(runtime, "activities")
    registry = recording_registry()
    assert take_lease(runtime.engine, service_id, "activities", "the job", TTL, now=T0)
    twin = execute_stream(runtime, registry, service_id, "activities", claim=claim, clock=_at(T0))
    assert release_lease(runtime.engine, service_id, "activities", "the job")

    first = execute_stream(
        runtime, registry, service_id, "activities", claim=claim, clock=_at(T0),
        holder="the job",
    )  # fmt: skip

    assert (twin.outcome, first.outcome) == (Outcome.BUSY, Outcome.SUCCEEDED)
    assert [r.stream for r in recorded_runs(runtime)] == ["activities"]


def test_a_claim_whose_worker_died_counts_as_a_failure(runtime: Runtime, service_id: int) -> None:
    claim = _claim(runtime, "pull:Contact")
    later = T0 + timedelta(minutes=2)

    assert record_lost_run(runtime.engine, claim, "job 7 at ", clock=_at(later))
    assert not record_lost_run(runtime.engine, claim, "job 7 at ", clock=_at(later))

    schedule = _schedule(runtime, service_id, "pull:Contact")
    assert schedule.consecutive_failures == 1
    assert schedule.next_run_at == later + timedelta(minutes=1)
    assert "stopped before the run finished" in (schedule.last_error or "")


def test_a_claim_whose_run_is_alive_is_not_counted_lost(runtime: Runtime, service_id: int) -> None:
    claim = _claim(runtime, "pull:Contact")
    assert take_lease(runtime.engine, service_id, "pull:Contact", "alive", TTL, now=T0)

    assert not record_lost_run(runtime.engine, claim, "job 7 at ", clock=_at(T0 + CLAIM_HOLD / 10))


def test_a_dead_worker_s_leases_are_freed_and_its_runs_settled_at_once(
    runtime: Runtime, service_id: int
) -> None:
    """A worker killed mid-run leaves its lease held (for the stream it ran and the streams
    its read covered) and its runs `running`: whoever learns it is dead settles them all."""
    claim = _claim(runtime, "pull:Contact")
    dead, alive = "job 7 at host:41:9", "job 70 at host:42:9"
    assert take_lease(runtime.engine, service_id, "pull:Contact", dead, TTL, now=T0)
    assert take_lease(runtime.engine, service_id, "activities", alive, TTL, now=T0)
    with runtime.sessions() as session:
        service = session.get(Service, service_id)
        assert service is not None
        lost = start_run(session, service.org, "pull:Contact", service=service, now=T0)
        going = start_run(session, service.org, "activities", service=service, now=T0)
        session.commit()
        lost_id, going_id = lost.id, going.id
    later = T0 + timedelta(seconds=40)

    assert record_lost_run(runtime.engine, claim, "job 7 at ", clock=_at(later))

    runs = {run.id: run for run in recorded_runs(runtime)}
    assert runs[lost_id].status is RunStatus.FAILED
    assert "stopped before the run finished" in (runs[lost_id].error or "")
    assert runs[going_id].status is RunStatus.RUNNING
    assert _schedule(runtime, service_id, "pull:Contact").consecutive_failures == 1
    assert take_lease(runtime.engine, service_id, "pull:Contact", "next", TTL, now=later)
    assert not take_lease(runtime.engine, service_id, "activities", "next", TTL, now=later)


def test_a_restarted_engine_frees_what_a_killed_process_of_its_machine_held(
    runtime: Runtime, service_id: int
) -> None:
    """`forcebridge serve` killed mid-run and started again: the streams it ran run again
    after a failure's backoff, not when their claims lapse, and its runs no longer read
    "running"."""
    _claim(runtime, "pull:Contact")
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = f"{socket.gethostname()}:{int(gone.stdout)}:7"
    assert take_lease(runtime.engine, service_id, "pull:Contact", dead, TTL)
    assert take_lease(runtime.engine, service_id, "activities", holder_id(), TTL)
    with runtime.sessions() as session:
        service = session.get(Service, service_id)
        assert service is not None
        lost = start_run(session, service.org, "pull:Contact", service=service, now=T0)
        going = start_run(session, service.org, "activities", service=service, now=T0)
        session.commit()
        lost_id, going_id = lost.id, going.id

    restarted = T0 + timedelta(minutes=1)
    assert settle_dead_holders(runtime.engine, _at(restarted)) == 1

    runs = {run.id: run.status for run in recorded_runs(runtime)}
    assert runs == {lost_id: RunStatus.FAILED, going_id: RunStatus.RUNNING}
    lost_schedule = _schedule(runtime, service_id, "pull:Contact")
    assert lost_schedule.consecutive_failures == 1
    assert lost_schedule.next_run_at <= restarted + timedelta(minutes=1)  # claimed till T0 + 10
    assert _schedule(runtime, service_id, "activities").consecutive_failures == 0
    assert take_lease(runtime.engine, service_id, "pull:Contact", "next", TTL)
    assert not take_lease(runtime.engine, service_id, "activities", "next", TTL)


def test_a_dead_processs_export_is_failed_and_no_other_orgs_nor_any_services_run(
    runtime: Runtime, service_id: int
) -> None:
    """An export holds its org's lease: a `kill -9` would leave its run `running` for ever."""
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          check=True, capture_output=True, text=True)  # fmt: skip
    dead = f"{socket.gethostname()}:{int(gone.stdout)}:7"
    with runtime.sessions() as session:
        service = session.get_one(Service, service_id)
        other = create_org(session, "initech")
        runs = [
            start_run(session, service.org, "export:Contact", now=T0),
            start_run(session, other, "export:Contact", now=T0),
            start_run(session, service.org, "activities", service=service, now=T0),
        ]
        session.commit()
        lost, elsewhere, own = (run.id for run in runs)
        assert take_lease(runtime.engine, OrgScope(service.org_id), EXPORT, dead, TTL)
        assert take_lease(runtime.engine, OrgScope(other.id), EXPORT, holder_id(), TTL)
        assert take_lease(runtime.engine, service_id, EXPORT, dead, TTL)

    assert settle_dead_holders(runtime.engine, _at(T0 + timedelta(minutes=1))) == 1

    settled = {run.id: (run.status, run.error) for run in recorded_runs(runtime)}
    assert settled == {
        lost: (RunStatus.FAILED, EXPORT_LOST),
        elsewhere: (RunStatus.RUNNING, None),
        own: (RunStatus.RUNNING, None),
    }


def test_a_claimed_run_that_finds_its_lease_held_gives_its_claim_back(
    runtime: Runtime, service_id: int
) -> None:
    """A service's other pull holds the contact book: this one runs as soon as it is free,
    not when its claim lapses ten minutes on."""
    claim = _claim(runtime, "pull:Contact")
    assert take_lease(runtime.engine, service_id, "pull:Lead", "the other pull", TTL, now=T0)

    busy = execute_stream(
        runtime, recording_registry(), service_id, "pull:Contact", claim=claim, clock=_at(T0)
    )

    assert busy.outcome is Outcome.BUSY
    assert _schedule(runtime, service_id, "pull:Contact").next_run_at == T0
    assert recorded_runs(runtime) == []


@pytest.mark.parametrize("learns", ["sweeper", "process of its machine"])
def test_every_service_a_lost_shared_read_ran_for_backs_off_with_its_lead(
    runtime: Runtime, service_id: int, learns: str
) -> None:
    """The sweeper (`record_lost_run`) and a process of the dead one's machine
    (`settle_dead_holders`) settle a lost shared read alike: each service it ran for counts the
    failure, not the lead alone, or the others would lead the same read at the next tick."""
    with runtime.sessions() as session:
        support = session.get_one(Service, service_id)
        others = [create_service(session, support.org, name, connection=support.connection)
                  for name in ("west", "big")]  # fmt: skip
        session.commit()
        group = [service_id, *(other.id for other in others)]
    claim = _claim(runtime, "pull:Contact")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          check=True, capture_output=True, text=True)  # fmt: skip
    dead = f"job 7 at {socket.gethostname()}:{int(gone.stdout)}:9"
    for member in group:
        assert take_lease(runtime.engine, member, "pull:Contact", dead, TTL, now=T0)
    with runtime.sessions() as session:
        for member in group:
            service = session.get_one(Service, member)
            start_run(session, service.org, "pull:Contact", service=service, now=T0)
        session.commit()
    later = T0 + timedelta(seconds=40)

    if learns == "sweeper":
        assert record_lost_run(runtime.engine, claim, "job 7 at ", clock=_at(later))
    else:
        assert settle_dead_holders(runtime.engine, _at(later)) == 1

    schedules = [_schedule(runtime, member, "pull:Contact") for member in group]
    assert [s.consecutive_failures for s in schedules] == [1, 1, 1]
    assert {s.next_run_at for s in schedules} == {later + timedelta(minutes=1)}
    assert [r.status for r in recorded_runs(runtime)] == [RunStatus.FAILED] * 3
