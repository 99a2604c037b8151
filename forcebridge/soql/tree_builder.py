"""The SOQL tree builder: Lark's LALR parser over `grammar.lark`, building the typed syntax
tree inline as each rule is reduced (no intermediate parse tree), with Salesforce's
MALFORMED_QUERY errors.

One parser is built on first use and shared: the sandbox parses every query it receives. The
transformer holds no state, so the shared parser is safe across threads. Lark is loaded with
this module, which `parser.parse` imports on its first query: the commands that only might
parse SOQL start without it.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace
from decimal import Decimal
from importlib.resources import files
from itertools import takewhile
from typing import Any, cast

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedToken

from forcebridge.soql.aliases import resolve_aliases
from forcebridge.soql.ast import (
    Access,
    Aggregate,
    AggregateComparison,
    And,
    BooleanValue,
    Comparison,
    Condition,
    Count,
    DateComparison,
    DateFunction,
    DateFunctionName,
    DateLiteral,
    DateTimeValue,
    DateValue,
    Direction,
    Field,
    Fields,
    FieldsKind,
    Function,
    Grouping,
    Label,
    Not,
    Nulls,
    NullValue,
    NumberValue,
    Operator,
    Or,
    OrderItem,
    Query,
    SemiJoin,
    StringValue,
    Subquery,
    Subtotals,
    Tracking,
    TypeOf,
    When,
)
from forcebridge.soql.dates import DATE_LITERALS
from forcebridge.soql.errors import MalformedQuery
from forcebridge.soql.literals import EscapeError, decode_string, parse_datetime

FILTER_SCOPES = frozenset(
    {
        "delegated",
        "everything",
        "mine",
        "mine_and_my_groups",
        "my_territory",
        "my_team_territory",
        "team",
    }
)
"""The names `USING SCOPE` takes."""

_MAX_INTEGER = 2**31 - 1

_COMPARATORS = {
    "=": Operator.EQ,
    "!=": Operator.NE,
    "<>": Operator.NE,
    "<": Operator.LT,
    "<=": Operator.LE,
    ">": Operator.GT,
    ">=": Operator.GE,
}


def build(text: str) -> Query:
    """The tree of one SOQL query; `MalformedQuery` pointing at the first thing that is wrong."""
    try:
        return cast(Query, _parser().parse(text))
    except _Problem as problem:
        raise MalformedQuery(text, problem.pos, problem.detail) from None
    except UnexpectedCharacters as exc:
        raise _unreadable_character(text, exc.pos_in_stream or 0) from None
    except UnexpectedToken as exc:
        raise _unexpected(text, exc.token) from None


@functools.cache
def _parser() -> Lark:
    grammar = files("forcebridge.soql").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", transformer=_ToAst())


class _Problem(Exception):
    """Raised while building the tree; `parse` turns it into MalformedQuery with the text."""

    def __init__(self, pos: int, detail: str) -> None:
        super().__init__(detail)
        self.pos = pos
        self.detail = detail


def _unexpected(text: str, token: Token) -> MalformedQuery:
    if token.type == "$END":
        return MalformedQuery(text, len(text.rstrip()), "unexpected token: '<EOF>'")
    return MalformedQuery(text, _at(token), f"unexpected token: '{token.value}'")


def _unreadable_character(text: str, pos: int) -> MalformedQuery:
    """Salesforce reports lexer errors ANTLR-style, with a 0-based column in the detail."""
    if text[pos] == "'":
        end = len(text)
        row, col = _row_col0(text, end)
        return MalformedQuery(
            text, end, f"line {row}:{col} mismatched character '<EOF>' expecting '''"
        )
    row, col = _row_col0(text, pos)
    return MalformedQuery(
        text, pos, f"line {row}:{col} no viable alternative at character '{text[pos]}'"
    )


def _row_col0(text: str, pos: int) -> tuple[int, int]:
    return text.count("\n", 0, pos) + 1, pos - (text.rfind("\n", 0, pos) + 1)


def _query(children: list[Any]) -> Query:
    """A query, or a subquery's, from its reduced children: select items, the FROM name (the
    first token, or for a subquery's `Account.Contacts` the first two), then its clauses as
    (name, value) pairs."""
    at = next(i for i, child in enumerate(children) if isinstance(child, Token))
    names = list(takewhile(lambda child: isinstance(child, Token), children[at:]))
    *parent, sobject = names
    clauses: dict[str, Any] = dict(children[at + len(names) :])
    subtotals, group_by = clauses.get("group_by", (None, ()))
    query = Query(
        select=tuple(children[:at]),
        sobject=str(sobject),
        parent_object=str(parent[0]) if parent else None,
        where=clauses.get("where"),
        group_by=group_by,
        subtotals=subtotals,
        having=clauses.get("having"),
        order_by=clauses.get("order_by", ()),
        limit=clauses.get("limit"),
        offset=clauses.get("offset"),
        scope=clauses.get("scope"),
        access=clauses.get("access"),
        tracking=clauses.get("tracking", ()),
        sobject_pos=_at(names[0]),
    )
    return resolve_aliases(query, *clauses.get("aliases", (None, ())))


class _ToAst(Transformer[Token, Any]):
    """Builds AST nodes as the LALR parser reduces each rule (children arrive in order)."""

    def start(self, children: list[Any]) -> Query:
        return _query(children)

    def subquery(self, children: list[Any]) -> Subquery:
        return Subquery(_query(children))

    def field(self, names: list[Token]) -> Field:
        return Field(tuple(str(name) for name in names), pos=_at(names[0]))

    def aliased_field(self, children: list[Any]) -> Field:
        selected, alias = children
        return replace(selected, alias=str(alias), alias_pos=_at(alias))

    def count_all(self, _children: list[Any]) -> Count:
        return Count()

    def count_field(self, children: list[Any]) -> Count:
        _count, field, *alias = children
        return Count(field, *_alias(alias))

    def aggregate(self, children: list[Any]) -> Aggregate:
        function, field, *alias = children
        return Aggregate(Function(function.upper()), field, *_alias(alias))

    def to_label(self, children: list[Any]) -> Label:
        return Label(children[1])

    def date_call(self, children: list[Any]) -> DateFunction:
        function, *argument = children
        return DateFunction(
            DateFunctionName(function.upper()), argument[-1], in_user_zone=len(argument) == 2
        )

    def date_function(self, children: list[Any]) -> DateFunction:
        call, *alias = children
        name, pos = _alias(alias)
        return replace(call, alias=name, alias_pos=pos) if alias else cast(DateFunction, call)

    def date_comparison(self, children: list[Any]) -> DateComparison:
        call, comparator, value = children
        return DateComparison(call, _COMPARATORS[comparator], value)

    def date_membership(self, children: list[Any]) -> DateComparison:
        call, operator, *values = children
        if operator not in (Operator.IN, Operator.NOT_IN):
            raise _Problem(call.field.pos or 0, f"{operator.value} cannot compare a date function")
        return DateComparison(call, operator, tuple(values))

    def type_of(self, children: list[Any]) -> TypeOf:
        keyword, relationship, *branches = children
        whens = tuple(b for b in branches if isinstance(b, When))
        otherwise = next((b for b in branches if isinstance(b, tuple)), ())
        return TypeOf(str(relationship), whens, otherwise, pos=_at(keyword))

    def type_when(self, children: list[Any]) -> When:
        sobject, *fields = children
        return When(str(sobject), tuple(fields))

    def type_else(self, fields: list[Field]) -> tuple[Field, ...]:
        return tuple(fields)

    def fields(self, children: list[Token]) -> Fields:
        keyword, kind = children
        return Fields(FieldsKind(kind.upper()), pos=_at(keyword))

    def aliases(self, children: list[Any]) -> tuple[str, tuple[str | None, list[Any]]]:
        named, *related = children
        if isinstance(named, Token):
            return "aliases", (str(named), related)
        return "aliases", (None, children)

    def related_alias(self, children: list[Any]) -> tuple[Field, str]:
        path, alias = children
        return path, str(alias)

    def where(self, children: list[Condition]) -> tuple[str, Condition]:
        return "where", children[0]

    def and_chain(self, operands: list[Condition]) -> And:
        return And(tuple(operands))

    def or_chain(self, operands: list[Condition]) -> Or:
        return Or(tuple(operands))

    def not_(self, children: list[Condition]) -> Not:
        return Not(children[0])

    def comparison(self, children: list[Any]) -> Comparison:
        field, comparator, value = children
        return Comparison(field, _COMPARATORS[comparator], value)

    def like(self, children: list[Any]) -> Comparison:
        field, token = children
        return Comparison(field, Operator.LIKE, StringValue(_decode(token, like=True)))

    def semi_join(self, children: list[Any]) -> SemiJoin:
        return SemiJoin(_query(children))

    def semi_join_membership(self, children: list[Any]) -> Comparison:
        field, operator, semi_join = children
        if operator not in (Operator.IN, Operator.NOT_IN):
            raise _Problem(field.pos or 0, f"{operator.value} cannot take a sub-select")
        return Comparison(field, operator, semi_join)

    def membership(self, children: list[Any]) -> Comparison:
        field, operator, *values = children
        return Comparison(field, operator, tuple(values))

    def set_operator(self, words: list[Token]) -> Operator:
        return Operator(" ".join(word.upper() for word in words))

    def string(self, children: list[Token]) -> StringValue:
        return StringValue(_decode(children[0], like=False))

    def number(self, children: list[Token]) -> NumberValue:
        return NumberValue(Decimal(children[0]))

    def true(self, _children: list[Any]) -> BooleanValue:
        return BooleanValue(True)

    def false(self, _children: list[Any]) -> BooleanValue:
        return BooleanValue(False)

    def null(self, _children: list[Any]) -> NullValue:
        return NullValue()

    def date(self, children: list[Token]) -> DateValue:
        token = children[0]
        try:
            return DateValue(dt.date.fromisoformat(token))
        except ValueError:
            raise _Problem(_at(token), f"Invalid date: {token}") from None

    def datetime(self, children: list[Token]) -> DateTimeValue:
        token = children[0]
        try:
            return DateTimeValue(parse_datetime(token))
        except (ValueError, OverflowError):
            raise _Problem(_at(token), f"Invalid datetime: {token}") from None

    def date_literal(self, children: list[Token]) -> DateLiteral:
        token = children[0]
        name, _, n = token.partition(":")
        takes_n = DATE_LITERALS.get(name.upper())
        if takes_n is None:
            raise _Problem(_at(token), f"unexpected token: '{token}'")
        if takes_n and not n:
            raise _Problem(_at(token), f"{name} needs a number of units, as in {name}:7")
        if n and not takes_n:
            raise _Problem(_at(token), f"{name} takes no number: write {name} alone")
        return DateLiteral(name.upper(), _integer(n, _at(token)) if n else None)

    def group_by(
        self, children: list[Any]
    ) -> tuple[str, tuple[Subtotals | None, tuple[Field | DateFunction, ...]]]:
        if isinstance(children[0], Token):
            return "group_by", (Subtotals(children[0].upper()), tuple(children[1:]))
        return "group_by", (None, tuple(children))

    def having(self, children: list[Condition]) -> tuple[str, Condition]:
        return "having", children[0]

    def grouping(self, children: list[Any]) -> Grouping:
        _grouping, field, *alias = children
        return Grouping(field, *_alias(alias))

    def aggregate_call(self, children: list[Any]) -> Count | Aggregate | Grouping:
        function, field = children
        if function.type == "COUNT":
            return Count(field)
        if function.type == "GROUPING":
            return Grouping(field)
        return Aggregate(Function(function.upper()), field)

    def aggregate_comparison(self, children: list[Any]) -> AggregateComparison:
        aggregate, comparator, value = children
        return AggregateComparison(aggregate, _COMPARATORS[comparator], value)

    def order_by(self, items: list[OrderItem]) -> tuple[str, tuple[OrderItem, ...]]:
        return "order_by", tuple(items)

    def order_item(self, children: list[Any]) -> OrderItem:
        field, *words = children
        direction, nulls = Direction.ASC, None
        for word in words:
            if word.type == "DIRECTION":
                direction = Direction(word.upper())
            else:
                nulls = Nulls(word.upper())
        return OrderItem(field, direction, nulls)

    def limit(self, children: list[Token]) -> tuple[str, int]:
        return "limit", _integer(children[0], _at(children[0]))

    def offset(self, children: list[Token]) -> tuple[str, int]:
        return "offset", _integer(children[0], _at(children[0]))

    def using_scope(self, children: list[Token]) -> tuple[str, str]:
        name = children[0]
        if name.lower() not in FILTER_SCOPES:
            raise _Problem(_at(name), f"Invalid scope: {name}")
        return "scope", str(name)

    def with_access(self, children: list[Token]) -> tuple[str, Access]:
        return "access", Access(str(children[0]).upper())

    def for_tracking(self, children: list[Token]) -> tuple[str, tuple[Tracking, ...]]:
        return "tracking", tuple(dict.fromkeys(Tracking(str(c).upper()) for c in children))


def _integer(digits: str, pos: int) -> int:
    """LIMIT, OFFSET and `:n` are Salesforce (Java) ints."""
    if len(digits) > len(str(_MAX_INTEGER)) or int(digits) > _MAX_INTEGER:
        raise _Problem(pos, f"Integer {digits} is too large: the most is {_MAX_INTEGER}")
    return int(digits)


def _at(token: Token) -> int:
    """Where `token` starts; tokens from the lexer always know."""
    return token.start_pos or 0


def _alias(alias: list[Token]) -> tuple[str | None, int | None]:
    """An item's optional alias (`COUNT(Id) n`) and where it stands."""
    return (str(alias[0]), _at(alias[0])) if alias else (None, None)


def _decode(token: Token, *, like: bool) -> str:
    try:
        return decode_string(token[1:-1], like=like)
    except EscapeError as exc:
        raise _Problem(_at(token) + 1 + exc.offset, exc.detail) from None
