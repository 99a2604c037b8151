"""What an export will do, decided as pure functions over plain data.

1. `export_prepare.prepare`: each prospect's values through the org's mappings; one that
   fails on its values fails alone, naming every problem.
2. `export_identity.export_identities`: the people and companies in the export, and the
   people of the failing prospects.
3. The caller looks the keys up in Salesforce (see `export_lookup`) and indexes what it found
   (`AccountIndex`, `PersonIndex`).
4. `plan_accounts` and `plan_people`: each group's prospect fields merged (the first prospect
   holding a value for a field gives it; a company field only from the rows naming the
   company the person works at) and resolved through the mapping's hierarchies; the
   group matched to an existing record (an Id an earlier export kept, else the email; for an
   Account the website domain, else the exact name), then created, or updated field by
   field as the update options allow (an email address that differs only in case is the
   same one, and unchanged), or left unchanged. Groups that match the same record
   become one. A record to create must have every field Salesforce requires. An Account's
   name is written with its runs of spaces collapsed, so a later export finds it whatever
   spacing its file gives the name.
5. `judge_failing`: a failing prospect whose person would be created names as well the fields
   that create requires that the person leaves empty; one whose person exists names none.

The checks the describes make (a value too long, a picklist value refused, a required field
empty) may be out of date when the describe came from the cache: `refused_by_describe` names
the objects whose describe refused something, which the run then checks again against a fresh
one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from forcebridge.mapping.rules import ResolvedValue, is_empty, plan_update, resolve
from forcebridge.sync.export_identity import (
    AccountIndex,
    Group,
    Identities,
    PersonIndex,
    collapse_spaces,
    email_key,
    known_person_id,
)
from forcebridge.sync.export_model import Action, ExportObject, ExportProspect, FieldError
from forcebridge.sync.export_prepare import (
    ObjectRules,
    Prepared,
    custom_required,
    missing_required,
)

Record = Mapping[str, Any]
ACCOUNT_LINK = "AccountId"
ACCOUNT_NAME = "Name"
ACCOUNT_NOT_ALLOWED = "account_not_allowed"
"""The code of a Contact's failure for want of an Account the org does not allow making."""


# --- deciding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordPlan:
    """One record to write (or leave alone) on behalf of its `members` (input positions)."""

    members: tuple[int, ...]
    action: Action
    record_id: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    """What the write sends: every value for a create, only the changes for an update."""
    errors: tuple[FieldError, ...] = ()
    company: int | None = None
    """For a Contact: the position of its Account's plan in the account plans."""
    linked_account: str | None = None
    """For an existing Contact: the Account it already belongs to."""


@dataclass(frozen=True)
class Outcome:
    """What became of a plan: written (with the record's Id), left alone, or failed."""

    action: Action
    record_id: str | None = None
    errors: tuple[FieldError, ...] = ()

    @classmethod
    def planned(cls, plan: RecordPlan) -> Outcome:
        """The outcome a plan has before (or without) being written: a dry run's."""
        return cls(plan.action, plan.record_id, plan.errors)


def _merge_groups(
    matched: Sequence[tuple[Group, Record | None]],
) -> list[tuple[Group, Record | None]]:
    """Groups that matched the same existing record become one group."""
    by_record: dict[str, int] = {}
    merged: list[tuple[list[int], Record | None]] = []
    for group, record in matched:
        if record is not None and str(record["Id"]) in by_record:
            merged[by_record[str(record["Id"])]][0].extend(group.members)
            continue
        if record is not None:
            by_record[str(record["Id"])] = len(merged)
        merged.append((list(group.members), record))
    return [(Group(tuple(sorted(members))), record) for members, record in merged]


def _values(
    members: Sequence[int],
    identities: Identities,
    prospects: Sequence[ExportProspect],
    rules: ObjectRules,
    own: Callable[[int], dict[str, ResolvedValue]],
) -> dict[str, ResolvedValue]:
    """The group's values: its prospects' fields merged in input order (each from the first
    prospect holding a value for it; company fields only from the rows naming the person's
    company, `Identities.merged`), then the mapping's hierarchies applied to them, so a
    direct phone on one row wins over a company phone on another. A lone prospect's are its
    `own`. The value that wins a target mostly comes from a prospect whose own resolution took
    it too (the hierarchy's earlier sources are empty in every member merged), so it converts as
    it did there: every member was prepared without errors. The exception is a hierarchy with a
    company field before a person field (Company Phone, else Direct Phone), whose person field
    a row at another company never had converted; should it not convert, the target is left
    out rather than sent."""
    if len(members) == 1:
        return own(members[0])
    return resolve(rules.compiled, identities.merged(members, prospects)).values


