import datetime as dt
import re
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
)
from forcebridge.soql.dates import DATE_LITERALS
from forcebridge.soql.errors import MalformedQuery
from forcebridge.soql.literals import RESERVED_WORDS
from forcebridge.soql.parser import MAX_QUERY_LENGTH, parse


def f(*path: str) -> Field:
    return Field(path)


def where(condition_text: str) -> object:
    query = parse(f"SELECT Id FROM Contact WHERE {condition_text}")
    return query.where


def value_of(literal_text: str) -> object:
    condition = where(f"X = {literal_text}")
    assert isinstance(condition, Comparison)
    return condition.value


def test_a_pull_query_parses_to_its_tree() -> None:
    query = parse(
        "SELECT Id, Email, Account.Owner.Name FROM Contact "
        "WHERE SystemModstamp >= 2024-11-07T07:00:00.000Z AND Email != null "
        "ORDER BY SystemModstamp, Id LIMIT 2000 OFFSET 10"
    )
    assert query == Query(
        select=(f("Id"), f("Email"), f("Account", "Owner", "Name")),
        sobject="Contact",
        where=And(
            (
                Comparison(
                    f("SystemModstamp"),
                    Operator.GE,
                    DateTimeValue(dt.datetime(2024, 11, 7, 7, tzinfo=dt.UTC)),
                ),
                Comparison(f("Email"), Operator.NE, NullValue()),
            )
        ),
        order_by=(OrderItem(f("SystemModstamp")), OrderItem(f("Id"))),
        limit=2000,
        offset=10,
    )


def test_count_and_fields_functions() -> None:
    query = parse("SELECT COUNT(), COUNT(Id) total, COUNT(Account.Id), FIELDS(STANDARD) FROM Lead")
    assert query.select == (
        Count(),
        Count(f("Id"), "total"),
        Count(f("Account", "Id")),
        Fields(FieldsKind.STANDARD),
    )


def test_a_child_subquery_parses_to_a_query_on_its_relationship() -> None:
    query = parse(
        "SELECT Name, (SELECT LastName, Owner.Alias FROM Contacts WHERE Email != null "
        "ORDER BY LastName DESC LIMIT 5) FROM Account"
    )
    assert query.select == (
        f("Name"),
        Subquery(
            Query(
                select=(f("LastName"), f("Owner", "Alias")),
                sobject="Contacts",
                where=Comparison(f("Email"), Operator.NE, NullValue()),
                order_by=(OrderItem(f("LastName"), Direction.DESC),),
                limit=5,
            )
        ),
    )


