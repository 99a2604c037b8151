"""Exporting prospects to Salesforce as Leads, or as Contacts with their Accounts: one run.

    check the org allows the object -> verify its mappings against the live describe ->
    resolve every prospect -> look existing records up in batches -> decide -> write the
    Accounts, then the Leads or Contacts, 200 a call -> a result per prospect, the run kept

Nothing is written to Salesforce in a dry run; the results say what would happen, with which
values. The store never holds uncommitted writes while Salesforce is called (see
`store_ports`): the run is committed as started before the first call, its API calls once the
lookups are done, the Ids each write call returns as it returns (`export_ids`), and the run's
log once the writing is done. An org runs one export at a time (`export_lease`).

Which objects and rules, and describes fetched anew when the cached one refuses something:
`export_targets`. Each prospect's values: `export_prepare`. Decisions: `export_plan`. Who is who:
`export_identity`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.orm import Session

from forcebridge.salesforce.errors import SalesforceError
from forcebridge.salesforce.usage import UsageSnapshot
from forcebridge.store.models import LogLevel, Org, Run, RunStatus
from forcebridge.store.repositories.runs import (
    add_log_entry,
    failed_if_stopped,
    finish_run,
    start_run,
)
from forcebridge.sync.api_spending import settle_spending, spent_since
from forcebridge.sync.export_errors import ExportError
from forcebridge.sync.export_identity import (
    AccountIndex,
    Identities,
    PersonIndex,
    export_identities,
)
from forcebridge.sync.export_ids import KeptIds
from forcebridge.sync.export_lease import exporting_alone
from forcebridge.sync.export_lookup import Record, any_like, any_of, find_records
from forcebridge.sync.export_model import (
    SAME_PERSON,
    Action,
    ExportObject,
    ExportProspect,
    FieldError,
    ProspectResult,
)
from forcebridge.sync.export_plan import (
    Outcome,
    RecordPlan,
    judge_failing,
    link_accounts,
    needed_accounts,
    plan_accounts,
    plan_people,
    refused_by_describe,
)
from forcebridge.sync.export_prepare import ObjectRules, Prepared, prepare
from forcebridge.sync.export_results import ExportReport, Written, prospect_results
from forcebridge.sync.export_sources import prospects_from_rows
from forcebridge.sync.export_targets import (
    PERSON_OBJECTS,
    ExportTargets,
    checked_mapping,
    export_mapping,
    export_targets,
    fetch_anew,
    refreshed,
    refuse_if_schema_changed,
    refuted,
)
from forcebridge.sync.export_write import NOT_WRITTEN, Writer
from forcebridge.sync.prospect_csv import ProspectRow, read_prospect_file

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

__all__ = [
    "PERSON_OBJECTS",
    "ExportProgress",
    "ExportTargets",
    "checked_mapping",
    "export_file",
    "export_mapping",
    "export_prospects",
    "export_rows",
    "export_targets",
]

STREAM = "export"


class ExportProgress(Protocol):
    """Where a run says how far it is (the command line's progress bar)."""

    def step(self, description: str, total: int | None) -> None:
        """A new step; `total` records to go, or None when it cannot be counted."""

    def advance(self, done: int) -> None: ...


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
    run_started: Callable[[int], None] | None = None,
) -> ExportReport:
    """Export `prospects` as `sobject` ("Lead" or "Contact") through the connection `client`
    reaches (`connection_id`, whose Salesforce the prospects' Ids are kept for), one result
    per prospect. `run_started` is told the run's id once it is committed as started, so a
    caller the export is stopped in (Ctrl+C), or refused in once its run has started (a
    `MappingNotValid` ends the run failed), can still name its run.

    Refused as a whole (an `ExportError`) when the org does not allow the object, a mapping
    does not verify, or another export of the org is running (`export_lease`). When Salesforce
    itself fails (the daily limit, an outage) the run ends as failed: what was written stays
    written, and the rest is reported as not written. A KeyboardInterrupt (or the command
    line's SIGTERM) ends the run failed too, once the write call in flight has returned: the
    Ids of every call are kept as it returns.
    """
    with exporting_alone(session, org, dry_run=dry_run):
        before = client.usage.snapshot()
        targets = export_targets(session, client, org, sobject)
        how = _How(connection_id, dry_run, progress, run_started)
        return _run(session, client, org, targets, prospects, before, how)


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
    run_started: Callable[[int], None] | None = None,
) -> ExportReport:
    """Export a CSV file of prospects (see `prospect_csv`), read once the org's lease is held.
    Its rows are saved as the org's prospects once the export is known to be allowed, except
    in a dry run; a bad row fails alone, naming its fields. `run_started` as for
    `export_prospects`."""
    how = _How(connection_id, dry_run, progress, run_started)
    with exporting_alone(session, org, dry_run=dry_run):
        return _export_rows(session, client, org, sobject, read_prospect_file(path), how)