def _decide(
    members: tuple[int, ...],
    resolved: dict[str, ResolvedValue],
    record: Record | None,
    rules: ObjectRules,
) -> RecordPlan:
    """Create with every value, or update with the changes the update options allow."""
    if record is None:
        values = plan_update(resolved, {})
        if missing := missing_required(rules, values):
            return RecordPlan(members, Action.FAILED, errors=tuple(missing))
        return RecordPlan(members, Action.CREATED, values=values)
    changes = _same_addresses_kept(plan_update(resolved, record), record, rules.addresses)
    action = Action.UPDATED if changes else Action.UNCHANGED
    return RecordPlan(members, action, str(record["Id"]), changes)


def _same_addresses_kept(
    changes: dict[str, Any], record: Record, addresses: frozenset[str]
) -> dict[str, Any]:
    """The changes less the email addresses that differ from the record's only in case: the
    same address (as matching takes it), which writing would only respell, back and forth
    with each file that spells it otherwise."""
    return {
        name: value
        for name, value in changes.items()
        if name not in addresses or email_key(value) != email_key(record.get(name))
    }


def plan_accounts(
    identities: Identities,
    prospects: Sequence[ExportProspect],
    prepared: Sequence[Prepared],
    found: AccountIndex,
    rules: ObjectRules,
    *,
    may_write: bool,
    org: str,
) -> list[RecordPlan]:
    """A plan per company. Without `may_write` (the org does not allow exporting Accounts),
    existing Accounts are linked as they are and a company with none fails its Contacts,
    naming the command that allows Accounts for `org`."""
    matched = [
        (group, found.match(key, (prospects[m].account_id for m in group.members)))
        for group, key in identities.companies
    ]
    plans = []
    for group, record in _merge_groups(matched):
        resolved = _tidy_name(
            _values(group.members, identities, prospects, rules, lambda m: prepared[m].company)
        )
        if may_write:
            plans.append(_decide(group.members, resolved, record, rules))
        elif record is not None:
            plans.append(RecordPlan(group.members, Action.UNCHANGED, str(record["Id"])))
        else:
            error = FieldError("company_name", accounts_not_allowed(org), ACCOUNT_NOT_ALLOWED)
            plans.append(RecordPlan(group.members, Action.FAILED, errors=(error,)))
    return plans


def accounts_not_allowed(org: str) -> str:
    """Why a company with no Account fails its Contacts when `org` does not allow Account
    exports, and the command that allows them, as `ObjectNotAllowed` names its own."""
    return (
        f"no Account in Salesforce matches this company, and org {org!r} does not allow "
        f"exports to create Accounts; an admin can allow them with: "
        f"{allow_accounts_command(org)}"
    )


def allow_accounts_command(org: str) -> str:
    """The command `accounts_not_allowed` names: the pages name their control in its place."""
    return f"forcebridge export allow --org {org} {ExportObject.ACCOUNT}"


def _tidy_name(values: dict[str, ResolvedValue]) -> dict[str, ResolvedValue]:
    """An Account's name with its runs of spaces collapsed: Salesforce compares names ignoring
    case but not spacing, so `pgco  10` would not be found again by `PgCo 10`."""
    name = values.get(ACCOUNT_NAME)
    if name is None or not isinstance(name.value, str):
        return values
    return values | {ACCOUNT_NAME: name._replace(value=collapse_spaces(name.value))}


def plan_people(
    identities: Identities,
    prospects: Sequence[ExportProspect],
    prepared: Sequence[Prepared],
    found: PersonIndex,
    rules: ObjectRules,
    accounts: Sequence[RecordPlan] = (),
) -> list[RecordPlan]:
    """A plan per person. A Contact's `company` points at its Account's plan; a new Contact
    is linked to it, an existing one only if it belongs to no Account yet."""
    company_of = {m: position for position, plan in enumerate(accounts) for m in plan.members}
    matched = [
        (group, _record_of(group, prospects, found, rules.sobject)) for group in identities.people
    ]
    plans = []
    for group, record in _merge_groups(matched):
        resolved = _values(
            group.members, identities, prospects, rules, lambda m: prepared[m].person
        )
        company = next((company_of[m] for m in group.members if m in company_of), None)
        plan = _decide(group.members, resolved, record, rules)
        linked = record.get(ACCOUNT_LINK) if record is not None else None
        plans.append(replace(plan, company=company, linked_account=linked))
    return plans


