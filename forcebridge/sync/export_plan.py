"""What an export will do, decided as pure functions over plain data.

1. `prepare`: each prospect's values for the person object (Lead or Contact) and, for a
   Contact, for its Account, through the org's compiled mappings. A value that cannot be
   converted (too long, not an email, not a number, a picklist value the org refuses) fails
   that prospect, naming its column and the Salesforce field.
2. `export_identities`: the people and companies in the export (see `export_identity`).
3. The caller looks the keys up in Salesforce (see `export_lookup`) and indexes what it found
   (`AccountIndex`, `PersonIndex`).
4. `plan_accounts` and `plan_people`: each group matched to an existing record (an Id an
   earlier export kept, else the email; for an Account the website domain, else the exact
   name), then created, or updated field by field as the update options allow, or left
   unchanged. Groups that match the same record become one. A record to create must have
   every field Salesforce requires.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from forcebridge.mapping.describe import ObjectDescribe
from forcebridge.mapping.model import Mapping as FieldMapping
from forcebridge.mapping.rules import (
    CompiledMapping,
    ResolvedValue,
    compile_export,
    is_empty,
    plan_update,
    resolve,
)
from forcebridge.sync.export_identity import (
    AccountIndex,
    CompanyKey,
    Group,
    PersonIndex,
    companies,
    company_key,
    email_key,
    people,
)
from forcebridge.sync.export_model import (
    INVALID_VALUE,
    Action,
    ExportObject,
    ExportProspect,
    FieldError,
)

Record = Mapping[str, Any]
ACCOUNT_LINK = "AccountId"
REQUIRED = "required_value_missing"


@dataclass(frozen=True)
class ObjectRules:
    """One object as the plan sees it: its compiled mapping and the fields a create needs."""

    sobject: str
    compiled: CompiledMapping
    required: tuple[str, ...]

    @classmethod
    def of(cls, describe: ObjectDescribe, mapping: FieldMapping) -> ObjectRules:
        """The rules of a mapping that verified against `describe`."""
        required = tuple(f.name for f in describe.required())
        return cls(describe.name, compile_export(mapping, describe), required)

    @property
    def fields(self) -> list[str]:
        """The fields the mapping writes, whose current values an update compares with."""
        return [target.name for target in self.compiled.targets]


@dataclass(frozen=True)
class Prepared:
    """One prospect's resolved values; with `errors` it fails on its own and is not written."""

    person: dict[str, ResolvedValue]
    company: dict[str, ResolvedValue]
    errors: tuple[FieldError, ...]


def prepare(prospect: ExportProspect, person: ObjectRules, account: ObjectRules | None) -> Prepared:
    errors = list(prospect.errors)
    resolved: list[dict[str, ResolvedValue]] = []
    for rules in (person, account):
        if rules is None:
            resolved.append({})
            continue
        resolution = resolve(rules.compiled, prospect.values)
        resolved.append(resolution.values)
        errors.extend(
            FieldError(
                _source_of(rules.compiled, error.field, prospect.values) or error.field,
                f"{rules.sobject}.{error}",
                INVALID_VALUE,
            )
            for error in resolution.errors
        )
    return Prepared(resolved[0], resolved[1], tuple(dict.fromkeys(errors)))


def _source_of(compiled: CompiledMapping, target: str, values: Record) -> str | None:
    """The prospect field that fed `target`: the first in its hierarchy holding a value."""
    for candidate in compiled.targets:
        if candidate.name == target:
            for source in candidate.sources:
                if not is_empty(values.get(source.name)):
                    return source.name
    return None


# --- who is who ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Identities:
    """The people among the prospects that can be written and, for a Contact export, the
    companies they work at."""

    people: tuple[Group, ...]
    companies: tuple[tuple[Group, CompanyKey], ...] = ()

    def emails(self, prospects: Sequence[ExportProspect]) -> list[str]:
        found = (email_key(prospects[g.first].values.get("email")) for g in self.people)
        return [email for email in found if email]

    def domains(self) -> list[str]:
        return [key.domain for _, key in self.companies if key.domain]


def known_person_id(prospect: ExportProspect, sobject: str) -> str | None:
    return prospect.lead_id if sobject == ExportObject.LEAD else prospect.contact_id


def _company(person: Group, prospects: Sequence[ExportProspect]) -> CompanyKey | None:
    """Where a person works: the company of their first prospect that names one."""
    keys = (
        company_key(
            prospects[m].values.get("company_website"), prospects[m].values.get("company_name")
        )
        for m in person.members
    )
    return next((key for key in keys if key is not None), None)


def export_identities(
    prospects: Sequence[ExportProspect], prepared: Sequence[Prepared], sobject: str
) -> Identities:
    """Who is who among the prospects that can be written (positions in `prospects`)."""
    writable = [i for i, p in enumerate(prepared) if not p.errors]
    grouped = people(
        [prospects[i].values for i in writable],
        [known_person_id(prospects[i], sobject) for i in writable],
    )
    persons = [Group(tuple(writable[m] for m in group.members)) for group in grouped]
    if sobject != ExportObject.CONTACT:
        return Identities(tuple(persons))
    at = companies([_company(person, prospects) for person in persons])
    return Identities(
        tuple(persons),
        tuple(
            (Group(tuple(sorted(m for p in group.members for m in persons[p].members))), key)
            for group, key in at
        ),
    )


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
    members: Sequence[int], pick: Callable[[int], dict[str, ResolvedValue]]
) -> dict[str, ResolvedValue]:
    """The group's values: each field from the first member holding it."""
    values: dict[str, ResolvedValue] = {}
    for member in members:
        for target, resolved in pick(member).items():
            values.setdefault(target, resolved)
    return values


