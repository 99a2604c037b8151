"""Running one (service, stream) under its lease, and writing the outcome into its schedule.

Both engines call `execute_stream`. The lease, not the engine, keeps two runs of a stream from
overlapping: a run that cannot take it returns at once, and one whose holder dies stops
renewing it, so it expires and the stream can run elsewhere. A change of a service's time zone
holds its activities lease too (`holding_for_zone_change`), as no push may write a day while
the change decides from the latest one when it takes effect.
"""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from forcebridge.jobs.errors import ScheduleMissing
from forcebridge.jobs.failures import UNEXPECTED, WORKER_LOST, classify
from forcebridge.jobs.policy import (
    FailureKind,
    ScheduleState,
    Stream,
    StreamFailure,
    after_failure,
    after_success,
    asked_again,
    claimed_at,
)
from forcebridge.jobs.runtime import Runtime
from forcebridge.jobs.schedules import (
    Claim,
    connection_problem,
    is_abandoned,
    is_owed,
    load_state,
    release_claim,
    save_state,
    service_schedules,
)
from forcebridge.jobs.streams import RunResult, StreamRegistry, StreamRunFailed
from forcebridge.store.models import RunStatus, Service
from forcebridge.store.repositories.leases import (
    LeaseScope,
    dead_holders_here,
    holder_id,
    release_held_by,
    release_lease,
    renew_lease,
    take_lease,
)
from forcebridge.store.repositories.runs import fail_lost_runs
from forcebridge.store.types import utcnow

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class LeaseTiming:
    """A lease lasts `ttl` unless renewed; a running stream renews it every `heartbeat`."""

    ttl: timedelta = timedelta(minutes=2)
    heartbeat: timedelta = timedelta(seconds=30)