def judge_failing(
    identities: Identities,
    prospects: Sequence[ExportProspect],
    prepared: Sequence[Prepared],
    found: PersonIndex,
    people: Sequence[RecordPlan],
    sobject: str,
) -> list[Prepared]:
    """Each prospect as prepared, one failing on its values naming as well the fields a create
    of its person requires that the person leaves empty (`Prepared.left_empty`) when the person
    would be created; one the lookup found would be updated, which needs none. The person is
    every row of theirs (`Identities.failing`): they exist if the plan of their rows that pass
    has a record, else if their kept Ids or email find one; a field is left empty when none of
    their rows gives it (fixed, the failing row joins the others and their values merge)."""
    judged = list(prepared)
    plan_of = {member: plan for plan in people for member in plan.members}
    for group in identities.failing:
        if _exists(group, prospects, found, plan_of, sobject):
            continue
        given = {
            target
            for member in group.members
            for target, resolved in prepared[member].person.items()
            if not is_empty(resolved.value)
        }
        for member in group.members:
            missing = tuple(e for e in prepared[member].left_empty if e.field not in given)
            if missing:
                refused_by = {sobject} if custom_required(missing) else set()
                judged[member] = replace(
                    prepared[member],
                    errors=prepared[member].errors + missing,
                    refused_by=prepared[member].refused_by | refused_by,
                )
    return judged


def _exists(
    person: Group,
    prospects: Sequence[ExportProspect],
    found: PersonIndex,
    plan_of: Mapping[int, RecordPlan],
    sobject: str,
) -> bool:
    """Whether the person has a record in Salesforce: as the plan of their rows that pass
    found it, else as `plan_people` would find it."""
    planned = next((plan_of[m] for m in person.members if m in plan_of), None)
    if planned is not None:
        return planned.record_id is not None
    return _record_of(person, prospects, found, sobject) is not None


def _record_of(
    person: Group, prospects: Sequence[ExportProspect], found: PersonIndex, sobject: str
) -> Record | None:
    """The person's record: the one an earlier export made, else the oldest with their email."""
    kept = (known_person_id(prospects[m], sobject) for m in person.members)
    return found.match(prospects[person.first].values.get("email"), kept)


def needed_accounts(
    accounts: Sequence[RecordPlan], people: Sequence[RecordPlan]
) -> list[RecordPlan]:
    """The account plans, less the writes no Contact on the Account needs: an Account is
    created or changed only for a Contact that is (or is made) one of its Contacts, changed or
    not, so a re-export finishes an Account update an earlier one could not make. A company
    whose Contacts all fail or keep another Account leaves Salesforce as it was; an Account
    that exists is still named in the results."""
    needed = {
        plan.company
        for plan in people
        if plan.company is not None and _on_account(plan, accounts[plan.company])
    }
    return [
        plan
        if position in needed or plan.action not in (Action.CREATED, Action.UPDATED)
        else RecordPlan(plan.members, Action.UNCHANGED, plan.record_id)
        for position, plan in enumerate(accounts)
    ]


def _on_account(person: RecordPlan, account: RecordPlan) -> bool:
    """Whether the Contact will stand in Salesforce on `account`: a new one, one without an
    Account yet (linking writes it), or one already on it."""
    if person.action is Action.FAILED:
        return False
    if person.record_id is None or is_empty(person.linked_account):
        return True
    return person.linked_account == account.record_id


def refused_by_describe(
    prepared: Iterable[Prepared], plans: Mapping[str, Sequence[RecordPlan]]
) -> set[str]:
    """The objects whose describe refused a prospect: one of its values, or (`plans` by
    object) a custom field a create requires left empty. A standard field's being required is
    Salesforce's own and never changes, so that refusal needs no second look."""
    refused = {sobject for p in prepared for sobject in p.refused_by}
    for sobject, object_plans in plans.items():
        if custom_required(error for plan in object_plans for error in plan.errors):
            refused.add(sobject)
    return refused


def link_accounts(
    people_plans: Sequence[RecordPlan], accounts: Sequence[Outcome], *, dry_run: bool = False
) -> list[RecordPlan]:
    """People plans with their Accounts filled in, once the Accounts are written (or, in a dry
    run, planned, when an Account to create has no Id yet to send): a new Contact gets its
    Account, an existing one without an Account too. An Account that exists joins its Contacts
    even when its own update failed (`account_problems` reports that); a new Contact whose new
    Account failed fails with it."""
    not_created = "would not be created" if dry_run else "was not created"
    linked = []
    for plan in people_plans:
        account = accounts[plan.company] if plan.company is not None else None
        if account is None or plan.action is Action.FAILED:
            linked.append(plan)
        elif account.action is Action.FAILED and account.record_id is None:
            if plan.record_id is None:
                errors = tuple(
                    replace(error, message=f"its Account {not_created}: {error.message}")
                    for error in account.errors
                )
                linked.append(replace(plan, action=Action.FAILED, values={}, errors=errors))
            else:
                linked.append(plan)
        elif is_empty(plan.linked_account) and (
            account.record_id is not None or account.action is Action.CREATED
        ):
            link = {ACCOUNT_LINK: account.record_id} if account.record_id is not None else {}
            values = plan.values | link
            action = Action.CREATED if plan.record_id is None else Action.UPDATED
            linked.append(replace(plan, values=values, action=action))
        else:
            linked.append(plan)
    return linked
