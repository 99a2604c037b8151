"""The typed SOQL syntax tree shared by the parser, the builder and the sandbox.

Nodes are frozen dataclasses so that a parsed query and a built query compare equal when they
say the same thing (the property the parser/builder round-trip tests rely on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

# --- values --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StringValue:
    value: str


@dataclass(frozen=True)
class NumberValue:
    value: Decimal


@dataclass(frozen=True)
class BooleanValue:
    value: bool


@dataclass(frozen=True)
class NullValue:
    pass


@dataclass(frozen=True)
class DateValue:
    value: dt.date


@dataclass(frozen=True)
class DateTimeValue:
    """A datetime literal; always timezone-aware (SOQL requires `Z` or an offset)."""

    value: dt.datetime


@dataclass(frozen=True)
class DateLiteral:
    """A relative date literal such as `TODAY` or `LAST_N_DAYS:7` (`n` None when it takes none)."""

    name: str
    n: int | None = None


Value = (
    StringValue | NumberValue | BooleanValue | NullValue | DateValue | DateTimeValue | DateLiteral
)


def _offset() -> Any:
    """An offset in the query text, kept for error messages and ignored by equality (a
    function, as some nodes have an attribute named `field`)."""
    return field(default=None, compare=False)


# --- select list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A field, possibly through parents: `Account.Owner.Name` is path (Account, Owner, Name)."""

    path: tuple[str, ...]
    pos: int | None = field(default=None, compare=False)
    """Offset of the field in the query text, for error messages; ignored by equality."""
    alias: str | None = field(default=None, compare=False)
    """`SELECT LeadSource src, COUNT(Id) ... GROUP BY LeadSource`: the name a grouped field
    takes in an aggregate result (Salesforce allows no alias elsewhere); ignored by equality,
    so the field still names what is grouped."""
    alias_pos: int | None = _offset()
    """Where the alias stands in the query text."""

    @property
    def name(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class Count:
    """`COUNT()` (field is None) or `COUNT(field)`; alias only for the latter."""

    field: Field | None = None
    alias: str | None = None
    alias_pos: int | None = _offset()
    """Where the alias stands in the query text."""


class Function(StrEnum):
    """The aggregate functions besides COUNT."""

    COUNT_DISTINCT = "COUNT_DISTINCT"
    SUM = "SUM"
    AVG = "AVG"
    MIN = "MIN"
    MAX = "MAX"


@dataclass(frozen=True)
class Aggregate:
    """`SUM(Amount)`, `MIN(CreatedDate) first`, ...: one value per group."""

    function: Function
    field: Field
    alias: str | None = None
    alias_pos: int | None = _offset()
    """Where the alias stands in the query text."""


class FieldsKind(StrEnum):
    ALL = "ALL"
    STANDARD = "STANDARD"
    CUSTOM = "CUSTOM"


@dataclass(frozen=True)
class Fields:
    """`FIELDS(ALL)`, `FIELDS(STANDARD)` or `FIELDS(CUSTOM)`."""

    kind: FieldsKind
    pos: int | None = _offset()
    """Where `FIELDS` stands in the query text."""


@dataclass(frozen=True)
class Subquery:
    """`(SELECT LastName FROM Contacts)`: a parent's child records, through the relationship
    its describe names (`query.sobject` is that relationship's name, not an object's). It
    selects fields, `FIELDS()` and (API 58.0 and later) subqueries of its own."""

    query: Query


@dataclass(frozen=True)
class Label:
    """`toLabel(Status)`: a picklist field's value as its label rather than its API value."""

    field: Field


@dataclass(frozen=True)
class When:
    """One branch of a TYPEOF: the fields to read when the parent is a `sobject`."""

    sobject: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class TypeOf:
    """`TYPEOF What WHEN Account THEN Phone WHEN Opportunity THEN Amount ELSE Name END`: the
    fields of a polymorphic parent chosen by the object it turns out to be."""

    relationship: str
    whens: tuple[When, ...]
    otherwise: tuple[Field, ...] = ()
    """The ELSE fields, for a parent no WHEN names (none: only its type is returned)."""
    pos: int | None = field(default=None, compare=False)


class DateFunctionName(StrEnum):
    """The date functions: a date or datetime field's year, month, day, ... as a number, or
    (DAY_ONLY) a datetime's date."""

    CALENDAR_MONTH = "CALENDAR_MONTH"
    CALENDAR_QUARTER = "CALENDAR_QUARTER"
    CALENDAR_YEAR = "CALENDAR_YEAR"
    DAY_IN_MONTH = "DAY_IN_MONTH"
    DAY_IN_WEEK = "DAY_IN_WEEK"
    DAY_IN_YEAR = "DAY_IN_YEAR"
    DAY_ONLY = "DAY_ONLY"
    FISCAL_MONTH = "FISCAL_MONTH"
    FISCAL_QUARTER = "FISCAL_QUARTER"
    FISCAL_YEAR = "FISCAL_YEAR"
    HOUR_IN_DAY = "HOUR_IN_DAY"
    WEEK_IN_MONTH = "WEEK_IN_MONTH"
    WEEK_IN_YEAR = "WEEK_IN_YEAR"


@dataclass(frozen=True)
class DateFunction:
    """`CALENDAR_YEAR(CloseDate)`, `HOUR_IN_DAY(convertTimezone(CreatedDate)) hour`: a period
    of a date or datetime field, to group or filter by. A datetime is read in UTC, or with
    `convertTimezone()` (`in_user_zone`) in the querying user's time zone."""

    function: DateFunctionName
    field: Field
    in_user_zone: bool = False
    alias: str | None = None
    alias_pos: int | None = _offset()
    """Where the alias stands in the query text."""


@dataclass(frozen=True)
class Grouping:
    """`GROUPING(LeadSource)`: on a query grouped BY ROLLUP or CUBE, 1 on a row that subtotals
    over the field, 0 on the others."""

    field: Field
    alias: str | None = None
    alias_pos: int | None = _offset()
    """Where the alias stands in the query text."""


SelectItem = (
    Field | Count | Aggregate | Fields | Subquery | Label | TypeOf | DateFunction | Grouping
)


# --- conditions ----------------------------------------------------------------------------


class Operator(StrEnum):
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    LIKE = "LIKE"
    IN = "IN"
    NOT_IN = "NOT IN"
    INCLUDES = "INCLUDES"
    EXCLUDES = "EXCLUDES"


@dataclass(frozen=True)
class Comparison:
    """`field op value`; for IN / NOT IN / INCLUDES / EXCLUDES the value is a tuple of values,
    or for IN / NOT IN a semi-join's query."""

    field: Field
    op: Operator
    value: Value | tuple[Value, ...] | SemiJoin


@dataclass(frozen=True)
class SemiJoin:
    """`AccountId IN (SELECT Id FROM Account WHERE ...)`: the ids another query selects."""

    query: Query


@dataclass(frozen=True)
class And:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class DateComparison:
    """`CALENDAR_YEAR(CreatedDate) = 2024`, `DAY_IN_WEEK(CloseDate) IN (1, 7)`: a date
    function's value compared with a number, or for DAY_ONLY a date."""

    function: DateFunction
    op: Operator
    value: Value | tuple[Value, ...]


@dataclass(frozen=True)
class AggregateComparison:
    """`COUNT(Id) > 1` in a HAVING clause: a group's aggregate compared with a value."""

    aggregate: Count | Aggregate | Grouping
    op: Operator
    value: Value


Condition = Comparison | DateComparison | AggregateComparison | And | Or | Not


def comparisons(condition: Condition | None) -> Iterator[Comparison | DateComparison]:
    """Each comparison of a field or a date function in `condition`, through AND, OR and NOT
    (not a HAVING clause's comparisons of aggregates)."""
    match condition:
        case Comparison() | DateComparison():
            yield condition
        case And(operands) | Or(operands):
            for operand in operands:
                yield from comparisons(operand)
        case Not(operand):
            yield from comparisons(operand)


# --- ordering and the query ----------------------------------------------------------------


class Direction(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


class Nulls(StrEnum):
    FIRST = "FIRST"
    LAST = "LAST"


@dataclass(frozen=True)
class OrderItem:
    field: Field | Count | Aggregate | DateFunction | Grouping
    """A field, or in an aggregate query a group's aggregate (`ORDER BY COUNT(Id) DESC`),
    grouped date function or GROUPING()."""
    direction: Direction = Direction.ASC
    nulls: Nulls | None = None


class Subtotals(StrEnum):
    """`GROUP BY ROLLUP(a, b)`: the groups, a subtotal for each value of `a` and a grand
    total; `GROUP BY CUBE(a, b)`: a subtotal for every combination of the fields."""

    ROLLUP = "ROLLUP"
    CUBE = "CUBE"


class Access(StrEnum):
    """`WITH SECURITY_ENFORCED | USER_MODE | SYSTEM_MODE`: whose permissions filter the query."""

    SECURITY_ENFORCED = "SECURITY_ENFORCED"
    USER_MODE = "USER_MODE"
    SYSTEM_MODE = "SYSTEM_MODE"


class Tracking(StrEnum):
    """`FOR VIEW | REFERENCE`: the records' last viewed or referenced dates are updated."""

    VIEW = "VIEW"
    REFERENCE = "REFERENCE"


@dataclass(frozen=True)
class Query:
    select: tuple[SelectItem, ...]
    sobject: str
    where: Condition | None = None
    group_by: tuple[Field | DateFunction, ...] = ()
    subtotals: Subtotals | None = None
    """`GROUP BY ROLLUP(...)` or `CUBE(...)`: the grouped fields' subtotal rows as well."""
    having: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
    scope: str | None = None
    """`USING SCOPE Mine`: the filter scope named (Everything, Mine, Team, ...)."""
    access: Access | None = None
    tracking: tuple[Tracking, ...] = ()
    parent_object: str | None = None
    """A subquery's `FROM Account.Contacts`: the parent object (`Account`) its child
    relationship is named through; None for `FROM Contacts` and for any other query."""
    sobject_pos: int | None = field(default=None, compare=False)
    text: str | None = field(default=None, compare=False)
    """The source text when parsed, so errors can point into it; ignored by equality."""