def export_rows(
    session: Session,
    client: SalesforceClient,
    org: Org,
    sobject: str,
    rows: Sequence[ProspectRow],
    *,
    connection_id: int,
    dry_run: bool = False,
    run_started: Callable[[int], None] | None = None,
) -> ExportReport:
    """Export prospects already read as rows (the REST API's, `prospect_records`) as
    `export_file` exports a file's: saved as the org's prospects once the export is known to
    be allowed, except in a dry run, a bad row failing alone."""
    how = _How(connection_id, dry_run, None, run_started)
    with exporting_alone(session, org, dry_run=dry_run):
        return _export_rows(session, client, org, sobject, rows, how)


def _export_rows(
    session: Session,
    client: SalesforceClient,
    org: Org,
    sobject: str,
    rows: Sequence[ProspectRow],
    how: _How,
) -> ExportReport:
    """The export of `rows`, the org's lease held."""
    before = client.usage.snapshot()
    targets = export_targets(session, client, org, sobject)
    prospects = prospects_from_rows(session, org, rows, how.connection_id, save=not how.dry_run)
    session.commit()
    return _run(session, client, org, targets, prospects, before, how)


@dataclass(frozen=True)
class _How:
    """How an export runs, as its caller asked (see `export_prospects`)."""

    connection_id: int
    dry_run: bool
    progress: ExportProgress | None
    run_started: Callable[[int], None] | None


def _run(
    session: Session,
    client: SalesforceClient,
    org: Org,
    targets: ExportTargets,
    prospects: Sequence[ExportProspect],
    before: UsageSnapshot,
    how: _How,
) -> ExportReport:
    connection_id, dry_run, progress = how.connection_id, how.dry_run, how.progress
    run = start_run(session, org, f"{STREAM}:{targets.person.sobject}", dry_run=dry_run)
    run.read = len(prospects)
    session.commit()
    if how.run_started is not None:
        how.run_started(run.id)
    spent = spent_since(client, before)
    with failed_if_stopped(session, run, spent):
        try:
            kept = None if dry_run else KeptIds(session, org, connection_id, prospects, run, spent)
            writer = Writer(client, progress.advance if progress else None, kept)
            decided = _decide(session, client, org, targets, prospects, progress)
            run.api_calls = spent()
            session.commit()  # the lookups' calls stay shown if the process dies while writing
            writer.stopped = decided.stopped
            accounts, people = _carry_out(
                writer, decided, targets.person.sobject, dry_run=dry_run, progress=progress
            )
            if not dry_run and writer.stopped is None:
                written = {
                    ExportObject.ACCOUNT: accounts.outcomes,
                    targets.person.sobject: people.outcomes,
                }
                fetch_anew(client, decided.targets.stale(refuted(decided.targets, written)))
            results = prospect_results(
                prospects, decided.prepared, people, accounts, dry_run=dry_run
            )
            error = str(writer.stopped) if writer.stopped is not None else None
            settle_spending(session, run, client, before)
            _record(session, run, results, error)
            if kept is not None:
                kept.found(ExportObject.ACCOUNT, accounts.plans, accounts.outcomes)
                kept.found(targets.person.sobject, people.plans, people.outcomes)
            session.commit()
        except ExportError as refused:
            session.rollback()
            settle_spending(session, run, client, before)  # the calls that found it out
            finish_run(session, run, error=str(refused))
            session.commit()
            raise
    return ExportReport(run.id, run.status, dry_run, run.api_calls, results, error)


@dataclass(frozen=True)
class _Decision:
    """What the run decided: by which rules, each prospect prepared, who is who, a plan per
    record."""

    targets: ExportTargets
    """The objects and rules, with the describes fetched anew while deciding."""
    prepared: Sequence[Prepared]
    """Each prospect as prepared, a failing one with the required fields it leaves empty once
    the lookup told its person would be created (`judge_failing`; not when the lookup failed,
    as nobody then knows)."""
    identities: Identities
    accounts: list[RecordPlan]
    people: list[RecordPlan]
    stopped: SalesforceError | None = None
    """Why nothing can be written: Salesforce failed while the records were looked up."""


