"""A pull run: each stream of a service read once for every service sharing it, page by page.

For each stream (Leads before Contacts, or the custom query) the service and every other
service on its connection pulling the same object form a group, read with one query. Each page
is converted, matched and applied for each member, then committed with the members'
watermarks in one transaction: a crash loses at most the page in flight, and the rerun applies
it again to the same effect. A record or field that cannot be applied is logged and skipped;
a stream that cannot run at all (its mapping no longer verifies, authorization lost) fails with
the reason recorded on the run, and the service's other streams still run.

A run works under its service's lease on the stream (see `pull_leases`) and takes the other
members' leases; a member whose lease another run holds is left to that run. Each stream's
group, read and pages are `pull_stream.StreamPull`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from forcebridge.store.models import Run, RunStatus, Service
from forcebridge.store.rehearsal import rehearsal
from forcebridge.store.repositories.runs import failed_if_stopped, finish_run, start_run
from forcebridge.store.types import utcnow
from forcebridge.sync.api_spending import settle_spending, spent_since
from forcebridge.sync.pull_options import Progress, PullOptions
from forcebridge.sync.pull_plan import PlanError, pull_streams, stream_names
from forcebridge.sync.pull_stream import StreamPull
from forcebridge.sync.watermark import horizon

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

DEFAULT_OPTIONS = PullOptions()


SEVERAL_STREAMS = "pull"
"""The stream a run of several of a service's pull streams (a pull by hand) is recorded
under; each of them is `pull:<object>`."""


@dataclass(frozen=True)
class PullResult:
    run_id: int
    status: RunStatus
    read: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    failed: int
    api_calls: int
    error: str | None = None
    streams: tuple[tuple[str, Exception | None], ...] = ()
    """Each stream the run tried and the error that stopped it (None: it went through), for a
    caller that classes failures (a schedule waits and retries, or is flagged for a person)."""
    others: tuple[tuple[str, int, Exception | None], ...] = ()
    """The other services of its groups, by stream: each brought up to date (None; their own
    runs recorded) or failed and why, so their schedules move with this one, or back off."""

    @classmethod
    def of(
        cls,
        run: Run,
        streams: tuple[tuple[str, Exception | None], ...] = (),
        others: tuple[tuple[str, int, Exception | None], ...] = (),
    ) -> PullResult:
        return cls(
            run.id, run.status, run.read, run.created, run.updated, run.unchanged,
            run.skipped, run.failed, run.api_calls, run.error, streams, others,
        )  # fmt: skip

    @property
    def covered(self) -> tuple[int, ...]:
        """The other services the run brought up to date."""
        return tuple(dict.fromkeys(s for _, s, error in self.others if error is None))

    @property
    def others_failed(self) -> tuple[tuple[int, Exception], ...]:
        """The other services whose runs failed, and why."""
        return tuple({s: e for _, s, e in self.others if e is not None}.items())

    @property
    def cause(self) -> Exception | None:
        """The error that stopped the first stream that failed."""
        return next((error for _, error in self.streams if error is not None), None)

    def to_json(self) -> dict[str, Any]:
        """What `forcebridge pull --json` prints: the run's counts, and why it failed (each
        stream that did, on a line of its own), as `runs list` shows it."""
        keys = ("read", "created", "updated", "unchanged", "skipped", "failed", "api_calls")
        return (
            {"run_id": self.run_id, "status": self.status.value}
            | {key: getattr(self, key) for key in keys}
            | {"error": self.error}
        )


def pull(
    session: Session,
    client: SalesforceClient,
    service: Service,
    options: PullOptions = DEFAULT_OPTIONS,
    *,
    streams: Sequence[str] | None = None,
    progress: Progress | None = None,
    clock: Callable[[], dt.datetime] = utcnow,
    on_demand: bool = False,
    run_started: Callable[[int], None] | None = None,
) -> PullResult:
    """Pull `service`'s streams (all of them, or those named) and record the run; `run_started`
    is told its id once it is committed as started (a caller stopped by Ctrl+C can name it).

    The job engines hold the service's lease on the stream while they run it. A pull started
    `on_demand` (from the command line) takes the leases itself, and a stream whose lease
    another run holds fails at once rather than running twice. A dry run writes the contacts it
    would write into a copy of the service's contact book (`forcebridge.store.rehearsal`), so
    each page is decided as the real run would decide it."""
    if options.dry_run:
        with rehearsal(session.get_bind().engine, service.id) as rehearsing:
            rehearsed = rehearsing.get_one(Service, service.id)
            return _pull(
                rehearsing, client, rehearsed, options, streams, progress, clock,
                run_started=run_started,
            )  # fmt: skip
    return _pull(
        session, client, service, options, streams, progress, clock, on_demand, run_started
    )


def _pull(
    session: Session,
    client: SalesforceClient,
    service: Service,
    options: PullOptions,
    streams: Sequence[str] | None,
    progress: Progress | None,
    clock: Callable[[], dt.datetime],
    on_demand: bool = False,
    run_started: Callable[[int], None] | None = None,
) -> PullResult:
    # The settings as they are now, with their version (`pull_settings_version`): a session
    # kept open since it loaded the service may hold older ones.
    session.refresh(service)
    outcomes: dict[str, Exception | None] = {}
    try:
        chosen = [s for s in pull_streams(service) if streams is None or s.name in streams]
        unplanned = None
        if not chosen:
            unplanned = f"the service does not pull {', '.join(streams or ())}"
    except PlanError as error:
        chosen, unplanned = [], str(error)
        outcomes = dict.fromkeys(streams or stream_names(service.pull_objects), error)
    names = [s.name for s in chosen] or list(outcomes)
    label = names[0] if len(names) == 1 else SEVERAL_STREAMS
    with recorded_run(session, client, service, label, options.dry_run, clock) as recorded:
        if run_started is not None:
            run_started(recorded.run.id)
        if unplanned is not None:
            recorded.errors.append(unplanned)
        limit = horizon(recorded.run.started_at, options.overlap)
        others: list[tuple[str, int, Exception | None]] = []
        for stream in chosen:
            stream_pull = StreamPull(
                session,
                client,
                stream,
                options,
                progress,
                limit,
                recorded.run.started_at,
                spent=recorded.spent,
            )
            reason = stream_pull.run(service, recorded.run, on_demand)
            if reason is not None:
                recorded.errors.append(f"{stream.name}: {reason}")
            outcomes[stream.name] = stream_pull.failure
            others += [(stream.name, covered, None) for covered in stream_pull.covered]
            others += [(stream.name, *failed) for failed in stream_pull.others_failed.items()]
    return PullResult.of(recorded.run, tuple(outcomes.items()), tuple(others))


@dataclass
class RecordedRun:
    run: Run
    errors: list[str] = field(default_factory=list)
    """Why streams failed; the run fails with them."""
    spent: Callable[[], int] = lambda: 0
    """The API calls the run has spent so far."""


@contextmanager
def recorded_run(
    session: Session,
    client: SalesforceClient | None,
    service: Service,
    stream: str,
    dry_run: bool = False,
    clock: Callable[[], dt.datetime] = utcnow,
) -> Iterator[RecordedRun]:
    """A run of `service` recorded from start to finish with the API calls `client` spent (a run
    without one spends none); stopped inside (a bug, Ctrl+C), it ends failed saying so."""
    run = start_run(session, service.org, stream, service=service, dry_run=dry_run, now=clock())
    session.commit()
    before = client.usage.snapshot() if client is not None else None
    recorded = RecordedRun(run)
    if client is not None and before is not None:
        recorded.spent = spent_since(client, before)
    with failed_if_stopped(session, run, recorded.spent):
        yield recorded
    if client is not None and before is not None:
        settle_spending(session, run, client, before)
    finish_run(session, run, error="\n".join(recorded.errors) or None, now=clock())
    session.commit()
