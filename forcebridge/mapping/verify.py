"""Verify and Save: every problem of a mapping at once, each naming its row and field.

Verification reads describes an admin's org returned (kept in the describe cache), so running
it before every sync costs no API call. The row checks are shared with `rules.compile_*`, which
leaves out the rows that fail them so a run can go on without the broken fields.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from forcebridge.mapping.compatibility import export_mismatch, pull_mismatch, unsupported
from forcebridge.mapping.converters import FieldConverter
from forcebridge.mapping.describe import Catalog, ObjectDescribe, SalesforceField
from forcebridge.mapping.errors import UnknownField
from forcebridge.mapping.local_fields import LocalField, LocalFields, LocalType
from forcebridge.mapping.model import Mapping, MappingRow
from forcebridge.mapping.prospect_fields import PROSPECT_FIELDS
from forcebridge.mapping.query_check import check_query
from forcebridge.mapping.reading import held_as_target, pull_converter
from forcebridge.mapping.report import Problem, ProblemCode, VerificationReport, listed
from forcebridge.mapping.writing import export_converter

__all__ = [
    "Problem",
    "ProblemCode",
    "VerificationReport",
    "verify_export",
    "verify_pull",
    "verify_pull_query",
]

Key = tuple[str, str]
"""A row's source and target as `_common_problems` compares them for duplicates."""


@dataclass(frozen=True, slots=True)
class PullRow:
    """A row that verified: the Salesforce field read (its path as the org spells it) and the
    contact field written."""

    number: int
    row: MappingRow
    path: str
    source: SalesforceField
    target: LocalField

    @property
    def source_name(self) -> str:
        return self.path

    @property
    def target_name(self) -> str:
        return self.target.name

    def converter(self) -> FieldConverter:
        if pull_mismatch(self.source, self.target) is not None:  # tolerated: see check_pull_rows
            return held_as_target(self.source, self.target)
        return pull_converter(self.source, self.target)


@dataclass(frozen=True, slots=True)
class ExportRow:
    """A row that verified: the prospect field read and the Salesforce field written."""

    number: int
    row: MappingRow
    source: LocalField
    target: SalesforceField

    @property
    def source_name(self) -> str:
        return self.source.name

    @property
    def target_name(self) -> str:
        return self.target.name

    def converter(self) -> FieldConverter:
        return export_converter(self.source, self.target)


# --- pull ----------------------------------------------------------------------------------


def _empty(mapping: Mapping) -> list[Problem]:
    """A mapping without rows (an editor whose rows were all removed) would make every record
    an empty contact."""
    if mapping.rows:
        return []
    message = "the mapping has no rows: every record would become an empty contact; add rows"
    return [Problem(None, "", ProblemCode.REQUIRED_UNMAPPED, message)]


def verify_pull(
    mapping: Mapping, catalog: Catalog, sobject: str, targets: LocalFields
) -> VerificationReport:
    """Check a pull mapping from `sobject` against its describe and the contact fields."""
    problems: list[Problem] = _empty(mapping)
    if catalog.get(sobject) is None:
        problems.append(_no_describe(sobject))
    else:
        checked = check_pull_rows(mapping, catalog, sobject, targets)
        problems.extend(item for item in checked if isinstance(item, Problem))
    return VerificationReport(tuple(problems), len(mapping.rows))


def verify_pull_query(
    mapping: Mapping, catalog: Catalog, soql: str, targets: LocalFields
) -> VerificationReport:
    """Check a custom query (SELECT only, one object, known fields) and the mapping on it.

    The mapping may only read fields the query selects.
    """
    query = check_query(soql, catalog)
    if query.sobject is None:  # a query that cannot be read at all: nothing else to say
        return VerificationReport(query.problems, len(mapping.rows))
    problems = [*_empty(mapping), *query.problems]
    selected = {name.lower() for name in query.selected}
    for item in check_pull_rows(mapping, catalog, query.sobject, targets):
        if isinstance(item, Problem):
            problems.append(item)
        elif item.path.lower() not in selected:
            problems.append(
                Problem(
                    item.number,
                    item.row.source,
                    ProblemCode.NOT_SELECTED,
                    f"{item.row.source} is not in the query's SELECT list; add it or "
                    "remove the row",
                )
            )
    return VerificationReport(tuple(problems), len(mapping.rows))