def _decide(
    session: Session,
    client: SalesforceClient,
    org: Org,
    targets: ExportTargets,
    prospects: Sequence[ExportProspect],
    progress: ExportProgress | None,
) -> _Decision:
    """Prepare each prospect, look the records up, plan. When a describe the cache gave
    refused a prospect (a value, or a custom field a create needs left empty), it is fetched
    anew, once, and what it changed decided again (`export_targets.refreshed`)."""

    def prepared_with(targets: ExportTargets) -> tuple[list[Prepared], Identities]:
        prepared = [prepare(p, targets.person, targets.account) for p in prospects]
        return prepared, export_identities(prospects, prepared, targets.person.sobject)

    prepared, identities = prepared_with(targets)
    try:
        if stale := targets.stale(refused_by_describe(prepared, {})):
            targets, changed = refreshed(session, client, org, targets, stale)
            if changed:
                prepared, identities = prepared_with(targets)
        accounts, people, judged = _plan(
            client, org, targets, prospects, prepared, identities, progress
        )
        planned = {ExportObject.ACCOUNT: accounts, targets.person.sobject: people}
        if stale := targets.stale(refused_by_describe(judged, planned)):
            targets, changed = refreshed(session, client, org, targets, stale)
            if changed:
                prepared, identities = prepared_with(targets)
                accounts, people, judged = _plan(
                    client, org, targets, prospects, prepared, identities, progress
                )
    except SalesforceError as failure:
        refuse_if_schema_changed(session, client, org, targets, failure)
        reason = FieldError(None, f"not written: {failure}", NOT_WRITTEN)
        not_written = [
            RecordPlan(group.members, Action.FAILED, errors=(reason,))
            for group in identities.people
        ]
        return _Decision(targets, prepared, identities, [], not_written, failure)
    return _Decision(targets, judged, identities, accounts, people)


def _plan(
    client: SalesforceClient,
    org: Org,
    targets: ExportTargets,
    prospects: Sequence[ExportProspect],
    prepared: Sequence[Prepared],
    identities: Identities,
    progress: ExportProgress | None,
) -> tuple[list[RecordPlan], list[RecordPlan], list[Prepared]]:
    """Find the records that exist already (a few batched queries) and decide for each group;
    and, knowing who exists, which required fields each failing prospect names."""
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
            org=org.name,
        )
    person = targets.person
    fields = ["Email", "AccountId"] if targets.account is not None else ["Email"]
    fields += person.fields
    live_leads = person.sobject == ExportObject.LEAD
    known = identities.person_ids(prospects, person.sobject)
    by_id = find_records(
        client, person.sobject, fields, [(any_of("Id"), known)], live_leads_only=live_leads
    )
    emails = identities.emails(prospects, person.sobject, {str(r["Id"]) for r in by_id})
    by_email = find_records(
        client, person.sobject, fields, [(any_of("Email"), emails)], live_leads_only=live_leads
    )
    found = PersonIndex(by_id + by_email)
    people_plans = plan_people(identities, prospects, prepared, found, person, account_plans)
    judged = judge_failing(identities, prospects, prepared, found, people_plans, person.sobject)
    return needed_accounts(account_plans, people_plans), people_plans, judged


def _find_accounts(
    client: SalesforceClient,
    rules: ObjectRules,
    prospects: Sequence[ExportProspect],
    identities: Identities,
) -> list[Record]:
    """Accounts by the Ids earlier exports kept, then by website domain for the companies none
    of those Accounts is (not found, or no longer the company's), then by name for the
    companies still unmatched (so domains and names are only sent for companies that need
    them), every spelling of each (the index then compares names ignoring case and spacing)."""
    fields = ["Name", "Website", *rules.fields]
    known = identities.account_ids(prospects)
    found = find_records(client, "Account", fields, [(any_of("Id"), known)])
    unmatched = identities.unmatched(prospects, AccountIndex(found))
    domains = [key.domain for key in unmatched if key.domain]
    found += find_records(client, "Account", fields, [(any_like("Website"), domains)])
    unmatched = identities.unmatched(prospects, AccountIndex(found))
    names = [name for key in unmatched for name in key.names_to_look_up()]
    return found + find_records(client, "Account", fields, [(any_of("Name"), names)])


def _carry_out(
    writer: Writer,
    decided: _Decision,
    person: str,
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

    account_outcomes = write(ExportObject.ACCOUNT, decided.accounts)
    people_plans = link_accounts(decided.people, account_outcomes, dry_run=dry_run)
    people_outcomes = write(person, people_plans)
    return Written(decided.accounts, account_outcomes), Written(people_plans, people_outcomes)


def _record(
    session: Session,
    run: Run,
    results: Sequence[ProspectResult],
    error: str | None,
) -> None:
    """The run's counts, and a log entry per problem of each prospect (a failed one, or one
    written whose Account was not updated, which makes the run partial too), and a warning for
    each row of a person an earlier row gives too."""
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
        if result.same_person is not None:
            add_log_entry(
                session,
                run,
                LogLevel.WARNING,
                result.same_person,
                salesforce_id=result.salesforce_id,
                record_ref=f"row {result.row}",
                code=SAME_PERSON,
            )
    finish_run(session, run, error=error)
    if run.status is RunStatus.SUCCEEDED and any(result.errors for result in results):
        run.status = RunStatus.PARTIAL