@pytest.mark.parametrize(
    ("aliased", "plain"),
    [
        (
            "SELECT c.LastName, c.Account.Name FROM Contact c WHERE c.Title != null "
            "ORDER BY c.LastName DESC LIMIT 5",
            "SELECT LastName, Account.Name FROM Contact WHERE Title != null "
            "ORDER BY LastName DESC LIMIT 5",
        ),
        (
            "SELECT count() FROM Contact c, c.Account a WHERE a.name = 'MyriadPubs'",
            "SELECT count() FROM Contact WHERE Account.name = 'MyriadPubs'",
        ),
        (
            "SELECT o.Name FROM Contact c, c.Account a, a.Owner o, Contact.ReportsTo r "
            "WHERE r.LastName = 'Boss'",
            "SELECT Account.Owner.Name FROM Contact WHERE ReportsTo.LastName = 'Boss'",
        ),
        (
            "SELECT c.LeadSource, COUNT(c.Id) n FROM Contact c GROUP BY c.LeadSource "
            "HAVING COUNT(c.Id) > 1 ORDER BY COUNT(c.Id) DESC",
            "SELECT LeadSource, COUNT(Id) n FROM Contact GROUP BY LeadSource "
            "HAVING COUNT(Id) > 1 ORDER BY COUNT(Id) DESC",
        ),
        (
            "SELECT a.Name, (SELECT x.LastName FROM a.Contacts x WHERE x.Email != null "
            "ORDER BY x.LastName) FROM Account a",
            "SELECT Name, (SELECT LastName FROM Account.Contacts WHERE Email != null "
            "ORDER BY LastName) FROM Account",
        ),
        (
            "SELECT c.Id FROM Contact c WHERE c.AccountId IN (SELECT a.Id FROM Account a "
            "WHERE a.Name LIKE 'A%') AND CALENDAR_YEAR(c.Birthdate) = 1990",
            "SELECT Id FROM Contact WHERE AccountId IN "
            "(SELECT Id FROM Account WHERE Name LIKE 'A%') AND CALENDAR_YEAR(Birthdate) = 1990",
        ),
        (
            "SELECT Id FROM Contact c USING SCOPE mine FOR VIEW",
            "SELECT Id FROM Contact USING SCOPE mine FOR VIEW",
        ),
    ],
)
def test_an_alias_stands_for_its_object_or_relationship_anywhere_in_the_query(
    aliased: str, plain: str
) -> None:
    """SOQL reference, "Alias Notation": paths starting with an alias read as the paths it
    stands for, in every clause, a subquery's and a semi-join's aliases their own."""
    assert parse(aliased) == parse(plain)


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("SELECT Id FROM Contact Order", "<EOF>"),
        ("SELECT Id FROM Contact c OFFSET", "<EOF>"),
        ("SELECT Id FROM Contact Where", "<EOF>"),
        ("SELECT Id, (SELECT Id FROM Contacts c OFFSET 1) FROM Account", "OFFSET"),
    ],
)
def test_a_clause_keyword_after_from_is_never_an_alias(text: str, refused: str) -> None:
    with pytest.raises(MalformedQuery, match=f"unexpected token: '{re.escape(refused)}'"):
        parse(text)


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("SELECT Id, (SELECT COUNT() FROM Contacts) FROM Account", "("),
        ("SELECT Id, (SELECT Id FROM Contacts OFFSET 1) FROM Account", "OFFSET"),
        ("SELECT Id, (SELECT Id FROM Contacts GROUP BY Id) FROM Account", "GROUP"),
        ("SELECT Id, (SELECT toLabel(Title) FROM Contacts) FROM Account", "("),
        ("SELECT Id FROM Account.Contacts", "."),
    ],
)
def test_a_subquery_selects_fields_and_takes_no_offset(text: str, refused: str) -> None:
    with pytest.raises(MalformedQuery, match=f"unexpected token: '{re.escape(refused)}'"):
        parse(text)


def test_a_subquery_names_its_relationship_through_the_parent_and_nests() -> None:
    """ "Understanding Relationship Names" and "Using Relationship Queries" write these."""
    named = parse(
        "SELECT Account.Name, (SELECT Contact.FirstName, Contact.LastName FROM Account.Contacts) "
        "FROM Account LIMIT 1"
    )
    nested = parse(
        "SELECT Name, (SELECT FIELDS(ALL), (SELECT Subject FROM Tasks LIMIT 2) FROM Contacts "
        "LIMIT 200) FROM Account"
    )

    assert named.select[1] == Subquery(
        Query(
            select=(f("Contact", "FirstName"), f("Contact", "LastName")),
            sobject="Contacts",
            parent_object="Account",
        )
    )
    assert nested.select[1] == Subquery(
        Query(
            select=(
                Fields(FieldsKind.ALL),
                Subquery(Query(select=(f("Subject"),), sobject="Tasks", limit=2)),
            ),
            sobject="Contacts",
            limit=200,
        )
    )


def test_group_by_and_aggregate_functions() -> None:
    query = parse(
        "SELECT LeadSource, count_distinct(Email) people, MAX(CreatedDate), Sum(Amount__c) "
        "FROM Lead GROUP BY LeadSource, Owner.Alias"
    )
    assert query.select == (
        f("LeadSource"),
        Aggregate(Function.COUNT_DISTINCT, f("Email"), "people"),
        Aggregate(Function.MAX, f("CreatedDate")),
        Aggregate(Function.SUM, f("Amount__c")),
    )
    assert query.group_by == (f("LeadSource"), f("Owner", "Alias"))


def test_having_compares_aggregates_and_grouped_fields() -> None:
    query = parse(
        "SELECT Email FROM Contact GROUP BY Email HAVING COUNT(Id) > 1 AND NOT Email = null"
    )
    assert query.having == And(
        (
            AggregateComparison(Count(f("Id")), Operator.GT, NumberValue(Decimal(1))),
            Not(Comparison(f("Email"), Operator.EQ, NullValue())),
        )
    )
    with pytest.raises(MalformedQuery, match="unexpected token: '\\('"):
        parse("SELECT Id FROM Contact WHERE COUNT(Id) > 1")  # only HAVING compares aggregates


