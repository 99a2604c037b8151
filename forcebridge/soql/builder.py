"""The only way forcebridge writes SOQL: build a `Query`, then render it with `to_soql`.

No value is ever pasted into query text by hand: every name is checked to be an identifier and
every value is rendered from its type, so user data cannot change a query's shape::

    query = (
        select("Id", "Email", "Account.Name")
        .from_("Contact")
        .where(gte("SystemModstamp", watermark) & in_("Email", emails))
        .order_by("SystemModstamp", "Id")
        .limit(2000)
        .build()
    )
    soql = to_soql(query)

Builders are immutable: each call returns a new one, so a base query can be shared.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from forcebridge.soql.ast import (
    And,
    BooleanValue,
    Comparison,
    Condition,
    DateLiteral,
    DateTimeValue,
    DateValue,
    Direction,
    Field,
    Not,
    Nulls,
    NullValue,
    NumberValue,
    Operator,
    Or,
    OrderItem,
    Query,
    SelectItem,
    StringValue,
    Value,
)
from forcebridge.soql.literals import (
    encode_like,
    escape_like,
    identifier,
    row_count,
)
from forcebridge.soql.render import to_soql

__all__ = [
    "Filter",
    "QueryBuilder",
    "asc",
    "contains",
    "desc",
    "eq",
    "escape_like",
    "excludes",
    "field",
    "gt",
    "gte",
    "in_",
    "includes",
    "like",
    "literal",
    "lt",
    "lte",
    "ne",
    "not_in",
    "select",
    "starts_with",
    "to_soql",
]


def field(path: str | Field) -> Field:
    """`"Account.Owner.Name"` as a Field, refusing anything that is not a dotted name."""
    if isinstance(path, Field):
        return path
    parts = tuple(path.split("."))
    for part in parts:
        identifier(part)
    return Field(parts)


def literal(value: object) -> Value:
    """A Python value as a SOQL value.

    str, bool, int, float, Decimal, None, date, aware datetime (floored to the millisecond,
    the precision Salesforce keeps, so `>=` a stored timestamp stays inclusive), or a Value.
    """
    match value:
        case (
            StringValue() | NumberValue() | BooleanValue() | NullValue() | DateValue()
            | DateTimeValue() | DateLiteral()
        ):  # fmt: skip
            return value
        case None:
            return NullValue()
        case bool():
            return BooleanValue(value)
        case str():
            return StringValue(value)
        case int() | Decimal():
            number = Decimal(value)
            if not number.is_finite():
                raise ValueError(f"SOQL numbers are finite, not {number}")
            return NumberValue(number)
        case float():
            return literal(Decimal(repr(value)))
        case dt.datetime():
            if value.tzinfo is None:
                raise ValueError(f"SOQL datetimes need a time zone: {value.isoformat()}")
            return DateTimeValue(value.replace(microsecond=value.microsecond // 1000 * 1000))
        case dt.date():
            return DateValue(value)
    raise TypeError(f"no SOQL literal for {type(value).__name__}: {value!r}")


@dataclass(frozen=True)
class Filter:
    """A WHERE condition that combines with `&` (AND), `|` (OR) and `~` (NOT)."""

    condition: Condition

    def __and__(self, other: Filter) -> Filter:
        return Filter(And(_operands(self.condition, And) + _operands(other.condition, And)))

    def __or__(self, other: Filter) -> Filter:
        return Filter(Or(_operands(self.condition, Or) + _operands(other.condition, Or)))

    def __invert__(self) -> Filter:
        return Filter(Not(self.condition))


def _operands(condition: Condition, kind: type[And] | type[Or]) -> tuple[Condition, ...]:
    """`a & b & c` reads as one AND of three, as it would be written."""
    return condition.operands if isinstance(condition, kind) else (condition,)


def eq(name: str | Field, value: object) -> Filter:
    """`name = value`; `eq("Email", None)` is `Email = null`."""
    return _scalar(name, Operator.EQ, value)


def ne(name: str | Field, value: object) -> Filter:
    return _scalar(name, Operator.NE, value)


def lt(name: str | Field, value: object) -> Filter:
    return _scalar(name, Operator.LT, value)


def lte(name: str | Field, value: object) -> Filter:
    return _scalar(name, Operator.LE, value)


def gt(name: str | Field, value: object) -> Filter:
    return _scalar(name, Operator.GT, value)


def gte(name: str | Field, value: object) -> Filter:
    return _scalar(name, Operator.GE, value)


def in_(name: str | Field, values: Iterable[object]) -> Filter:
    """`name IN (...)`; an empty collection is refused, as SOQL has no empty list."""
    return _set(name, Operator.IN, values)


def not_in(name: str | Field, values: Iterable[object]) -> Filter:
    return _set(name, Operator.NOT_IN, values)


def includes(name: str | Field, values: Iterable[str]) -> Filter:
    """Multi-select picklist holds any of `values` (`'a;b'` means both a and b)."""
    return _set(name, Operator.INCLUDES, values)


def excludes(name: str | Field, values: Iterable[str]) -> Filter:
    return _set(name, Operator.EXCLUDES, values)


def like(name: str | Field, pattern: str) -> Filter:
    """`name LIKE pattern`, `pattern` in LIKE syntax (see `escape_like` for user text)."""
    encode_like(pattern)
    return Filter(Comparison(field(name), Operator.LIKE, StringValue(pattern)))


def contains(name: str | Field, text: str) -> Filter:
    """The field contains `text` literally, `%` and `_` included."""
    return like(name, f"%{escape_like(text)}%")


def starts_with(name: str | Field, text: str) -> Filter:
    return like(name, f"{escape_like(text)}%")


def asc(name: str | Field, nulls: Nulls | None = None) -> OrderItem:
    return OrderItem(field(name), Direction.ASC, nulls)


def desc(name: str | Field, nulls: Nulls | None = None) -> OrderItem:
    return OrderItem(field(name), Direction.DESC, nulls)


def _scalar(name: str | Field, op: Operator, value: object) -> Filter:
    return Filter(Comparison(field(name), op, literal(value)))


def _set(name: str | Field, op: Operator, values: Iterable[object]) -> Filter:
    items = tuple(literal(value) for value in values)
    if not items:
        raise ValueError(f"{op.value} needs at least one value")
    return Filter(Comparison(field(name), op, items))


@dataclass(frozen=True)
class QueryBuilder:
    """A query under construction; start one with `select(...)`."""

    query: Query

    def from_(self, sobject: str) -> QueryBuilder:
        return QueryBuilder(replace(self.query, sobject=identifier(sobject)))

    def where(self, *filters: Filter) -> QueryBuilder:
        """Adds conditions; several (and repeated calls) are ANDed together."""
        existing = () if self.query.where is None else (Filter(self.query.where),)
        combined = (*existing, *filters)
        if not combined:
            return self
        condition = functools.reduce(operator.and_, combined).condition
        return QueryBuilder(replace(self.query, where=condition))

    def order_by(self, *items: str | Field | OrderItem) -> QueryBuilder:
        """Fields ascending, or `asc(...)` / `desc(...)` items; replaces any earlier ordering."""
        ordering = tuple(item if isinstance(item, OrderItem) else asc(item) for item in items)
        return QueryBuilder(replace(self.query, order_by=ordering))

    def limit(self, n: int) -> QueryBuilder:
        return QueryBuilder(replace(self.query, limit=row_count("LIMIT", n)))

    def offset(self, n: int) -> QueryBuilder:
        return QueryBuilder(replace(self.query, offset=row_count("OFFSET", n)))

    def build(self) -> Query:
        if not self.query.sobject:
            raise ValueError("say which object to query with .from_(...)")
        return self.query


def select(*items: str | SelectItem) -> QueryBuilder:
    """Start a query: field paths as strings, or `Count()` / `Fields(FieldsKind.ALL)`."""
    if not items:
        raise ValueError("a query selects at least one field")
    chosen = tuple(field(item) if isinstance(item, str) else item for item in items)
    return QueryBuilder(Query(select=chosen, sobject=""))
