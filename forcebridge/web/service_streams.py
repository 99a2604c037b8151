"""The service page's streams, run at the scheduler's next tick, backoff or not: those failing
once the admin has fixed what they waited on (Retry now), or one of them (Run now), as the REST
API's `run-now` does; and its parked activity windows given their attempts back (Try them
again), as `activities windows --retry` does. The sync never runs inside the request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from forcebridge.jobs.schedules import retry_streams_now
from forcebridge.jobs.stream_status import (
    StreamHealth,
    StreamStatus,
    run_streams_now,
    service_stream_statuses,
)
from forcebridge.store.repositories.activity_windows import unpark_windows
from forcebridge.store.types import utcnow
from forcebridge.web.activity_windows import retried_notice
from forcebridge.web.dependencies import SETTLED, ChangingAdmin, Database
from forcebridge.web.pages import notify_at
from forcebridge.web.services import PAGE, STREAMS, org_service
from forcebridge.wording import listed

FAILING = (StreamHealth.RETRYING, StreamHealth.NEEDS_ATTENTION)
"""What Retry now runs again at once (`retry_streams_now`): the others keep their times."""

router = APIRouter()


@router.post(PAGE + "/{service_id}/retry", dependencies=[SETTLED])
def retry_streams(
    request: Request, service_id: int, admin: ChangingAdmin, session: Database
) -> RedirectResponse:
    """Run every failing stream at the next tick, backoff or not: once the admin has fixed
    what a stream waited on."""
    service = org_service(session, admin, service_id)
    statuses = service_stream_statuses(session.connection(), service.id)
    retry_streams_now(session.connection(), service.id, utcnow())
    session.commit()
    return notify_at(request, f"{PAGE}/{service_id}", retry_notice(statuses), STREAMS)


def retry_notice(statuses: Iterable[StreamStatus]) -> str:
    """What Retry now did, given the streams as they stood: only failing ones are moved."""
    failing = [s.stream for s in statuses if s.health in FAILING]
    if not failing:
        return "Nothing was failing, so nothing changed: each stream runs at its next run time."
    verb = "runs" if len(failing) == 1 else "run"
    return f"{listed(failing)} {verb} again at the scheduler's next tick."


@router.post(PAGE + "/{service_id}/run-now")
def run_now(
    request: Request,
    service_id: int,
    admin: ChangingAdmin,
    session: Database,
    stream: Annotated[str, Form()],
) -> RedirectResponse:
    """Run one of the service's scheduled streams at the next tick, backoff or not (one
    already running runs again once it ends, as for the REST API)."""
    service = org_service(session, admin, service_id)
    if run_streams_now(session.connection(), service.id, [stream], utcnow()):
        session.commit()
        notice = f"{stream} runs at the scheduler's next tick: its run is listed under Runs."
    else:
        notice = f"{service.name} has no stream {stream} scheduled, so nothing was run."
    return notify_at(request, f"{PAGE}/{service_id}", notice, STREAMS)


@router.post(PAGE + "/{service_id}/activity-windows/retry")
def retry_windows(
    request: Request, service_id: int, admin: ChangingAdmin, session: Database
) -> RedirectResponse:
    """Give every parked activity window of the service its attempts back: the next push
    tries them again (once what they failed on is fixed, a Contact restored, say)."""
    service = org_service(session, admin, service_id)
    retried = unpark_windows(session, service.id)
    session.commit()
    return notify_at(request, f"{PAGE}/{service_id}", retried_notice(retried), STREAMS)
