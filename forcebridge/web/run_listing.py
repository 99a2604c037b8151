"""The runs the runs page and `GET /api/v1/runs` list: the org's, or one service's, newest first,
a page at a time. A page ends at a run; the next one starts just before it (keyset paging), so a
run that starts meanwhile never shifts a page the way an offset would."""

from __future__ import annotations

from sqlalchemy.orm import Session

from forcebridge.store.models import Org, Run, Service
from forcebridge.store.repositories.runs import RunsPage
from forcebridge.store.repositories.runs import runs_page as org_runs_page


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
    """The org's runs (`forcebridge.store.repositories.runs.runs_page`), newest first."""
    org = session.get(Org, org_id)
    if org is None:  # never every org's runs, which no org asks for
        return RunsPage([], None)
    return org_runs_page(session, org, limit=limit, service=service, before=before)
