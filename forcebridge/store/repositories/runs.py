"""Runs of a stream and their per-record log entries.

Engines update a run's counts as they go (a page committed is counted in the same
transaction), then `finish_run` settles its status from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select, update
from sqlalchemy.orm import Session

from forcebridge.store.errors import NotFound
from forcebridge.store.models import LogLevel, Org, Run, RunLogEntry, RunStatus, Service
from forcebridge.store.models.base import MAX_ID
from forcebridge.store.repositories.leases import REHEARSAL, LeaseScope, OrgScope, lease_name_of
from forcebridge.store.types import utcnow


def run_outcome(failed: int, error: str | None) -> RunStatus:
    """A run that stopped on an error failed; one that lost records on the way is partial."""
    if error is not None:
        return RunStatus.FAILED
    return RunStatus.PARTIAL if failed else RunStatus.SUCCEEDED


def start_run(
    session: Session,
    org: Org,
    stream: str,
    *,
    service: Service | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> Run:
    run = Run(org=org, service=service, stream=stream, dry_run=dry_run, started_at=now or utcnow())
    session.add(run)
    session.flush()
    return run


def add_log_entry(
    session: Session,
    run: Run,
    level: LogLevel,
    message: str,
    *,
    salesforce_id: str | None = None,
    record_ref: str | None = None,
    field: str | None = None,
    code: str | None = None,
) -> RunLogEntry:
    entry = RunLogEntry(
        run=run,
        level=level,
        message=message,
        salesforce_id=salesforce_id,
        record_ref=record_ref,
        field=field,
        code=code,
    )
    session.add(entry)
    return entry


def finish_run(
    session: Session, run: Run, *, error: str | None = None, now: datetime | None = None
) -> Run:
    run.status = run_outcome(run.failed, error)
    run.error = error
    run.finished_at = now or utcnow()
    session.flush()
    return run


@contextmanager
def failed_if_stopped(
    session: Session, run: Run, spent: Callable[[], int] | None = None
) -> Iterator[None]:
    """A run that anything stops inside the block (a bug, Ctrl+C) ends failed, saying why and
    with the API calls it `spent`, instead of reading "running" for ever; what it committed
    stays."""
    try:
        yield
    except BaseException as stopped:
        session.rollback()
        if run.finished_at is None:  # not already ended with its own reason
            if spent is not None:
                run.api_calls = spent()
            finish_run(session, run, error=stop_reason(stopped, dry_run=run.dry_run))
            session.commit()
        raise


KEPT = "what it had committed is kept"
"""What is left of a run (not a dry run) stopped before its end; what to do next follows."""


def stop_reason(stopped: BaseException, *, dry_run: bool = False) -> str:
    """Why a run ended before its end, in words an operator reads in the run list, with what
    is left of it: what a run committed stays, a dry run changed nothing. SystemExit is what
    the command line makes of SIGTERM (`cli.output.terminated_as_interrupted`)."""
    left = "a dry run changes nothing, so nothing is left to finish" if dry_run else KEPT
    if isinstance(stopped, KeyboardInterrupt):
        return f"interrupted (Ctrl+C); {left}"
    if isinstance(stopped, SystemExit):
        return f"stopped (SIGTERM); {left}"
    return f"stopped unexpectedly: {stopped!r}"


def get_run(session: Session, run_id: int) -> Run:
    """The run of that id; an id no run can have (past what the database stores) is missing
    like any other, not an overflow in the driver."""
    run = session.get(Run, run_id) if 1 <= run_id <= MAX_ID else None
    if run is None:
        raise NotFound("run", str(run_id))
    return run


def org_run(session: Session, org_id: int, run_id: int) -> Run | None:
    """The org's run of that id; another org's is None, like a missing one."""
    run = session.get(Run, run_id)
    return run if run is not None and run.org_id == org_id else None


def list_runs(
    session: Session,
    org_id: int | None,
    *,
    service: Service | None = None,
    limit: int = 50,
    before: Run | None = None,
) -> list[Run]:
    """The latest runs first: every org's (`org_id` None), the org's, or only `service`'s; with
    `before`, those that started before that run (keyset paging: a run started meanwhile
    never shifts a page, as an offset would)."""
    query = select(Run)
    if org_id is not None:
        query = query.where(Run.org_id == org_id)
    if service is not None:
        query = query.where(Run.service_id == service.id)
    if before is not None:
        query = query.where(
            or_(
                Run.started_at < before.started_at,
                and_(Run.started_at == before.started_at, Run.id < before.id),
            )
        )
    return list(session.scalars(query.order_by(Run.started_at.desc(), Run.id.desc()).limit(limit)))


@dataclass(frozen=True)
class RunsPage:
    runs: list[Run]
    older: int | None
    """The `before` of the next page (the id of this page's last run); None on the last page."""


def runs_page(
    session: Session,
    org_id: int | None,
    *,
    limit: int,
    service: Service | None = None,
    before: Run | None = None,
) -> RunsPage:
    """`list_runs` a page at a time: up to `limit` runs, and where the next page starts."""
    found = list_runs(session, org_id, service=service, limit=limit + 1, before=before)
    shown = found[:limit]
    return RunsPage(shown, shown[-1].id if len(found) > limit else None)


def first_errors(session: Session, run_ids: Iterable[int]) -> dict[int, RunLogEntry]:
    """The first error logged by each of these runs that logged one: what a list of runs says
    of why one ended partial, in one query however many runs and entries there are."""
    first = (
        select(func.min(RunLogEntry.id))
        .where(RunLogEntry.run_id.in_(list(run_ids)), RunLogEntry.level == LogLevel.ERROR)
        .group_by(RunLogEntry.run_id)
    )
    entries = session.scalars(select(RunLogEntry).where(RunLogEntry.id.in_(first)))
    return {entry.run_id: entry for entry in entries}


DRY_RUN_LOST = (
    "The process making this dry run stopped before it finished (it crashed, was killed, or "
    "lost its database connection); a dry run writes nothing, so nothing is left to do."
)

EXPORT_LOST = (
    "The process running this export stopped before the run finished (it crashed, was killed, "
    "or lost its database connection); export the file again to finish the job: the records "
    "whose Ids it kept are updated, not made twice."
)


def fail_lost_runs(
    connection: Connection, leases: Iterable[tuple[LeaseScope, str]], reason: str, now: datetime
) -> list[tuple[int, str]]:
    """Settle as failed the runs still `running` under these (scope, lease) pairs, whose
    process is known dead: left alone they would read "running" for ever. The (service,
    stream) of each service's run, but a dry run's (`REHEARSAL`): its stream's schedule did
    not run. An org's runs (its exports) have no schedule, and say how to finish the job."""
    lost: list[tuple[int, str]] = []
    for scope, lease in leases:
        rehearsed = lease == REHEARSAL  # a dry run holds only that lease, a real run never
        held = [
            *_runs_of(scope),
            Run.dry_run.is_(rehearsed),
            Run.status == RunStatus.RUNNING,
            Run.started_at <= now,
        ]
        if not rehearsed:
            held.append(lease_name_of(Run.stream) == lease)
        exported = isinstance(scope, OrgScope)
        why = DRY_RUN_LOST if rehearsed else EXPORT_LOST if exported else reason
        settled = connection.execute(
            update(Run)
            .where(*held)
            .values(status=RunStatus.FAILED, error=why, finished_at=now)
            .returning(Run.service_id, Run.stream)
        )
        if not rehearsed and not exported:
            lost += [(row.service_id, row.stream) for row in settled]
    return lost


def _runs_of(scope: LeaseScope) -> list[ColumnElement[bool]]:
    """The runs a lease of `scope` is held for: its service's, or its org's own."""
    if isinstance(scope, OrgScope):
        return [Run.org_id == scope.org_id, Run.service_id.is_(None)]
    return [Run.service_id == scope]
