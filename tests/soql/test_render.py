import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.soql.ast import (
    Aggregate,
    AggregateComparison,
    And,
    BooleanValue,
    Comparison,
    Count,
    DateLiteral,
    DateTimeValue,
    DateValue,
    Direction,
    Field,
    Fields,
    FieldsKind,
    Function,
    NullValue,
    NumberValue,
    Operator,
    OrderItem,
    Query,
    SemiJoin,
    StringValue,
    Subquery,
    Value,
)
from forcebridge.soql.parser import parse
from forcebridge.soql.render import to_soql
from tests.soql.strategies import queries

ID = (Field(("Id",)),)
PLUS_TWO = dt.timezone(dt.timedelta(hours=2))


def filtered(op: Operator, value: Value | tuple[Value, ...]) -> Query:
    return Query(select=ID, sobject="Contact", where=Comparison(Field(("X",)), op, value))


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        (StringValue("O'Brien"), r"'O\'Brien'"),
        (StringValue("C:\\temp\\"), r"'C:\\temp\\'"),
        (StringValue("two\nlines\r\n\ttabbed\b\f"), r"'two\nlines\r\n\ttabbed\b\f'"),
        (StringValue('say "hi"'), "'say \"hi\"'"),
        (StringValue("50%_off"), "'50%_off'"),
        (StringValue("café ☕ 日本 😀"), "'café ☕ 日本 😀'"),
        (StringValue("bell\x07nul\x00del\x7f"), r"'bell\u0007nul\u0000del\u007f'"),
        (NullValue(), "null"),
        (BooleanValue(True), "true"),
        (BooleanValue(False), "false"),
        (NumberValue(Decimal("1E+3")), "1000"),
        (NumberValue(Decimal("-0.000001")), "-0.000001"),
        (DateValue(dt.date(2024, 1, 31)), "2024-01-31"),
        (
            DateTimeValue(
                dt.datetime(2024, 11, 7, 9, 0, 0, 250_000, dt.timezone(dt.timedelta(hours=2)))
            ),
            "2024-11-07T07:00:00.250Z",
        ),
        (
            DateTimeValue(dt.datetime(2024, 11, 7, 7, 0, 0, 1, dt.UTC)),
            "2024-11-07T07:00:00.000001Z",
        ),
        (DateLiteral("LAST_N_DAYS", 7), "LAST_N_DAYS:7"),
        (DateLiteral("THIS_QUARTER"), "THIS_QUARTER"),
    ],
)
def test_values_are_spelled_as_soql_spells_them(value: Value, rendered: str) -> None:
    assert to_soql(filtered(Operator.EQ, value)) == f"SELECT Id FROM Contact WHERE X = {rendered}"


def test_a_like_pattern_keeps_its_escaped_wildcards() -> None:
    query = filtered(Operator.LIKE, StringValue(r"50\%\_off\\%"))
    assert to_soql(query).endswith(r"WHERE X LIKE '50\%\_off\\%'")


@pytest.mark.parametrize(
    "attack", ["x' OR Name != '", "x\\' OR Name != \\'", "x\\", "') OR (Id != '", "x' LIMIT 1 --"]
)
def test_injection_attempts_stay_one_literal(attack: str) -> None:
    single = filtered(Operator.EQ, StringValue(attack))
    assert parse(to_soql(single)) == single
    listed = filtered(Operator.IN, (StringValue(attack), StringValue("b")))
    assert parse(to_soql(listed)) == listed


@pytest.mark.parametrize(
    "query",
    [
        Query(select=(), sobject="A"),
        Query(select=(Count(None, "n"),), sobject="A"),
        Query(select=(Field(("bad name",)),), sobject="A"),
        Query(select=(Field(()),), sobject="A"),
        Query(select=ID, sobject="Contact WHERE Id != null"),
        Query(select=ID, sobject="A", where=And(())),
        Query(select=ID, sobject="A", offset=-5),
        Query(select=ID, sobject="A", limit=True),
        filtered(Operator.IN, ()),
        filtered(Operator.EQ, (NumberValue(Decimal(1)),)),
        filtered(Operator.LIKE, NumberValue(Decimal(1))),
        filtered(Operator.LIKE, StringValue("lone \\ backslash")),
        filtered(Operator.EQ, NumberValue(Decimal("Infinity"))),
        filtered(Operator.EQ, DateTimeValue(dt.datetime(2024, 1, 1))),
        filtered(Operator.EQ, DateLiteral("LAST_N_DAYS")),
        filtered(Operator.EQ, DateLiteral("TODAY", 1)),
        filtered(Operator.EQ, DateLiteral("SOMEDAY")),
    ],
)
def test_trees_soql_cannot_express_are_refused(query: Query) -> None:
    with pytest.raises(ValueError):
        to_soql(query)


