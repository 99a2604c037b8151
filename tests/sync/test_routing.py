"""Routing rules evaluated in Python must admit exactly what the same SOQL condition selects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from simple_salesforce import Salesforce

from forcebridge.sandbox.server import SandboxServer
from forcebridge.sync.routing import EVERYTHING, Route, RoutingError, user_week_start, user_zone

NOW = dt.datetime(2024, 11, 7, 9, 0, tzinfo=dt.UTC)


def admits(condition: str, record: dict[str, Any]) -> bool:
    return Route.parse(condition).admits(record, now=NOW)


def test_no_condition_admits_every_record() -> None:
    assert Route.parse("  ") is EVERYTHING
    assert EVERYTHING.admits({}, now=NOW)


def test_text_compares_case_insensitively_and_a_null_is_a_value() -> None:
    assert admits("Region__c = 'west'", {"Region__c": "West"})
    assert not admits("Region__c = 'West'", {"Region__c": None})
    assert admits("Region__c != 'West'", {"Region__c": None})
    assert admits("NOT (Region__c = 'West')", {"Region__c": None})
    assert admits("Region__c = null", {"Region__c": None})
    assert not admits("Region__c < 'M'", {"Region__c": None})
    assert admits("Region__c NOT IN ('West', 'North')", {"Region__c": None})
    assert not admits("Region__c NOT IN ('West', null)", {"Region__c": None})


def test_like_patterns_keep_escaped_wildcards_literal() -> None:
    assert admits("Name LIKE 'ac%'", {"Name": "ACME Corp"})
    assert admits("Name LIKE '50\\%%'", {"Name": "50% off"})
    assert not admits("Name LIKE '50\\%%'", {"Name": "500 off"})
    assert admits("Name LIKE 'a_c'", {"Name": "abc"})


def test_multi_select_picklists_include_all_parts_of_one_alternative() -> None:
    record = {"Interests__c": "Golf;Tennis"}
    assert admits("Interests__c INCLUDES ('golf;tennis', 'Chess')", record)
    assert not admits("Interests__c INCLUDES ('Golf;Chess')", record)
    assert admits("Interests__c EXCLUDES ('Chess')", record)


def test_a_multi_select_picklist_equals_the_values_chosen_in_any_order() -> None:
    """Known as one once verified against the describe: a text field's `;` is its own."""
    chosen = Route(
        Route.parse("Interests__c = 'tennis;Golf'").condition, frozenset({"interests__c"})
    )
    other = Route(
        Route.parse("Interests__c != 'Tennis;Golf'").condition, frozenset({"interests__c"})
    )
    text = Route.parse("Interests__c = 'Tennis;Golf'")

    assert chosen.admits({"Interests__c": "Golf;Tennis"}, now=NOW)
    assert not chosen.admits({"Interests__c": "Golf"}, now=NOW)
    assert not other.admits({"Interests__c": "Golf;Tennis"}, now=NOW)
    assert other.admits({"Interests__c": None}, now=NOW)
    assert not text.admits({"Interests__c": "Golf;Tennis"}, now=NOW)


def test_a_fifteen_character_id_matches_its_eighteen_character_form() -> None:
    record = {"OwnerId": "005000000000001AAA"}
    assert admits("OwnerId = '005000000000001'", record)
    assert admits("OwnerId = '005000000000001aaa'", record)
    assert not admits("OwnerId = '005000000000002'", record)


def test_numbers_dates_and_checkboxes_compare_by_value() -> None:
    record = {
        "Score__c": Decimal("10.50"),
        "Birthdate": "1980-05-01",
        "CreatedDate": "2024-11-06T23:30:00.000+0000",
        "DoNotCall": False,
    }
    assert admits("Score__c >= 10.5 AND Score__c < 11", record)
    assert admits("Birthdate > 1980-01-01", record)
    assert admits("CreatedDate = YESTERDAY AND CreatedDate < TODAY", record)
    assert admits("CreatedDate = LAST_N_DAYS:2", record)
    assert not admits("CreatedDate > YESTERDAY", record)
    assert admits("DoNotCall = false", record)


