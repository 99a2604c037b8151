"""The runs the runs page and `GET /api/v1/runs` list: the org's, or one service's, newest first,
a page at a time. A page ends at a run; the next one starts just before it (keyset paging), so a
run that starts meanwhile never shifts a page the way an offset would."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from forcebridge.store.models import Org, Run, Service
from forcebridge.store.repositories.runs import list_runs


@dataclass(frozen=True)
class RunsPage:
    runs: list[Run]
    older: int | None
    """The `before` of the next page (the id of this page's last run); None on the last page."""


def org_run(session: Session, org_id: int, run_id: int) -> Run | None:
    """The org's run of that id; another org's is None, like a missing one."""
    run = session.get(Run, run_id)
    return run if run is not None and run.org_id == org_id else None


def runs_page(
    session: Session,
    org_id: int,
    *,
    limit: int,
    service: Service | None = None,
    before: Run | None = None,
) -> RunsPage:
    """Up to `limit` runs, newest first (as `runs list` orders them), those started before
    `before` only."""
    org = session.get(Org, org_id)
    if org is None:  # never every org's runs, which list_runs gives for no org
        return RunsPage([], None)
    found = list_runs(session, org, service=service, limit=limit + 1, before=before)
    shown = found[:limit]
    return RunsPage(shown, shown[-1].id if len(found) > limit else None)
