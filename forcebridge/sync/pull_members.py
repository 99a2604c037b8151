"""A service ready to receive one stream: its mapping verified and compiled, its rule, its cursor.

Verification runs before every run against the describes the client caches (refreshed at most
hourly, or at once when asked), so it costs no API call in the common case. A mapping that no
longer verifies (a field deleted or made unreadable in Salesforce) stops the stream with every
problem named, rather than syncing partial data that nobody notices is stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.mapping.contact_fields import CustomFieldSpec, contact_fields
from forcebridge.mapping.defaults import default_pull_mapping
from forcebridge.mapping.describe import Catalog
from forcebridge.mapping.errors import MappingError, UnknownField
from forcebridge.mapping.local_fields import LocalFields
from forcebridge.mapping.model import Mapping, MappingRow
from forcebridge.mapping.query_check import date_function_refusals
from forcebridge.mapping.query_fields import calculated_sources
from forcebridge.mapping.report import Problem, ProblemCode
from forcebridge.mapping.rules import CompiledMapping, compile_pull
from forcebridge.mapping.verify import VerificationReport, verify_pull, verify_pull_query
from forcebridge.salesforce.errors import NotFound
from forcebridge.store.models import CustomContactField, PullObjects, Run, Service
from forcebridge.store.repositories.mappings import get_mapping
from forcebridge.store.repositories.rereads import pending_rereads
from forcebridge.store.repositories.watermarks import get_watermark
from forcebridge.sync.pull_plan import (
    LEAD_CONVERSION_FIELDS,
    LEADS,
    Stream,
    identity_source,
    member_condition,
)
from forcebridge.sync.pull_record import Target
from forcebridge.sync.routing import EVERYTHING, Route, RoutingError, user_week_start, user_zone
from forcebridge.sync.watermark import START, Cursor

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient


class StreamFailed(Exception):
    """A stream that cannot run as configured; the message is what an admin must fix, and
    `problem` what to fix: the mapping (`mapping_invalid`), or the custom query
    (`query_invalid`) when only the query is at fault (a rule refused beside them changes
    neither). `report`: the verification of the mapping and query (None when there is no
    mapping to verify), for a page to show it problem by problem. `mapping` and `rule` say
    apart what the message says together, for a page to mark each control at fault: the
    mapping's and query's problems (None when they verify), the routing rule's (None when it
    does)."""

    def __init__(
        self,
        message: str,
        *,
        problem: str = "mapping_invalid",
        report: VerificationReport | None = None,
        mapping: str | None = None,
        rule: str | None = None,
    ) -> None:
        super().__init__(message)
        self.problem = problem
        self.report = report
        self.mapping = message if mapping is None and rule is None else mapping
        self.rule = rule


class RoutingRefused(StreamFailed):
    """The service's routing rule is what cannot run."""


QUERY_PROBLEMS = frozenset({ProblemCode.INVALID_QUERY, ProblemCode.UNKNOWN_OBJECT})
"""What a custom query alone can be wrong with."""


class StreamInterrupted(StreamFailed):
    """A run that could not start or go on because another run holds the stream's lease: it
    passes by itself, unlike the rest of `StreamFailed`."""


CHANGED_IN_SALESFORCE = (ProblemCode.TYPE_MISMATCH, ProblemCode.VALUES_DO_NOT_FIT)
"""What an admin's change to a mapped field in Salesforce (a new type, new picklist values)
makes of a mapping that verified when it was saved. A run reads on all the same, each value
that the contact field cannot hold refused on its own (`conversion_failed`): a problem of some
records, not of the stream. `mapping verify` and `service configure` still name the row (the
verified stream's `report`), and a stream that fails for something else names it too."""


