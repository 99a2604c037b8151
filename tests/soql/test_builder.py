import datetime as dt
import sqlite3
from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.soql.ast import (
    BooleanValue,
    Count,
    DateLiteral,
    DateTimeValue,
    DateValue,
    Field,
    Fields,
    FieldsKind,
    Nulls,
    NullValue,
    NumberValue,
    StringValue,
)
from forcebridge.soql.builder import (
    Filter,
    contains,
    desc,
    eq,
    gt,
    gte,
    in_,
    like,
    literal,
    lt,
    ne,
    not_in,
    select,
    starts_with,
    to_soql,
)
from forcebridge.soql.parser import parse

WATERMARK = dt.datetime(2024, 11, 7, 9, 0, 0, 250_000, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def where_text(condition: Filter) -> str:
    """The WHERE clause `condition` renders to."""
    return to_soql(select("Id").from_("Contact").where(condition).build()).split(" WHERE ", 1)[1]


def test_the_pull_query() -> None:
    query = (
        select("Id", "Email", "Account.Name")
        .from_("Contact")
        .where(gte("SystemModstamp", WATERMARK) & in_("Email", ["a@example.com", "b@example.com"]))
        .order_by("SystemModstamp", "Id")
        .limit(2000)
        .build()
    )
    assert to_soql(query) == (
        "SELECT Id, Email, Account.Name FROM Contact "
        "WHERE SystemModstamp >= 2024-11-07T07:00:00.250Z "
        "AND Email IN ('a@example.com', 'b@example.com') "
        "ORDER BY SystemModstamp, Id LIMIT 2000"
    )


def test_every_clause() -> None:
    query = (
        select(Count())
        .from_("Lead")
        .where(eq("IsConverted", False), ne("Status", "Closed"))
        .order_by(desc("CreatedDate", Nulls.LAST), "Id")
        .limit(10)
        .offset(20)
        .build()
    )
    assert to_soql(query) == (
        "SELECT COUNT() FROM Lead WHERE IsConverted = false AND Status != 'Closed' "
        "ORDER BY CreatedDate DESC NULLS LAST, Id LIMIT 10 OFFSET 20"
    )
    assert to_soql(
        select(Count(Field(("Id",)), "n"), Fields(FieldsKind.ALL)).from_("A").build()
    ) == ("SELECT COUNT(Id) n, FIELDS(ALL) FROM A")


@pytest.mark.parametrize(
    "build",
    [
        lambda: select("Id FROM User"),
        lambda: select("FROM"),
        lambda: select("Account..Name"),
        lambda: select("Id").from_("Contact WHERE Id != null"),
        lambda: select("Id").from_("Contact").order_by("Id; DELETE"),
        lambda: eq("Name) OR (Id", 1),
        lambda: gt("", 1),
    ],
)
def test_names_that_are_not_identifiers_are_refused(build: object) -> None:
    with pytest.raises(ValueError, match="not a SOQL name"):
        build()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (lambda: eq("D", dt.datetime(2024, 1, 1)), ValueError),
        (lambda: eq("N", Decimal("NaN")), ValueError),
        (lambda: eq("N", float("inf")), ValueError),
        (lambda: eq("N", object()), TypeError),
        (lambda: in_("Email", []), ValueError),
        (lambda: like("Name", "50\\off"), ValueError),
        (lambda: select("Id").from_("A").limit(-1), ValueError),
        (lambda: select("Id").build(), ValueError),
        (lambda: select(), ValueError),
    ],
)
def test_values_soql_cannot_say_are_refused(build: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        build()  # type: ignore[operator]


def test_and_or_not_combine_with_the_parentheses_soql_needs() -> None:
    a, b, c = eq("A", 1), eq("B", 2), eq("C", 3)
    assert where_text(a & b & c) == "A = 1 AND B = 2 AND C = 3"
    assert (a & b) & c == a & (b & c)
    assert where_text(a & (b | c)) == "A = 1 AND (B = 2 OR C = 3)"
    assert where_text((a | b) & ~c) == "(A = 1 OR B = 2) AND NOT C = 3"
    assert where_text(~(a | b)) == "NOT (A = 1 OR B = 2)"
    assert where_text(~~a) == "NOT (NOT A = 1)"


def test_where_adds_conditions() -> None:
    base = select("Id").from_("Contact").where(eq("A", 1) | eq("B", 2))
    narrowed = base.where(lt("C", 3), not_in("D", ["x"]))
    assert to_soql(narrowed.build()).endswith("WHERE (A = 1 OR B = 2) AND C < 3 AND D NOT IN ('x')")
    assert to_soql(base.build()).endswith("WHERE A = 1 OR B = 2")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("x", StringValue("x")),
        (None, NullValue()),
        (True, BooleanValue(True)),
        (7, NumberValue(Decimal(7))),
        (1.1, NumberValue(Decimal("1.1"))),
        (Decimal("2.50"), NumberValue(Decimal("2.50"))),
        (dt.date(2024, 1, 31), DateValue(dt.date(2024, 1, 31))),
        (WATERMARK, DateTimeValue(WATERMARK)),
        (DateLiteral("TODAY"), DateLiteral("TODAY")),
        (StringValue("kept"), StringValue("kept")),
    ],
)
def test_python_values_become_soql_values(value: object, expected: object) -> None:
    assert literal(value) == expected


def test_datetimes_are_floored_to_the_millisecond_salesforce_keeps() -> None:
    moment = dt.datetime(2024, 1, 1, 12, 0, 0, 999_999, tzinfo=dt.UTC)
    assert literal(moment) == DateTimeValue(moment.replace(microsecond=999_000))


def test_like_helpers_escape_user_text() -> None:
    assert where_text(contains("Name", "50%_off\\")) == r"Name LIKE '%50\%\_off\\%'"
    assert where_text(starts_with("Name", "O'B")) == r"Name LIKE 'O\'B%'"
    assert where_text(like("Name", "a_c%")) == "Name LIKE 'a_c%'"


@pytest.fixture(scope="module")
def sqlite() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    yield connection
    connection.close()


_tricky = st.text(alphabet="ab%_\\' ", max_size=6)


@given(needle=_tricky, haystack=_tricky)
def test_a_parsed_contains_pattern_matches_exactly_the_text_as_sql_like(
    sqlite: sqlite3.Connection, needle: str, haystack: str
) -> None:
    """The pattern the sandbox gets is SQL `LIKE ... ESCAPE '\\'`: user text stays literal."""
    soql = to_soql(select("Id").from_("Contact").where(contains("Name", needle)).build())
    pattern = parse(soql).where.value.value  # type: ignore[union-attr]
    (matched,) = sqlite.execute("SELECT ? LIKE ? ESCAPE '\\'", (haystack, pattern)).fetchone()
    assert bool(matched) == (needle in haystack)