@pytest.mark.parametrize(
    ("time_zone", "today"),
    [(None, True), ("Europe/Berlin", True), ("Pacific/Auckland", False), ("Nowhere/At_All", True)],
)
def test_date_literals_are_read_in_the_users_time_zone_or_utc_when_unknown(
    time_zone: str | None, today: bool
) -> None:
    record = {"CreatedDate": "2024-11-07T09:00:00.000+0000"}  # 22:00 in Auckland (UTC+13)
    now = dt.datetime(2024, 11, 7, 12, 0, tzinfo=dt.UTC)  # 01:00 the next day in Auckland
    route = Route.parse("CreatedDate = TODAY")

    assert route.admits(record, now=now, tz=user_zone(time_zone)) is today


@pytest.mark.parametrize(
    ("locale", "sunday_in_week"), [("en_GB", False), ("en_US", True), (None, True)]
)
def test_week_literals_start_on_the_first_day_of_the_users_locale_sunday_when_unknown(
    locale: str | None, sunday_in_week: bool
) -> None:
    monday = dt.datetime(2024, 11, 11, 9, 0, tzinfo=dt.UTC)
    sunday = {"CreatedDate": "2024-11-10T12:00:00.000+0000", "Birthdate": "2024-11-10"}
    week_start = user_week_start(locale)

    for rule in ("CreatedDate = THIS_WEEK", "Birthdate = THIS_WEEK", "Birthdate > LAST_WEEK"):
        admitted = Route.parse(rule).admits(sunday, now=monday, week_start=week_start)
        assert admitted is sunday_in_week, rule
    last_week = Route.parse("CreatedDate = LAST_WEEK")
    assert last_week.admits(sunday, now=monday, week_start=week_start) is not sunday_in_week


def test_date_functions_read_datetimes_in_utc_or_with_convert_timezone_the_users_zone() -> None:
    record = {"CreatedDate": "2024-12-31T23:30:00.000+0000", "Birthdate": "1990-05-06"}
    auckland = user_zone("Pacific/Auckland")
    in_2025 = Route.parse("CALENDAR_YEAR(convertTimezone(CreatedDate)) = 2025")

    assert admits("CALENDAR_YEAR(CreatedDate) = 2024 AND DAY_IN_WEEK(Birthdate) = 1", record)
    assert admits("DAY_ONLY(CreatedDate) = 2024-12-31 AND HOUR_IN_DAY(CreatedDate) = 23", record)
    assert not in_2025.admits(record, now=NOW)
    assert in_2025.admits(record, now=NOW, tz=auckland)
    assert admits("CALENDAR_MONTH(Birthdate) != 6", {"Birthdate": None})  # null is no June
    assert in_2025.fields == ("CreatedDate",)


def test_parent_paths_read_through_nested_records_and_null_parents() -> None:
    assert admits("Account.Owner.Alias = 'sadmin'", {"Account": {"Owner": {"Alias": "sadmin"}}})
    assert admits("Account.Name = null", {"Account": None})
    assert Route.parse("Account.Name = 'x' OR Region__c = 'y'").fields == (
        "Account.Name",
        "Region__c",
    )


def test_a_condition_that_is_not_soql_is_refused_at_its_column() -> None:
    with pytest.raises(RoutingError, match="at column 23: it ends before the condition is"):
        Route.parse("Region__c = 'West' AND")
    with pytest.raises(RoutingError, match="at column 12: unexpected token: '='"):
        Route.parse("Region__c == 'West'")
    with pytest.raises(RoutingError, match="only a condition"):
        Route.parse("OwnerId = 'x' LIMIT 5")
    with pytest.raises(RoutingError, match="only a condition"):
        Route.parse("OwnerId = 'x' GROUP BY OwnerId HAVING COUNT(Id) > 1")
    for clause in ("WITH SECURITY_ENFORCED", "FOR VIEW"):
        with pytest.raises(RoutingError, match="only a condition"):
            Route.parse(f"OwnerId = 'x' {clause}")