def test_an_aggregate_query_may_order_by_its_aggregates() -> None:
    query = parse("SELECT Title FROM Contact GROUP BY Title ORDER BY COUNT(Id) DESC, Title")
    assert query.order_by == (
        OrderItem(Count(f("Id")), Direction.DESC),
        OrderItem(f("Title")),
    )


def test_date_functions_group_filter_and_order() -> None:
    query = parse(
        "SELECT calendar_year(CloseDate) yr, HOUR_IN_DAY(convertTimezone(CreatedDate)), "
        "COUNT(Id) FROM Opportunity WHERE DAY_IN_WEEK(CloseDate) IN (1, 7) "
        "AND DAY_ONLY(CreatedDate) >= 2024-01-01 "
        "GROUP BY CALENDAR_YEAR(CloseDate), HOUR_IN_DAY(convertTimezone(CreatedDate)) "
        "HAVING CALENDAR_YEAR(CloseDate) > 2020 ORDER BY CALENDAR_YEAR(CloseDate) DESC"
    )
    year = DateFunction(DateFunctionName.CALENDAR_YEAR, f("CloseDate"))
    hour = DateFunction(DateFunctionName.HOUR_IN_DAY, f("CreatedDate"), in_user_zone=True)
    weekday = DateFunction(DateFunctionName.DAY_IN_WEEK, f("CloseDate"))
    day = DateFunction(DateFunctionName.DAY_ONLY, f("CreatedDate"))
    two = (NumberValue(Decimal(1)), NumberValue(Decimal(7)))
    assert query.select == (
        DateFunction(year.function, year.field, alias="yr"),
        hour,
        Count(f("Id")),
    )
    assert query.where == And(
        (
            DateComparison(weekday, Operator.IN, two),
            DateComparison(day, Operator.GE, DateValue(dt.date(2024, 1, 1))),
        )
    )
    assert query.group_by == (year, hour)
    assert query.having == DateComparison(year, Operator.GT, NumberValue(Decimal(2020)))
    assert query.order_by == (OrderItem(year, Direction.DESC),)


def test_rollup_and_cube_group_with_subtotals_that_grouping_identifies() -> None:
    query = parse(
        "SELECT LeadSource, Rating, GROUPING(LeadSource) grpLS, COUNT(Name) FROM Lead "
        "GROUP BY rollup(LeadSource, Rating) HAVING GROUPING(Rating) = 0 "
        "ORDER BY GROUPING(LeadSource) DESC"
    )
    assert query.select[2] == Grouping(f("LeadSource"), "grpLS")
    assert (query.group_by, query.subtotals) == ((f("LeadSource"), f("Rating")), Subtotals.ROLLUP)
    assert query.having == AggregateComparison(
        Grouping(f("Rating")), Operator.EQ, NumberValue(Decimal(0))
    )
    assert query.order_by == (OrderItem(Grouping(f("LeadSource")), Direction.DESC),)
    cube = parse("SELECT Type FROM Account GROUP BY CUBE(Type, BillingCountry)")
    assert cube.subtotals is Subtotals.CUBE
    plain = parse("SELECT Cube, Rollup FROM Grouping GROUP BY Cube, Rollup ORDER BY Grouping")
    assert (plain.sobject, plain.group_by, plain.subtotals) == (
        "Grouping",
        (f("Cube"), f("Rollup")),
        None,
    )
    with pytest.raises(MalformedQuery, match="unexpected token: ','"):
        parse("SELECT Type FROM Account GROUP BY ROLLUP(Type), Industry")


def test_a_date_function_takes_no_includes_and_convert_timezone_only_inside_one() -> None:
    with pytest.raises(MalformedQuery, match="INCLUDES cannot compare a date function"):
        parse("SELECT Id FROM Contact WHERE CALENDAR_YEAR(Birthdate) INCLUDES (1)")
    with pytest.raises(MalformedQuery, match="unexpected token: '\\('"):
        parse("SELECT convertTimezone(CreatedDate) FROM Contact")


def test_function_names_are_still_usable_as_field_and_object_names() -> None:
    query = parse("SELECT Max, Sum__c, Min.Name FROM Avg WHERE Max = 1 ORDER BY Count_Distinct")
    assert query.select == (f("Max"), f("Sum__c"), f("Min", "Name"))
    assert (query.sobject, query.order_by) == ("Avg", (OrderItem(f("Count_Distinct")),))
    dated = parse("SELECT Calendar_Year, convertTimezone FROM Day_Only WHERE Hour_In_Day = 1")
    assert dated.select == (f("Calendar_Year"), f("convertTimezone"))
    assert dated.where == Comparison(f("Hour_In_Day"), Operator.EQ, NumberValue(Decimal(1)))


