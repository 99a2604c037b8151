"""A SOQL WHERE clause as an SQL predicate, with SOQL's null logic and type checks.

In SOQL a null field is a value like any other: `Email != 'x'` and `NOT (Email = 'x')` both
include records with no email, unlike SQL. Each comparison is therefore built as a `_Leaf`
("what a non-null value must satisfy", "does null match") and NOT is pushed down to the
leaves, so no SQL NOT ever meets an unknown. Values are checked against the field's type the
way Salesforce checks them, and bound as parameters: a number compared with a number field's
values (or their SUM, AVG, MIN or MAX) as its exact digits, which the column's collation
compares by value (`decimals`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Protocol

from forcebridge.sandbox import ids
from forcebridge.sandbox.decimals import plain
from forcebridge.sandbox.fieldtypes import (
    FOLD_CASE,
    Kind,
    fold_case,
    format_datetime,
    needs_folding,
)
from forcebridge.sandbox.schema import FieldSpec
from forcebridge.sandbox.sorting import in_text_order
from forcebridge.soql import ast
from forcebridge.soql.date_functions import value_refusal
from forcebridge.soql.dates import date_range, datetime_range
from forcebridge.soql.errors import InvalidField, MalformedQuery, SoqlError

_RANGE_BOUND = {
    # operator on a date literal -> (comparison, which end of [start, end) it compares with)
    ast.Operator.LT: ("<", 0),
    ast.Operator.LE: ("<", 1),
    ast.Operator.GT: (">=", 1),
    ast.Operator.GE: (">=", 0),
}
_NEGATIONS = {
    ast.Operator.NE: ast.Operator.EQ,
    ast.Operator.NOT_IN: ast.Operator.IN,
    ast.Operator.EXCLUDES: ast.Operator.INCLUDES,
}
_QUOTED_KINDS = (Kind.TEXT, Kind.MULTIPICKLIST, Kind.ID)


class InvalidFilter(SoqlError):
    """A filter value the field can never hold, such as a malformed id."""

    error_code: ClassVar[str] = "INVALID_QUERY_FILTER_OPERATOR"


class FilterContext(Protocol):
    """What the filter compiler needs from the query planner."""

    text: str
    now: dt.datetime
    tz: dt.tzinfo
    week_start: int

    def filter_column(self, node: ast.Field) -> tuple[FieldSpec | None, str]: ...

    def bind(self, value: Any) -> str: ...

    def sub_select(self, field: ast.Field, query: ast.Query) -> str: ...

    def aggregate_expression(self, item: ast.Count | ast.Aggregate | ast.Grouping) -> str: ...

    def aggregate_is_number(self, item: ast.Count | ast.Aggregate | ast.Grouping) -> bool: ...

    def date_expression(self, call: ast.DateFunction) -> str: ...


def condition_sql(ctx: FilterContext, condition: ast.Condition, negate: bool = False) -> str:
    match condition:
        case ast.And(operands) | ast.Or(operands):
            conjunction = isinstance(condition, ast.And) != negate
            joined = (" AND " if conjunction else " OR ").join(
                condition_sql(ctx, operand, negate) for operand in operands
            )
            return f"({joined})"
        case ast.Not(operand):
            return condition_sql(ctx, operand, not negate)
        case ast.Comparison():
            return _comparison(ctx, condition, negate)
        case ast.DateComparison():
            return _date_comparison(ctx, condition, negate)
        case ast.AggregateComparison():
            return _aggregate_comparison(ctx, condition, negate)
    raise TypeError(f"not a condition: {condition!r}")


@dataclass(frozen=True)
class _Leaf:
    """What a non-null value must satisfy (None: nothing does), and whether null matches."""

    predicate: str | None
    nulls_match: bool

    def render(self, expr: str, negate: bool) -> str:
        nulls = self.nulls_match != negate
        if self.predicate is None:
            if negate:
                return "1" if nulls else f"{expr} IS NOT NULL"
            return f"{expr} IS NULL" if nulls else "0"
        predicate = f"NOT ({self.predicate})" if negate else self.predicate
        return f"({expr} IS NULL OR {predicate})" if nulls else predicate


def _comparison(ctx: FilterContext, c: ast.Comparison, negate: bool) -> str:
    spec, expr = ctx.filter_column(c.field)
    op = c.op
    if op in _NEGATIONS:
        op, negate = _NEGATIONS[op], not negate
    kind = spec.kind if spec is not None else Kind.TEXT
    if isinstance(c.value, ast.SemiJoin):
        if kind is not Kind.ID:
            raise MalformedQuery(
                ctx.text, c.field.pos, "semi join sub-selects are only allowed on Id fields"
            )
        # Nulls never match IN; NOT IN admits them, as for a list.
        sub_select = ctx.sub_select(c.field, c.value.query)
        return _Leaf(f"{expr} IN ({sub_select})", False).render(expr, negate)
    if op is ast.Operator.LIKE:
        if kind is not Kind.TEXT:
            raise InvalidField(
                ctx.text, c.field.pos, f"invalid operator on field: LIKE on {c.field.name}"
            )
        assert isinstance(c.value, ast.StringValue)
        pattern = c.value.value
        escape = " ESCAPE '\\'" if "\\" in pattern else ""
        compared, [pattern] = _as_text(kind, expr, [pattern])
        return _Leaf(f"{compared} LIKE {ctx.bind(pattern)}{escape}", False).render(expr, negate)
    if op is ast.Operator.INCLUDES:
        if kind is not Kind.MULTIPICKLIST:
            raise InvalidField(
                ctx.text,
                c.field.pos,
                "includes or excludes operator only valid on multipicklist field",
            )
        return _includes(ctx, c, expr).render(expr, negate)
    if op is ast.Operator.IN:
        assert isinstance(c.value, tuple)
        values = [_blank_as_null(kind, _value(ctx, spec, c.field, v)) for v in c.value]
        present = [v for v in values if v is not None]
        if any(isinstance(v, tuple) for v in present):
            raise MalformedQuery(ctx.text, c.field.pos, "date literals are not allowed in IN")
        compared, present = _as_text(kind, expr, present)
        return _in_list(ctx, compared, present, len(values)).render(expr, negate)
    assert not isinstance(c.value, tuple)
    value = _value(ctx, spec, c.field, c.value)
    if op is ast.Operator.EQ:
        value = _blank_as_null(kind, value)
    if value is None:
        matches_null = op is ast.Operator.EQ
        return _Leaf(None, matches_null).render(expr, negate)
    if isinstance(value, tuple):
        start, end = value
        if op is ast.Operator.EQ:
            predicate = f"({expr} >= {ctx.bind(start)} AND {expr} < {ctx.bind(end)})"
        else:
            comparison, bound = _RANGE_BOUND[op]
            predicate = f"{expr} {comparison} {ctx.bind(value[bound])}"
        return _Leaf(predicate, False).render(expr, negate)
    if kind is Kind.MULTIPICKLIST and op is ast.Operator.EQ and _values_of(value):
        return _exactly(ctx, expr, _values_of(value)).render(expr, negate)
    compared = expr
    if op is ast.Operator.EQ:
        compared, [value] = _as_text(kind, expr, [value])
    elif kind is Kind.TEXT:
        compared = in_text_order(expr)
    return _Leaf(f"{compared} {op.value} {ctx.bind(value)}", False).render(expr, negate)


def _blank_as_null(kind: Kind, value: Any) -> Any:
    """A text compared for equality with `''` as with null: Salesforce saves no empty text
    (only null), and SOQL reads `= ''` as `= null` on a text field (`!= ''` as `!= null`).
    Ordering comparisons (`> ''`) keep the empty text."""
    return None if kind is Kind.TEXT and value == "" else value


def _in_list(ctx: FilterContext, compared: str, present: list[Any], listed: int) -> _Leaf:
    """`IN` a list of `listed` values, of which `present` are not null: a null in the list is
    what admits a null value."""
    marks = ", ".join(ctx.bind(value) for value in present)
    return _Leaf(f"{compared} IN ({marks})" if present else None, len(present) < listed)


def _date_comparison(ctx: FilterContext, c: ast.DateComparison, negate: bool) -> str:
    """`CALENDAR_YEAR(CreatedDate) = 2024`: the function's number (or DAY_ONLY's date) compared
    with a number (a date); a record whose field is null has none, as a null field has none."""
    expr = ctx.date_expression(c.function)
    op = c.op
    if op in _NEGATIONS:
        op, negate = _NEGATIONS[op], not negate
    values = c.value if isinstance(c.value, tuple) else (c.value,)
    bound = [_date_function_value(ctx, c.function, value) for value in values]
    present = [value for value in bound if value is not None]
    if op is ast.Operator.IN:
        return _in_list(ctx, expr, present, len(bound)).render(expr, negate)
    if not present:
        return _Leaf(None, op is ast.Operator.EQ).render(expr, negate)
    return _Leaf(f"{expr} {op.value} {ctx.bind(present[0])}", False).render(expr, negate)


def _date_function_value(ctx: FilterContext, call: ast.DateFunction, value: ast.Value) -> Any:
    """The bound value a date function is compared with: a whole number, or for DAY_ONLY a
    date; None for null."""
    refused = value_refusal(call, value)
    if refused is not None:
        raise InvalidField(ctx.text, call.field.pos, refused)
    match value:
        case ast.NumberValue(number):
            return _sql_number(number)
        case ast.DateValue(day):
            return day.isoformat()
    return None


def _aggregate_comparison(ctx: FilterContext, c: ast.AggregateComparison, negate: bool) -> str:
    """`COUNT(Id) > 1` in HAVING: the group's aggregate against a number, or for MIN and MAX
    against a text, date or datetime."""
    expr = ctx.aggregate_expression(c.aggregate)
    op, value = c.op, c.value
    if op is ast.Operator.NE:
        op, negate = ast.Operator.EQ, not negate
    match value:
        case ast.NumberValue(number):
            bound: Any = (
                plain(number) if ctx.aggregate_is_number(c.aggregate) else _sql_number(number)
            )
        case ast.StringValue(text):
            bound = text
        case ast.DateValue(day):
            bound = day.isoformat()
        case ast.DateTimeValue(moment):
            bound = format_datetime(moment)
        case _:
            field = c.aggregate.field
            raise MalformedQuery(
                ctx.text,
                field.pos if field else None,
                "a HAVING comparison takes a number, or for MIN and MAX a text, date or datetime",
            )
    return _Leaf(f"{expr} {op.value} {ctx.bind(bound)}", False).render(expr, negate)


def _sql_number(number: Decimal) -> int | float:
    """A SOQL number as SQLite binds it against SQL numbers (an integer field, COUNT, a date
    function's number; a number field's digits are bound as text): a whole number as an
    integer while SQLite's 64 bits hold it, and otherwise as a real, which compares with them
    by value all the same (SQLite refuses a larger integer outright). The bounds are compared
    as decimals, so a number of thousands of digits is never built as an int only to be
    refused."""
    if number == number.to_integral_value() and -(2**63) <= number < 2**63:
        return int(number)
    return float(number)


def _as_text(kind: Kind, expr: str, values: list[Any]) -> tuple[str, list[Any]]:
    """`expr` and `values` as Salesforce compares text: through `fold_case` when a value holds
    letters NOCASE does not fold, as they are otherwise."""
    if kind is Kind.TEXT and any(needs_folding(v) for v in values):
        return f"{FOLD_CASE}({expr})", [fold_case(v) for v in values]
    return expr, values


def _includes(ctx: FilterContext, c: ast.Comparison, expr: str) -> _Leaf:
    """`INCLUDES ('a;b', 'c')`: has both a and b, or has c. Stored values are `x;y;z`."""
    assert isinstance(c.value, tuple)
    alternatives = []
    for item in c.value:
        if not isinstance(item, ast.StringValue):
            raise _wrong_type(ctx, None, c.field)
        terms = _values_of(item.value)
        alternatives.append(_has_all(ctx, expr, terms) if terms else "0")
    return _Leaf("(" + " OR ".join(alternatives) + ")", False)


def _exactly(ctx: FilterContext, expr: str, terms: list[str]) -> _Leaf:
    """`= 'AAA;BBB'` on a multi-select picklist: exactly those values selected, in whatever
    order ("Query Multi-Select Picklists": an exact match of AAA and BBB selected)."""
    count = f"(length({expr}) - length(replace({expr}, ';', '')) + 1)"
    return _Leaf(f"({_has_all(ctx, expr, terms)} AND {count} = {len(terms)})", False)


def _has_all(ctx: FilterContext, expr: str, terms: list[str]) -> str:
    """SQL: the stored `x;y;z` holds every one of `terms`, ignoring case."""
    wrapped = f"(';' || {expr} || ';')"
    checks = [
        f"{wrapped} LIKE {ctx.bind('%;' + _escape_like(t) + ';%')} ESCAPE '\\'" for t in terms
    ]
    return "(" + " AND ".join(checks) + ")"


def _values_of(text: str) -> list[str]:
    """The values a multi-select picklist's `'a;b'` names, each once (ignoring case)."""
    named: dict[str, str] = {}
    for value in text.split(";"):
        if value.strip():
            named.setdefault(value.strip().casefold(), value.strip())
    return list(named.values())


