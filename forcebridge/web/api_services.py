"""The REST API of a service: its settings and streams, its contact book a page at a time, the
product's messages recorded, and a stream asked to run at the scheduler's next tick.

Answers are the documents the command line prints with `--json` for the same thing
(`forcebridge.sync.documents`); a service is named by its name within the caller's org.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import Field
from sqlalchemy.orm import Session

from forcebridge.jobs.policy import Stream
from forcebridge.jobs.stream_status import run_streams_now, service_stream_statuses
from forcebridge.jobs.workers import service_worker_check
from forcebridge.store.models import Org, Service
from forcebridge.store.models.base import MAX_ID
from forcebridge.store.repositories.contacts import list_contacts
from forcebridge.store.repositories.services import list_services
from forcebridge.store.types import utcnow
from forcebridge.sync.documents import (
    activity_settings_document,
    activity_windows_document,
    contact_document,
    pull_settings_document,
    service_document,
)
from forcebridge.sync.message_import import import_records
from forcebridge.web.api_bodies import RequestBody, Utf8JsonRoute
from forcebridge.web.api_caller import Caller, ChangingCaller, caller_service
from forcebridge.web.api_documents import ContactsPage, MessagesTaken, Services, StreamsAsked
from forcebridge.web.api_errors import ApiNotFound, StreamOff, refusals
from forcebridge.web.dependencies import SETTLED, Database

DEFAULT_PAGE = 500
MAX_PAGE = 5000
MAX_MESSAGES = 5000
"""Messages a request may carry: more go in further requests (importing twice is harmless)."""

RUN_NOW: dict[str, frozenset[Stream]] = {
    "pull": frozenset({Stream.PULL_CONTACT, Stream.PULL_LEAD, Stream.PULL_CUSTOM}),
    "activities": frozenset({Stream.ACTIVITIES}),
}
"""What `run-now` may be asked for: every pull stream of the service, or its activity push."""

NO_SERVICE = "No such service in the caller's organisation"
RUN_NOW_ANSWER = (
    "The streams asked for, each due now (`next_run_at`): the scheduler runs it at its next "
    "tick, unless a run from the command line succeeds before then (one started a second "
    "after this request, say), which counts as the run asked for: no separate run follows it"
)

router = APIRouter(route_class=Utf8JsonRoute)


def _service_view(session: Session, service: Service) -> dict[str, Any]:
    streams = service_stream_statuses(session.connection(), service.id)
    view = {
        **service_document(service),
        **pull_settings_document(service),
        **activity_settings_document(service),
        "streams": [stream.as_json() for stream in streams],
        "activity_windows": activity_windows_document(session, service),
    }
    workers = service_worker_check(session.connection(), [service.id])
    if workers is not None:  # distributed mode: as `service status --json` says
        view["workers"] = workers.as_json()
    return view


@router.get(
    "/services",
    dependencies=[SETTLED],
    response_model=None,
    responses={200: {"model": Services, "description": "The org's services"}, **refusals()},
)
def services(caller: Caller, session: Database) -> dict[str, Any]:
    """The org's services: settings, where each scheduled stream stands, and how many activity
    windows are parked or held (their conversations are not in Salesforce)."""
    org = session.get_one(Org, caller.org_id)
    return {"services": [_service_view(session, s) for s in list_services(session, org)]}


@router.get(
    "/services/{service}/contacts",
    response_model=None,
    responses={
        200: {"model": ContactsPage, "description": "A page of the contact book"},
        **refusals(422, not_found=NO_SERVICE),
    },
)
def contacts(
    service: str,
    caller: Caller,
    session: Database,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="The last id of the page before.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
) -> dict[str, Any]:
    """The contact book in id order, a page at a time; `next_after` is where the next page
    starts, None after the last."""
    found = caller_service(session, caller, service)
    page = list_contacts(session, found, after=after, limit=limit + 1)
    more = len(page) > limit
    page = page[:limit]
    return {
        "contacts": [contact_document(contact) for contact in page],
        "next_after": page[-1].id if more else None,
    }


class NewMessages(RequestBody):
    """Messages with the fields of `forcebridge messages import`'s JSON lines."""

    messages: list[dict[str, Any]] = Field(max_length=MAX_MESSAGES)


@router.post(
    "/services/{service}/messages",
    response_model=None,
    responses={
        200: {"model": MessagesTaken, "description": "What was recorded, and each rejected"},
        **refusals(403, 413, 415, 422, not_found=NO_SERVICE),
    },
)
def post_messages(
    service: str, body: NewMessages, caller: ChangingCaller, session: Database
) -> dict[str, Any]:
    """Record the messages; each one with a problem is rejected, named by its position in the
    list (from 1) and field, and the rest are recorded. Sending them again stores none twice."""
    found = caller_service(session, caller, service)
    report = import_records(session, found, enumerate(body.messages, start=1))
    return {"service": f"{caller.org_name}/{found.name}", **report.to_dict()}


@router.post(
    "/services/{service}/streams/{stream}/run-now",
    dependencies=[SETTLED],
    status_code=202,
    response_model=None,
    responses={
        202: {"model": StreamsAsked, "description": RUN_NOW_ANSWER},
        **refusals(
            403, 409, not_found=f"{NO_SERVICE}, or a stream other than {' or '.join(RUN_NOW)}"
        ),
    },
)
def run_now(
    service: str,
    stream: Annotated[
        str,
        Path(
            description="`pull` (each of the service's pull streams) or `activities`; any "
            "other is not found (404).",
            json_schema_extra={"enum": list(RUN_NOW)},  # said, not checked: 404 below names both
        ),
    ],
    caller: ChangingCaller,
    session: Database,
) -> dict[str, Any]:
    """Have the scheduler run the stream (`pull`: each of the service's pull streams) at its
    next tick, backoff or not; the sync runs there, never in this request."""
    found = caller_service(session, caller, service)
    if stream not in RUN_NOW:
        raise ApiNotFound(f"No stream {stream!r}: run-now takes {' or '.join(RUN_NOW)}.")
    now = utcnow()
    scheduled = run_streams_now(session.connection(), found.id, RUN_NOW[stream], now)
    if not scheduled:
        raise StreamOff(
            f"Service {found.name!r} runs no {stream} stream: it has no Salesforce connection."
        )
    session.commit()
    statuses = service_stream_statuses(session.connection(), found.id, now)
    return {
        "service": f"{caller.org_name}/{found.name}",
        "streams": [status.as_json() for status in statuses if status.stream in scheduled],
    }