def test_a_semi_join_compares_with_the_ids_another_query_selects() -> None:
    condition = where("AccountId NOT IN (SELECT Id FROM Account WHERE Industry = 'Tech')")

    assert condition == Comparison(
        f("AccountId"),
        Operator.NOT_IN,
        SemiJoin(
            Query(
                select=(f("Id"),),
                sobject="Account",
                where=Comparison(f("Industry"), Operator.EQ, StringValue("Tech")),
            )
        ),
    )
    with pytest.raises(MalformedQuery, match="INCLUDES cannot take a sub-select"):
        parse("SELECT Id FROM Contact WHERE Tags__c INCLUDES (SELECT Id FROM Account)")


@pytest.mark.parametrize("kind", list(FieldsKind))
def test_every_fields_kind(kind: FieldsKind) -> None:
    assert parse(f"SELECT FIELDS({kind.value.lower()}) FROM Contact LIMIT 200").select == (
        Fields(kind),
    )


def test_count_and_fields_are_still_usable_as_names() -> None:
    query = parse("SELECT Count, Fields FROM Order WHERE Count > 1 ORDER BY Fields")
    assert query.select == (f("Count"), f("Fields"))
    assert query.sobject == "Order"


def test_keywords_are_case_insensitive_and_names_keep_their_case() -> None:
    upper = parse(
        "SELECT Id FROM Contact WHERE NOT (Name LIKE 'a%' OR Email IN ('x')) AND Flag = TRUE "
        "ORDER BY Name DESC NULLS LAST LIMIT 5"
    )
    lower = parse(
        "select Id from Contact where not (Name like 'a%' or Email in ('x')) and Flag = true "
        "order by Name desc nulls last limit 5"
    )
    assert upper == lower
    assert parse("select firstName from myObject__c").select == (f("firstName"),)
    assert parse("select firstName from myObject__c").sobject == "myObject__c"


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("=", Operator.EQ),
        ("!=", Operator.NE),
        ("<>", Operator.NE),
        ("<", Operator.LT),
        ("<=", Operator.LE),
        (">", Operator.GT),
        (">=", Operator.GE),
    ],
)
def test_comparison_operators(text: str, op: Operator) -> None:
    assert where(f"Amount {text} 5") == Comparison(f("Amount"), op, NumberValue(Decimal(5)))


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("IN", Operator.IN),
        ("NOT IN", Operator.NOT_IN),
        ("not  in", Operator.NOT_IN),
        ("INCLUDES", Operator.INCLUDES),
        ("EXCLUDES", Operator.EXCLUDES),
    ],
)
def test_set_operators_take_a_list(text: str, op: Operator) -> None:
    assert where(f"Tags__c {text} ('a;b', 'c')") == Comparison(
        f("Tags__c"), op, (StringValue("a;b"), StringValue("c"))
    )


def test_in_list_takes_any_literal() -> None:
    assert where("X IN (1, 'a', null, 2024-01-31)") == Comparison(
        f("X"),
        Operator.IN,
        (NumberValue(Decimal(1)), StringValue("a"), NullValue(), DateValue(dt.date(2024, 1, 31))),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'hello'", StringValue("hello")),
        ("''", StringValue("")),
        ("42", NumberValue(Decimal(42))),
        ("-1.25", NumberValue(Decimal("-1.25"))),
        ("+3", NumberValue(Decimal(3))),
        (".5", NumberValue(Decimal("0.5"))),
        ("true", BooleanValue(True)),
        ("FALSE", BooleanValue(False)),
        ("NULL", NullValue()),
        ("2024-01-31", DateValue(dt.date(2024, 1, 31))),
        ("2024-01-31T10:00:00Z", DateTimeValue(dt.datetime(2024, 1, 31, 10, tzinfo=dt.UTC))),
        ("2024-01-31T10:00:00+02:00", DateTimeValue(dt.datetime(2024, 1, 31, 8, tzinfo=dt.UTC))),
        ("2024-01-31T10:00:00-0800", DateTimeValue(dt.datetime(2024, 1, 31, 18, tzinfo=dt.UTC))),
        (
            "2024-01-31T10:00:00.250+0000",
            DateTimeValue(dt.datetime(2024, 1, 31, 10, 0, 0, 250_000, tzinfo=dt.UTC)),
        ),
        ("TODAY", DateLiteral("TODAY")),
        ("last_n_days:7", DateLiteral("LAST_N_DAYS", 7)),
    ],
)
def test_literals(text: str, expected: object) -> None:
    assert value_of(text) == expected


