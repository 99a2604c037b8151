"""From plans and outcomes back to prospects: one result each, in input order, and the report.

Prospects written together (the same person, or the same record) share their record, written
once with all their values: the first of them reports that write (`created`, `updated`), and
each later one is `unchanged` by it, with a warning naming the first (`same_person`): `created`
and `updated` count records, `failed` rows (a write that fails fails every row it was for).

A Contact's `account_id` is the Account it is on in Salesforce once the export is done (in a dry
run, would be): the one it already had, else its company's; none for a Contact that is not in
Salesforce, or that the write linking it failed. A dry run reports that Account's action and
values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from forcebridge.salesforce.sobject_collections import json_ready
from forcebridge.store.models import RunStatus
from forcebridge.sync.export_model import Action, ExportProspect, FieldError, ProspectResult
from forcebridge.sync.export_plan import Outcome, RecordPlan
from forcebridge.sync.export_prepare import Prepared


@dataclass(frozen=True)
class Written:
    """Plans of one object and what became of each, position for position."""

    plans: Sequence[RecordPlan]
    outcomes: Sequence[Outcome]

    def by_member(self) -> dict[int, int]:
        return {member: i for i, plan in enumerate(self.plans) for member in plan.members}


def prospect_results(
    prospects: Sequence[ExportProspect],
    prepared: Sequence[Prepared],
    people: Written,
    accounts: Written,
    *,
    dry_run: bool,
) -> list[ProspectResult]:
    person_of = people.by_member()
    company_of = accounts.by_member()
    first_of = [min(plan.members) for plan in people.plans]
    results = []
    for position, prospect in enumerate(prospects):
        if prepared[position].errors:
            results.append(
                ProspectResult(
                    prospect.row,
                    Action.FAILED,
                    errors=prepared[position].errors,
                    prospect_id=prospect.prospect_id,
                )
            )
            continue
        plan = people.plans[person_of[position]]
        outcome = people.outcomes[person_of[position]]
        account_plan, account = _account_of(plan, accounts, company_of.get(position))
        account_id = _account_id(plan, outcome, account)
        shown = account if dry_run and _exists_or_is_made(account) else None
        first = first_of[person_of[position]]
        counted_earlier = position != first and outcome.action in (Action.CREATED, Action.UPDATED)
        same = _written_with(prospects[first].row, outcome, dry_run) if counted_earlier else None
        results.append(
            ProspectResult(
                prospect.row,
                Action.UNCHANGED if counted_earlier else outcome.action,
                outcome.record_id,
                account_id,
                (*outcome.errors, *account_problems(outcome, account, dry_run=dry_run)),
                prospect.prospect_id,
                values=plan.values if dry_run and not counted_earlier else {},
                account_action=shown.action if shown else None,
                account_values=account_plan.values if shown and account_plan else {},
                account_errors=shown.errors if shown else (),
                same_person=same,
                same_person_as=prospects[first].row if counted_earlier else None,
            )
        )
    return results


def _written_with(row: int, outcome: Outcome, dry_run: bool) -> str:
    """Why a row of a person an earlier row (`row`) gave already is `unchanged`: their record
    is written once, with every row's values, and that write is the earlier row's."""
    done = f"would be {outcome.action}" if dry_run else f"was {outcome.action}"
    record = "their record" if outcome.record_id is None else f"their record {outcome.record_id}"
    return (
        f"the same person as row {row}: {record} {done} once, for all their rows, and counted"
        f" on row {row}"
    )


def _account_id(plan: RecordPlan, person: Outcome, account: Outcome | None) -> str | None:
    """The Account the Contact is on: a Contact that failed stays as it was, on the Account it
    had, or on none when it is not in Salesforce (even if its company's Account was made)."""
    if person.action is Action.FAILED:
        return plan.linked_account if person.record_id is not None else None
    return plan.linked_account or (account.record_id if account else None)


def _exists_or_is_made(account: Outcome | None) -> bool:
    """Whether a dry run has an Account to tell of: one that exists, or one it would create
    (or fail to); a company's Account left unmade, as none of its people is written, is none."""
    return account is not None and (
        account.record_id is not None or account.action is not Action.UNCHANGED
    )


def account_problems(
    person: Outcome, account: Outcome | None, *, dry_run: bool
) -> tuple[FieldError, ...]:
    """Why the Account of a person written into it was not updated, or not made for a person
    already in Salesforce: the person's row tells it (the run is then partial), as nothing else
    would. A person who failed already says why, their new Account's failure included."""
    if person.action is Action.FAILED or account is None or account.action is not Action.FAILED:
        return ()
    if account.record_id is None:
        what = "would not be created" if dry_run else "was not created"
    else:
        what = f"{account.record_id} was not updated"
    return tuple(
        replace(error, message=f"its Account {what}: {error.message}") for error in account.errors
    )


def _account_of(
    plan: RecordPlan, accounts: Written, company: int | None
) -> tuple[RecordPlan | None, Outcome | None]:
    """A Contact's Account as planned and as it came out: its company's, unless the Contact
    keeps another one, which the export leaves as it is."""
    if company is None:
        return None, None
    if plan.linked_account and plan.linked_account != accounts.plans[company].record_id:
        return None, Outcome(Action.UNCHANGED, plan.linked_account)
    return accounts.plans[company], accounts.outcomes[company]


@dataclass(frozen=True)
class ExportReport:
    """A finished export run, as `forcebridge export` reports it."""

    run_id: int
    status: RunStatus
    dry_run: bool
    api_calls: int
    results: Sequence[ProspectResult]
    error: str | None = None
    """Why the run stopped before the end, when it did."""

    def count(self, action: Action) -> int:
        return self._counts[action]

    @property
    def _counts(self) -> Counter[Action]:
        return Counter(result.action for result in self.results)

    def to_json(self) -> dict[str, Any]:
        counts = self._counts
        return {
            "run_id": self.run_id,
            "status": self.status.value,
            "created": counts[Action.CREATED],
            "updated": counts[Action.UPDATED],
            "unchanged": counts[Action.UNCHANGED],
            "failed": counts[Action.FAILED],
            "api_calls": self.api_calls,
            "error": self.error,
            "results": [self._result_json(result) for result in self.results],
        }

    def _result_json(self, result: ProspectResult) -> dict[str, Any]:
        document: dict[str, Any] = {
            "row": result.row,
            "action": result.action.value,
            "salesforce_id": result.salesforce_id,
            "account_id": result.account_id,
            "errors": _errors_json(result.errors),
            "same_person_as": result.same_person_as,
        }
        if self.dry_run:
            document["values"] = json_ready(dict(result.values))
            if result.account_action is not None:
                document["account"] = {
                    "action": result.account_action.value,
                    "values": json_ready(dict(result.account_values)),
                    "errors": _errors_json(result.account_errors),
                }
        return document


def _errors_json(errors: Sequence[FieldError]) -> list[dict[str, Any]]:
    return [{"field": error.field, "message": error.message} for error in errors]
