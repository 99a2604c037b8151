"""Where SOQL takes a semi-join or anti-join (`Id IN (SELECT AccountId FROM Contact)`), and
what it may read: the restrictions of the SOQL and SOSL Reference ("Comparison Operators",
"Considerations for Semi-Join and Anti-Join Queries"), with Salesforce's messages where they
are known.

- Only at the top level of WHERE, alone or as one of its ANDs: within an OR it is refused
  ("... not allowed with the 'OR' operator"), and deeper (under NOT, or in an OR or AND inside
  parentheses) "... only allowed at the top level WHERE expressions ...". NOT would turn a
  semi-join into an anti-join: the docs ask for `NOT IN` instead.
- At most two in one WHERE clause, and none in HAVING.
- The left operand is the queried object's own Id or reference field, and the sub-select
  selects one of its object's own Id or reference fields: neither follows a relationship.
- The sub-select reads another object than the query, and not Task, Event, Note, Attachment
  or EventAttendee (the views ActivityHistory and OpenActivity, which no query reads, are
  refused as every query of them is).
"""

from __future__ import annotations

from collections.abc import Iterator

from forcebridge.sandbox.schema import ObjectSpec
from forcebridge.soql import ast
from forcebridge.soql.errors import MalformedQuery

MAX_SEMI_JOINS = 2
UNSUPPORTED_INNER = frozenset({"attachment", "event", "eventattendee", "note", "task"})
"""Objects a sub-select may not read, by lower-case name."""

WITH_OR = "Semi join sub-selects are not allowed with the 'OR' operator"
NESTED = (
    "Semi join sub-selects are only allowed at the top level WHERE expressions and not in "
    "nested WHERE expressions."
)
TOO_MANY = f"Maximum {MAX_SEMI_JOINS} semi join sub-selects are allowed"
IN_HAVING = "Semi join sub-selects are not allowed in the HAVING clause"
LEFT_PATH = "A semi join's field must be the queried object's own Id or reference field"
INNER_PATH = "A semi join sub-select must select its object's own Id or reference field"


def placement_refusal(query: ast.Query, text: str) -> MalformedQuery | None:
    """Why Salesforce refuses where `query` puts its semi-joins (None: it does not)."""
    in_having = next(_semi_joins(query.having), None)
    if in_having is not None:
        return MalformedQuery(text, in_having.field.pos, IN_HAVING)
    where = query.where
    operands = where.operands if isinstance(where, ast.And) else (where,) if where else ()
    top = []
    for operand in operands:
        if isinstance(operand, ast.Comparison) and isinstance(operand.value, ast.SemiJoin):
            top.append(operand)
            continue
        nested = next(_semi_joins(operand), None)
        if nested is not None:
            message = WITH_OR if isinstance(where, ast.Or) else NESTED
            return MalformedQuery(text, nested.field.pos, message)
    if len(top) > MAX_SEMI_JOINS:
        return MalformedQuery(text, top[MAX_SEMI_JOINS].field.pos, TOO_MANY)
    return None


def inner_refusal(outer: ObjectSpec, inner: ObjectSpec) -> str | None:
    """Why a sub-select in a query of `outer` may not read `inner` (None: it may)."""
    if inner.name.lower() in UNSUPPORTED_INNER:
        return f"Entity '{inner.name}' is not supported for semi join inner selects"
    if inner.name == outer.name:
        return "The inner and outer selects should not be on the same object type"
    return None


def _semi_joins(condition: ast.Condition | None) -> Iterator[ast.Comparison]:
    for comparison in ast.comparisons(condition):
        if isinstance(comparison, ast.Comparison) and isinstance(comparison.value, ast.SemiJoin):
            yield comparison