@pytest.mark.parametrize(("name", "takes_n"), sorted(DATE_LITERALS.items()))
def test_every_date_literal(name: str, takes_n: bool) -> None:
    written = f"{name}:3" if takes_n else name
    assert value_of(written.lower()) == DateLiteral(name, 3 if takes_n else None)


@pytest.mark.parametrize(
    ("escaped", "meaning"),
    [
        (r"\n", "\n"),
        (r"\N", "\n"),
        (r"\r", "\r"),
        (r"\R", "\r"),
        (r"\t", "\t"),
        (r"\T", "\t"),
        (r"\b", "\b"),
        (r"\f", "\f"),
        (r"\"", '"'),
        (r"\'", "'"),
        (r"\\", "\\"),
        (r"\u00e9", "é"),
    ],
)
def test_string_escapes(escaped: str, meaning: str) -> None:
    assert value_of(f"'a{escaped}b'") == StringValue(f"a{meaning}b")


def test_like_keeps_escaped_wildcards_literal_and_the_rest_as_wildcards() -> None:
    condition = where(r"Name LIKE 'Ter\%\_x%_\\y\'s'")
    assert condition == Comparison(f("Name"), Operator.LIKE, StringValue(r"Ter\%\_x%_\\y's"))


def test_percent_and_underscore_escapes_only_belong_in_like() -> None:
    text = r"SELECT Id FROM Contact WHERE Name = 'Ter\%'"
    with pytest.raises(MalformedQuery) as caught:
        parse(text)
    assert (caught.value.row, caught.value.column) == (1, text.index("\\") + 1)
    assert r"'\%'" in caught.value.detail


def test_unknown_escape_points_at_the_backslash() -> None:
    text = r"SELECT Id FROM Contact WHERE Name = 'a\qb'"
    with pytest.raises(MalformedQuery) as caught:
        parse(text)
    assert caught.value.column == text.index("\\") + 1
    assert caught.value.detail == r"Illegal character sequence '\q' in string literal"


def test_not_and_parentheses() -> None:
    assert where("NOT (A = 1 OR B = 2) AND (C = 3 OR NOT D = 4)") == And(
        (
            Not(Or((where("A = 1"), where("B = 2")))),  # type: ignore[arg-type]
            Or((where("C = 3"), Not(where("D = 4")))),  # type: ignore[arg-type]
        )
    )


def test_parentheses_keep_their_grouping() -> None:
    assert where("(A = 1 AND B = 2) AND C = 3") == And(
        (And((where("A = 1"), where("B = 2"))), where("C = 3"))  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("condition", "refused"),
    [
        ("A = 1 AND B = 2 OR C = 3", "OR"),
        ("A = 1 OR B = 2 AND C = 3", "AND"),
        ("NOT A = 1 OR B = 2 AND C = 3", "AND"),
    ],
)
def test_mixing_and_with_or_without_parentheses_is_refused(condition: str, refused: str) -> None:
    text = f"SELECT Id FROM Contact WHERE {condition}"
    with pytest.raises(MalformedQuery) as caught:
        parse(text)
    assert caught.value.column == text.rindex(f" {refused} ") + 2
    assert caught.value.detail == f"unexpected token: '{refused}'"


def test_order_by_directions_and_nulls() -> None:
    query = parse("SELECT Id FROM Contact ORDER BY A, B ASC, C DESC NULLS FIRST, D NULLS LAST")
    assert query.order_by == (
        OrderItem(f("A")),
        OrderItem(f("B"), Direction.ASC),
        OrderItem(f("C"), Direction.DESC, Nulls.FIRST),
        OrderItem(f("D"), Direction.ASC, Nulls.LAST),
    )


def test_positions_point_into_the_text() -> None:
    text = "SELECT Id,\n  Account.Name FROM   Contact WHERE Email = 'x'"
    query = parse(text)
    assert query.text == text
    assert query.sobject_pos == text.index("Contact")
    assert [item.pos for item in query.select] == [7, text.index("Account")]  # type: ignore[union-attr]
    assert query.where.field.pos == text.index("Email")  # type: ignore[union-attr]


