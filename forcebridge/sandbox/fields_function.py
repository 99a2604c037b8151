"""`FIELDS(ALL|STANDARD|CUSTOM)`: the fields a SELECT list's FIELDS() stands for.

SOQL's reference ("FIELDS()") bounds `FIELDS(STANDARD)` and leaves `FIELDS(ALL)` and
`FIELDS(CUSTOM)` unbounded, so these two need a LIMIT of at most 200. The query planner and
SOSL's RETURNING objects both read FIELDS() here, so they expand it and refuse it alike.
"""

from __future__ import annotations

from forcebridge.sandbox.schema import FieldSpec, ObjectSpec
from forcebridge.soql import ast
from forcebridge.soql.errors import MalformedQuery

FIELDS_FUNCTION_LIMIT = 200


def fields_function(
    text: str, item: ast.Fields, obj: ObjectSpec, limit: int | None
) -> list[FieldSpec]:
    """The fields of `obj` that `item` selects, in the object's order; an unbounded kind
    without a LIMIT of at most 200 raises `MalformedQuery` at `item` in `text`."""
    if item.kind is not ast.FieldsKind.STANDARD and (
        limit is None or limit > FIELDS_FUNCTION_LIMIT
    ):
        raise MalformedQuery(
            text,
            item.pos,
            f"The SOQL FIELDS function must have a LIMIT of at most {FIELDS_FUNCTION_LIMIT}",
        )
    if item.kind is ast.FieldsKind.ALL:
        return list(obj.fields)
    custom = item.kind is ast.FieldsKind.CUSTOM
    return [f for f in obj.fields if f.custom == custom]
