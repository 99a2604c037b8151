"""A custom pull query, checked: one SELECT of known fields that the pull can page through.

The pull adds its own `WHERE SystemModstamp >= ...`, `ORDER BY SystemModstamp, Id` and paging,
so a query may filter but not order, limit or skip (nor change how it runs: `USING SCOPE`,
`WITH`, `FOR VIEW`); and it must name its fields, since
`COUNT()` has no records and `FIELDS(...)` cannot be checked against a mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from forcebridge.mapping.describe import Catalog
from forcebridge.mapping.errors import UnknownField
from forcebridge.mapping.report import Problem, ProblemCode
from forcebridge.soql.ast import (
    Aggregate,
    Condition,
    Count,
    DateComparison,
    DateFunction,
    Field,
    Fields,
    Grouping,
    Label,
    Query,
    SemiJoin,
    Subquery,
    TypeOf,
    comparisons,
)
from forcebridge.soql.date_functions import field_refusal, value_refusal
from forcebridge.soql.errors import MalformedQuery
from forcebridge.soql.parser import parse


@dataclass(frozen=True)
class QueryCheck:
    sobject: str | None
    """The queried object as the org spells it; None when the query cannot be used at all."""
    selected: tuple[str, ...]
    """The selected fields that exist, spelled as the org does."""
    problems: tuple[Problem, ...]


def check_query(soql: str, catalog: Catalog) -> QueryCheck:
    if soql.lstrip()[:6].upper() != "SELECT":
        return _unusable("a custom query must be a SELECT statement")
    try:
        query = parse(soql)
    except MalformedQuery as exc:
        return _unusable(f"the query does not parse: {exc.located}")
    describe = catalog.get(query.sobject)
    if describe is None:
        problem = Problem(
            None,
            query.sobject,
            ProblemCode.UNKNOWN_OBJECT,
            f"the query reads {query.sobject}, which the org does not have",
        )
        return QueryCheck(None, (), (problem,))
    problems = list(_clause_problems(query))
    selected = []
    for item in query.select:
        if isinstance(item, Field):
            if item.alias is not None:
                problems.append(
                    Problem(
                        None,
                        item.name,
                        ProblemCode.INVALID_QUERY,
                        f"{item.name} {item.alias}: Salesforce allows a field alias only in an "
                        f"aggregate query; select {item.name}",
                    )
                )
            path = _resolved(catalog, describe.name, item, problems)
            if path is not None:
                selected.append(path)
        else:
            problems.append(_select_item_problem(item))
    problems += [
        Problem(None, name, ProblemCode.INVALID_QUERY, f"the query: {refusal}")
        for name, refusal in date_function_refusals(query.where, catalog, describe.name)
    ]
    for comparison in comparisons(query.where):
        if isinstance(comparison, DateComparison):
            _resolved(catalog, describe.name, comparison.function.field, problems)
            continue
        _resolved(catalog, describe.name, comparison.field, problems)
        if isinstance(comparison.value, SemiJoin):
            problems.append(
                Problem(
                    None,
                    comparison.field.name,
                    ProblemCode.INVALID_QUERY,
                    f"the sub-select on {comparison.value.query.sobject} cannot be checked on "
                    "each record, as a pull does when services share a read; filter on the "
                    "object's own fields",
                )
            )
    return QueryCheck(describe.name, tuple(selected), tuple(problems))


def date_function_refusals(
    condition: Condition | None, catalog: Catalog, sobject: str
) -> list[tuple[str, str]]:
    """What Salesforce would refuse in `condition`'s date functions, by field: a function of a
    field that is not a date or datetime, or compared with what it never gives. Caught here, a
    mistake is named before the query or rule is saved rather than failing every run. Fields
    the org lacks are left to the field checks."""
    refusals = []
    for comparison in comparisons(condition):
        if not isinstance(comparison, DateComparison):
            continue
        call = comparison.function
        try:
            name, field = catalog.resolve(sobject, call.field.name)
        except UnknownField:
            continue
        values = comparison.value if isinstance(comparison.value, tuple) else (comparison.value,)
        found = [field_refusal(call, field.type, name), *(value_refusal(call, v) for v in values)]
        refusals += [(name, refusal) for refusal in dict.fromkeys(found) if refusal is not None]
    return refusals


def _unusable(message: str) -> QueryCheck:
    return QueryCheck(None, (), (Problem(None, "query", ProblemCode.INVALID_QUERY, message),))


def _resolved(catalog: Catalog, sobject: str, field: Field, problems: list[Problem]) -> str | None:
    try:
        path, _ = catalog.resolve(sobject, field.name)
    except UnknownField as unknown:
        problems.append(
            Problem(None, field.name, ProblemCode.INVALID_QUERY, f"the query: {unknown}")
        )
        return None
    return path


def _select_item_problem(
    item: Count | Aggregate | Fields | Subquery | Label | TypeOf | DateFunction | Grouping,
) -> Problem:
    if isinstance(item, DateFunction):
        name = item.field.name
        return Problem(
            None,
            f"{item.function.value}({name})",
            ProblemCode.INVALID_QUERY,
            f"{item.function.value}({name}) names a period to group records by; select {name} "
            "and the mapping converts its value",
        )
    if isinstance(item, TypeOf):
        return Problem(
            None,
            f"TYPEOF {item.relationship}",
            ProblemCode.INVALID_QUERY,
            f"TYPEOF {item.relationship} reads a parent's fields, which a pull cannot map onto "
            "a contact; select the object's own fields",
        )
    if isinstance(item, Label):
        return Problem(
            None,
            f"toLabel({item.field.name})",
            ProblemCode.INVALID_QUERY,
            f"toLabel({item.field.name}) reads the label a user sees, which changes with their "
            f"language; select {item.field.name} and the mapping converts its value",
        )
    if isinstance(item, Subquery):
        return Problem(
            None,
            item.query.sobject,
            ProblemCode.INVALID_QUERY,
            f"the subquery on {item.query.sobject} reads child records, which a pull cannot "
            "map onto a contact; select the object's own fields",
        )
    if isinstance(item, Count | Aggregate | Grouping):
        name = item.function.value if isinstance(item, Aggregate) else type(item).__name__.upper()
        return Problem(
            None,
            f"{name}()",
            ProblemCode.INVALID_QUERY,
            f"{name}() returns no records to pull; select the fields instead",
        )
    return Problem(
        None,
        f"FIELDS({item.kind.value})",
        ProblemCode.INVALID_QUERY,
        f"FIELDS({item.kind.value}) cannot be checked against the mapping; name the fields",
    )


def _clause_problems(query: Query) -> Iterator[Problem]:
    clauses = (
        ("GROUP BY", bool(query.group_by), "the pull reads records, not groups of them"),
        ("HAVING", query.having is not None, "the pull reads records, not groups of them"),
        ("ORDER BY", bool(query.order_by), "the pull orders by SystemModstamp and Id itself"),
        ("LIMIT", query.limit is not None, "the pull reads every matching record"),
        ("OFFSET", query.offset is not None, "the pull pages by itself"),
        (
            "USING SCOPE",
            query.scope is not None,
            "the pull reads as the connection's user; filter on a field such as OwnerId instead",
        ),
        ("WITH", query.access is not None, "the pull reads with the connection user's access"),
        ("FOR", bool(query.tracking), "the pull would mark every record it reads as viewed"),
    )
    for clause, present, why in clauses:
        if present:
            yield Problem(
                None, clause, ProblemCode.INVALID_QUERY, f"remove {clause} from the query: {why}"
            )
