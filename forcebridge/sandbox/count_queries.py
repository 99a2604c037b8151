"""`SELECT COUNT() FROM ...`: which queries Salesforce lets count their rows.

A COUNT() query answers a size and no records, so what only shapes records makes no sense
with it. The SOQL and SOSL guide ("COUNT() and COUNT(fieldName)") says COUNT() must be the
only element in the SELECT list, and cannot be used with GROUP BY (from 19.0) or with ORDER
BY; COUNT(fieldName) is the form that takes them. The guide gives the rules, not the errors'
wording: the GROUP BY and ORDER BY refusals are worded here, pointing at the first grouped or
ordered item as
Salesforce's query errors point at their cause.
"""

from __future__ import annotations

from forcebridge.soql import ast
from forcebridge.soql.errors import MalformedQuery


def count_refusal(query: ast.Query, text: str) -> MalformedQuery | None:
    """Why a query selecting COUNT() is refused, or None when Salesforce runs it."""
    if len(query.select) > 1:
        return MalformedQuery(text, None, "COUNT() must be the only element in the SELECT list")
    if query.group_by:
        return MalformedQuery(
            text,
            _position(query.group_by[0]),
            "COUNT() cannot be used with GROUP BY: use COUNT(fieldName) to group",
        )
    if query.order_by:
        return MalformedQuery(
            text,
            _position(query.order_by[0].field),
            "COUNT() cannot be used with ORDER BY: use COUNT(fieldName) to order",
        )
    return None


def _position(
    node: ast.Field | ast.Count | ast.Aggregate | ast.DateFunction | ast.Grouping,
) -> int | None:
    """Where an ordered item starts in the query text, when the parser kept it."""
    if isinstance(node, ast.Field):
        return node.pos
    return node.field.pos if node.field is not None else None
