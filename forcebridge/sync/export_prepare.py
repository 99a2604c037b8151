"""Each prospect's values for the objects of an export, and the fields a create requires.

A prospect's values go through the org's compiled mappings: for the person object (Lead or
Contact) and, for a Contact, for its Account. A value that cannot be converted (too long, not
an email, not a number, a picklist value the org refuses) fails that prospect, naming its
column and the Salesforce field. Such a prospect also keeps the fields a create of its person
requires that it leaves empty (`Prepared.left_empty`): whether it names them, so the row tells
every fix at once, waits for the lookup to tell whether its person would be created
(`export_plan.judge_failing`). `export_plan` decides what to do with the prospects that pass.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from forcebridge.mapping.describe import ObjectDescribe
from forcebridge.mapping.model import Mapping as FieldMapping
from forcebridge.mapping.rules import (
    CompiledMapping,
    Resolution,
    ResolvedValue,
    compile_export,
    is_empty,
    plan_update,
    resolve,
)
from forcebridge.sync.export_model import INVALID_VALUE, ExportProspect, FieldError

Record = Mapping[str, Any]
REQUIRED = "required_value_missing"
EMAIL = "email"
"""The describe type of an email address field."""


@dataclass(frozen=True)
class ObjectRules:
    """One object as the plan sees it: its compiled mapping, the fields a create needs, and
    those an update compares ignoring case."""

    sobject: str
    compiled: CompiledMapping
    required: tuple[str, ...]
    describe: ObjectDescribe
    mapping: FieldMapping
    addresses: frozenset[str]
    """The fields it writes that Salesforce types `email`: an address is the same whatever its
    case (matching holds so too), so an update leaves the stored spelling as it is."""

    @classmethod
    def of(cls, describe: ObjectDescribe, mapping: FieldMapping) -> ObjectRules:
        """The rules of a mapping that verified against `describe` (both kept, so the run can
        check the same mapping against a fresher describe)."""
        required = tuple(f.name for f in describe.required())
        compiled = compile_export(mapping, describe)
        addresses = frozenset(
            target.name
            for target in compiled.targets
            if (known := describe.field(target.name)) is not None and known.type == EMAIL
        )
        return cls(describe.name, compiled, required, describe, mapping, addresses)

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
    refused_by: frozenset[str] = frozenset()
    """The objects whose describe refused one of its values (too long, not in a picklist), or
    called a custom field it leaves empty required."""
    left_empty: tuple[FieldError, ...] = ()
    """With `errors`: the fields a create of its person requires that its values leave empty,
    to be named among its errors only should its person be created (`export_plan`)."""


def prepare(prospect: ExportProspect, person: ObjectRules, account: ObjectRules | None) -> Prepared:
    """The prospect's values through each object's mapping. One that fails on its values also
    keeps the fields a create of its person requires that it leaves empty (`_left_empty`)."""
    errors = list(prospect.errors)
    resolutions: list[Resolution] = []
    refused_by = set()
    for rules in (person, account):
        resolution = resolve(rules.compiled, prospect.values) if rules else Resolution({}, [])
        resolutions.append(resolution)
        if rules is None or not resolution.errors:
            continue
        refused_by.add(rules.sobject)
        errors.extend(
            FieldError(
                _source_of(rules.compiled, error.field, prospect.values) or error.field,
                f"{rules.sobject}.{error}",
                INVALID_VALUE,
            )
            for error in resolution.errors
        )
    left_empty = _left_empty(prospect, person, resolutions[0]) if errors else []
    person_values, company_values = (resolution.values for resolution in resolutions)
    return Prepared(
        person_values,
        company_values,
        tuple(dict.fromkeys(errors)),
        frozenset(refused_by),
        tuple(left_empty),
    )


def _left_empty(
    prospect: ExportProspect, rules: ObjectRules, resolution: Resolution
) -> list[FieldError]:
    """The required fields a prospect failing on its values leaves empty, as the plan would
    name them when creating its record (`export_plan`). None for a row that could not be read (an
    error with no field: it has no values to judge). A field whose own value failed to convert
    is named by that error already; one whose prospect field was refused (a bad email, a text
    too long to keep) counts as empty, and says so."""
    if any(error.field is None for error in prospect.errors):
        return []
    return missing_required(
        rules,
        plan_update(resolution.values, {}),
        refused={error.field for error in prospect.errors if error.field},
        reported={error.field for error in resolution.errors},
    )


def missing_required(
    rules: ObjectRules,
    values: Mapping[str, Any],
    *,
    refused: Collection[str] = (),
    reported: Collection[str] = (),
) -> list[FieldError]:
    """An error per field a create of `rules.sobject` requires that `values` leaves empty,
    except the `reported` ones; each names the `refused` prospect fields mapped to it."""
    errors = []
    for name in rules.required:
        if name in reported or not is_empty(values.get(name)):
            continue
        bad = [source for source in _sources(rules.compiled, name) if source in refused]
        why = f"holds a usable value for it ({_refused(bad)})" if bad else "holds a value for it"
        errors.append(
            FieldError(
                name,
                f"{rules.sobject}.{name} is required, and no mapped prospect field {why}",
                REQUIRED,
            )
        )
    return errors


def _refused(sources: Sequence[str]) -> str:
    if len(sources) == 1:
        return f"the value of {sources[0]} was refused"
    return f"the values of {', '.join(sources)} were refused"


def custom_required(errors: Iterable[FieldError]) -> bool:
    """Whether a custom field is among the required ones left empty: an admin may have made it
    optional since the describe was cached (a standard field's being required never changes)."""
    return any(error.code == REQUIRED and (error.field or "").endswith("__c") for error in errors)


def _sources(compiled: CompiledMapping, target: str) -> list[str]:
    """The prospect fields of `target`'s hierarchy, in order."""
    for candidate in compiled.targets:
        if candidate.name == target:
            return [source.name for source in candidate.sources]
    return []


def _source_of(compiled: CompiledMapping, target: str, values: Record) -> str | None:
    """The prospect field that fed `target`: the first in its hierarchy holding a value."""
    return next(
        (source for source in _sources(compiled, target) if not is_empty(values.get(source))),
        None,
    )
