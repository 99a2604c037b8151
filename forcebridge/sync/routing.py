"""A service's routing rule: a SOQL condition, evaluated on records in Python.

Several services can share one connection. Their records are read once per connection and
object, and each record goes to every service whose rule it meets, so ten services on one org
cost the API calls of one. The rule is SOQL (`OwnerId = '005...'`, `Region__c IN ('West',
'North')`), parsed with `forcebridge.soql`, so the same text can go into the query when a
service reads alone, and means the same thing when evaluated here.

Evaluation follows SOQL's logic, not SQL's: a null is a value like any other, so
`Region__c != 'West'` and `NOT (Region__c = 'West')` both admit a record with no region, while
`<`, `LIKE` and `INCLUDES` never admit a null. Text equals case-insensitively letter by
letter, as Salesforce does (`lower`: `ß` is not `SS`), and sorts by its upper-case characters'
code points, as the SOQL reference says of English locales (`_` after `Z`, before `a` would
put it); a 15-character Id literal matches the
18-character Id it abbreviates. Date literals (`TODAY`, `LAST_N_DAYS:7`) are read in the
connection's user's time zone, as Salesforce reads them in the query (`user_zone`), and its
weeks (`THIS_WEEK`, `LAST_N_WEEKS:2`) start on the first day of that user's locale's week
(`user_week_start`: Monday for en_GB, Sunday for en_US).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from forcebridge.soql import ast
from forcebridge.soql.date_functions import date_part_of_text
from forcebridge.soql.dates import date_range, datetime_range, known_zone
from forcebridge.soql.errors import SoqlError
from forcebridge.soql.literals import parse_datetime
from forcebridge.soql.parser import parse
from forcebridge.soql.weeks import SUNDAY, first_day_of_week

_PREFIX = "SELECT Id FROM Routing WHERE "
_ORDERING = {
    ast.Operator.LT: lambda c: c < 0,
    ast.Operator.LE: lambda c: c <= 0,
    ast.Operator.GT: lambda c: c > 0,
    ast.Operator.GE: lambda c: c >= 0,
}


class RoutingError(ValueError):
    """A routing condition that is not a SOQL condition; the message points at the problem."""


@dataclass(frozen=True)
class Route:
    """Which records belong to a service; no condition admits every record."""

    condition: ast.Condition | None = None
    multi_select: frozenset[str] = frozenset()
    """The paths the condition reads (case-folded) that are multi-select picklists, known once
    verified against the describe: their `=` and `!=` compare the values chosen, in any order
    and case, as Salesforce does (`'AAA;BBB'` equals `'BBB;AAA'`)."""

    @classmethod
    def parse(cls, text: str | None) -> Route:
        """`text` is what follows `WHERE` in a query, e.g. `Region__c = 'West'`."""
        if text is None or not text.strip():
            return EVERYTHING
        try:
            query = parse(_PREFIX + text)
        except SoqlError as error:
            raise RoutingError(f"routing condition {text!r}{_refusal(text, error)}") from None
        clauses = (
            query.group_by,
            query.having,
            query.order_by,
            query.limit,
            query.offset,
            query.access,
            query.tracking,
        )
        if any(clause not in (None, ()) for clause in clauses):
            raise RoutingError(
                f"routing condition {text!r}: only a condition may follow WHERE, "
                "without GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET, WITH or FOR"
            )
        if any(isinstance(c.value, ast.SemiJoin) for c in ast.comparisons(query.where)):
            raise RoutingError(
                f"routing condition {text!r}: a sub-select cannot be checked on each record"
            )
        return cls(query.where)

    @property
    def fields(self) -> tuple[str, ...]:
        """The field paths the condition reads, in order of first use."""
        return tuple(dict.fromkeys(_compared(c).name for c in ast.comparisons(self.condition)))

    def admits(
        self,
        record: Mapping[str, Any],
        *,
        now: dt.datetime,
        tz: dt.tzinfo = dt.UTC,
        week_start: int = SUNDAY,
    ) -> bool:
        """Whether `record` (Salesforce's JSON) meets the condition; `now`, `tz` (the user's
        time zone) and `week_start` (the first day of the user's week, `user_week_start`) give
        date literals such as `LAST_N_DAYS:30` and `THIS_WEEK` their meaning."""
        if self.condition is None:
            return True
        return _holds(self.condition, record, _Clock(now, tz, week_start), self.multi_select)


EVERYTHING = Route()

_LEXER_REASON = re.compile(r"line \d+:\d+ (?P<reason>.*)", re.DOTALL)
"""Salesforce's wording of a character it cannot read: `line 1:62` counts in the query built
around the condition, which the admin never sees."""


def _refusal(text: str, error: SoqlError) -> str:
    """Where in `text` the parser stopped and why, in words: every position counted in what
    the admin typed, none in the query built around it."""
    reason = error.detail
    at = None if error.pos is None else max(error.pos - len(_PREFIX), 0)
    lexed = _LEXER_REASON.fullmatch(reason)
    if lexed is not None and lexed["reason"].startswith("mismatched character '<EOF>'"):
        opened = _open_quote(text)
        at = at if opened is None else opened
        reason = (
            "this quote is never closed; end the value with ' "
            "(a quote inside a value is written \\')"
        )
    elif lexed is not None and at is not None and at < len(text):
        reason = f"the character {text[at]!r} is not SOQL outside a quoted value"
    elif reason == "unexpected token: '<EOF>'":
        reason = "it ends before the condition is complete"
    return ": " + reason if at is None else f" at {_position(text, at)}: {reason}"


def _open_quote(text: str) -> int | None:
    """The offset of the quote opening a value that is never closed (`\\` escapes the next
    character inside a value), if one is."""
    opened, i = None, 0
    while i < len(text):
        if opened is not None and text[i] == "\\":
            i += 2
            continue
        if text[i] == "'":
            opened = i if opened is None else None
        i += 1
    return opened


def _position(text: str, offset: int) -> str:
    """`column 12`, or `line 2, column 3` in a condition of several lines (both 1-based)."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"column {column}" if line == 1 else f"line {line}, column {column}"


def user_zone(time_zone: str | None) -> dt.tzinfo:
    """The zone a connection's user reads date literals in (UTC when it was not recorded, or
    is no longer known here)."""
    return known_zone(time_zone) or dt.UTC


def user_week_start(locale: str | None) -> int:
    """The first day of a connection's user's week (`date.weekday()`'s numbering), which its
    locale (`LocaleSidKey`) determines in Salesforce; Sunday, en_US's, when it was not
    recorded."""
    return first_day_of_week(locale) if locale else SUNDAY


@dataclass(frozen=True)
class _Clock:
    now: dt.datetime
    tz: dt.tzinfo
    week_start: int


def _holds(
    condition: ast.Condition, record: Mapping[str, Any], clock: _Clock, multi: frozenset[str]
) -> bool:
    match condition:
        case ast.And(operands):
            return all(_holds(operand, record, clock, multi) for operand in operands)
        case ast.Or(operands):
            return any(_holds(operand, record, clock, multi) for operand in operands)
        case ast.Not(operand):
            return not _holds(operand, record, clock, multi)
        case ast.Comparison():
            value = field_value(record, condition.field.path)
            if condition.field.name.casefold() in multi:
                return _compare_chosen(condition, value, clock)
            return _compare(condition, value, clock)
        case ast.DateComparison(function=call, op=op, value=value):
            part = _date_part(call, field_value(record, call.field.path), clock)
            return _compare(ast.Comparison(call.field, op, value), part, clock)
    raise TypeError(f"not a condition: {condition!r}")


def _compared(comparison: ast.Comparison | ast.DateComparison) -> ast.Field:
    return comparison.field if isinstance(comparison, ast.Comparison) else comparison.function.field


def _date_part(call: ast.DateFunction, value: Any, clock: _Clock) -> int | str | None:
    """A date function of a record's date or datetime (None for none, or for a value that is
    neither), compared as the number it gives or, for DAY_ONLY, the date's ISO text."""
    if value is None:
        return None
    try:
        return date_part_of_text(
            call.function, str(value), clock.tz if call.in_user_zone else dt.UTC
        )
    except ValueError:
        return None


def field_value(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at `path` (`("Account", "Name")`), None through a null parent; names match
    case-insensitively, as in SOQL."""
    value: Any = record
    for name in path:
        if not isinstance(value, Mapping):
            return None
        if name in value:
            value = value[name]
            continue
        folded = name.casefold()
        value = next((v for k, v in value.items() if k.casefold() == folded), None)
    return value


def _compare(c: ast.Comparison, value: Any, clock: _Clock) -> bool:
    assert not isinstance(c.value, ast.SemiJoin)  # refused by `Route.parse` and `check_query`
    op = c.op
    if op in (ast.Operator.NE, ast.Operator.NOT_IN, ast.Operator.EXCLUDES):
        positive = {
            ast.Operator.NE: ast.Operator.EQ,
            ast.Operator.NOT_IN: ast.Operator.IN,
            ast.Operator.EXCLUDES: ast.Operator.INCLUDES,
        }[op]
        return not _compare(ast.Comparison(c.field, positive, c.value), value, clock)
    if op is ast.Operator.IN:
        assert isinstance(c.value, tuple)
        return any(_equals(value, item, clock) for item in c.value)
    if value is None:
        return op is ast.Operator.EQ and isinstance(c.value, ast.NullValue)
    if op is ast.Operator.INCLUDES:
        assert isinstance(c.value, tuple)
        chosen = _chosen(str(value))
        return any(_all_chosen(item, chosen) for item in c.value)
    if op is ast.Operator.LIKE:
        assert isinstance(c.value, ast.StringValue)
        return _like(c.value.value).fullmatch(str(value)) is not None
    assert not isinstance(c.value, tuple)
    if op is ast.Operator.EQ:
        return _equals(value, c.value, clock)
    order = _order(value, c.value, clock, upper=op in (ast.Operator.LE, ast.Operator.GT))
    return order is not None and _ORDERING[op](order)


def _compare_chosen(c: ast.Comparison, value: Any, clock: _Clock) -> bool:
    """A multi-select picklist's comparison: `=` and `!=` with one string compare the values
    chosen as a set; the rest as any field's."""
    if value is None or c.op not in (ast.Operator.EQ, ast.Operator.NE):
        return _compare(c, value, clock)
    if not isinstance(c.value, ast.StringValue):
        return _compare(c, value, clock)
    same = _chosen(str(value)) == _chosen(c.value.value)
    return same if c.op is ast.Operator.EQ else not same


def _chosen(text: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in text.split(";") if part.strip())


def _all_chosen(item: ast.Value, chosen: frozenset[str]) -> bool:
    """`INCLUDES ('a;b')` asks for a and b together."""
    if not isinstance(item, ast.StringValue):
        return False
    wanted = _chosen(item.value)
    return bool(wanted) and wanted <= chosen


def _equals(value: Any, literal: ast.Value, clock: _Clock) -> bool:
    if isinstance(literal, ast.NullValue) or value is None:
        return value is None and isinstance(literal, ast.NullValue)
    if isinstance(literal, ast.StringValue):
        return _same_text(str(value), literal.value)
    if isinstance(literal, ast.DateLiteral):
        span = _span(value, literal, clock)
        return span is not None and span[0] <= _typed(value, span[0]) < span[1]
    return _order(value, literal, clock, upper=False) == 0


def _same_text(value: str, literal: str) -> bool:
    if len(literal) == 15 and len(value) == 18 and value.isalnum() and literal.isalnum():
        return value[:15] == literal
    return value.lower() == literal.lower()


def _order(value: Any, literal: ast.Value, clock: _Clock, *, upper: bool) -> int | None:
    """-1, 0 or 1 as `value` sorts before, with or after `literal`; None when they cannot be
    compared. Against a date literal's range `[start, end)` the answer is -1 or 1 only: below
    or not below its start (for `<`, `>=`), or its end when `upper` (for `<=`, `>`)."""
    try:
        match literal:
            case ast.StringValue(text):
                return _sign(str(value).upper(), text.upper())
            case ast.NumberValue(number):
                return _sign(Decimal(str(value)), number)
            case ast.BooleanValue(flag):
                return _sign(_boolean(value), flag)
            case ast.DateValue(day):
                return _sign(_date(value), day)
            case ast.DateTimeValue(moment):
                return _sign(parse_datetime(str(value)), moment)
            case ast.DateLiteral():
                span = _span(value, literal, clock)
                if span is None:
                    return None
                bound = span[1] if upper else span[0]
                return -1 if _typed(value, bound) < bound else 1
    except (ValueError, InvalidOperation):
        return None
    return None


def _span(value: Any, literal: ast.DateLiteral, clock: _Clock) -> tuple[Any, Any] | None:
    """The literal's range as dates for a date value, as instants for a datetime value."""
    text = str(value)
    if len(text) == 10:
        return date_range(literal, clock.now.astimezone(clock.tz).date(), clock.week_start)
    if "T" in text:
        return datetime_range(literal, clock.now, clock.tz, clock.week_start)
    return None


def _typed(value: Any, like: Any) -> Any:
    return parse_datetime(str(value)) if isinstance(like, dt.datetime) else _date(value)


def _date(value: Any) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text not in ("true", "false"):
        raise ValueError(f"not a checkbox value: {value!r}")
    return text == "true"


def _sign(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


def _like(pattern: str) -> re.Pattern[str]:
    """A LIKE pattern (`%`, `_`, and `\\%`, `\\_`, `\\\\` for themselves) as a regex."""
    parts: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            parts.append(re.escape(next(chars, "\\")))
        else:
            parts.append({"%": ".*", "_": "."}.get(char) or re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
