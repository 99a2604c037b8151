"""Hypothesis strategies for SOQL syntax trees: everything SOQL can say, nothing it cannot."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from hypothesis import strategies as st

from forcebridge.soql.ast import (
    Access,
    Aggregate,
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
    SelectItem,
    StringValue,
    Subtotals,
    Tracking,
    TypeOf,
    Value,
    When,
)
from forcebridge.soql.dates import DATE_LITERALS
from forcebridge.soql.literals import RESERVED_WORDS, escape_like
from forcebridge.soql.tree_builder import FILTER_SCOPES

names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,14}", fullmatch=True).filter(
    lambda name: name.upper() not in RESERVED_WORDS
)
fields = st.lists(names, min_size=1, max_size=3).map(lambda path: Field(tuple(path)))

_zones = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(dt.timedelta(hours=-8))]
)
_date_literals = st.sampled_from(sorted(DATE_LITERALS)).flatmap(
    lambda name: (
        st.builds(DateLiteral, st.just(name), st.integers(0, 5000))
        if DATE_LITERALS[name]
        else st.just(DateLiteral(name))
    )
)

scalars: st.SearchStrategy[Value] = st.one_of(
    st.text().map(StringValue),
    st.decimals(
        min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=4, allow_nan=False
    ).map(NumberValue),
    st.integers(-(10**25), 10**25).map(lambda n: NumberValue(Decimal(n))),
    st.sampled_from([2**63, -(2**63) - 1, 10**20]).map(lambda n: NumberValue(Decimal(n))),
    st.booleans().map(BooleanValue),
    st.just(NullValue()),
    st.dates(dt.date(1700, 1, 1), dt.date(4000, 12, 31)).map(DateValue),
    st.datetimes(dt.datetime(1700, 1, 2), dt.datetime(4000, 12, 30), timezones=_zones).map(
        DateTimeValue
    ),
    _date_literals,
)

like_patterns = st.lists(
    st.one_of(st.text(max_size=8).map(escape_like), st.sampled_from(["%", "_"]))
).map("".join)

_value_lists = st.lists(scalars, min_size=1, max_size=4).map(tuple)
_string_lists = st.lists(st.text().map(StringValue), min_size=1, max_size=4).map(tuple)

_orderings = st.sampled_from(
    [Operator.EQ, Operator.NE, Operator.LT, Operator.LE, Operator.GT, Operator.GE]
)


def _compound(children: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
    operands = st.lists(children, min_size=2, max_size=4).map(tuple)
    return st.one_of(children.map(Not), operands.map(And), operands.map(Or))


def date_calls_over(fields: st.SearchStrategy[Field]) -> st.SearchStrategy[DateFunction]:
    return st.builds(DateFunction, st.sampled_from(list(DateFunctionName)), fields, st.booleans())


def conditions_over(fields: st.SearchStrategy[Field]) -> st.SearchStrategy[Condition]:
    """WHERE conditions comparing `fields`, and date functions of them, with any value."""
    date_calls = date_calls_over(fields)
    comparisons = st.one_of(
        st.builds(Comparison, fields, _orderings, scalars),
        st.builds(Comparison, fields, st.just(Operator.LIKE), like_patterns.map(StringValue)),
        st.builds(
            Comparison, fields, st.sampled_from([Operator.IN, Operator.NOT_IN]), _value_lists
        ),
        st.builds(
            Comparison,
            fields,
            st.sampled_from([Operator.INCLUDES, Operator.EXCLUDES]),
            _string_lists,
        ),
        st.builds(DateComparison, date_calls, _orderings, scalars),
        st.builds(
            DateComparison,
            date_calls,
            st.sampled_from([Operator.IN, Operator.NOT_IN]),
            _value_lists,
        ),
    )
    return st.recursive(comparisons, _compound, max_leaves=8)


def aggregates_over(
    fields: st.SearchStrategy[Field],
) -> st.SearchStrategy[Count | Aggregate | Grouping]:
    return st.one_of(
        st.builds(Count, fields, st.none() | names),
        st.builds(Aggregate, st.sampled_from(list(Function)), fields, st.none() | names),
        st.builds(Grouping, fields, st.none() | names),
    )


def query_trees(
    fields: st.SearchStrategy[Field], sobjects: st.SearchStrategy[str]
) -> st.SearchStrategy[Query]:
    """Queries on `sobjects` that name `fields`, any clause with any other."""
    date_calls = date_calls_over(fields)
    conditions = conditions_over(fields)
    aggregates = aggregates_over(fields)
    select_items: st.SearchStrategy[SelectItem] = st.one_of(
        fields,
        st.just(Count()),
        aggregates,
        st.sampled_from(list(FieldsKind)).map(Fields),
        fields.map(Label),
        st.builds(
            DateFunction,
            st.sampled_from(list(DateFunctionName)),
            fields,
            st.booleans(),
            st.none() | names,
        ),
        st.builds(
            TypeOf,
            names,
            st.lists(
                st.builds(When, names, st.lists(fields, min_size=1, max_size=3).map(tuple)),
                min_size=1,
                max_size=3,
            ).map(tuple),
            st.lists(fields, max_size=2).map(tuple),
        ),
    )
    order_items = st.builds(
        OrderItem,
        fields | date_calls | aggregates.map(lambda item: replace(item, alias=None)),
        st.sampled_from(list(Direction)),
        st.none() | st.sampled_from(list(Nulls)),
    )
    return st.builds(
        Query,
        select=st.lists(select_items, min_size=1, max_size=5).map(tuple),
        sobject=sobjects,
        where=st.none() | conditions,
        group_by=st.lists(fields | date_calls, max_size=3).map(tuple),
        subtotals=st.none() | st.sampled_from(list(Subtotals)),
        having=st.none() | conditions,
        order_by=st.lists(order_items, max_size=3).map(tuple),
        limit=st.none() | st.integers(0, 50_000),
        offset=st.none() | st.integers(0, 2_000),
        scope=st.none() | st.sampled_from(sorted(FILTER_SCOPES)).map(str.capitalize),
        access=st.none() | st.sampled_from(list(Access)),
        tracking=st.lists(st.sampled_from(list(Tracking)), max_size=2, unique=True).map(tuple),
    ).map(lambda query: query if query.group_by else replace(query, subtotals=None))


queries = query_trees(fields, names)