class Outcome(enum.StrEnum):
    BUSY = "busy"
    """Another holder runs the stream: nothing was done."""
    STALE = "stale"
    """The claim was overtaken (the stream ran, was claimed again, or was turned off)."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    LEASE_LOST = "lease_lost"
    """The run went on past its lease (a stalled process): its outcome was not recorded."""


@dataclass(frozen=True)
class Execution:
    service_id: int
    stream: str
    outcome: Outcome
    result: RunResult | None = None
    failure: StreamFailure | None = None


class _Heartbeat:
    """Renews a lease in the background while the run goes on; notes when it was lost."""

    def __init__(
        self,
        engine: Engine,
        scope: LeaseScope,
        stream: str,
        holder: str,
        timing: LeaseTiming,
        clock: Clock,
    ) -> None:
        self._renew = lambda: renew_lease(engine, scope, stream, holder, timing.ttl, now=clock())
        self._every = timing.heartbeat.total_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name=f"lease {scope}/{stream}", daemon=True
        )
        self.lost = False

    def _beat(self) -> None:
        while not self._stop.wait(self._every):
            try:
                renewed = self._renew()
            except Exception:
                logger.exception("renewing a lease failed; trying again at the next beat")
                continue
            if not renewed:
                self.lost = True
                return

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def stop(self) -> None:
        """No more renewals; after this, `lost` is final."""
        self._stop.set()
        self._thread.join()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


@contextmanager
def _leased(
    engine: Engine, scope: LeaseScope, stream: str, holder: str, timing: LeaseTiming, clock: Clock
) -> Iterator[_Heartbeat | None]:
    """The stream's lease taken as `holder` and renewed through the block, then released; None
    (nothing taken) while another run holds it."""
    if not take_lease(engine, scope, stream, holder, timing.ttl, now=clock()):
        yield None
        return
    try:
        with _Heartbeat(engine, scope, stream, holder, timing, clock) as heartbeat:
            yield heartbeat
    finally:
        release_lease(engine, scope, stream, holder)


@contextmanager
def holding(
    engine: Engine, scope: LeaseScope, stream: str, timing: LeaseTiming | None = None
) -> Iterator[bool]:
    """The lease of a service's stream (or of an org's exports) held for the block and renewed
    as it goes, for a run started by hand; False (nothing held) while another run holds it.
    Leases that dead processes of this machine left are freed first, so a run killed before
    does not block this one."""
    settle_dead_holders(engine)
    with _leased(engine, scope, stream, holder_id(), timing or LeaseTiming(), utcnow) as heartbeat:
        yield heartbeat is not None


@contextmanager
def holding_for_zone_change(
    session: Session, service: Service, zone: str | None
) -> Iterator[str | None]:
    """The service's activities lease held through the block when `zone` is a new zone for it:
    the change takes effect after the latest day a push wrote Tasks for (`move_service`), so no
    push may write a later day between the change reading it and committing. Yields None, or,
    while a push holds the lease, the refusal saying why nothing may be saved. No lease is
    needed (None) for the zone the service has, or none given.

    Enter it before the session writes anything (on SQLite a pending write would lock out the
    lease's own connection), and commit inside the block: the lease is released after."""
    if zone is None or zone == service.timezone:
        yield None
        return
    refusal = (
        f"nothing was saved: an activity push of {service.org.name}/{service.name} is running, "
        "and the service's time zone cannot change while it writes the days' Tasks; try again "
        "once it ends"
    )
    with holding(session.get_bind().engine, service.id, Stream.ACTIVITIES.value) as held:
        yield None if held else refusal


def _run(runtime: Runtime, registry: StreamRegistry, service_id: int, stream: str) -> RunResult:
    result = registry.runner_for(stream)(runtime, service_id)
    if result.status is RunStatus.FAILED:
        raise StreamRunFailed(result)
    return result


def execute_stream(
    runtime: Runtime,
    registry: StreamRegistry,
    service_id: int,
    stream: str,
    *,
    claim: Claim | None = None,
    timing: LeaseTiming | None = None,
    clock: Clock = utcnow,
    holder: str | None = None,
) -> Execution:
    """Run the stream once if its lease is free, and record the outcome on its schedule.

    With a `claim` (from a dispatcher) the run goes ahead only while that claim stands; without
    one it is a run on demand, which still records its outcome (a success after a fix lifts
    the backoff). The run's leases are held as `holder` (this thread, unless told). Every
    execution is logged, whatever its outcome, by both engines alike.
    """
    execution = _execute(runtime, registry, service_id, stream, claim, timing, clock, holder)
    said = execution.outcome.value
    if execution.outcome is Outcome.SUCCEEDED and execution.result is not None:
        said = execution.result.status.value  # "partial" when records failed: not a success
    logger.info("stream %s of service %s: %s", stream, service_id, said)
    return execution


def _execute(
    runtime: Runtime,
    registry: StreamRegistry,
    service_id: int,
    stream: str,
    claim: Claim | None,
    timing: LeaseTiming | None,
    clock: Clock,
    holder: str | None,
) -> Execution:
    engine = runtime.engine
    with _leased(
        engine, service_id, stream, holder or holder_id(), timing or LeaseTiming(), clock
    ) as heartbeat:
        if heartbeat is None:
            if claim is not None:
                with engine.begin() as connection:
                    release_claim(connection, claim)
            return Execution(service_id, stream, Outcome.BUSY)
        if claim is not None:
            with engine.connect() as connection:
                if not is_owed(connection, claim):
                    return Execution(service_id, stream, Outcome.STALE)
        started_at = claimed_at(claim.token) if claim is not None else clock()
        result: RunResult | None = None
        failure: StreamFailure | None = None
        try:
            result = _run(runtime, registry, service_id, stream)
        except Exception as error:
            failure = classify(error)
            logger.warning(
                "stream %s of service %s failed: %s",
                stream,
                service_id,
                failure.message,
                exc_info=failure.problem == UNEXPECTED,
            )
            result = error.result if isinstance(error, StreamRunFailed) else None
        heartbeat.stop()  # whether the lease held to the run's end is final now
        if heartbeat.lost:
            logger.error(
                "stream %s of service %s ran past its lease; its outcome is not recorded",
                stream,
                service_id,
            )
            return Execution(service_id, stream, Outcome.LEASE_LOST, result, failure)
        scheduled = claim is not None
        _record(engine, service_id, stream, started_at, clock(), failure, scheduled=scheduled)
        if result is not None:  # the other services the read served, however it went for this
            for other in result.covered:
                _record(engine, other, stream, started_at, clock(), None, scheduled=scheduled)
            for other, failed in result.others_failed:
                logger.warning("stream %s of service %s failed: %s", stream, other, failed.message)
                _record(engine, other, stream, started_at, clock(), failed, scheduled=scheduled)
        outcome = Outcome.FAILED if failure else Outcome.SUCCEEDED
        return Execution(service_id, stream, outcome, result, failure)


def _record(
    engine: Engine,
    service_id: int,
    stream: str,
    started_at: datetime,
    finished_at: datetime,
    failure: StreamFailure | None,
    *,
    scheduled: bool = False,
) -> None:
    """Move the stream's schedule after a run; a scheduled one keeps a request to run made
    while it went on (`asked_again`). A success is weighed against the service's connection
    as its latest calls left it (`after_success`)."""
    with engine.begin() as connection:
        try:
            state = load_state(connection, service_id, stream)
        except ScheduleMissing:
            return  # a run on demand of a stream that is not scheduled, or a deleted service
        if failure is None:
            trouble = connection_problem(connection, service_id)
            ended = after_success(state, started_at, finished_at, trouble)
        else:
            ended = after_failure(state, failure, finished_at)
        if scheduled:
            ended = asked_again(state, ended, started_at, finished_at)
        save_state(connection, service_id, stream, ended)


def record_on_demand(
    engine: Engine,
    service_id: int,
    outcomes: Iterable[tuple[str, StreamFailure | None]],
    started_at: datetime,
    finished_at: datetime,
) -> None:
    """Move the schedules of the streams a run on demand (the command line) ran, each with its
    failure classed as a scheduled run's would be (None: it succeeded), where the run tells the
    scheduler something new: a success lifts a backoff and a flag (as a scheduled one does: not
    a login flag its connection still stands flagged for, `after_success`), and a failure only
    a person can fix is flagged. Other failures (a lease another run holds, a passing outage)
    are left to the scheduler's own next try."""
    for stream, failure in outcomes:
        if failure is None or failure.kind is FailureKind.NEEDS_ATTENTION:
            _record(engine, service_id, stream, started_at, finished_at, failure)


def settle_dead_holders(engine: Engine, clock: Clock = utcnow) -> int:
    """Free the leases that processes of this machine which died (a `kill -9`, a crash) left
    held, fail the runs they left `running` (an export's too), and count a failure on those
    runs' schedules, as the sweeper does for a dead worker: a restarted engine's streams run
    again after the failure's backoff, not once the leases expire or their claims lapse; how
    many holders were dead."""
    dead = dead_holders_here(engine)
    for holder in dead:
        freed = release_held_by(engine, holder)
        with engine.begin() as connection:
            now = clock()
            _count_lost(
                connection, fail_lost_runs(connection, freed, WORKER_LOST.message, now), now
            )
        logger.warning("freed the leases of %s, a process that died: %s", holder, freed)
    return len(dead)


def _count_lost(connection: Connection, lost: Iterable[tuple[int, str]], now: datetime) -> bool:
    """Count a failure (`worker_lost`) on the schedules of the (service, stream) runs a dead
    process lost: each service a shared read ran for backs off with its lead, rather than lead
    the same read, which may be what kills its process, at the next tick; whether any was."""
    counted = False
    for service_id, stream in dict.fromkeys(lost):  # a lead's run and its claim count once
        for scheduled, state in _schedules_of(connection, service_id, stream).items():
            save_state(connection, service_id, scheduled, after_failure(state, WORKER_LOST, now))
            counted = True
    return counted


def _schedules_of(connection: Connection, service_id: int, stream: str) -> dict[str, ScheduleState]:
    """The schedules a lost run stood for: its stream's, or, for a pull by hand of several
    streams (recorded as "pull"), each of the service's pull streams."""
    from forcebridge.sync.pull import SEVERAL_STREAMS

    schedules = service_schedules(connection, service_id)
    if stream == SEVERAL_STREAMS:
        return {name: s for name, s in schedules.items() if name.startswith(f"{stream}:")}
    return {stream: schedules[stream]} if stream in schedules else {}


def record_lost_run(
    engine: Engine, claim: Claim, holder_prefix: str, clock: Clock = utcnow
) -> bool:
    """Settle a claimed run whose worker died, its leases held by names starting with
    `holder_prefix`: free them, fail the runs it left `running` (a shared read's, one per
    service it read for), and count a failure on each of their schedules and on the claim's
    (its run may have died before it began), as `settle_dead_holders` does, so a stream that
    kills its worker backs off like any other failing stream. False when nothing was lost:
    the run is alive or was overtaken."""
    now = clock()
    freed = release_held_by(engine, holder_prefix)
    with engine.begin() as connection:
        lost = fail_lost_runs(connection, freed, WORKER_LOST.message, now)
        if is_abandoned(connection, claim, now):
            lost.append((claim.service_id, claim.stream))
        return _count_lost(connection, lost, now)
