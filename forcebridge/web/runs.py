"""The runs pages: the org's runs (or one service's) with their counts, newest first, a page at
a time as `GET /api/v1/runs` pages them; and one run's log."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from forcebridge.store.models import RunLogEntry
from forcebridge.store.models.base import MAX_ID
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.runs import org_run, runs_page
from forcebridge.store.repositories.services import list_services
from forcebridge.sync.export_plan import ACCOUNT_NOT_ALLOWED, allow_accounts_command
from forcebridge.web.dependencies import SETTLED, CurrentAdmin, Database
from forcebridge.web.errors import PageNotFound
from forcebridge.web.pages import render
from forcebridge.web.record_ids import RecordId

PAGE = "/runs"
LATEST = 50

router = APIRouter()


def runs_url(service: str = "", before: int | None = None) -> str:
    """The runs page of `service` (every service's when empty), from just before run `before`."""
    query = {"service": service} if service else {}
    if before is not None:
        query["before"] = str(before)
    return f"{PAGE}?{urlencode(query)}" if query else PAGE


@router.get(PAGE, response_class=HTMLResponse, dependencies=[SETTLED])
def runs_list(
    request: Request,
    admin: CurrentAdmin,
    session: Database,
    service: Annotated[str, Query()] = "",
    before: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """`service`: a service's name in the org, as the REST API takes it; `before`: a run, to
    show the runs older than it."""
    services = list_services(session, get_org(session, admin.org_name))
    chosen = next((s for s in services if s.name == service), None)
    if service and chosen is None:
        raise PageNotFound("service")
    older_than = None
    if before is not None:
        older_than = org_run(session, admin.org_id, before)
        if older_than is None:
            raise PageNotFound("run")
    page = runs_page(session, admin.org_id, limit=LATEST, service=chosen, before=older_than)
    return render(
        request,
        "runs.html",
        admin,
        runs=page.runs,
        services=services,
        chosen=chosen,
        before=before,
        newest_url=runs_url(service) if before is not None else None,
        older_url=runs_url(service, page.older) if page.older is not None else None,
    )


@router.get(PAGE + "/{run_id}", response_class=HTMLResponse, dependencies=[SETTLED])
def run_page(
    request: Request, run_id: RecordId, admin: CurrentAdmin, session: Database
) -> Response:
    run = org_run(session, admin.org_id, run_id)
    if run is None:
        raise PageNotFound("run")
    return render(request, "run.html", admin, run=run, said=partial(said, org=admin.org_name))


ALLOWED_ON_THE_PAGE = 'by ticking Account under "Objects users may export to" on the Export page'
"""Where the pages allow Account exports, for a log entry naming the command that does."""


def said(entry: RunLogEntry, *, org: str) -> str:
    """A log entry's message as the pages word it: a Contact an export failed for want of an
    Account the org does not allow making names the command that allows it, for the command
    line; a page names the control on the Export page instead."""
    if entry.code != ACCOUNT_NOT_ALLOWED:
        return entry.message
    return entry.message.replace(f"with: {allow_accounts_command(org)}", ALLOWED_ON_THE_PAGE)