def _escape_like(text: str) -> str:
    return "".join("\\" + char if char in "%_\\" else char for char in text)


def _value(ctx: FilterContext, spec: FieldSpec | None, node: ast.Field, value: ast.Value) -> Any:
    """The bound value for comparing `spec` with `value`: None for null, a (start, end) pair
    for a date literal. Raises Salesforce's error when the value cannot be of the field's type."""
    if isinstance(value, ast.NullValue):
        return None
    kind = spec.kind if spec is not None else Kind.TEXT
    match kind, value:
        case (Kind.TEXT | Kind.MULTIPICKLIST, ast.StringValue(text)):
            return text
        case (Kind.ID, ast.StringValue(text)):
            record_id = ids.normalize(text)
            if record_id is None:
                raise InvalidFilter(ctx.text, node.pos, f"invalid ID field: {text}")
            return record_id
        case (Kind.BOOLEAN, ast.BooleanValue(flag)):
            return int(flag)
        case (Kind.INTEGER, ast.NumberValue(number)):
            return _sql_number(number)
        case (Kind.NUMBER, ast.NumberValue(number)):
            return plain(number)
        case (Kind.DATE, ast.DateValue(day)):
            return day.isoformat()
        case (Kind.DATE | Kind.DATETIME, ast.DateLiteral()):
            return _literal_range(ctx, kind, node, value)
        case (Kind.DATETIME, ast.DateTimeValue(moment)):
            return format_datetime(moment)
    raise _wrong_type(ctx, spec, node)


def _literal_range(
    ctx: FilterContext, kind: Kind, node: ast.Field, literal: ast.DateLiteral
) -> tuple[str, str]:
    """The bounds a date literal covers; one whose `n` reaches past year 1 or 9999 is a
    refused filter, not a server error."""
    try:
        if kind is Kind.DATE:
            today = ctx.now.astimezone(ctx.tz).date()
            start, end = date_range(literal, today, ctx.week_start)
            return start.isoformat(), end.isoformat()
        first, stop = datetime_range(literal, ctx.now, ctx.tz, ctx.week_start)
    except ValueError as error:
        raise InvalidFilter(ctx.text, node.pos, str(error)) from None
    return format_datetime(first), format_datetime(stop)


def _wrong_type(ctx: FilterContext, spec: FieldSpec | None, node: ast.Field) -> InvalidField:
    type_name = spec.field_type.filter_name if spec is not None else "string"
    quoted = spec is None or spec.kind in _QUOTED_KINDS
    name = spec.name if spec is not None else node.path[-1]
    return InvalidField(
        ctx.text,
        node.pos,
        f"value of filter criterion for field '{name}' must be of type {type_name} and should "
        f"{'' if quoted else 'not '}be enclosed in quotes",
    )
