"""The runs pages: the org's latest runs with their counts, and one run's log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from forcebridge.store.errors import NotFound
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.runs import get_run, list_runs
from forcebridge.web.dependencies import CurrentAdmin, Database
from forcebridge.web.errors import PageNotFound
from forcebridge.web.pages import render

PAGE = "/runs"
LATEST = 50

router = APIRouter()


@router.get(PAGE, response_class=HTMLResponse)
def runs_page(request: Request, admin: CurrentAdmin, session: Database) -> Response:
    runs = list_runs(session, get_org(session, admin.org_name), limit=LATEST)
    return render(request, "runs.html", admin, runs=runs)


@router.get(PAGE + "/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: int, admin: CurrentAdmin, session: Database) -> Response:
    try:
        run = get_run(session, run_id)
    except NotFound:
        raise PageNotFound("run") from None
    if run.org_id != admin.org_id:
        raise PageNotFound("run")
    return render(request, "run.html", admin, run=run)