def test_a_refusal_gives_positions_in_the_condition_typed_only() -> None:
    """The condition is parsed inside a query the admin never sees: the lexer's own "line 1:62"
    counted in that query, so it is left out, and the reason said in words."""
    with pytest.raises(RoutingError) as open_quote:
        Route.parse("LastName = 'a' OR LastName = 'b''")
    with pytest.raises(RoutingError) as stray:
        Route.parse("LastName = 'a'\nOR Region__c # 'b'")

    assert str(open_quote.value) == (
        "routing condition \"LastName = 'a' OR LastName = 'b''\" at column 33: this quote is "
        "never closed; end the value with ' (a quote inside a value is written \\')"
    )
    assert str(stray.value).endswith(
        "at line 2, column 14: the character '#' is not SOQL outside a quoted value"
    )
    assert "line 1:" not in str(open_quote.value) + str(stray.value)


def test_a_sub_select_is_refused_as_it_cannot_be_checked_on_a_record() -> None:
    with pytest.raises(RoutingError, match="a sub-select cannot be checked on each record"):
        Route.parse("AccountId IN (SELECT Id FROM Account WHERE Industry = 'Tech')")


SANDBOX_CONDITIONS = [
    "LastName = 'smith'",
    "Email != 'ana@example.com'",
    "NOT (Title = 'CEO')",
    "Title IN ('CEO', 'CFO')",
    "Title NOT IN ('CEO', null)",
    "LastName LIKE 'sm%'",
    "Birthdate > 1980-01-01",
    "Birthdate <= 1975-06-30",
    "DoNotCall = true",
    "MailingCity = null",
    "MailingLatitude > 10.5",
    "LastName > 'Z'",  # '_' sorts after 'Z' by upper-case code points, before 'a' by lower
    "LastName < 'smithers'",
    "(LastName = 'Smith' OR Title = 'CEO') AND DoNotCall = false",
    "Account.Name = 'Acme'",
    "CreatedDate = TODAY",
    "CreatedDate < LAST_N_DAYS:3",
    "CALENDAR_YEAR(Birthdate) = 1980",
    "DAY_IN_WEEK(Birthdate) IN (2, 3)",
    "CALENDAR_MONTH(Birthdate) != 6",
    "CALENDAR_QUARTER(Birthdate) = 1 OR WEEK_IN_MONTH(Birthdate) = 5",
    "DAY_ONLY(CreatedDate) >= 2024-01-01",
    "HOUR_IN_DAY(convertTimezone(CreatedDate)) >= 0",
]


@pytest.fixture(scope="module")
def people(sandbox: SandboxServer) -> SandboxServer:
    org = sandbox.org
    acme = org.create("Account", {"Name": "Acme"})
    other = org.create("Account", {"Name": "Globex"})
    rows = [
        {"LastName": "Smith", "Title": "CEO", "Email": "ana@example.com", "AccountId": acme},
        {"LastName": "SMITH", "Title": None, "Birthdate": "1975-06-30", "DoNotCall": True},
        {"LastName": "Smithers", "Title": "CFO", "MailingCity": "Paris", "AccountId": other},
        {"LastName": "Jones", "Title": "CTO", "Birthdate": "1990-02-01", "MailingLatitude": 48.8},
        {"LastName": "Lee", "Email": "lee@example.com", "MailingLatitude": 10.5},
        {"LastName": "Nakamura", "Title": "ceo", "DoNotCall": False, "Birthdate": "1980-01-01"},
        {"LastName": "_underscore"},
    ]
    for row in rows:
        org.create("Contact", row)
    return sandbox


@pytest.mark.parametrize("condition", SANDBOX_CONDITIONS)
def test_python_admits_exactly_what_the_sandbox_selects(
    people: SandboxServer, sf: Salesforce, condition: str
) -> None:
    route = Route.parse(condition)
    fields = ", ".join(dict.fromkeys(("Id", *route.fields)))
    selected = {
        r["Id"] for r in sf.query_all(f"SELECT Id FROM Contact WHERE {condition}")["records"]
    }
    records = sf.query_all(f"SELECT {fields} FROM Contact")["records"]
    now = dt.datetime.now(dt.UTC)
    admitted = {r["Id"] for r in records if route.admits(r, now=now)}
    assert admitted == selected