def check_pull_rows(
    mapping: Mapping,
    catalog: Catalog,
    sobject: str,
    targets: LocalFields,
    tolerate: Collection[ProblemCode] = (),
) -> Iterator[PullRow | Problem]:
    """Each row as a `PullRow` when sound, else the problems it has (maybe several). A row
    whose only problems are of the kinds to `tolerate` is a `PullRow` all the same."""
    seen: set[Key] = set()
    for number, row in mapping.numbered():
        problems = list(_common_problems(number, row, seen, _pull_key))
        if problems:
            yield from problems
            continue
        path, source = "", None
        try:
            path, source = catalog.resolve(sobject, row.source)
        except UnknownField as unknown:
            problems.append(_problem(number, row.source, ProblemCode.UNKNOWN_SOURCE, unknown))
        target = targets.get(row.target)
        if target is None:
            problems.append(
                _unknown(number, row.target, ProblemCode.UNKNOWN_TARGET, "contact field", targets)
            )
        if source is not None and source.compound:
            parts = ", ".join(catalog.parts(sobject, path))
            problems.append(_compound(number, row.source, source, parts))
        elif source is not None:
            problems.extend(_pull_type_problems(number, row, source, target))
        if source is None or target is None or any(p.code not in tolerate for p in problems):
            yield from problems
        else:
            yield PullRow(number, row, path, source, target)


def _pull_type_problems(
    number: int, row: MappingRow, source: SalesforceField, target: LocalField | None
) -> Iterator[Problem]:
    if source.hidden:
        yield _problem(
            number, row.source, ProblemCode.UNREADABLE, f"{source.display_name} is not readable"
        )
        return
    refusal = unsupported(source)
    if refusal is not None:
        yield _problem(number, row.source, ProblemCode.UNSUPPORTED_TYPE, refusal)
        return
    if target is None:
        return
    mismatch = pull_mismatch(source, target)
    if mismatch is not None:
        yield _problem(number, row.source, ProblemCode.TYPE_MISMATCH, mismatch)
    elif target.type is LocalType.CHOICE and source.type == "multipicklist":
        yield _problem(
            number,
            row.source,
            ProblemCode.TYPE_MISMATCH,
            f"{source.display_name} holds several values at once, and the choice field "
            f"{target.name} one: map it to a text field",
        )
    elif target.type is LocalType.CHOICE and target.choices is not None and source.picklist_values:
        extra = [value for value in source.picklist_values if value not in target.choices]
        if extra:
            yield _problem(
                number,
                row.source,
                ProblemCode.VALUES_DO_NOT_FIT,
                f"{source.display_name} has values the choice field {target.name} does not "
                f"offer: {listed(extra)}",
            )


# --- export --------------------------------------------------------------------------------


def verify_export(
    mapping: Mapping, describe: ObjectDescribe, sources: LocalFields = PROSPECT_FIELDS
) -> VerificationReport:
    """Check an export mapping into `describe`'s object, required fields included."""
    checked = check_export_rows(mapping, describe, sources)
    problems = [item for item in checked if isinstance(item, Problem)]
    targeted = {row.target.lower() for row in mapping.rows}
    for required in describe.required():
        if required.name.lower() not in targeted:
            problems.append(
                Problem(
                    None,
                    required.name,
                    ProblemCode.REQUIRED_UNMAPPED,
                    f"{required.display_name} is required by Salesforce and no row fills it",
                )
            )
    return VerificationReport(tuple(problems), len(mapping.rows))


def check_export_rows(
    mapping: Mapping, describe: ObjectDescribe, sources: LocalFields
) -> Iterator[ExportRow | Problem]:
    seen: set[Key] = set()
    for number, row in mapping.numbered():
        problems = list(_common_problems(number, row, seen, _export_key))
        if problems:
            yield from problems
            continue
        source = sources.get(row.source)
        if source is None:
            problems.append(
                _unknown(number, row.source, ProblemCode.UNKNOWN_SOURCE, "prospect field", sources)
            )
        target = describe.field(row.target)
        if target is None:
            problems.append(
                _problem(
                    number,
                    row.target,
                    ProblemCode.UNKNOWN_TARGET,
                    f"{describe.name} has no field {row.target!r}",
                )
            )
        else:
            problems.extend(_export_target_problems(number, describe, target, source))
        if problems or source is None or target is None:
            yield from problems
        else:
            yield ExportRow(number, row, source, target)


