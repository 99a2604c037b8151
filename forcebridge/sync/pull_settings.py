"""Configuring what a service pulls, verified against the live describe before anything is saved.

A wrong query, routing rule or mapped field is refused with every problem named, and nothing
changes. Once accepted, the streams whose scope changed (another object, query or rule) read
everything again on their next run, and the admin sees what the choice costs: the Salesforce
API calls a day the interval and the org's volume project.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from forcebridge.mapping.report import VerificationReport
from forcebridge.salesforce.errors import BadRequest
from forcebridge.soql.ast import Condition, Count
from forcebridge.soql.builder import Filter, select, to_soql
from forcebridge.store.models import PullObjects, Service
from forcebridge.store.repositories.services import services_beside
from forcebridge.store.repositories.watermarks import get_watermark, reset_watermarks
from forcebridge.sync.pull_members import (
    StreamFailed,
    VerifiedStream,
    verify_member,
)
from forcebridge.sync.pull_plan import (
    CallProjection,
    PlanError,
    Stream,
    condition_problems,
    member_condition,
    projected_calls,
    service_streams,
    shares_a_read,
)
from forcebridge.sync.routing import Route
from forcebridge.wording import listed, plural

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

DAILY_CHANGE_SHARE = 0.01
"""The share of records assumed to change a day when projecting API calls."""


@dataclass(frozen=True)
class SettingProblem:
    """A reason the settings do not verify, and what it is about, for a page to mark it."""

    text: str
    setting: str | None = None
    """The `PullChange` field at fault (`interval_minutes`, `soql`, `routing`), if one is."""
    sobject: str = ""
    """The object whose stream it is about, if it is one's."""
    report: VerificationReport | None = None
    """Its query and mapping, verified: what `text` says, problem by problem."""

    def __str__(self) -> str:
        return self.text


class ConfigurationRefused(Exception):
    """The settings do not verify; `problems` names each (`details` says what each is
    about), and nothing was saved."""

    def __init__(self, problems: list[SettingProblem]) -> None:
        self.details = tuple(problems)
        self.problems = tuple(map(str, problems))
        super().__init__("the pull settings were not saved:\n" + "\n".join(self.problems))


@dataclass(frozen=True)
class PullChange:
    """What an admin asked to change; None leaves a setting as it is."""

    objects: PullObjects | None = None
    soql: str | None = None
    """A custom query (implies `objects` CUSTOM)."""
    routing: str | None = None
    """A SOQL condition; the empty string removes the rule."""
    interval_minutes: int | None = None
    update_only: bool | None = None


@dataclass(frozen=True)
class PullConfiguration:
    """The settings as saved, and what they cost."""

    objects: PullObjects
    soql: str | None
    routing: str | None
    interval_minutes: int
    update_only: bool
    records: dict[str, int]
    """How many records each pulled object holds for the service, as counted now: those that
    could be (`uncounted`)."""
    projection: CallProjection | None
    """None when an object could not be counted: never a projection of records left out."""
    changes_per_day: int | None
    """The daily changes the projection assumes."""
    reread: tuple[str, ...]
    """Streams that will read everything again on their next run."""
    shared_with: tuple[str, ...] = ()
    """The other services (`ORG/SERVICE`) of the connection reading an object with this one:
    the scheduled reads the projection counts are paid once for all of them."""
    details: tuple[SettingProblem, ...] = ()
    """Why settings left as they were no longer verify (their streams will fail until fixed):
    a change that touched no pull setting is not refused for them. Each with what it is about,
    for a page to list them row by row."""
    uncounted: tuple[str, ...] = ()
    """The objects whose records could not be counted, each with why: the projection is
    unknown then."""

    @property
    def problems(self) -> tuple[str, ...]:
        """`details` as said."""
        return tuple(map(str, self.details))

    @property
    def not_projected(self) -> str | None:
        """Why there is no projection, if there is none."""
        if not self.uncounted:
            return None
        return f"the records of {listed(self.uncounted)} could not be counted"

    @property
    def cost(self) -> str:
        """What the settings cost, in words, as the command line and the pages say it."""
        projection = self.projection
        if projection is None or self.changes_per_day is None:
            return f"Projected Salesforce API calls a day: unknown, as {self.not_projected}."
        shared = (
            f" Read together with {', '.join(self.shared_with)}: those scheduled reads are "
            "paid once for all of them."
            if self.shared_with
            else ""
        )
        pages = projection.reads - projection.runs_per_day
        changes = (
            f" + {pages:,} for the changes, estimated at "
            f"{plural(self.changes_per_day, 'change')} a day"
            if pages
            else ""
        )
        return (  # as a sum, each part adding up
            f"Projected Salesforce API calls a day: {projection.total:,} = {projection.reads:,} "
            f"to read ({plural(projection.runs_per_day, 'run')} of one call{changes}) + "
            f"{projection.reconciliation:,} for the daily reconciliation.{shared}"
        )

    def to_json(self) -> dict[str, Any]:
        projection = self.projection
        return {
            "pull": self.objects.value,
            "soql": self.soql,
            "routing": self.routing,
            "pull_every_minutes": self.interval_minutes,
            "update_only": self.update_only,
            "records": self.records,
            "projected_api_calls_per_day": None if projection is None else projection.total,
            "projection": None
            if projection is None
            else {
                "runs_per_day": projection.runs_per_day,
                "reads": projection.reads,
                "reconciliation": projection.reconciliation,
                "changes_per_day": self.changes_per_day,
            },
            "not_projected": self.not_projected,
            "full_read_next": list(self.reread),
            "reads_shared_with": list(self.shared_with),
            "problems": list(self.problems),
        }


