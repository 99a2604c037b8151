"""The shapes of the REST API's answers, as its OpenAPI description documents them.

The answers themselves are the documents `forcebridge.sync.documents` builds for the command
line's `--json` too, returned as they are: these models only describe them, so a client
generator knows each key and its type, and an answer is not remade (nor a key dropped) on its
way out. `tests/web/test_openapi.py` checks real answers against the description, so the two
cannot drift apart unnoticed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from forcebridge.jobs.stream_status import StreamHealth
from forcebridge.salesforce.status import Problem, State
from forcebridge.store.models import (
    ActivityTarget,
    ConnectionKind,
    LogLevel,
    PullObjects,
    RunStatus,
)
from forcebridge.sync.export_model import Action
from forcebridge.web.api_errors import ErrorDocument


class Shape(BaseModel):
    """An answer's object: every key always present (null where it has no value), no other."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class OrgStatus(Shape):
    name: str
    status: State
    problem: Problem | None
    """Why its worst connection needs attention; null when Connected."""
    message: str


class ApiUsage(Shape):
    """The org's daily API calls as Salesforce last reported them; null before any report."""

    used: int | None
    limit: int | None


class ConnectionDocument(Shape):
    id: int
    name: str
    environment: ConnectionKind
    instance_url: str
    salesforce_org_id: str | None
    username: str | None
    status: State
    problem: Problem | None
    reason: str | None
    """What to do about the problem, in words."""
    since: datetime
    api_usage: ApiUsage


class Connections(Shape):
    """The org's overall status and its connections; never a token or secret."""

    org: OrgStatus
    connections: list[ConnectionDocument]


class StreamDocument(Shape):
    """A scheduled stream, as `service status --json` shows it."""

    stream: str
    """`activities`, `pull:Contact`, `pull:Lead`, `pull:custom`, `reconcile`."""
    status: StreamHealth
    problem: str | None
    """A stable code while it needs attention (`mapping_invalid`, `authentication_lost`)."""
    reason: str | None
    """Why the latest run failed."""
    every_minutes: int | None
    """How often it runs; null while it is off."""
    next_run_at: datetime | None
    """When it runs next, its backoff included; null while it is off."""
    failures: int
    """Failed runs in a row."""


class WorkersDocument(Shape):
    """Whether a `forcebridge worker` is alive to run the service's due streams."""

    alive: int
    """Workers that sent a heartbeat in the last 30 seconds."""
    checked_at: datetime
    warning: str | None
    """Set when streams are due and no worker is alive to run them."""


class ActivityWindowsDocument(Shape):
    """The service's activity windows whose conversations are not in Salesforce, over all
    days (`forcebridge activities windows` lists them with why)."""

    parked: int
    """Windows whose write failed too often: no push tries them until someone does
    (`activities windows --retry`, or the service page's Try them again)."""
    held: int
    """Windows whose contact has no Salesforce record the service logs to: written once the
    pull links one."""


class ZonePeriod(Shape):
    zone: str
    until: datetime


class TimezoneChange(Shape):
    """A new time zone that has not taken effect yet."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(
        alias="from",
        description="The zone whose days `to` takes over at `takes_effect_at`: the last of "
        "`periods` (the first is the one in use now), never `to` itself.",
    )
    to: str
    takes_effect_at: datetime
    periods: list[ZonePeriod]
    """Each zone the days are counted in until then, the one in use first."""


class ServiceDocument(Shape):
    """The service (`service list --json`), its pull and activity settings (as
    `service configure --json` names them), its streams and its activity windows out of
    Salesforce."""

    org: str
    name: str
    path: str
    timezone: str
    timezone_change: TimezoneChange | None
    region: str
    connection: str | None
    pull: PullObjects
    soql: str | None
    routing: str | None
    pull_every_minutes: int
    update_only: bool
    activities_to: ActivityTarget
    activities_every_minutes: int
    task_subject: str | None
    streams: list[StreamDocument]
    """None before the service has a connection."""
    activity_windows: ActivityWindowsDocument | None
    """As `service status --json` has it; null before the service has a connection."""
    workers: WorkersDocument | None = None
    """In the distributed mode only (PostgreSQL), as `service status --json` has it."""


class Services(Shape):
    services: list[ServiceDocument]


class ContactIdentity(Shape):
    source: str
    """Where the record is: `salesforce:Contact`, `salesforce:Lead`."""
    external_id: str


class ContactDocument(Shape):
    """A contact, as `contacts list --json` prints it."""

    id: int
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    mobile_phone: str | None
    title: str | None
    company: str | None
    street: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    country: str | None
    custom: dict[str, Any]
    """The values of the service's own contact fields, by name."""
    identities: list[ContactIdentity]
    deleted_in_source: bool