@dataclass
class Member:
    """One service receiving a group read, with its own run, counts and cursor."""

    service: Service
    stream: Stream
    sobject: str
    """The object as the org spells it."""
    target: Target
    compiled: CompiledMapping
    route: Route
    """The service's records: its custom query's WHERE and its routing rule together."""
    zone: dt.tzinfo
    """Where the route reads date literals: the connection's user's time zone."""
    week_start: int
    """The first day of the route's week literals: the connection's user's locale's."""
    needs: tuple[str, ...]
    """The fields it reads: its mapping's, and those its rule and Lead conversion look at."""
    calculated: tuple[str, ...]
    """Formula and roll-up fields among them, which change without touching SystemModstamp."""
    cursor: Cursor
    run: Run
    settings_version: int
    """The service's pull settings version as its settings were read (`VerifiedStream`): the
    read writes nothing more for it once the service's has moved (`pull_settings_version`)."""
    unlinks_unseen: bool = False
    """A full read is under way for the service, begun with records already linked: it keeps
    the Ids of the service's records it finds (`full_reads`), and once it is complete unlinks
    the linked ones it did not find, which left the service's records (a narrowed routing rule
    or query). Begun by an earlier run that stopped midway, it is read on from the cursor."""
    waiting: frozenset[str] = frozenset()
    """The records waiting, as the run began, to be read again by Id (`pull_rereads`)."""
    brought: set[str] = field(default_factory=set)
    """Those of `waiting` the run's read brought anyway: they need not be asked for."""
    told_never_linked: bool = False
    """The run has logged a deleted record no contact is linked to: it logs one only
    (`pull_page.never_linked_note`), a first pull may read tens of thousands."""


def service_fields(session: Session, service: Service) -> LocalFields:
    """The contact fields a pull may write for `service`: built-in ones and its own."""
    rows = session.scalars(
        select(CustomContactField)
        .where(CustomContactField.service_id == service.id)
        .order_by(CustomContactField.name)
    )
    return contact_fields(
        CustomFieldSpec(row.name, row.type.value, tuple(row.choices) if row.choices else None)
        for row in rows
    )


def stored_mapping(session: Session, service: Service, stream: Stream) -> Mapping:
    """The service's mapping for the stream's object, or the default one for Contact and Lead
    (for a custom query, the default's rows that read a field it selects)."""
    sobject = stream.sobject
    stored = get_mapping(session, service, sobject)
    if stored is not None:
        return Mapping(
            tuple(MappingRow(row.source, row.target, row.update_option) for row in stored.rows)
        )
    try:
        return default_pull_mapping(sobject, stream.selected)
    except MappingError as error:
        raise StreamFailed(
            f"the service has no mapping for {sobject} yet ({error}): map its fields (on the "
            "service's page, or with forcebridge mapping set)"
        ) from None


def load_catalog(
    client: SalesforceClient, sobject: str, paths: Iterable[str], *, refresh: bool = False
) -> Catalog:
    """The describes `paths` need from `sobject`, from the client's cache where it can."""
    wanted = tuple(paths)
    catalog = Catalog()
    fetched: set[str] = set()
    missing = catalog.missing(sobject, wanted)
    while missing - fetched:
        for name in sorted(missing - fetched):
            fetched.add(name)
            try:
                payload = client.describe(name, refresh=refresh)
            except NotFound:
                continue
            catalog = Catalog((*catalog.objects, *Catalog.of(payload).objects))
        missing = catalog.missing(sobject, wanted)
    return catalog


def verify_stream(
    mapping: Mapping, catalog: Catalog, stream: Stream, targets: LocalFields
) -> VerificationReport:
    if stream.query is not None and stream.query.text is not None:
        return verify_pull_query(mapping, catalog, stream.query.text, targets)
    return verify_pull(mapping, catalog, stream.sobject, targets)


@dataclass(frozen=True)
class VerifiedStream:
    """A service's mapping and rule for one stream, verified against the org's describes."""

    sobject: str
    """The object as the org spells it."""
    mapping: Mapping
    targets: LocalFields
    route: Route
    condition_fields: tuple[str, ...]
    """The fields the rule reads, as the org spells them."""
    catalog: Catalog
    report: VerificationReport
    """The mapping and query verified, as `mapping verify` reports them: not ok when a mapped
    field changed in Salesforce (`CHANGED_IN_SALESFORCE`), which a run reads past."""
    settings_version: int
    """The service's pull settings version, read with its own settings (one row) and before
    its mapping and fields: a change in between only has the read stop early."""