def _export_target_problems(
    number: int, describe: ObjectDescribe, target: SalesforceField, source: LocalField | None
) -> Iterator[Problem]:
    name = target.name
    if target.compound:
        yield _compound(number, name, target, ", ".join(f.name for f in describe.parts(name)))
        return
    if not target.createable:
        yield _problem(
            number, name, ProblemCode.NOT_CREATEABLE, f"{target.display_name} cannot be set"
        )
    if not target.updateable:
        yield _problem(
            number, name, ProblemCode.NOT_UPDATEABLE, f"{target.display_name} cannot be updated"
        )
    refusal = unsupported(target)
    mismatch = export_mismatch(source, target) if source is not None else None
    if refusal is not None:
        yield _problem(number, name, ProblemCode.UNSUPPORTED_TYPE, refusal)
    elif mismatch is not None:
        yield _problem(number, name, ProblemCode.TYPE_MISMATCH, mismatch)
    elif source is not None and target.restricted_picklist:
        yield from _restricted_picklist_problems(number, target, source)


def _restricted_picklist_problems(
    number: int, target: SalesforceField, source: LocalField
) -> Iterator[Problem]:
    if source.choices is None:
        yield _problem(
            number,
            target.name,
            ProblemCode.VALUES_DO_NOT_FIT,
            f"{target.display_name} only takes its picklist values "
            f"({listed(target.picklist_values)}), and {source.name} is free text",
        )
        return
    extra = [value for value in source.choices if value not in target.picklist_values]
    if extra:
        yield _problem(
            number,
            target.name,
            ProblemCode.VALUES_DO_NOT_FIT,
            f"{target.display_name} does not allow these values of {source.name}: {listed(extra)}",
        )


# --- shared --------------------------------------------------------------------------------


def _pull_key(row: MappingRow) -> tuple[str, str]:
    """A pull row's fields as they are matched: a Salesforce source in any case, a contact
    target exactly (`last_name` twice is a duplicate; `Last_Name` another, unknown, target)."""
    return row.source.lower(), row.target


def _export_key(row: MappingRow) -> tuple[str, str]:
    """An export row's fields as they are matched: a prospect source exactly, a Salesforce
    target in any case."""
    return row.source, row.target.lower()


def _common_problems(
    number: int, row: MappingRow, seen: set[Key], key: Callable[[MappingRow], Key]
) -> Iterator[Problem]:
    if row.blank:
        side = "source" if not row.source.strip() else "target"
        yield _problem(
            number,
            row.target if side == "source" else row.source,
            ProblemCode.BLANK_ROW,
            f"the {side} is blank; pick a field or remove the row",
        )
        return
    fields = key(row)
    if fields in seen:
        yield _problem(
            number,
            row.source,
            ProblemCode.DUPLICATE_ROW,
            f"{row.source} -> {row.target} appears in an earlier row",
        )
    seen.add(fields)


def _compound(number: int, name: str, field: SalesforceField, parts: str) -> Problem:
    return _problem(
        number,
        name,
        ProblemCode.UNSUPPORTED_TYPE,
        f"{field.display_name} is a compound field; map its parts instead"
        + (f": {parts}" if parts else ""),
    )


def _problem(number: int, field: str, code: ProblemCode, why: object) -> Problem:
    return Problem(number, field, code, str(why))


def _unknown(number: int, name: str, code: ProblemCode, what: str, known: LocalFields) -> Problem:
    """Every field is named: there are a few dozen at most, the service's own ones last; or
    the one spelled alike but for its case, as the names are matched exactly."""
    alike = [known_name for known_name in known.names if known_name.lower() == name.lower()]
    if alike:
        return _problem(
            number, name, code, f"there is no {what} {name!r}; did you mean {alike[0]!r}? "
            "The names are case-sensitive"
        )  # fmt: skip
    return _problem(
        number, name, code, f"there is no {what} {name!r}; choose one of {', '.join(known.names)}"
    )


def _no_describe(sobject: str) -> Problem:
    return Problem(
        None, sobject, ProblemCode.UNKNOWN_OBJECT, f"the describe of {sobject} is not available"
    )