def test_groups_and_aggregate_functions_render_and_parse_back() -> None:
    query = Query(
        select=(
            Field(("Title",), alias="role"),
            Aggregate(Function.AVG, Field(("Age__c",)), "age"),
        ),
        sobject="Contact",
        group_by=(Field(("Title",)),),
        having=AggregateComparison(
            Aggregate(Function.AVG, Field(("Age__c",))), Operator.GE, NumberValue(Decimal(30))
        ),
        order_by=(OrderItem(Count(Field(("Id",))), Direction.DESC),),
        limit=10,
    )

    assert to_soql(query) == (
        "SELECT Title role, AVG(Age__c) age FROM Contact GROUP BY Title"
        " HAVING AVG(Age__c) >= 30 ORDER BY COUNT(Id) DESC LIMIT 10"
    )
    parsed = parse(to_soql(query))
    assert parsed == query
    assert parsed.select[0] == Field(("Title",)) and parsed.select[0].alias == "role"


def test_a_semi_join_renders_its_sub_select_and_parses_back() -> None:
    ids = Query(select=ID, sobject="Account", where=filtered(Operator.EQ, StringValue("x")).where)
    account_in = Comparison(Field(("AccountId",)), Operator.IN, SemiJoin(ids))
    query = Query(select=ID, sobject="Contact", where=account_in)

    assert to_soql(query) == (
        "SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account WHERE X = 'x')"
    )
    assert parse(to_soql(query)) == query


def test_a_subquery_renders_in_parentheses_and_parses_back() -> None:
    children = Query(select=(Field(("LastName",)),), sobject="Contacts", limit=3)
    query = Query(select=(*ID, Subquery(children)), sobject="Account")

    assert to_soql(query) == "SELECT Id, (SELECT LastName FROM Contacts LIMIT 3) FROM Account"
    assert parse(to_soql(query)) == query


def test_a_subquery_through_its_parent_with_fields_and_a_subquery_parses_back() -> None:
    tasks = Query(select=(Field(("Subject",)),), sobject="Tasks")
    children = Query(
        select=(Fields(FieldsKind.ALL), Subquery(tasks)),
        sobject="Contacts",
        parent_object="Account",
        limit=200,
    )
    query = Query(select=(*ID, Subquery(children)), sobject="Account")

    assert to_soql(query) == (
        "SELECT Id, (SELECT FIELDS(ALL), (SELECT Subject FROM Tasks) FROM Account.Contacts "
        "LIMIT 200) FROM Account"
    )
    assert parse(to_soql(query)) == query


@pytest.mark.parametrize(
    "children",
    [
        Query(select=(Count(),), sobject="Contacts"),
        Query(select=ID, sobject="Contacts", offset=2),
        Query(select=(Field(("LastName",), alias="n"),), sobject="Contacts"),
    ],
)
def test_a_subquery_soql_cannot_express_is_refused(children: Query) -> None:
    with pytest.raises(ValueError, match="subquery"):
        to_soql(Query(select=(*ID, Subquery(children)), sobject="Account"))


def test_only_a_subquery_names_its_relationship_through_its_parent() -> None:
    with pytest.raises(ValueError, match="subquery"):
        to_soql(Query(select=ID, sobject="Contacts", parent_object="Account"))


def test_a_single_operand_and_renders_as_its_operand() -> None:
    comparison = Comparison(Field(("X",)), Operator.EQ, NullValue())
    query = Query(select=ID, sobject="A", where=And((comparison,)))
    assert to_soql(query) == "SELECT Id FROM A WHERE X = null"


@given(queries)
def test_what_is_rendered_parses_back_to_the_same_tree(query: Query) -> None:
    assert parse(to_soql(query)) == query


@given(st.text())
def test_any_string_survives_the_round_trip(text: str) -> None:
    query = filtered(Operator.EQ, StringValue(text))
    assert parse(to_soql(query)) == query