def verify_member(
    session: Session,
    client: SalesforceClient,
    service: Service,
    stream: Stream,
    routing_condition: str | None,
    *,
    refresh: bool = False,
) -> VerifiedStream:
    """Check `service`'s mapping and `routing_condition` for `stream` (refreshing the describes
    first when `refresh`); `StreamFailed` names every problem at once, the mapping's, the
    query's and the rule's together (a custom query's own among them when there is no mapping
    to verify), so that one pass shows an admin all there is to fix."""
    version = service.pull_settings_version
    unmapped = None
    try:
        mapping = stored_mapping(session, service, stream)
    except StreamFailed as failure:
        mapping, unmapped = Mapping(()), str(failure)
    targets = service_fields(session, service)
    rule_refused = None
    try:
        routing = Route.parse(routing_condition)
    except RoutingError as error:
        routing, rule_refused = EVERYTHING, str(error)
    route = Route(member_condition(stream, routing.condition))
    # A custom query's selected paths need their parents' describes, mapped or not.
    paths = (*mapping.sources, *route.fields, *(stream.selected or ()))
    catalog = load_catalog(client, stream.sobject, paths, refresh=refresh)
    report = verify_stream(mapping, catalog, stream, targets)
    if unmapped is not None:  # no mapping yet: "no rows" would only say it again
        report = report.without(ProblemCode.REQUIRED_UNMAPPED)
    describe = catalog.get(stream.sobject)
    if rule_refused is None and describe is not None:  # verification reports a missing one
        rule_refused = rule_refusal(service, catalog, describe.name, routing)
    refused = _failure(report, unmapped, rule_refused)
    if refused is not None:
        raise refused
    assert describe is not None  # verification reports a missing describe
    route, condition_fields = _resolved(catalog, describe.name, route)
    return VerifiedStream(
        describe.name, mapping, targets, route, condition_fields, catalog, report, version
    )


def _failure(
    report: VerificationReport, unmapped: str | None, rule: str | None
) -> StreamFailed | None:
    """Why a stream whose mapping and query verified as `report` (with `unmapped`, why it has
    no mapping) and whose routing rule was refused `rule` cannot run, every problem told at
    once; None when it can. The problem code is the mapping's or the query's when they stop
    it, as when the rule is fine."""
    ruled = VerificationReport((*report.problems, *rule_problems(rule)), report.rows)
    if unmapped is None and report.without(*CHANGED_IN_SALESFORCE).ok:
        if rule is None:
            return None
        told = None if report.ok else report.message
        return RoutingRefused(
            rule if report.ok else _told(ruled, None), report=report, mapping=told, rule=rule
        )
    query_only = unmapped is None and all(p.code in QUERY_PROBLEMS for p in report.problems)
    return StreamFailed(
        _told(ruled, unmapped),
        problem="query_invalid" if query_only else "mapping_invalid",
        report=None if unmapped is not None else report,
        mapping=_told(report, unmapped),
        rule=rule,
    )


def rule_problems(refusal: str | None) -> tuple[Problem, ...]:
    """The routing rule's refusal, if any, as a problem of a verification report: part of the
    query each run sends, it is no row's."""
    return () if refusal is None else (Problem(None, "", ProblemCode.INVALID_QUERY, refusal),)


def rule_refusal(service: Service, catalog: Catalog, sobject: str, rule: Route) -> str | None:
    """What of `rule` the org lacks (every field) or Salesforce would refuse (its date
    functions), in one line, as `mapping verify` reports it too; None when it verifies."""
    reasons = []
    for path in rule.fields:
        try:
            catalog.resolve(sobject, path)
        except UnknownField as unknown:
            reasons.append(str(unknown))
    reasons += [refusal for _, refusal in date_function_refusals(rule.condition, catalog, sobject)]
    if not reasons:
        return None
    return f"the routing rule of {service.name}: {'; '.join(reasons)}"


def checked_route(
    service: Service, catalog: Catalog, sobject: str, route: Route, rule: Route
) -> tuple[Route, tuple[str, ...]]:
    """`route` (the records a stream reads for `service`: its query's WHERE, whose fields
    verification has checked, and the service's `rule`) against the describes: with its
    multi-select picklists known, and the fields it reads as the org spells them.
    `RoutingRefused` names what of the rule the org lacks or Salesforce would refuse
    (`rule_refusal`)."""
    refusal = rule_refusal(service, catalog, sobject, rule)
    if refusal is not None:
        raise RoutingRefused(refusal)
    return _resolved(catalog, sobject, route)


