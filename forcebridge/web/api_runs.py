"""The REST API of runs: the org's latest, and one with its log, as `runs list|show --json`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from forcebridge.store.errors import NotFound
from forcebridge.store.models import Org
from forcebridge.store.models.base import MAX_ID
from forcebridge.store.repositories.runs import get_run, list_runs
from forcebridge.sync.documents import run_document, run_with_log_document
from forcebridge.web.api_caller import Caller, caller_service
from forcebridge.web.api_errors import ApiNotFound
from forcebridge.web.dependencies import Database

DEFAULT_RUNS = 50
MAX_RUNS = 1000

router = APIRouter()


@router.get("/runs")
def runs(
    caller: Caller,
    session: Database,
    service: Annotated[str | None, Query(description="Only this service's runs.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_RUNS)] = DEFAULT_RUNS,
) -> dict[str, Any]:
    """The org's latest runs, newest first, with their counts and API calls."""
    org = session.get_one(Org, caller.org_id)
    found = caller_service(session, caller, service) if service is not None else None
    latest = list_runs(session, org, service=found, limit=limit)
    return {"runs": [run_document(run) for run in latest]}


@router.get("/runs/{run_id}")
def run(
    run_id: Annotated[int, Path(ge=1, le=MAX_ID)], caller: Caller, session: Database
) -> dict[str, Any]:
    """One run of the org with a log entry per record it could not take."""
    try:
        found = get_run(session, run_id)
    except NotFound:
        found = None
    if found is None or found.org_id != caller.org_id:
        raise ApiNotFound(f"No run {run_id} in your organisation.")
    return run_with_log_document(found)
