"""One export of an org at a time: two at once would each look up the same prospects before the
other made their records, and make every Lead, Contact and Account twice.

An export holds its org's `EXPORT` lease from before it reads anything until its run has ended,
renewed as it goes (`jobs.execute.holding`); a second export of the org is refused at once,
naming the run going on, and writes nothing. One lease for the whole org, not one per object or
connection: a Lead export and a Contact export save the same prospects and their kept Ids, and
Contact exports of different files share companies, so Accounts; an export takes seconds, so
waiting for one costs little. A dry run writes nothing but its run: it holds the org's
`REHEARSAL` lease instead, so it never waits for a real export nor holds one up.

Whoever holds the lease is named in it (`host:pid:thread`): when that process dies (`kill -9`,
a crash), the next command that settles dead holders (another export, `runs list`, `runs show`,
`serve`) frees the lease and fails the run it left `running` (`settle_dead_holders`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.jobs.execute import holding
from forcebridge.store.models import Org, Run, RunStatus
from forcebridge.store.repositories.leases import EXPORT, REHEARSAL, OrgScope, lease_name_of
from forcebridge.sync.export_errors import ExportRunning


@contextmanager
def exporting_alone(session: Session, org: Org, *, dry_run: bool) -> Iterator[None]:
    """The block runs as the org's only export (or only dry run of one); `ExportRunning` while
    another is going. Enter it before the session writes anything: the lease is taken on a
    connection of its own, which a pending write would lock out on SQLite."""
    engine = session.get_bind().engine
    with holding(engine, OrgScope(org.id), REHEARSAL if dry_run else EXPORT) as held:
        if not held:
            raise ExportRunning(org.name, _running(session, org, dry_run=dry_run), dry_run=dry_run)
        yield


def _running(session: Session, org: Org, *, dry_run: bool) -> int | None:
    """The id of the org's latest export run still going (a dry one, or a real one); None
    while the export holding the lease has not recorded its run yet."""
    return session.scalar(
        select(Run.id)
        .where(
            Run.org_id == org.id,
            Run.service_id.is_(None),
            lease_name_of(Run.stream) == EXPORT,
            Run.dry_run.is_(dry_run),
            Run.status == RunStatus.RUNNING,
        )
        .order_by(Run.started_at.desc(), Run.id.desc())
        .limit(1)
    )
