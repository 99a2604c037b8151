"""What one export writes, and the rules it writes by: each object's mapping, verified against
the org's describe.

Describes come from the client's cache, so verifying costs no call most of the time. But a
cached describe can be out of date (an admin changed a field since it was read), and the
export must not refuse on what the org no longer says: before a mapping is refused on a cached
describe, or a run refuses a prospect on one (`ExportTargets.stale`), that describe is fetched
anew and the check made again (`refreshed`), once per object per run. A describe the run
already read from Salesforce is not fetched again. The other way round, when Salesforce
refuses what a cached describe let through (`refuted`: a value for a picklist restricted
since, say), that describe is fetched anew once the writing is done (`fetch_anew`), so the
next export is checked against the org as it is.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from forcebridge.mapping.defaults import default_export_mapping
from forcebridge.mapping.describe import ObjectDescribe, parse_describe
from forcebridge.mapping.model import Mapping, MappingRow
from forcebridge.mapping.verify import VerificationReport, verify_export
from forcebridge.salesforce.errors import BadRequest, SalesforceError
from forcebridge.salesforce.usage import EndpointKind
from forcebridge.store.models import Org
from forcebridge.store.repositories.export_preferences import allowed_objects
from forcebridge.store.repositories.mappings import get_org_mapping
from forcebridge.sync.export_errors import MappingNotValid, ObjectNotAllowed, UnknownObject
from forcebridge.sync.export_model import ExportObject, FieldError
from forcebridge.sync.export_plan import Outcome
from forcebridge.sync.export_prepare import ObjectRules

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

#: What `forcebridge export --object` takes: the objects a prospect becomes.
PERSON_OBJECTS = (ExportObject.LEAD, ExportObject.CONTACT)


@dataclass(frozen=True)
class ExportTargets:
    """The objects one export writes: the Account only for a Contact export."""

    person: ObjectRules
    account: ObjectRules | None = None
    may_write_accounts: bool = False
    live: frozenset[str] = frozenset()
    """The objects whose describe this export read from Salesforce rather than the cache."""

    @property
    def rules(self) -> tuple[ObjectRules, ...]:
        return (self.person,) if self.account is None else (self.person, self.account)

    def stale(self, refused: Collection[str]) -> set[str]:
        """Of the objects whose describe refused something, those it came from the cache for:
        a fresh describe may not refuse it."""
        return {sobject for sobject in refused if sobject not in self.live}


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


def export_targets(
    session: Session, client: SalesforceClient, org: Org, sobject: str
) -> ExportTargets:
    """What exporting as `sobject` writes, refused when the org does not allow it or a mapping
    does not verify (`MappingNotValid`)."""
    if sobject not in PERSON_OBJECTS:
        raise UnknownObject(
            f"prospects are exported as {' or '.join(PERSON_OBJECTS)}, not {sobject!r}"
        )
    allowed = allowed_objects(session, org)
    if sobject not in allowed:
        raise ObjectNotAllowed(org.name, sobject, allowed)
    if sobject == ExportObject.LEAD:
        rules, live = _verified(session, client, org, [sobject])
        return ExportTargets(rules[sobject], live=live)
    rules, live = _verified(session, client, org, [sobject, ExportObject.ACCOUNT])
    may_write = ExportObject.ACCOUNT in allowed
    return ExportTargets(rules[sobject], rules[ExportObject.ACCOUNT], may_write, live)


def refreshed(
    session: Session, client: SalesforceClient, org: Org, targets: ExportTargets, stale: set[str]
) -> tuple[ExportTargets, bool]:
    """`targets` with the describes of the `stale` objects fetched anew and their mappings
    verified again (`MappingNotValid` if they no longer do), and whether any of those
    describes changed: when none did, what was decided on them stands."""
    mappings = {rules.sobject: rules.mapping for rules in targets.rules if rules.sobject in stale}
    fresh, live = _verified(session, client, org, list(mappings), mappings=mappings, refresh=True)
    changed = any(
        fresh[r.sobject].describe != r.describe for r in targets.rules if r.sobject in fresh
    )
    account = targets.account and fresh.get(targets.account.sobject, targets.account)
    return replace(
        targets,
        person=fresh.get(targets.person.sobject, targets.person),
        account=account,
        live=targets.live | live,
    ), changed


def refuse_if_schema_changed(
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
    mappings = {rules.sobject: rules.mapping for rules in targets.rules}
    try:
        _verified(session, client, org, list(mappings), mappings=mappings, refresh=True)
    except SalesforceError:
        return


SCHEMA_REFUSALS = frozenset(
    {
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",  # a picklist restricted, or a value removed
        "STRING_TOO_LONG",  # a text field shortened
        "NUMBER_OUTSIDE_VALID_RANGE",  # a number field's precision lowered
        "INVALID_TYPE_ON_FIELD_IN_RECORD",  # a field's type changed
        "INVALID_FIELD",  # a field deleted, or hidden from the connection's user
        "INVALID_FIELD_FOR_INSERT_UPDATE",  # a field made read-only (or a formula)
        "FIELD_INTEGRITY_EXCEPTION",  # a value the field's definition no longer allows
        "REQUIRED_FIELD_MISSING",  # a field made required
    }
)
"""Salesforce's `statusCode`s for a record refused on a field's definition: what the describe
says of a field (its picklist, length, digits, type, whether it exists, can be written or is
required). A refusal of one the cached describe let through means the describe is out of
date. Validation rules (FIELD_CUSTOM_VALIDATION_EXCEPTION), duplicates and row locks are the
records' own business, not the describe's."""

REQUIRED_FIELD_MISSING = "REQUIRED_FIELD_MISSING"


def refuted(targets: ExportTargets, outcomes: dict[str, Sequence[Outcome]]) -> set[str]:
    """The objects (of `outcomes`, each object's written records) whose cached describe
    Salesforce contradicted: it refused a field the mapping writes on the field's definition,
    or asked for a field the describe does not call required. The export's own link to the
    Account (`AccountId`, refused for the Id it holds) says nothing of the describe."""
    return {
        rules.sobject
        for rules in targets.rules
        if any(
            _contradicts(rules, error)
            for outcome in outcomes.get(rules.sobject, ())
            for error in outcome.errors
        )
    }


def _contradicts(rules: ObjectRules, error: FieldError) -> bool:
    if error.field is None or error.code not in SCHEMA_REFUSALS:
        return False
    if error.code == REQUIRED_FIELD_MISSING:
        field = rules.describe.field(error.field)
        return field is None or not field.required
    return error.field.lower() in {name.lower() for name in rules.fields}


def fetch_anew(client: SalesforceClient, sobjects: Collection[str]) -> None:
    """Fetch the describes of `sobjects` anew into the client's cache (one call each), as
    Salesforce refused what they let through: the next export verifies its mappings, and
    checks its values, against the org as it is, rather than sending what will be refused
    again. When Salesforce cannot be asked now, the cache's own revalidation catches up."""
    try:
        for sobject in sorted(sobjects):
            client.describe(sobject, refresh=True)
    except SalesforceError:
        return


def _verified(
    session: Session,
    client: SalesforceClient,
    org: Org,
    sobjects: Sequence[str],
    *,
    mappings: dict[str, Mapping] | None = None,
    refresh: bool = False,
) -> tuple[dict[str, ObjectRules], frozenset[str]]:
    """Each object's rules, its mapping (the org's, unless `mappings` has it) verified
    (`checked_mapping`); one a cached describe refuses is verified again against a fresh
    describe first. `MappingNotValid` names the problems of all of them. Also: the objects
    whose describe was read from Salesforce."""
    verified, live, problems = {}, set(), {}
    for sobject in sobjects:
        mapping = (mappings or {}).get(sobject)
        report, describe, mapping, read = _check(session, client, org, sobject, mapping, refresh)
        if not report.ok and not read:
            report, describe, mapping, read = _check(session, client, org, sobject, mapping, True)
        if read:
            live.add(sobject)
        if report.ok:
            verified[sobject] = ObjectRules.of(describe, mapping)
        else:
            problems[sobject] = [str(problem) for problem in report.problems]
    if problems:
        raise MappingNotValid(problems)
    return verified, frozenset(live)


def _check(
    session: Session,
    client: SalesforceClient,
    org: Org,
    sobject: str,
    mapping: Mapping | None,
    refresh: bool,
) -> tuple[VerificationReport, ObjectDescribe, Mapping, bool]:
    """`checked_mapping`, and whether the describe came from Salesforce (a call was made)."""
    before = _describe_calls(client)
    report, describe, mapping = checked_mapping(
        session, client, org, sobject, mapping, refresh=refresh
    )
    return report, describe, mapping, _describe_calls(client) > before


def _describe_calls(client: SalesforceClient) -> int:
    return client.usage.snapshot().calls.get(EndpointKind.DESCRIBE, 0)
