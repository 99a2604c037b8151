"""The REST API of runs: the org's latest, a page at a time, and one with its log, as
`runs list|show --json`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from forcebridge.store.models.base import MAX_ID
from forcebridge.store.repositories.runs import org_run, runs_page
from forcebridge.sync.documents import run_document, run_with_log_document
from forcebridge.web.api_bodies import Utf8JsonRoute
from forcebridge.web.api_caller import Caller, caller_service
from forcebridge.web.api_documents import RunsPage, RunWithLog
from forcebridge.web.api_errors import ApiNotFound, InvalidRequest, refusals
from forcebridge.web.dependencies import SETTLED, Database
from forcebridge.web.record_ids import NAMES_NO_RECORD, RecordId

DEFAULT_RUNS = 50
MAX_RUNS = 1000

router = APIRouter(route_class=Utf8JsonRoute)


@router.get(
    "/runs",
    dependencies=[SETTLED],
    response_model=None,
    responses={
        200: {"model": RunsPage, "description": "A page of the org's runs, newest first"},
        **refusals(
            422, not_found="No such service, or no run `before`, in the caller's organisation"
        ),
    },
)
def runs(
    caller: Caller,
    session: Database,
    service: Annotated[str | None, Query(description="Only this service's runs.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_RUNS)] = DEFAULT_RUNS,
    before: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Only runs older than this one: a `next_before`."),
    ] = None,
) -> dict[str, Any]:
    """The org's latest runs, newest first, with their counts and API calls; `next_before`
    asks for the page after (null on the last one)."""
    if service is not None and not service.strip():  # left blank, not left out: meant what?
        raise InvalidRequest(
            "The request could not be taken: service: empty; name one of your organisation's "
            "services (`shop`, as GET /api/v1/services lists them), or leave `service` out for "
            "every service's runs."
        )
    found = caller_service(session, caller, service) if service is not None else None
    older_than = None
    if before is not None:
        older_than = org_run(session, caller.org_id, before)
        if older_than is None:
            raise ApiNotFound(f"No run {before} in your organisation.")
    page = runs_page(session, caller.org_id, limit=limit, service=found, before=older_than)
    return {"runs": [run_document(run) for run in page.runs], "next_before": page.older}


@router.get(
    "/runs/{run_id}",
    dependencies=[SETTLED],
    response_model=None,
    responses={
        200: {"model": RunWithLog, "description": "The run with its log"},
        **refusals(not_found=f"No such run in the caller's organisation; {NAMES_NO_RECORD}"),
    },
)
def run(run_id: RecordId, caller: Caller, session: Database) -> dict[str, Any]:
    """One run of the org with a log entry per record it could not take."""
    found = org_run(session, caller.org_id, run_id)
    if found is None:
        raise ApiNotFound(f"No run {run_id} in your organisation.")
    return run_with_log_document(found)