def configure_pull(
    session: Session, client: SalesforceClient, service: Service, change: PullChange
) -> PullConfiguration:
    """Verify `change` and apply it in the caller's transaction; `ConfigurationRefused` leaves
    the service as it was. A change that leaves what the service reads as it is (the admin
    changed other settings, the interval or the mode) is not refused for settings that no
    longer verify: the configuration names their problems, and an admin can slow down or
    switch the mode of a stream that waits on a fix in the org."""
    wanted = _settings(service, change)
    problems: list[SettingProblem] = []
    problem = interval_problem("pull every", wanted.interval_minutes)
    interval_refused = problem is not None
    if problem is not None:
        problems.append(SettingProblem(problem, "interval_minutes"))
    streams: tuple[Stream, ...] = ()
    try:
        streams = service_streams(wanted.objects, wanted.soql)
    except PlanError as error:
        problems.append(SettingProblem(str(error), "soql"))
    verified: list[VerifiedStream] = []
    # The objects whose records the projection counts, by the condition choosing them; and
    # those it cannot count, with why.
    to_count: dict[str, Condition | None] = {}
    uncounted: dict[str, str] = {}
    for stream in streams:
        try:
            verified.append(
                verify_member(session, client, service, stream, wanted.routing, refresh=True)
            )
        except StreamFailed as failure:
            problems += failed_settings(stream.sobject, failure)
            if failure.rule is not None:
                uncounted[stream.sobject] = "its routing rule does not verify"
            else:  # the count reads no mapped field: it is made all the same
                rule = Route.parse(wanted.routing).condition  # parsed: not refused for it
                to_count[stream.sobject] = member_condition(stream, rule)
    countable: list[VerifiedStream] = []
    for checked in verified:
        if not checked.report.ok:  # a mapped field's type changed: runs read on, value by value
            text = f"{checked.sobject}: {checked.report.message}"
            problems.append(SettingProblem(text, sobject=checked.sobject, report=checked.report))
        refused = condition_problems(
            checked.sobject,
            checked.route.condition,
            client.tokens.instance_url,
            client.settings.api_version,
        )
        problems += [
            SettingProblem(f"{checked.sobject}: {problem}", sobject=checked.sobject)
            for problem in refused
        ]
        if not refused:
            countable.append(checked)
            to_count[checked.sobject] = checked.route.condition
        else:
            uncounted[checked.sobject] = "Salesforce would refuse its condition"
    if problems and (scope_changes(service, change) or interval_refused):
        raise ConfigurationRefused(problems)
    records = _counts(client, to_count, uncounted)
    shareable = {v.sobject for v in countable}
    reread = _apply(session, service, wanted, streams)
    total = sum(records.values())
    changes = None if uncounted else math.ceil(total * DAILY_CHANGE_SHARE)
    return PullConfiguration(
        wanted.objects,
        wanted.soql,
        wanted.routing,
        wanted.interval_minutes,
        wanted.update_only,
        records,
        None
        if changes is None
        else projected_calls(wanted.interval_minutes, len(streams), total, changes),
        changes,
        reread,
        # A stream that does not verify runs on its own until it does: it shares no read.
        _sharing(session, service, tuple(s for s in streams if s.sobject in shareable)),
        tuple(problems),
        tuple(f"{sobject} ({why})" for sobject, why in uncounted.items()),
    )


def failed_settings(sobject: str, failure: StreamFailed) -> list[SettingProblem]:
    """Why `sobject`'s stream does not verify, each part about what it is about: the mapping's
    and query's problems (problem by problem in their `report`), and the routing rule's,
    which a page marks on the rule's own control."""
    said = []
    if failure.mapping is not None:
        said.append(SettingProblem(f"{sobject}: {failure.mapping}", None, sobject, failure.report))
    if failure.rule is not None:
        said.append(SettingProblem(f"{sobject}: {failure.rule}", "routing", sobject))
    return said