def test_end_of_input_is_reported_as_salesforce_does() -> None:
    with pytest.raises(MalformedQuery) as caught:
        parse("SELECT Id FROM Contact WHERE")
    assert caught.value.error_code == "MALFORMED_QUERY"
    assert caught.value.message == (
        "\nSELECT Id FROM Contact WHERE\n                            ^\n"
        "ERROR at Row:1:Column:29\nunexpected token: '<EOF>'"
    )


def test_errors_on_later_lines_report_that_row() -> None:
    with pytest.raises(MalformedQuery) as caught:
        parse("SELECT Id\nFROM Contact\nWHERE Name = = 'x'")
    assert (caught.value.row, caught.value.column) == (3, 14)
    assert caught.value.message.startswith("\nWHERE Name = = 'x'\n             ^\n")


@pytest.mark.parametrize(
    ("text", "column", "detail"),
    [
        ("SELECT FROM Contact", 8, "unexpected token: 'FROM'"),
        ("SELECT Id, FROM Contact", 12, "unexpected token: 'FROM'"),
        # `Contact` reads as Id's alias, as Salesforce's grammar has it: FROM is what is missing.
        ("SELECT Id Contact", 18, "unexpected token: '<EOF>'"),
        ("SELECT Id Name Contact", 16, "unexpected token: 'Contact'"),
        ("SELECT Id FROM Contact LIMIT -1", 30, "unexpected token: '-1'"),
        (
            "SELECT Id FROM Contact WHERE A = 1 ; B",
            36,
            "line 1:35 no viable alternative at character ';'",
        ),
        (
            'SELECT Id FROM Contact WHERE Name = "x"',
            37,
            "line 1:36 no viable alternative at character '\"'",
        ),
        (
            "SELECT Id FROM Contact WHERE Name = 'x",
            39,
            "line 1:38 mismatched character '<EOF>' expecting '''",
        ),
        ("SELECT Id FROM Contact WHERE Name = Bob", 37, "unexpected token: 'Bob'"),
        ("SELECT Id FROM Contact WHERE Name LIKE 5", 40, "unexpected token: '5'"),
        ("SELECT Id FROM Contact WHERE Name IN ()", 39, "unexpected token: ')'"),
        ("SELECT Id FROM Contact WHERE D = 2024-02-30", 34, "Invalid date: 2024-02-30"),
        (
            "SELECT Id FROM Contact WHERE D = LAST_N_DAYS",
            34,
            "LAST_N_DAYS needs a number of units, as in LAST_N_DAYS:7",
        ),
        (
            "SELECT Id FROM Contact WHERE D = TODAY:2",
            34,
            "TODAY takes no number: write TODAY alone",
        ),
        (
            "SELECT Id FROM Contact ORDER BY Name LIMIT 5 WHERE A = 1",
            46,
            "unexpected token: 'WHERE'",
        ),
    ],
)
def test_malformed_queries(text: str, column: int, detail: str) -> None:
    with pytest.raises(MalformedQuery) as caught:
        parse(text)
    assert (caught.value.row, caught.value.column, caught.value.detail) == (1, column, detail)


@pytest.mark.parametrize("word", sorted(RESERVED_WORDS))
def test_reserved_words_are_not_names(word: str) -> None:
    with pytest.raises(MalformedQuery):
        parse(f"SELECT Id FROM Contact WHERE {word.lower()} = 1")


def test_overlong_queries_are_refused_whole() -> None:
    text = "SELECT Id FROM Contact WHERE Name IN ('" + "x" * MAX_QUERY_LENGTH + "')"
    with pytest.raises(MalformedQuery) as caught:
        parse(text)
    assert caught.value.row is None
    assert caught.value.message == "SOQL statements cannot be longer than 100,000 characters."


_soqlish = st.lists(
    st.sampled_from(
        [
            "SELECT", "Id", "Account.Name", ",", "FROM", "Contact", "WHERE", "AND", "OR", "NOT",
            "(", ")", "=", "<>", "LIKE", "IN", "'a\\'", "'x'", "'", "\\", "1", "-2.5",
            "2024-01-31", "2024-01-31T10:00:00Z", "TODAY", "LAST_N_DAYS:", "LAST_N_DAYS:9",
            "ORDER BY", "DESC", "NULLS", "LIMIT", "OFFSET", "99999999999", "COUNT()", ":", " ",
        ]
    )
).map(" ".join)  # fmt: skip


@given(st.text() | _soqlish)
def test_any_text_parses_or_is_malformed_never_anything_else(text: str) -> None:
    try:
        parse(text)
    except MalformedQuery as error:
        assert error.row is not None
