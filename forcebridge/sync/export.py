"""Exporting prospects to Salesforce as Leads, or as Contacts with their Accounts: one run.

    check the org allows the object -> verify its mappings against the live describe ->
    resolve every prospect -> look existing records up in batches -> decide -> write the
    Accounts, then the Leads or Contacts, 200 a call -> a result per prospect, the run kept

Nothing is written to Salesforce in a dry run; the results say what would happen, with which
values. The store never holds uncommitted writes while Salesforce is called (see
`store_ports`): the run is committed as started before the first call, and its log and the
prospects' new Salesforce Ids are committed once the writing is done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from forcebridge.mapping.defaults import default_export_mapping
from forcebridge.mapping.describe import ObjectDescribe, parse_describe
from forcebridge.mapping.model import Mapping, MappingRow
from forcebridge.mapping.verify import VerificationReport, verify_export
from forcebridge.salesforce.client import SalesforceClient
from forcebridge.salesforce.errors import BadRequest, SalesforceError
from forcebridge.salesforce.usage import UsageSnapshot
from forcebridge.store.models import LogLevel, Org, Run, RunStatus
from forcebridge.store.repositories.export_preferences import allowed_objects
from forcebridge.store.repositories.mappings import get_org_mapping
from forcebridge.store.repositories.prospects import (
    SalesforceIds,
    get_prospects,
    keep_salesforce_ids,
)
from forcebridge.store.repositories.runs import (
    add_log_entry,
    failed_if_stopped,
    finish_run,
    start_run,
)
from forcebridge.sync.api_spending import settle_spending
from forcebridge.sync.export_errors import (
    ExportError,
    MappingNotValid,
    ObjectNotAllowed,
    UnknownObject,
)
from forcebridge.sync.export_identity import AccountIndex, PersonIndex
from forcebridge.sync.export_lookup import Record, any_like, any_of, find_records
from forcebridge.sync.export_model import (
    Action,
    ExportObject,
    ExportProspect,
    FieldError,
    ProspectResult,
)
from forcebridge.sync.export_plan import (
    Identities,
    ObjectRules,
    Outcome,
    Prepared,
    RecordPlan,
    export_identities,
    known_person_id,
    link_accounts,
    needed_accounts,
    plan_accounts,
    plan_people,
    prepare,
)
from forcebridge.sync.export_results import ExportReport, Written, prospect_results
from forcebridge.sync.export_sources import prospects_from_rows
from forcebridge.sync.export_write import NOT_WRITTEN, Writer
from forcebridge.sync.prospect_csv import read_prospect_file

STREAM = "export"
#: What `forcebridge export --object` takes: the objects a prospect becomes.
PERSON_OBJECTS = (ExportObject.LEAD, ExportObject.CONTACT)


class ExportProgress(Protocol):
    """Where a run says how far it is (the command line's progress bar)."""

    def step(self, description: str, total: int | None) -> None:
        """A new step; `total` records to go, or None when it cannot be counted."""

    def advance(self, done: int) -> None: ...


@dataclass(frozen=True)
class ExportTargets:
    """The objects one export writes: the Account only for a Contact export."""

    person: ObjectRules
    account: ObjectRules | None = None
    may_write_accounts: bool = False


def export_mapping(session: Session, org: Org, sobject: str) -> Mapping:
    """The org's saved export mapping for `sobject`, else the default one."""
    saved = get_org_mapping(session, org, sobject)
    if saved is None:
        return default_export_mapping(sobject)
    return Mapping(tuple(MappingRow(r.source, r.target, r.update_option) for r in saved.rows))


def checked_mapping(
    session: Session,
    client: SalesforceClient,
    org: Org,
    sobject: str,
    mapping: Mapping | None = None,
    *,
    refresh: bool = False,
) -> tuple[VerificationReport, ObjectDescribe, Mapping]:
    """`mapping` (else the org's) for `sobject`, verified against the live describe (which the
    client caches, unless `refresh` asks for it anew): the report, the describe and the
    mapping."""
    describe = parse_describe(client.describe(sobject, refresh=refresh))
    mapping = mapping or export_mapping(session, org, sobject)
    return verify_export(mapping, describe), describe, mapping


def _rules(
    session: Session,
    client: SalesforceClient,
    org: Org,
    sobjects: Sequence[str],
    *,
    refresh: bool = False,
) -> list[ObjectRules]:
    """Each object's mapping, verified (`checked_mapping`); `MappingNotValid` names the
    problems of all of them."""
    verified, problems = [], {}
    for sobject in sobjects:
        report, describe, mapping = checked_mapping(session, client, org, sobject, refresh=refresh)
        if report.ok:
            verified.append(ObjectRules.of(describe, mapping))
        else:
            problems[sobject] = [str(problem) for problem in report.problems]
    if problems:
        raise MappingNotValid(problems)
    return verified


def export_targets(
    session: Session, client: SalesforceClient, org: Org, sobject: str
) -> ExportTargets:
    """What exporting as `sobject` writes, refused when the org does not allow it."""
    if sobject not in PERSON_OBJECTS:
        raise UnknownObject(
            f"prospects are exported as {' or '.join(PERSON_OBJECTS)}, not {sobject!r}"
        )
    allowed = allowed_objects(session, org)
    if sobject not in allowed:
        raise ObjectNotAllowed(org.name, sobject, allowed)
    if sobject == ExportObject.LEAD:
        [person] = _rules(session, client, org, [sobject])
        return ExportTargets(person)
    person, account = _rules(session, client, org, [sobject, ExportObject.ACCOUNT])
    return ExportTargets(person, account, ExportObject.ACCOUNT in allowed)


def export_prospects(
    session: Session,
    client: SalesforceClient,
    org: Org,
    sobject: str,
    prospects: Sequence[ExportProspect],
    *,
    connection_id: int,
    dry_run: bool = False,
    progress: ExportProgress | None = None,
) -> ExportReport:
    """Export `prospects` as `sobject` ("Lead" or "Contact") through the connection `client`
    reaches (`connection_id`, whose Salesforce the prospects' Ids are kept for), one result
    per prospect.

    Refused as a whole (an `ExportError`) when the org does not allow the object or a mapping
    does not verify. When Salesforce itself fails (the daily limit, an outage) the run ends
    as failed: what was written stays written, and the rest is reported as not written.
    """
    before = client.usage.snapshot()
    targets = export_targets(session, client, org, sobject)
    return _run(session, client, org, targets, prospects, before, connection_id, dry_run, progress)


def export_file(
    session: Session,
    client: SalesforceClient,
    org: Org,
    sobject: str,
    path: Path,
    *,
    connection_id: int,
    dry_run: bool = False,
    progress: ExportProgress | None = None,
) -> ExportReport:
    """Export a CSV file of prospects (see `prospect_csv`). Its rows are saved as the org's
    prospects once the export is known to be allowed, except in a dry run; a bad row fails
    alone, naming its fields."""
    rows = read_prospect_file(path)
    before = client.usage.snapshot()
    targets = export_targets(session, client, org, sobject)
    prospects = prospects_from_rows(session, org, rows, connection_id, save=not dry_run)
    session.commit()
    return _run(session, client, org, targets, prospects, before, connection_id, dry_run, progress)


def _run(
    session: Session,
    client: SalesforceClient,
    org: Org,
    targets: ExportTargets,
    prospects: Sequence[ExportProspect],
    before: UsageSnapshot,
    connection_id: int,
    dry_run: bool,
    progress: ExportProgress | None,
) -> ExportReport:
    run = start_run(session, org, f"{STREAM}:{targets.person.sobject}", dry_run=dry_run)
    session.commit()
    with failed_if_stopped(session, run):
        try:
            prepared = [prepare(p, targets.person, targets.account) for p in prospects]
            identities = export_identities(prospects, prepared, targets.person.sobject)
            writer = Writer(client, progress.advance if progress else None)
            try:
                account_plans, people_plans = _plan(
                    client, targets, prospects, prepared, identities, progress
                )
            except SalesforceError as failure:
                _refuse_if_schema_changed(session, client, org, targets, failure)
                writer.stopped = failure
                account_plans, people_plans = [], _not_looked_up(identities, failure)
            accounts, people = _carry_out(
                writer, targets, account_plans, people_plans, dry_run=dry_run, progress=progress
            )
            results = prospect_results(prospects, prepared, people, accounts, dry_run=dry_run)
            error = str(writer.stopped) if writer.stopped is not None else None
            settle_spending(session, run, client, before)
            _record(session, run, results, error)
            if not dry_run:
                _keep_ids(session, org, connection_id, targets.person.sobject, results)
            session.commit()
        except ExportError as refused:
            session.rollback()
            run.read = len(prospects)
            settle_spending(session, run, client, before)  # the calls that found it out
            finish_run(session, run, error=str(refused))
            session.commit()
            raise
    return ExportReport(run.id, run.status, dry_run, run.api_calls, results, error)


def _plan(
    client: SalesforceClient,
    targets: ExportTargets,
    prospects: Sequence[ExportProspect],
    prepared: Sequence[Prepared],
    identities: Identities,
    progress: ExportProgress | None,
) -> tuple[list[RecordPlan], list[RecordPlan]]:
    """Find the records that exist already (a few batched queries) and decide for each group."""
    if progress is not None:
        progress.step("Looking up existing records", None)
    account_plans: list[RecordPlan] = []
    if targets.account is not None:
        accounts = AccountIndex(_find_accounts(client, targets.account, prospects, identities))
        account_plans = plan_accounts(
            identities,
            prospects,
            prepared,
            accounts,
            targets.account,
            may_write=targets.may_write_accounts,
        )
    person = targets.person
    known = [
        person_id
        for group in identities.people
        for member in group.members
        if (person_id := known_person_id(prospects[member], person.sobject))
    ]
    extra = ["Email", "AccountId"] if targets.account is not None else ["Email"]
    records = find_records(
        client,
        person.sobject,
        [*extra, *person.fields],
        [(any_of("Id"), known), (any_of("Email"), identities.emails(prospects))],
        live_leads_only=person.sobject == ExportObject.LEAD,
    )
    people_plans = plan_people(
        identities, prospects, prepared, PersonIndex(records), person, account_plans
    )
    return needed_accounts(account_plans, people_plans), people_plans


def _refuse_if_schema_changed(
    session: Session,
    client: SalesforceClient,
    org: Org,
    targets: ExportTargets,
    failure: SalesforceError,
) -> None:
    """When Salesforce refuses a field, the cached describe is out of date: it is fetched
    anew and the mappings verified again, so the export is refused naming what changed in the
    org (`MappingNotValid`), and the next one before it starts. Otherwise, or when Salesforce
    cannot be asked, its own refusal stands."""
    if not (isinstance(failure, BadRequest) and failure.names_what_the_org_lacks):
        return
    written = [rules.sobject for rules in (targets.person, targets.account) if rules is not None]
    try:
        _rules(session, client, org, written, refresh=True)
    except SalesforceError:
        return


def _find_accounts(
    client: SalesforceClient,
    rules: ObjectRules,
    prospects: Sequence[ExportProspect],
    identities: Identities,
) -> list[Record]:
    """Accounts by the Ids earlier exports kept and by website domain, then by name for the
    companies still unmatched (so names are only sent for companies that need them), every
    spelling of each (the index then compares names ignoring case and spacing)."""
    fields = ["Name", "Website", *rules.fields]
    known = [
        account_id
        for group, _ in identities.companies
        for member in group.members
        if (account_id := prospects[member].account_id)
    ]
    found = find_records(
        client,
        "Account",
        fields,
        [(any_of("Id"), known), (any_like("Website"), identities.domains())],
    )
    index = AccountIndex(found)
    names = [
        name
        for group, key in identities.companies
        if index.match(key, (prospects[m].account_id for m in group.members)) is None
        for name in key.names_to_look_up()
    ]
    return found + find_records(client, "Account", fields, [(any_of("Name"), names)])


def _not_looked_up(identities: Identities, error: SalesforceError) -> list[RecordPlan]:
    reason = FieldError(None, f"not written: {error}", NOT_WRITTEN)
    return [RecordPlan(g.members, Action.FAILED, errors=(reason,)) for g in identities.people]


def _carry_out(
    writer: Writer,
    targets: ExportTargets,
    account_plans: list[RecordPlan],
    people_plans: list[RecordPlan],
    *,
    dry_run: bool,
    progress: ExportProgress | None,
) -> tuple[Written, Written]:
    """Write the Accounts, link the people to them, write the people; in a dry run, only link
    (to the Accounts that exist) and report the plans as they are."""

    def write(sobject: str, plans: Sequence[RecordPlan]) -> list[Outcome]:
        if dry_run:
            return [Outcome.planned(plan) for plan in plans]
        if progress is not None:
            writes = sum(plan.action in (Action.CREATED, Action.UPDATED) for plan in plans)
            progress.step(f"Writing {sobject}s", writes)
        return writer.write(sobject, plans)

    account_outcomes = write(ExportObject.ACCOUNT, account_plans)
    people_plans = link_accounts(people_plans, account_outcomes)
    people_outcomes = write(targets.person.sobject, people_plans)
    return Written(account_plans, account_outcomes), Written(people_plans, people_outcomes)


def _record(
    session: Session,
    run: Run,
    results: Sequence[ProspectResult],
    error: str | None,
) -> None:
    """The run's counts, and a log entry per problem of each prospect (a failed one, or one
    written whose Account was not updated, which makes the run partial too)."""
    run.read = len(results)
    run.created = sum(r.action is Action.CREATED for r in results)
    run.updated = sum(r.action is Action.UPDATED for r in results)
    run.unchanged = sum(r.action is Action.UNCHANGED for r in results)
    run.failed = sum(r.action is Action.FAILED for r in results)
    for result in results:
        for problem in result.errors:
            add_log_entry(
                session,
                run,
                LogLevel.ERROR,
                problem.message,
                salesforce_id=result.salesforce_id,
                record_ref=f"row {result.row}",
                field=problem.field,
                code=problem.code,
            )
    finish_run(session, run, error=error)
    if run.status is RunStatus.SUCCEEDED and any(result.errors for result in results):
        run.status = RunStatus.PARTIAL


def _keep_ids(
    session: Session,
    org: Org,
    connection_id: int,
    sobject: str,
    results: Sequence[ProspectResult],
) -> None:
    """Each stored prospect remembers the records it became through the connection, so a
    re-export there updates them."""
    kept = [r for r in results if r.prospect_id is not None and r.salesforce_id is not None]
    stored = get_prospects(session, org, [r.prospect_id for r in kept if r.prospect_id])
    keep_salesforce_ids(
        session,
        connection_id,
        (
            (
                prospect,
                SalesforceIds(lead_id=result.salesforce_id, account_id=result.account_id)
                if sobject == ExportObject.LEAD
                else SalesforceIds(contact_id=result.salesforce_id, account_id=result.account_id),
            )
            for prospect, result in zip(stored, kept, strict=True)
        ),
    )