def _counts(
    client: SalesforceClient, conditions: dict[str, Condition | None], uncounted: dict[str, str]
) -> dict[str, int]:
    """How many records each object holds for the service, counted by its condition; one whose
    condition Salesforce refuses (a field of a stream that does not verify, gone from the org)
    goes into `uncounted`, with why."""
    records = {}
    for sobject, condition in conditions.items():
        try:
            records[sobject] = client.count(_count_query(sobject, condition))
        except BadRequest as refused:
            uncounted[sobject] = f"Salesforce refused to count them: {refused}"
    return records


def _sharing(session: Session, service: Service, streams: tuple[Stream, ...]) -> tuple[str, ...]:
    """The services of the connection that read one of `streams` with `service`."""
    sharing = []
    for other in services_beside(session, service):
        try:
            theirs = service_streams(other.pull_objects, other.pull_soql)
        except PlanError:
            continue
        if shares_a_read(streams, theirs):
            sharing.append(f"{other.org.name}/{other.name}")
    return tuple(sorted(sharing))


MAX_INTERVAL_MINUTES = 366 * 24 * 60
"""The longest time between two runs of a stream: a year."""


def interval_problem(what: str, minutes: int) -> str | None:
    """Why `minutes` cannot be a stream's interval, if it cannot."""
    if 1 <= minutes <= MAX_INTERVAL_MINUTES:
        return None
    return f"{what} must be a whole number of minutes from 1 to {MAX_INTERVAL_MINUTES:,} (a year)"


@dataclass(frozen=True)
class _Settings:
    objects: PullObjects
    soql: str | None
    routing: str | None
    interval_minutes: int
    update_only: bool

    @property
    def scope(self) -> tuple[PullObjects, str | None, str | None]:
        """What decides which records a service has."""
        return self.objects, self.soql, self.routing


def scope_changes(service: Service, change: PullChange) -> tuple[str, ...]:
    """Which of what the service reads (`objects`, `soql`, `routing`) `change` changes: only
    Salesforce can verify those. A form that resubmits the settings as they stand changes none."""
    wanted = _settings(service, change)
    names = ("objects", "soql", "routing")
    return tuple(
        name
        for name, now, then in zip(names, _scope(service), wanted.scope, strict=True)
        if now != then
    )


def _scope(service: Service) -> tuple[PullObjects, str | None, str | None]:
    """What decides which records the service has now (as `_Settings.scope` for a change)."""
    return service.pull_objects, service.pull_soql, service.routing_condition


def save_unverified(session: Session, service: Service, change: PullChange) -> tuple[str, ...]:
    """Apply a change Salesforce need not verify (the interval and the mode), for when it
    cannot be asked; the streams that will read everything again. A change of what to read
    (`scope_changes`) is not one: the caller refuses it."""
    if scope_changes(service, change):
        raise ValueError("what a service reads is verified against Salesforce before it is saved")
    try:
        streams = service_streams(service.pull_objects, service.pull_soql)
    except PlanError:
        streams = ()
    return _apply(session, service, _settings(service, change), streams)


def _apply(
    session: Session, service: Service, wanted: _Settings, streams: Sequence[Stream]
) -> tuple[str, ...]:
    """Save `wanted`; the streams whose next run reads everything: those never read yet, those
    whose scope changed, and all of them for a service that creates contacts again (to create
    those it skipped)."""
    creates_again = service.pull_update_only and not wanted.update_only
    rescoped = _scope(service) != wanted.scope
    reread = tuple(s.name for s in streams) if rescoped or creates_again else ()
    service.pull_objects, service.pull_soql = wanted.objects, wanted.soql
    service.routing_condition = wanted.routing
    service.pull_interval_minutes = wanted.interval_minutes
    service.pull_update_only = wanted.update_only
    if reread:
        reset_watermarks(session, service, reread)
    session.flush()
    return tuple(s.name for s in streams if _reads_everything(session, service, s.name))


def _reads_everything(session: Session, service: Service, stream: str) -> bool:
    """Whether the stream's next run reads everything, or reads on with a full read that a
    run stopped before its end (`pull_full_read`)."""
    watermark = get_watermark(session, service, stream)
    return watermark is None or watermark.modstamp is None or watermark.unlink_unseen


def _settings(service: Service, change: PullChange) -> _Settings:
    """The service's pull settings once `change` is made."""
    objects, soql = service.pull_objects, service.pull_soql
    if change.soql is not None:
        objects, soql = PullObjects.CUSTOM, change.soql
    elif change.objects is not None:
        objects = change.objects
        soql = soql if objects is PullObjects.CUSTOM else None
    routing = service.routing_condition
    if change.routing is not None:
        routing = change.routing.strip() or None
    return _Settings(
        objects,
        soql,
        routing,
        service.pull_interval_minutes
        if change.interval_minutes is None
        else change.interval_minutes,
        service.pull_update_only if change.update_only is None else change.update_only,
    )


def _count_query(sobject: str, condition: Condition | None) -> str:
    query = select(Count()).from_(sobject)
    if condition is not None:
        query = query.where(Filter(condition))
    return to_soql(query.build())