class ContactsPage(Shape):
    contacts: list[ContactDocument]
    next_after: int | None
    """The `after` of the next page; null on the last one."""


class MessageProblem(Shape):
    line: int
    """The message's position in the list, from 1."""
    field: str | None
    message: str


class MessageNotice(Shape):
    line: int
    code: str
    message: str


class MessagesTaken(Shape):
    """What was recorded, as `messages import --json` reports it; check `rejected`."""

    service: str
    read: int
    imported: int
    duplicates: int
    """Messages recorded before (by `external_id`, or a fingerprint)."""
    rejected: int
    errors: list[MessageProblem]
    notices: list[MessageNotice]


class StreamsAsked(Shape):
    """The streams asked for, each due now (`next_run_at`), as `service status --json` shows
    them."""

    service: str
    streams: list[StreamDocument]


class RunDocument(Shape):
    """A run, as `runs list --json` prints it."""

    run_id: int
    org: str
    service: str | None
    """Null for a run of the org's own (an export)."""
    stream: str
    status: RunStatus
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None
    read: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    failed: int
    api_calls: int
    error: str | None


class LogEntry(Shape):
    level: LogLevel
    code: str | None
    salesforce_id: str | None
    record_ref: str | None
    field: str | None
    message: str


class RunWithLog(RunDocument):
    """A run with a log entry per record it failed, skipped or truncated (`runs show --json`)."""

    log: list[LogEntry]


class RunsPage(Shape):
    runs: list[RunDocument]
    next_before: int | None
    """The `before` of the next, older page; null on the last one."""


class FieldProblem(Shape):
    field: str | None
    """The prospect field (a bad value), the Salesforce field (`Lead.Title`, a required one
    left empty), or null for the prospect as a whole."""
    message: str


class PlannedAccount(Shape):
    """What a dry run would do to a Contact's Account."""

    action: Action
    values: dict[str, Any]
    errors: list[FieldProblem]


class ExportResult(Shape):
    row: int
    """The prospect's position in the list sent, from 1."""
    action: Action
    salesforce_id: str | None
    """The Lead's or Contact's Id; null when it is not in Salesforce."""
    account_id: str | None
    """The Account the Contact is on once the export is done."""
    errors: list[FieldProblem]
    same_person_as: int | None
    """The earlier row of the same person, whose write this one's record was made or changed
    by and counted on (this one is then `unchanged`); null otherwise."""
    values: dict[str, Any] = Field(
        default_factory=dict, description="A dry run's only: the fields that would be sent."
    )
    account: PlannedAccount | None = Field(
        default=None, description="A dry run's only, for a Contact with a company."
    )


class ExportDocument(Shape):
    """The run, as `forcebridge export --json` prints it: `succeeded` only when every prospect
    was exported; one result per prospect, in the order sent."""

    run_id: int
    status: RunStatus
    created: int
    updated: int
    unchanged: int
    failed: int
    api_calls: int
    error: str | None
    """Why Salesforce stopped the run midway, when it did."""
    results: list[ExportResult]


class ExportRefusal(ErrorDocument):
    """An export refused whole (409), nothing exported, with the run the refusal names."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    run_id: int | None
    """This export's own run, ended `failed` with the message, when the refusal came once it
    had started (`mapping_invalid`: a field Salesforce refused, the mapping verified again);
    the export running (`export_running`; null while it is starting); else null."""