def _resolved(catalog: Catalog, sobject: str, route: Route) -> tuple[Route, tuple[str, ...]]:
    """`route`, whose fields are verified, with its multi-select picklists known, and the
    fields it reads as the org spells them."""
    resolved = [catalog.resolve(sobject, f) for f in route.fields]
    condition_fields = tuple(spelled for spelled, _ in resolved)
    chosen = (f.casefold() for f, (_, found) in zip(route.fields, resolved, strict=True)
              if found.type == "multipicklist")  # fmt: skip
    return Route(route.condition, frozenset(chosen)), condition_fields


def _told(report: VerificationReport, unmapped: str | None) -> str:
    """Every problem in one message, the missing mapping among those it counts: those that stop
    the stream first, then, said not to stop it, the fields changed in Salesforce that runs read
    past (`CHANGED_IN_SALESFORCE`), so an admin sees what to fix to have the stream run again."""
    if unmapped is not None and report.ok:
        return unmapped
    problems = report.problems
    if unmapped is not None:
        problems = (*problems, Problem(None, "", ProblemCode.REQUIRED_UNMAPPED, unmapped))
    read_past = [p for p in problems if p.code in CHANGED_IN_SALESFORCE]
    stopping = VerificationReport(
        tuple(p for p in problems if p.code not in CHANGED_IN_SALESFORCE), report.rows
    )
    if not read_past:
        return stopping.message
    count, _, lines = stopping.message.partition(":\n")
    stop = "stops" if len(stopping.problems) == 1 else "stop"
    rest = "\n".join(f"- {problem}" for problem in read_past)
    return (
        f"{count} that {stop} the stream:\n{lines}\n"
        f"Runs read past the rest, skipping each value that does not fit:\n{rest}"
    )


def prepare_member(
    session: Session,
    client: SalesforceClient,
    service: Service,
    stream: Stream,
    run: Run,
    *,
    full: bool = False,
    refresh: bool = False,
) -> Member:
    """`service` ready for `stream`, or `StreamFailed` naming everything wrong. What fails
    against the cached describes is checked once more against fresh ones before the run
    fails: the admin may have fixed the org since (a deleted field made again), and a run
    that failed on an old describe would keep failing, backing off longer each time."""
    try:
        verified = verify_member(
            session, client, service, stream, service.routing_condition, refresh=refresh
        )
    except StreamFailed:
        if refresh:
            raise
        verified = verify_member(
            session, client, service, stream, service.routing_condition, refresh=True
        )
    return member_of(session, service, stream, verified, run, full=full)


def member_of(
    session: Session,
    service: Service,
    stream: Stream,
    verified: VerifiedStream,
    run: Run,
    *,
    full: bool = False,
) -> Member:
    """`service`, whose settings for `stream` are `verified`, ready to receive a read."""
    sobject = verified.sobject
    compiled = compile_pull(
        verified.mapping, verified.catalog, sobject, verified.targets, CHANGED_IN_SALESFORCE
    )
    extra = LEAD_CONVERSION_FIELDS if stream == LEADS else ()
    watermark = None if full else get_watermark(session, service, stream.name)
    cursor = START
    if watermark is not None and watermark.modstamp is not None:
        cursor = Cursor(watermark.modstamp, frozenset(watermark.ids_at_modstamp))
    target = Target(
        service_id=service.id,
        source=identity_source(sobject),
        connection_id=service.connection_id,
        region=service.region,
        fields=verified.targets,
        update_only=service.pull_update_only,
        contacts_pulled=stream == LEADS and service.pull_objects is PullObjects.BOTH,
    )
    needs = (*compiled.source_fields, *extra, *verified.condition_fields)
    calculated = calculated_sources(compiled, verified.catalog, sobject)
    connection = service.connection
    zone = user_zone(connection.user_time_zone if connection is not None else None)
    week_start = user_week_start(connection.user_locale if connection is not None else None)
    return Member(
        service,
        stream,
        sobject,
        target,
        compiled,
        verified.route,
        zone,
        week_start,
        needs,
        calculated,
        cursor,
        run,
        verified.settings_version,
        unlinks_unseen=watermark is not None and watermark.unlink_unseen,
        waiting=frozenset(pending_rereads(session, service.id, target.source)),
    )