def _decide(
    members: tuple[int, ...],
    resolved: dict[str, ResolvedValue],
    record: Record | None,
    rules: ObjectRules,
) -> RecordPlan:
    """Create with every value, or update with the changes the update options allow."""
    if record is None:
        values = plan_update(resolved, {})
        missing = [name for name in rules.required if is_empty(values.get(name))]
        if missing:
            return RecordPlan(
                members,
                Action.FAILED,
                errors=tuple(
                    FieldError(
                        name,
                        f"{rules.sobject}.{name} is required, and no mapped prospect field holds a "
                        "value for it",
                        REQUIRED,
                    )
                    for name in missing
                ),
            )
        return RecordPlan(members, Action.CREATED, values=values)
    changes = plan_update(resolved, record)
    action = Action.UPDATED if changes else Action.UNCHANGED
    return RecordPlan(members, action, str(record["Id"]), changes)


def plan_accounts(
    identities: Identities,
    prospects: Sequence[ExportProspect],
    prepared: Sequence[Prepared],
    found: AccountIndex,
    rules: ObjectRules,
    *,
    may_write: bool,
) -> list[RecordPlan]:
    """A plan per company. Without `may_write` (the org does not allow exporting Accounts),
    existing Accounts are linked as they are and a company with none fails its Contacts."""
    matched = [
        (group, found.match(key, (prospects[m].account_id for m in group.members)))
        for group, key in identities.companies
    ]
    plans = []
    for group, record in _merge_groups(matched):
        resolved = _values(group.members, lambda m: prepared[m].company)
        if may_write:
            plans.append(_decide(group.members, resolved, record, rules))
        elif record is not None:
            plans.append(RecordPlan(group.members, Action.UNCHANGED, str(record["Id"])))
        else:
            error = FieldError(
                "company_name",
                "no Account in Salesforce matches this company, and this org does not allow "
                "exports to create Accounts (an admin can allow Account exports)",
                "account_not_allowed",
            )
            plans.append(RecordPlan(group.members, Action.FAILED, errors=(error,)))
    return plans


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
        (
            group,
            found.match(
                prospects[group.first].values.get("email"),
                (known_person_id(prospects[m], rules.sobject) for m in group.members),
            ),
        )
        for group in identities.people
    ]
    plans = []
    for group, record in _merge_groups(matched):
        resolved = _values(group.members, lambda m: prepared[m].person)
        company = next((company_of[m] for m in group.members if m in company_of), None)
        plan = _decide(group.members, resolved, record, rules)
        linked = record.get(ACCOUNT_LINK) if record is not None else None
        plans.append(replace(plan, company=company, linked_account=linked))
    return plans


def needed_accounts(
    accounts: Sequence[RecordPlan], people: Sequence[RecordPlan]
) -> list[RecordPlan]:
    """The account plans, less the writes no written Contact needs: an Account is created or
    changed only for a Contact written into it. A company whose Contacts all fail, stay as they
    are or keep another Account leaves Salesforce as it was; an Account that exists is still
    named in the results."""
    needed = {
        plan.company
        for plan in people
        if plan.company is not None and _written_into(plan, accounts[plan.company])
    }
    return [
        plan
        if position in needed or plan.action not in (Action.CREATED, Action.UPDATED)
        else RecordPlan(plan.members, Action.UNCHANGED, plan.record_id)
        for position, plan in enumerate(accounts)
    ]


def _written_into(person: RecordPlan, account: RecordPlan) -> bool:
    """Whether the Contact will be written with `account` as its Account: a new one, one
    without an Account yet (linking writes it), or one already on it that changes."""
    if person.action is Action.FAILED:
        return False
    if person.record_id is None or is_empty(person.linked_account):
        return True
    return person.action is Action.UPDATED and person.linked_account == account.record_id


def link_accounts(
    people_plans: Sequence[RecordPlan], accounts: Sequence[Outcome]
) -> list[RecordPlan]:
    """People plans with their Accounts filled in, once the Accounts are written (or, in a dry
    run, planned, when an Account to create has no Id yet to send): a new Contact gets its
    Account, an existing one without an Account too. An Account that exists joins its Contacts
    even when its own update failed (`account_problems` reports that); a new Contact whose new
    Account failed fails with it."""
    linked = []
    for plan in people_plans:
        account = accounts[plan.company] if plan.company is not None else None
        if account is None or plan.action is Action.FAILED:
            linked.append(plan)
        elif account.action is Action.FAILED and account.record_id is None:
            if plan.record_id is None:
                errors = tuple(
                    replace(error, message=f"its Account was not created: {error.message}")
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
