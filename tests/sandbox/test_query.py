"""SOQL against the org: Salesforce's result shapes, semantics, errors and paging."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.query import CHILD_BATCH
from tests.sandbox.clocks import Clock

BO = {"FirstName": "Bo", "LastName": "Diaz", "Email": "bo@example.com", "DoNotCall": True}
BO |= {"Birthdate": "1990-05-01"}


def _url(sobject: str, record_id: str) -> str:
    return f"/services/data/v58.0/sobjects/{sobject}/{record_id}"


@pytest.fixture
def crm(org: Org) -> dict[str, str]:
    """Two accounts, four contacts (one without an account), a lead, a task."""
    acme = org.create("Account", {"Name": "Acme", "NumberOfEmployees": 120})
    globex = org.create("Account", {"Name": "Globex"})
    ids = {
        "acme": acme,
        "globex": globex,
        "ana": org.create(
            "Contact",
            {"FirstName": "Ana", "LastName": "Ng", "Email": "Ana@Example.com", "AccountId": acme},
        ),
        "bo": org.create("Contact", BO | {"AccountId": globex}),
        "cy": org.create("Contact", {"LastName": "Müller", "Title": "100% sure"}),
        "di": org.create("Contact", {"FirstName": "Di", "LastName": "Ng", "AccountId": acme}),
        "lead": org.create("Lead", {"LastName": "Lee", "Company": "Initech"}),
    }
    ids["task"] = org.create("Task", {"Subject": "Call", "WhoId": ids["lead"]})
    return ids


def _names(page: dict[str, Any]) -> list[str]:
    return [r["LastName"] if "LastName" in r else r["Name"] for r in page["records"]]


def _error(org: Org, soql: str, **options: Any) -> ApiError:
    with pytest.raises(ApiError) as raised:
        org.query(soql, **options)
    return raised.value


def test_records_have_salesforce_shape(org: Org, crm: dict[str, str]) -> None:
    page = org.query(
        "SELECT Id, Name, Email, DoNotCall, Birthdate, CreatedDate, MailingAddress, "
        f"Account.NumberOfEmployees FROM Contact WHERE Id = '{crm['bo'][:15]}'",
        api_version="58.0",
    )
    assert page["totalSize"] == 1 and page["done"] is True and "nextRecordsUrl" not in page
    (record,) = page["records"]
    assert record == {
        "attributes": {"type": "Contact", "url": _url("Contact", crm["bo"])},
        "Id": crm["bo"],
        "Name": "Bo Diaz",
        "Email": "bo@example.com",
        "DoNotCall": True,
        "Birthdate": "1990-05-01",
        "CreatedDate": "2024-11-07T15:30:00.000+0000",
        "MailingAddress": None,
        "Account": {
            "attributes": {"type": "Account", "url": _url("Account", crm["globex"])},
            "NumberOfEmployees": None,
        },
    }  # fmt: skip


def test_parent_paths_nest_two_levels_and_are_null_without_a_parent(
    org: Org, crm: dict[str, str]
) -> None:
    page = org.query(
        "SELECT LastName, Account.Name, Account.Owner.Alias FROM Contact ORDER BY LastName"
    )
    by_name = {r["LastName"]: r["Account"] for r in page["records"]}
    assert by_name["Müller"] is None
    assert by_name["Diaz"]["Name"] == "Globex"
    assert by_name["Diaz"]["Owner"]["Alias"] == "sadmin"
    assert by_name["Diaz"]["Owner"]["attributes"]["type"] == "User"


def test_polymorphic_parents_report_their_own_type(org: Org, crm: dict[str, str]) -> None:
    org.create("Task", {"Subject": "Visit", "WhoId": crm["di"], "WhatId": crm["acme"]})
    call, visit = org.query("SELECT Who.Name, Who.Type, What.Name FROM Task ORDER BY Subject")[
        "records"
    ]
    assert call["Who"]["attributes"]["type"] == "Lead"
    assert (call["Who"]["Name"], call["Who"]["Type"], call["What"]) == ("Lee", "Lead", None)
    assert (visit["Who"]["Type"], visit["What"]["Name"]) == ("Contact", "Acme")
    assert org.query("SELECT Id FROM Task WHERE Who.Type = 'Contact'")["totalSize"] == 1


def test_equality_and_like_ignore_case(org: Org, crm: dict[str, str]) -> None:
    assert _names(org.query("SELECT LastName FROM Contact WHERE Email = 'ana@EXAMPLE.com'")) == [
        "Ng"
    ]
    like = org.query("SELECT LastName FROM Contact WHERE Email LIKE '%EXAMPLE%' ORDER BY LastName")
    assert _names(like) == ["Diaz", "Ng"]
    literal = org.query(r"SELECT LastName FROM Contact WHERE Title LIKE '100\% s_re'")
    assert _names(literal) == ["Müller"]
    assert org.query(r"SELECT Id FROM Contact WHERE Title LIKE '100\%x%'")["totalSize"] == 0


def test_in_and_not_in(org: Org, crm: dict[str, str]) -> None:
    listed = org.query(
        "SELECT LastName FROM Contact WHERE FirstName IN ('ana', 'BO') ORDER BY LastName"
    )
    assert _names(listed) == ["Diaz", "Ng"]
    rest = org.query(
        "SELECT LastName FROM Contact WHERE FirstName NOT IN ('Ana', 'Bo') ORDER BY LastName"
    )
    assert _names(rest) == ["Müller", "Ng"]  # Müller has no first name: NOT IN keeps nulls


def test_not_equal_and_not_keep_nulls_as_soql_does(org: Org, crm: dict[str, str]) -> None:
    for soql in (
        "SELECT LastName FROM Contact WHERE Email != 'bo@example.com' ORDER BY LastName",
        "SELECT LastName FROM Contact WHERE NOT (Email = 'bo@example.com') ORDER BY LastName",
    ):
        assert _names(org.query(soql)) == ["Müller", "Ng", "Ng"]
    nulls = org.query("SELECT LastName FROM Contact WHERE Email = null ORDER BY LastName")
    assert _names(nulls) == ["Müller", "Ng"]
    combined = org.query(
        "SELECT LastName FROM Contact WHERE (LastName = 'Ng' OR Title != null) AND Email = null"
    )
    assert sorted(_names(combined)) == ["Müller", "Ng"]


def test_date_literals_use_the_org_time_zone(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2024, 11, 7, 6, 0, tzinfo=dt.UTC))  # 22:00 on the 6th in LA
    org = Org(tmp_path, clock=clock, time_zone="America/Los_Angeles")
    org.create("Contact", {"LastName": "Yesterday-UTC"})
    clock.advance(hours=3)  # 01:00 on the 7th in LA
    org.create("Contact", {"LastName": "Today"})
    assert _names(org.query("SELECT LastName FROM Contact WHERE CreatedDate = TODAY")) == ["Today"]
    assert _names(org.query("SELECT LastName FROM Contact WHERE CreatedDate = YESTERDAY")) == [
        "Yesterday-UTC"
    ]
    assert org.query("SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS:1")["totalSize"] == 2
    assert org.query("SELECT Id FROM Contact WHERE CreatedDate > TODAY")["totalSize"] == 0
    org.close()


def test_date_literals_use_the_time_zone_of_the_user_the_query_runs_as(tmp_path: Path) -> None:
    clock = Clock(dt.datetime(2024, 11, 7, 9, 0, tzinfo=dt.UTC))  # 22:00 on the 7th in Auckland
    org = Org(tmp_path, clock=clock)  # the org's zone: UTC
    org.create("Contact", {"LastName": "Late"})
    clock.advance(hours=3)  # 01:00 on the 8th in Auckland, still the 7th in UTC
    [user] = org.query("SELECT Id FROM User")["records"]
    org.update("User", user["Id"], {"TimeZoneSidKey": "Pacific/Auckland"})
    today = "SELECT LastName FROM Contact WHERE CreatedDate = TODAY"

    assert _names(org.query(today, user_id=user["Id"])) == []
    assert _names(org.query(today.replace("TODAY", "YESTERDAY"), user_id=user["Id"])) == ["Late"]
    assert _names(org.query(today)) == ["Late"]  # no user named: the org's zone
    org.close()


def test_week_literals_start_on_the_first_day_of_the_users_locale(tmp_path: Path) -> None:
    org = Org(tmp_path, clock=Clock(dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)))  # a Monday
    for name, birthdate in [("Sunday", "2026-12-06"), ("Monday", "2026-12-07")]:
        org.create("Contact", {"LastName": name, "Birthdate": birthdate})
    org.create("Contact", {"LastName": "Created"})  # CreatedDate: Monday at noon
    [user] = org.query("SELECT Id FROM User")["records"]
    this_week = "SELECT LastName FROM Contact WHERE Birthdate = THIS_WEEK ORDER BY LastName"
    created = "SELECT LastName FROM Contact WHERE CreatedDate = LAST_WEEK"

    assert _names(org.query(this_week, user_id=user["Id"])) == ["Monday", "Sunday"]  # en_US
    org.update("User", user["Id"], {"LocaleSidKey": "en_GB"})
    assert _names(org.query(this_week, user_id=user["Id"])) == ["Monday"]
    assert _names(org.query(this_week.replace("THIS_WEEK", "LAST_WEEK"), user_id=user["Id"])) == [
        "Sunday"
    ]
    assert _names(org.query(created, user_id=user["Id"])) == []
    assert _names(org.query(this_week)) == ["Monday", "Sunday"]  # no user: the org's en_US
    org.close()


def test_numbers_beyond_64_bits_compare_by_value(org: Org, crm: dict[str, str]) -> None:
    huge = "99999999999999999999"
    assert org.query(f"SELECT Id FROM Account WHERE NumberOfEmployees < {huge}")["totalSize"] == 1
    assert (
        org.query(f"SELECT Id FROM Account WHERE NumberOfEmployees IN (-{huge})")["totalSize"] == 0
    )
    grouped = f"SELECT Name FROM Account GROUP BY Name HAVING COUNT(Id) < {huge}"
    assert org.query(grouped)["totalSize"] == 2
    assert (
        org.query(f"SELECT Id FROM Contact WHERE CALENDAR_YEAR(Birthdate) = {huge}")["totalSize"]
        == 0
    )


def test_date_and_datetime_values(org: Org, crm: dict[str, str]) -> None:
    assert _names(org.query("SELECT LastName FROM Contact WHERE Birthdate = 1990-05-01")) == [
        "Diaz"
    ]
    assert org.query("SELECT Id FROM Contact WHERE Birthdate < THIS_YEAR")["totalSize"] == 1
    after = org.query("SELECT Id FROM Contact WHERE CreatedDate >= 2024-11-07T15:30:00Z")
    assert after["totalSize"] == 4
    before = org.query("SELECT Id FROM Contact WHERE CreatedDate < 2024-11-07T16:29:59+01:00")
    assert before["totalSize"] == 0


@pytest.mark.parametrize(
    ("soql", "code", "detail"),
    [
        ("SELECT Id FROM Contact WHERE CreatedDate = 2024-01-01", "INVALID_FIELD",
         "value of filter criterion for field 'CreatedDate' must be of type dateTime and should "
         "not be enclosed in quotes"),
        ("SELECT Id FROM Account WHERE NumberOfEmployees = '5'", "INVALID_FIELD",
         "must be of type integer and should not be enclosed in quotes"),
        ("SELECT Id FROM Contact WHERE LastName = 5", "INVALID_FIELD",
         "must be of type string and should be enclosed in quotes"),
        ("SELECT Id FROM Contact WHERE DoNotCall = 'true'", "INVALID_FIELD", "of type boolean"),
        ("SELECT Id FROM Contact WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR",
         "invalid ID field: abc"),
        ("SELECT Id FROM Contact WHERE Description = 'x'", "INVALID_FIELD",
         "field 'Description' can not be filtered in a query call"),
        ("SELECT Id FROM Contact ORDER BY Description", "INVALID_FIELD",
         "field 'Description' can not be sorted in a query call"),
        ("SELECT Id FROM Contact WHERE LastName INCLUDES ('a')", "INVALID_FIELD", "multipicklist"),
    ],
)  # fmt: skip
def test_values_of_the_wrong_type_are_refused(org: Org, soql: str, code: str, detail: str) -> None:
    error = _error(org, soql)
    assert (error.status, error.error_code) == (400, code)
    assert detail in error.message


def test_unknown_names_are_refused_pointing_at_them(org: Org) -> None:
    missing_type = _error(org, "SELECT Id FROM Contct")
    assert missing_type.error_code == "INVALID_TYPE"
    assert "sObject type 'Contct' is not supported" in missing_type.message
    missing_field = _error(org, "SELECT Id, Emial FROM Contact")
    assert missing_field.error_code == "INVALID_FIELD"
    assert "ERROR at Row:1:Column:12" in missing_field.message
    assert "No such column 'Emial' on entity 'Contact'" in missing_field.message
    relationship = _error(org, "SELECT Acount.Name FROM Contact")
    assert "Didn't understand relationship 'Acount'" in relationship.message


FIVE_LEVELS = "Account.Parent.Parent.Parent.Parent.Name"


def test_a_parent_path_goes_five_levels_up_and_no_further(org: Org) -> None:
    account = None
    for name in ("Top", "Upper", "Middle", "Lower", "Bottom"):
        values = {"Name": name} | ({"ParentId": account} if account else {})
        account = org.create("Account", values)
    org.create("Contact", {"LastName": "Ng", "AccountId": account})

    (record,) = org.query(f"SELECT {FIVE_LEVELS} FROM Contact")["records"]
    assert record["Account"]["Parent"]["Parent"]["Parent"]["Parent"]["Name"] == "Top"
    where = org.query(f"SELECT Id FROM Contact WHERE Contact.{FIVE_LEVELS} = 'Top'")
    assert where["totalSize"] == 1

    six = FIVE_LEVELS.replace(".Name", ".Parent.Name")
    for soql in (
        f"SELECT Id, {six} FROM Contact",
        f"SELECT Id FROM Contact WHERE {six} = 'Top'",
        f"SELECT Id FROM Contact ORDER BY {six}",
        f"SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE {six} = 'x')",
        f"SELECT Id, (SELECT {six} FROM Contacts) FROM Account",
    ):
        refused = _error(org, soql)
        assert refused.error_code == "MALFORMED_QUERY"
        assert f"ERROR at Row:1:Column:{soql.index(six) + 1}" in refused.message
        assert "at most 5 levels" in refused.message


def test_order_by_puts_nulls_first_ascending_and_last_descending(
    org: Org, crm: dict[str, str]
) -> None:
    ascending = org.query("SELECT LastName FROM Contact ORDER BY FirstName")
    assert _names(ascending)[0] == "Müller"
    descending = org.query("SELECT LastName FROM Contact ORDER BY FirstName DESC")
    assert _names(descending) == ["Ng", "Diaz", "Ng", "Müller"]
    explicit = org.query("SELECT LastName FROM Contact ORDER BY FirstName ASC NULLS LAST")
    assert _names(explicit)[-1] == "Müller"
    by_parent = org.query(
        "SELECT LastName FROM Contact WHERE AccountId != null ORDER BY Account.Name DESC, LastName"
    )
    assert _names(by_parent) == ["Diaz", "Ng", "Ng"]


def test_counts(org: Org, crm: dict[str, str]) -> None:
    assert org.query("SELECT COUNT() FROM Contact WHERE LastName = 'ng'") == {
        "totalSize": 2, "done": True, "records": []
    }  # fmt: skip
    page = org.query("SELECT COUNT(Id), COUNT(Email) withEmail FROM Contact")
    assert page["records"] == [
        {"attributes": {"type": "AggregateResult"}, "expr0": 4, "withEmail": 2}
    ]
    mixed = _error(org, "SELECT LastName, COUNT(Id) FROM Contact")
    assert mixed.error_code == "MALFORMED_QUERY"


def test_group_by_gives_one_aggregate_result_per_group_in_order(
    org: Org, crm: dict[str, str]
) -> None:
    page = org.query(
        "SELECT Account.Name, COUNT(Id), COUNT_DISTINCT(LastName) names, MAX(FirstName) "
        "FROM Contact GROUP BY Account.Name ORDER BY Account.Name DESC NULLS LAST"
    )
    group = {"attributes": {"type": "AggregateResult"}}
    assert page == {
        "totalSize": 3,
        "done": True,
        "records": [
            group | {"Name": "Globex", "expr0": 1, "names": 1, "expr1": "Bo"},
            group | {"Name": "Acme", "expr0": 2, "names": 1, "expr1": "Di"},
            group | {"Name": None, "expr0": 1, "names": 1, "expr1": None},
        ],
    }
    flags = org.query("SELECT DoNotCall, COUNT(Id) FROM Contact GROUP BY DoNotCall")["records"]
    assert [(r["DoNotCall"], r["expr0"]) for r in flags] == [(False, 3), (True, 1)]
    sizes = org.query("SELECT SUM(NumberOfEmployees) total, AVG(NumberOfEmployees) FROM Account")
    assert sizes["records"][0] | {"attributes": None} == {
        "attributes": None, "total": 120, "expr0": 120
    }  # fmt: skip


def test_an_aggregate_selected_twice_is_answered_twice_and_an_alias_only_once(org: Org) -> None:
    org.create("Contact", {"LastName": "Ng"})
    twice = org.query("SELECT COUNT(Id), COUNT(Id) n, LastName FROM Contact GROUP BY LastName")

    assert twice["records"] == [
        {"attributes": {"type": "AggregateResult"}, "expr0": 1, "n": 1, "LastName": "Ng"}
    ]
    error = _error(org, "SELECT COUNT(Id) n, MAX(LastName) N FROM Contact")
    assert error.error_code == "MALFORMED_QUERY" and error.message.endswith("duplicate alias: N")


def test_a_grouped_field_may_take_an_alias_and_only_there(org: Org) -> None:
    account = org.create("Account", {"Name": "Acme"})
    org.create("Contact", {"LastName": "Ng", "AccountId": account, "DoNotCall": True})

    page = org.query(
        "SELECT Account.Name company, DoNotCall quiet, COUNT(Id) n FROM Contact "
        "GROUP BY Account.Name, DoNotCall"
    )

    assert page["records"] == [
        {"attributes": {"type": "AggregateResult"}, "company": "Acme", "quiet": True, "n": 1}
    ]
    clash = _error(org, "SELECT LastName n, COUNT(Id) n FROM Contact GROUP BY LastName")
    assert clash.message.endswith("duplicate alias: n")
    plain = _error(org, "SELECT LastName surname FROM Contact")
    assert plain.error_code == "MALFORMED_QUERY"
    assert plain.message.endswith("Only aggregate expressions use field aliasing")


def test_having_keeps_the_groups_whose_aggregates_meet_it(org: Org) -> None:
    for name, email in [("A", "a@x.com"), ("B", "A@x.com"), ("C", "c@x.com"), ("D", None)]:
        org.create("Contact", {"LastName": name, "Email": email})

    duplicates = org.query(
        "SELECT Email, COUNT(Id) copies FROM Contact WHERE Email != null GROUP BY Email "
        "HAVING COUNT(Id) > 1"
    )
    either = org.query(
        "SELECT Email FROM Contact GROUP BY Email "
        "HAVING NOT (MAX(LastName) = 'B' OR Email = 'c@x.com') ORDER BY Email"
    )

    assert [(r["Email"].lower(), r["copies"]) for r in duplicates["records"]] == [("a@x.com", 2)]
    assert [r["Email"] for r in either["records"]] == [None]


@pytest.fixture
def rated(org: Org) -> Org:
    """Ten leads: seven from the Web (five unrated), two by phone, one from nowhere."""
    leads = [("Web", None)] * 5 + [("Web", "Hot"), ("Web", "Warm")]
    leads += [("Phone Inquiry", "Hot"), ("Phone Inquiry", None), (None, "Cold")]
    for source, rating in leads:
        org.create(
            "Lead", {"LastName": "L", "Company": "C", "LeadSource": source, "Rating": rating}
        )
    return org


def test_rollup_adds_a_subtotal_after_each_group_and_a_grand_total(rated: Org) -> None:
    one = rated.query("SELECT LeadSource, COUNT(Name) cnt FROM Lead GROUP BY ROLLUP(LeadSource)")
    two = rated.query(
        "SELECT LeadSource, Rating, GROUPING(LeadSource) grpLS, GROUPING(Rating) grpRating, "
        "COUNT(Name) cnt FROM Lead GROUP BY ROLLUP(LeadSource, Rating)"
    )

    # Groups in the picklists' defined order (Web before Phone Inquiry), as the SOQL guide's
    # ROLLUP examples list them
    assert [(r["LeadSource"], r["cnt"]) for r in one["records"]] == [
        (None, 1), ("Web", 7), ("Phone Inquiry", 2), (None, 10)
    ]  # fmt: skip
    rows = [tuple(r.values())[1:] for r in two["records"]]
    assert rows == [
        (None, "Cold", 0, 0, 1),
        (None, None, 0, 1, 1),
        ("Web", None, 0, 0, 5),  # no rating: a group, told apart by GROUPING(Rating) = 0
        ("Web", "Hot", 0, 0, 1),
        ("Web", "Warm", 0, 0, 1),
        ("Web", None, 0, 1, 7),
        ("Phone Inquiry", None, 0, 0, 1),
        ("Phone Inquiry", "Hot", 0, 0, 1),
        ("Phone Inquiry", None, 0, 1, 2),
        (None, None, 1, 1, 10),
    ]
    twice = "SELECT LeadSource, COUNT(Name) cnt FROM Lead GROUP BY ROLLUP(LeadSource, leadsource)"
    assert rated.query(twice)["records"] == one["records"]


def test_cube_subtotals_every_combination_and_grouping_filters_and_orders(rated: Org) -> None:
    cube = rated.query(
        "SELECT LeadSource, Rating, COUNT(Id) n FROM Lead GROUP BY CUBE(LeadSource, Rating) "
        "HAVING GROUPING(LeadSource) = 1 ORDER BY GROUPING(Rating), COUNT(Id) DESC"
    )

    assert [(r["Rating"], r["n"]) for r in cube["records"]] == [
        (None, 6), ("Hot", 2), ("Warm", 1), ("Cold", 1), (None, 10)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("soql", "detail"),
    [
        ("SELECT LeadSource, GROUPING(LeadSource) FROM Lead GROUP BY LeadSource",
         "GROUPING() needs GROUP BY ROLLUP or GROUP BY CUBE"),
        ("SELECT GROUPING(Rating), COUNT(Id) FROM Lead GROUP BY ROLLUP(LeadSource)",
         "GROUPING(Rating) names a field the query does not group by"),
        ("SELECT COUNT(Id) FROM Lead GROUP BY CUBE(LeadSource, Rating, Status, Industry)",
         "GROUP BY CUBE takes at most 3 fields"),
    ],
)  # fmt: skip
def test_subtotals_are_checked_as_salesforce_does(org: Org, soql: str, detail: str) -> None:
    error = _error(org, soql)
    assert error.error_code == "MALFORMED_QUERY" and error.message.endswith(detail)


def test_an_aggregate_query_orders_by_its_aggregates(org: Org) -> None:
    for name, source in [("A", "Web"), ("B", "Web"), ("C", "Other"), ("D", "Web"), ("E", None)]:
        org.create("Lead", {"LastName": name, "Company": "X", "LeadSource": source})

    top = org.query(
        "SELECT LeadSource, COUNT(Id) n FROM Lead GROUP BY LeadSource "
        "ORDER BY COUNT(Id) DESC, LeadSource NULLS LAST"
    )

    assert [(r["LeadSource"], r["n"]) for r in top["records"]] == [
        ("Web", 3), ("Other", 1), (None, 1)
    ]  # fmt: skip
    refused = _error(org, "SELECT Id FROM Lead ORDER BY COUNT(Id)")
    assert refused.message.endswith("an aggregate function can only order an aggregate query")


@pytest.fixture
def dated(org: Org, clock: Clock) -> Org:
    """Contacts created on New Year's Eve 2024 (23:30 UTC), an hour later, and in February;
    born on a Sunday, on a Monday, and on no known day."""
    clock.now = dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.UTC)
    org.create("Contact", {"LastName": "Eve", "Birthdate": "1990-05-06"})
    clock.advance(hours=1)
    org.create("Contact", {"LastName": "New", "Birthdate": "1990-01-01"})
    clock.advance(days=40)
    org.create("Contact", {"LastName": "Feb"})
    return org


def test_date_functions_group_records_by_period(dated: Org) -> None:
    years = dated.query(
        "SELECT CALENDAR_YEAR(CreatedDate), COUNT(Id), DAY_ONLY(CreatedDate) day FROM Contact "
        "GROUP BY CALENDAR_YEAR(CreatedDate), DAY_ONLY(CreatedDate) "
        "ORDER BY CALENDAR_YEAR(CreatedDate) DESC, DAY_ONLY(CreatedDate)"
    )
    months = dated.query(
        "SELECT CALENDAR_MONTH(Birthdate) m, COUNT(Id) n FROM Contact GROUP BY Birthdate "
        "ORDER BY Birthdate NULLS LAST"
    )

    group = {"attributes": {"type": "AggregateResult"}}
    assert years["records"] == [
        group | {"expr0": 2025, "expr1": 1, "day": "2025-01-01"},
        group | {"expr0": 2025, "expr1": 1, "day": "2025-02-10"},
        group | {"expr0": 2024, "expr1": 1, "day": "2024-12-31"},
    ]
    assert [(r["m"], r["n"]) for r in months["records"]] == [(1, 1), (5, 1), (None, 1)]


def test_date_functions_filter_with_soql_null_logic(dated: Org) -> None:
    def names(condition: str) -> list[str]:
        page = dated.query(f"SELECT LastName FROM Contact WHERE {condition} ORDER BY LastName")
        return _names(page)

    assert names("CALENDAR_YEAR(CreatedDate) = 2025") == ["Feb", "New"]
    assert names("DAY_ONLY(CreatedDate) = 2024-12-31") == ["Eve"]
    assert names("DAY_IN_WEEK(Birthdate) IN (1, 7)") == ["Eve"]
    assert names("DAY_IN_WEEK(Birthdate) != 1") == ["Feb", "New"]  # no birthdate is not Sunday
    assert names("NOT (CALENDAR_MONTH(Birthdate) < 3)") == ["Eve", "Feb"]
    assert names("WEEK_IN_YEAR(CreatedDate) = 53 OR CALENDAR_QUARTER(CreatedDate) = 1") == [
        "Eve", "Feb", "New"
    ]  # fmt: skip


def test_convert_timezone_reads_datetimes_in_the_users_zone(dated: Org) -> None:
    [user] = dated.query("SELECT Id FROM User")["records"]
    dated.update("User", user["Id"], {"TimeZoneSidKey": "Pacific/Auckland"})  # UTC+13 in summer
    hours = (
        "SELECT HOUR_IN_DAY(convertTimezone(CreatedDate)) h, COUNT(Id) n FROM Contact "
        "GROUP BY HOUR_IN_DAY(convertTimezone(CreatedDate)) ORDER BY COUNT(Id) DESC"
    )
    in_2025 = (
        "SELECT LastName FROM Contact WHERE CALENDAR_YEAR(convertTimezone(CreatedDate)) = 2025"
    )

    assert [(r["h"], r["n"]) for r in dated.query(hours, user_id=user["Id"])["records"]] == [
        (13, 2), (12, 1)
    ]  # fmt: skip
    assert dated.query(in_2025, user_id=user["Id"])["totalSize"] == 3
    assert (
        dated.query(in_2025.replace("convertTimezone(CreatedDate)", "CreatedDate"))["totalSize"]
        == 2
    )  # without convertTimezone(), in UTC


@pytest.mark.parametrize(
    ("soql", "code", "detail"),
    [
        ("SELECT CALENDAR_YEAR(CreatedDate) FROM Contact", "MALFORMED_QUERY",
         "Field must be grouped or aggregated: CALENDAR_YEAR(CreatedDate)"),
        ("SELECT CALENDAR_YEAR(CreatedDate) FROM Contact GROUP BY CreatedDate", "INVALID_FIELD",
         "field 'CreatedDate' can not be grouped in a query call"),
        ("SELECT LastName FROM Contact ORDER BY CALENDAR_YEAR(CreatedDate)", "MALFORMED_QUERY",
         "Ordered field must be grouped or aggregated: CALENDAR_YEAR(CreatedDate)"),
        ("SELECT Id FROM Contact WHERE CALENDAR_YEAR(CreatedDate) = THIS_YEAR", "INVALID_FIELD",
         "CALENDAR_YEAR(CreatedDate) can only be compared with a whole number"),
        ("SELECT Id FROM Contact WHERE DAY_ONLY(CreatedDate) = 2024", "INVALID_FIELD",
         "DAY_ONLY(CreatedDate) can only be compared with a date"),
        ("SELECT Id FROM Contact WHERE HOUR_IN_DAY(Birthdate) = 1", "INVALID_FIELD",
         "HOUR_IN_DAY() takes a datetime field, and Birthdate is a date"),
        ("SELECT Id FROM Contact WHERE CALENDAR_YEAR(convertTimezone(Birthdate)) = 1",
         "INVALID_FIELD", "convertTimezone() takes a datetime field, and Birthdate is a date"),
        ("SELECT Id FROM Contact WHERE CALENDAR_YEAR(LastName) = 1", "INVALID_FIELD",
         "CALENDAR_YEAR() takes a date or datetime field, and LastName is neither"),
        ("SELECT COUNT(Id) FROM Contact GROUP BY Title HAVING CALENDAR_YEAR(CreatedDate) > 1",
         "MALFORMED_QUERY", "Field must be grouped or aggregated: CALENDAR_YEAR(CreatedDate)"),
        ("SELECT SUM(LastName) FROM Contact", "INVALID_FIELD",
         "field LastName does not support aggregate operator SUM"),
        ("SELECT LastName, COUNT(Id) FROM Contact GROUP BY Title", "MALFORMED_QUERY",
         "Field must be grouped or aggregated: LastName"),
        ("SELECT Title FROM Contact GROUP BY Title ORDER BY LastName", "MALFORMED_QUERY",
         "Ordered field must be grouped or aggregated: LastName"),
        ("SELECT CreatedDate FROM Contact GROUP BY CreatedDate", "INVALID_FIELD",
         "field 'CreatedDate' can not be grouped in a query call"),
        ("SELECT COUNT() FROM Contact GROUP BY Title", "MALFORMED_QUERY",
         "ERROR at Row:1:Column:38\nCOUNT() cannot be used with GROUP BY: use COUNT(fieldName) "
         "to group"),
        ("SELECT Title FROM Contact GROUP BY Title HAVING LastName = 'x'", "MALFORMED_QUERY",
         "Field must be grouped or aggregated: LastName"),
        ("SELECT COUNT(Id) FROM Contact HAVING COUNT(Id) > 1", "MALFORMED_QUERY",
         "HAVING can only be used with GROUP BY"),
    ],
)  # fmt: skip
def test_date_functions_groups_and_aggregates_are_checked_as_salesforce_does(
    org: Org, soql: str, code: str, detail: str
) -> None:
    error = _error(org, soql)
    assert error.error_code == code and error.message.endswith(detail)


def test_more_groups_than_one_batch_must_be_limited(org: Org) -> None:
    for n in range(2001):
        org.create("Contact", {"LastName": f"P{n}"})
    error = _error(org, "SELECT LastName, COUNT(Id) FROM Contact GROUP BY LastName")
    assert error.error_code == "EXCEEDED_ID_LIMIT"
    limited = org.query("SELECT LastName FROM Contact GROUP BY LastName LIMIT 2000")
    assert limited["totalSize"] == 2000


def test_limit_and_offset(org: Org, crm: dict[str, str]) -> None:
    page = org.query("SELECT LastName FROM Contact ORDER BY LastName LIMIT 2 OFFSET 1")
    assert _names(page) == ["Müller", "Ng"] and page["totalSize"] == 2
    assert org.query("SELECT COUNT() FROM Contact LIMIT 3")["totalSize"] == 3
    error = _error(org, "SELECT Id FROM Contact OFFSET 2001")
    assert (error.error_code, error.message) == (
        "NUMBER_OUTSIDE_VALID_RANGE", "Maximum SOQL offset allowed is 2000"
    )  # fmt: skip


def test_fields_function(org: Org, crm: dict[str, str]) -> None:
    (record,) = org.query(f"SELECT FIELDS(ALL) FROM Account WHERE Id = '{crm['acme']}' LIMIT 1")[
        "records"
    ]
    assert record["Name"] == "Acme" and "BillingAddress" in record and record["IsDeleted"] is False
    assert org.query("SELECT FIELDS(STANDARD) FROM Contact")["totalSize"] == 4
    error = _error(org, "SELECT FIELDS(ALL) FROM Contact")
    assert error.error_code == "MALFORMED_QUERY" and "LIMIT of at most 200" in error.message


def test_duplicate_fields_are_refused(org: Org) -> None:
    assert "duplicate field selected" in _error(org, "SELECT Name, name FROM Account").message


def test_query_excludes_deleted_records_and_query_all_includes_them(
    org: Org, crm: dict[str, str]
) -> None:
    org.delete("Contact", crm["cy"])
    assert org.query("SELECT Id FROM Contact")["totalSize"] == 3
    everything = org.query(
        "SELECT LastName, IsDeleted FROM Contact ORDER BY LastName", include_deleted=True
    )
    assert [(r["LastName"], r["IsDeleted"]) for r in everything["records"]] == [
        ("Diaz", False), ("Müller", True), ("Ng", False), ("Ng", False)
    ]  # fmt: skip
    assert (
        org.query("SELECT Id FROM Contact WHERE IsDeleted = true", include_deleted=True)[
            "totalSize"
        ]
        == 1
    )


def test_a_subquery_nests_each_parent_s_children_and_is_null_without_any(
    org: Org, crm: dict[str, str]
) -> None:
    page = org.query(
        "SELECT Name, (SELECT LastName, Account.Name FROM Contacts ORDER BY FirstName DESC) "
        "FROM Account ORDER BY Name",
        api_version="58.0",
    )
    acme, globex = page["records"]
    assert list(acme) == ["attributes", "Name", "Contacts"]
    assert acme["Contacts"]["totalSize"] == 2 and acme["Contacts"]["done"] is True
    ng_di, ng_ana = acme["Contacts"]["records"]
    assert ng_di == {
        "attributes": {"type": "Contact", "url": _url("Contact", crm["di"])},
        "LastName": "Ng",
        "Account": {
            "attributes": {"type": "Account", "url": _url("Account", crm["acme"])},
            "Name": "Acme",
        },
    }
    assert ng_ana["attributes"]["url"] == _url("Contact", crm["ana"])
    assert [r["LastName"] for r in globex["Contacts"]["records"]] == ["Diaz"]
    hooli = org.create("Account", {"Name": "Hooli"})
    alone = org.query(f"SELECT Id, (SELECT Id FROM Contacts) FROM Account WHERE Id = '{hooli}'")
    assert alone["records"][0]["Contacts"] is None
    (lead,) = org.query("SELECT Name, (SELECT Subject FROM Tasks) FROM Lead")["records"]
    assert [task["Subject"] for task in lead["Tasks"]["records"]] == ["Call"]  # through WhoId


def test_a_subquery_filters_limits_per_parent_and_hides_deleted_children(
    org: Org, crm: dict[str, str]
) -> None:
    org.delete("Contact", crm["di"])
    one_each = org.query("SELECT Name, (SELECT LastName FROM Contacts LIMIT 1) FROM Account")
    assert [r["Contacts"]["totalSize"] for r in one_each["records"]] == [1, 1]
    filtered = org.query(
        "SELECT Name, (SELECT Id FROM Contacts WHERE Email LIKE '%example.com') FROM Account "
        "ORDER BY Name"
    )
    assert [r["Contacts"] and r["Contacts"]["totalSize"] for r in filtered["records"]] == [1, 1]
    everything = org.query(
        "SELECT Name, (SELECT IsDeleted FROM Contacts) FROM Account WHERE Name = 'Acme'",
        include_deleted=True,
    )
    assert sorted(r["IsDeleted"] for r in everything["records"][0]["Contacts"]["records"]) == [
        False,
        True,
    ]


def test_a_semi_join_keeps_soql_null_logic_and_hides_deleted_rows(
    org: Org, crm: dict[str, str]
) -> None:
    large = "SELECT Id FROM Account WHERE NumberOfEmployees > 100"
    inside = org.query(f"SELECT LastName FROM Contact WHERE AccountId IN ({large}) ORDER BY Id")
    outside = org.query(
        f"SELECT LastName FROM Contact WHERE AccountId NOT IN ({large}) ORDER BY Id"
    )
    alone = "SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)"

    assert _names(inside) == ["Ng", "Ng"]
    assert _names(outside) == ["Diaz", "Müller"]  # Müller has no account: NOT IN admits null
    assert _names(org.query(alone)) == []  # and a null in the sub-select excludes nothing
    org.delete("Contact", crm["bo"])
    assert _names(org.query(alone)) == ["Globex"]


@pytest.mark.parametrize(
    ("soql", "detail"),
    [
        ("SELECT Id FROM Contact WHERE LastName IN (SELECT Name FROM Account)",
         "semi join sub-selects are only allowed on Id fields"),
        ("SELECT Id FROM Contact WHERE AccountId IN (SELECT Name FROM Account)",
         "semi join sub selects can only query id fields, cannot use: 'Name'"),
        ("SELECT Id FROM Contact WHERE AccountId IN "
         "(SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact))",
         "Nesting of semi join sub-selects is not supported"),
    ],
)  # fmt: skip
def test_semi_joins_salesforce_refuses_are_refused(org: Org, soql: str, detail: str) -> None:
    error = _error(org, soql)
    assert error.error_code == "MALFORMED_QUERY" and error.message.endswith(detail)


def test_a_subquery_through_an_unknown_relationship_is_refused_as_salesforce_does(
    org: Org,
) -> None:
    error = _error(org, "SELECT Id, (SELECT Id FROM Contactz) FROM Account")
    assert error.error_code == "INVALID_TYPE"
    assert "Didn't understand relationship 'Contactz' in FROM part of query call" in error.message
    unknown_field = _error(org, "SELECT Id, (SELECT Nope FROM Contacts) FROM Account")
    assert unknown_field.error_code == "INVALID_FIELD"


def test_includes_and_excludes_on_a_multipicklist(tmp_path: Path, clock: Clock) -> None:
    schema = tmp_path / "schema"
    schema.mkdir()
    topics = {"name": "Topics__c", "type": "multipicklist", "label": "Topics", "length": 4099,
              "custom": True, "picklistValues": ["Billing", "Support", "Sales"]}  # fmt: skip
    (schema / "Contact.json").write_text(json.dumps({"name": "Contact", "fields": [topics]}))
    org = Org(tmp_path / "data", schema, clock=clock)
    for name, value in (("A", "Billing;Support"), ("B", "Support"), ("C", None)):
        org.create("Contact", {"LastName": name, "Topics__c": value})
    includes = org.query(
        "SELECT LastName FROM Contact WHERE Topics__c INCLUDES ('billing;support', 'Sales')"
    )
    assert _names(includes) == ["A"]
    either = org.query(
        "SELECT LastName FROM Contact WHERE Topics__c INCLUDES ('Billing', 'Support') "
        "ORDER BY LastName"
    )
    assert _names(either) == ["A", "B"]
    excludes = org.query(
        "SELECT LastName FROM Contact WHERE Topics__c EXCLUDES ('Billing') ORDER BY LastName"
    )
    assert _names(excludes) == ["B", "C"]
    org.close()


# --- paging ----------------------------------------------------------------------------------


@pytest.fixture
def many(org: Org) -> Iterator[list[str]]:
    records = [{"attributes": {"type": "Contact"}, "LastName": f"P{n:03d}"} for n in range(450)]
    ids = []
    for start in range(0, 450, 200):
        results = org.collection("create", None, records[start : start + 200], all_or_none=True)
        ids += [r["id"] for r in results]
    yield ids


def _locator(page: dict[str, Any]) -> str:
    url = page["nextRecordsUrl"]
    assert url.startswith("/services/data/v62.0/query/01g")
    return str(url)


def test_pages_follow_the_batch_size_and_report_rows_returned_so_far(
    org: Org, many: list[str]
) -> None:
    page = org.query("SELECT LastName FROM Contact ORDER BY LastName", batch_size=200)
    seen = _names(page)
    assert page["totalSize"] == 450 and page["done"] is False
    assert _locator(page).endswith("-200")
    page = org.query_more(_locator(page))
    assert _locator(page).endswith("-400")
    seen += _names(page)
    page = org.query_more(_locator(page))
    seen += _names(page)
    assert page["done"] is True and "nextRecordsUrl" not in page and len(page["records"]) == 50
    assert seen == [f"P{n:03d}" for n in range(450)]


def test_the_default_page_is_2000_and_batch_sizes_stay_within_200_to_2000(
    org: Org, many: list[str]
) -> None:
    assert len(org.query("SELECT Id FROM Contact")["records"]) == 450
    small = org.query("SELECT Id FROM Contact", batch_size=10)
    assert len(small["records"]) == 200
    rest = org.query_more(_locator(small), batch_size=5000)
    assert len(rest["records"]) == 250 and rest["done"]


def test_a_cursor_keeps_the_result_set_of_its_first_page(org: Org, many: list[str]) -> None:
    first = org.query("SELECT Id FROM Contact ORDER BY LastName", batch_size=200)
    org.create("Contact", {"LastName": "A-late-arrival"})
    org.delete("Contact", many[300])
    rest = [r["Id"] for r in org.query_more(_locator(first), batch_size=2000)["records"]]
    assert rest == many[200:]
    assert org.query("SELECT COUNT() FROM Contact")["totalSize"] == 450


def test_locators_are_accepted_in_every_form_and_repeatable(org: Org, many: list[str]) -> None:
    url = _locator(org.query("SELECT Id FROM Contact", batch_size=200, include_deleted=True))
    locator = url.rsplit("/", 1)[1]
    pages = [
        org.query_more(url),
        org.query_more(locator),
        org.query_more(url.replace("/query/", "/queryAll/")),
    ]
    assert pages[0]["records"] == pages[1]["records"] == pages[2]["records"]


@pytest.mark.parametrize(
    "locator", ["01gAAAAAAAAAAAAAAA-200", "garbage", "/services/data/v62.0/query/01gX-9"]
)
def test_unknown_locators_are_refused(org: Org, locator: str) -> None:
    with pytest.raises(ApiError) as raised:
        org.query_more(locator)
    assert (raised.value.status, raised.value.error_code) == (400, "INVALID_QUERY_LOCATOR")


def test_a_locator_past_the_end_is_refused(org: Org, many: list[str]) -> None:
    url = _locator(org.query("SELECT Id FROM Contact", batch_size=200))
    with pytest.raises(ApiError):
        org.query_more(url.replace("-200", "-451"))


@pytest.fixture
def crowded(org: Org) -> list[str]:
    """Three Accounts with one Contact past a child batch each (C000 to C200)."""
    accounts = [org.create("Account", {"Name": f"A{n}"}) for n in range(3)]
    for account in accounts:
        records = [
            {"attributes": {"type": "Contact"}, "LastName": f"C{n:03d}", "AccountId": account}
            for n in range(CHILD_BATCH + 1)
        ]
        for start in range(0, len(records), 200):
            org.collection("create", None, records[start : start + 200], all_or_none=True)
    return accounts


CHILDREN = "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName{}) FROM Account"


def test_a_subquery_limit_within_a_batch_keeps_the_child_result_whole(
    org: Org, crowded: list[str]
) -> None:
    page = org.query(CHILDREN.format(f" LIMIT {CHILD_BATCH}") + " ORDER BY Name")

    for record in page["records"]:
        children = record["Contacts"]
        assert (children["totalSize"], children["done"]) == (CHILD_BATCH, True)
        assert "nextRecordsUrl" not in children


def test_every_child_cursor_of_a_page_is_kept_however_few_cursors_are(
    org: Org, crowded: list[str]
) -> None:
    org.queries.max_cursors = 1
    page = org.query(CHILDREN.format("") + " ORDER BY Name")

    rests = [org.query_more(_locator(record["Contacts"])) for record in page["records"]]

    assert [[r["LastName"] for r in rest["records"]] for rest in rests] == [["C200"]] * 3


def test_a_child_locator_expires_as_a_query_s_does(org: Org, crowded: list[str]) -> None:
    page = org.query(CHILDREN.format("") + f" WHERE Id = '{crowded[0]}'")
    org.queries.idle_seconds = 0.0

    with pytest.raises(ApiError) as raised:
        org.query_more(_locator(page["records"][0]["Contacts"]))

    assert (raised.value.status, raised.value.error_code) == (400, "INVALID_QUERY_LOCATOR")


def test_text_compares_case_insensitively_beyond_ascii_as_salesforce_does(org: Org) -> None:
    for name in ("Müller", "MÜLLER-Lüdenscheidt", "Muller", "Øster"):
        org.create("Contact", {"LastName": name})

    def names(where: str) -> list[str]:
        return sorted(_names(org.query(f"SELECT LastName FROM Contact WHERE {where}")))

    assert names("LastName = 'MÜLLER'") == ["Müller"]
    assert names("LastName != 'müller'") == sorted(["MÜLLER-Lüdenscheidt", "Muller", "Øster"])
    assert names("LastName IN ('müller', 'øster')") == ["Müller", "Øster"]
    assert names("LastName LIKE 'müll%'") == sorted(["MÜLLER-Lüdenscheidt", "Müller"])
    assert names("LastName = 'MULLER'") == ["Muller"]


def test_scope_access_and_tracking_clauses_select_what_the_plain_query_selects(
    org: Org, crm: dict[str, str]
) -> None:
    plain = _names(org.query("SELECT LastName FROM Contact WHERE LastName = 'Ng' ORDER BY Id"))

    dressed = org.query(
        "SELECT LastName FROM Contact USING SCOPE Mine WHERE LastName = 'Ng' "
        "WITH SECURITY_ENFORCED ORDER BY Id FOR VIEW, REFERENCE"
    )

    assert _names(dressed) == plain == ["Ng", "Ng"]
    assert _error(org, "SELECT Id FROM Contact USING SCOPE Nowhere").error_code == "MALFORMED_QUERY"


def test_fiscal_date_literals_read_the_calendar_year(org: Org, crm: dict[str, str]) -> None:
    this_year = org.query("SELECT COUNT() FROM Contact WHERE CreatedDate = THIS_FISCAL_YEAR")
    last_year = org.query("SELECT COUNT() FROM Contact WHERE CreatedDate = LAST_FISCAL_QUARTER")

    assert (this_year["totalSize"], last_year["totalSize"]) == (4, 0)


def test_to_label_reads_a_picklist_as_the_labels_users_see(org: Org) -> None:
    record_id = org.create("Contact", {"LastName": "Synced", "CleanStatus": "Matched"})

    [record] = org.query(
        f"SELECT LastName, toLabel(CleanStatus) FROM Contact WHERE Id = '{record_id}'"
    )["records"]
    refused = _error(org, "SELECT toLabel(LastName) FROM Contact")

    assert (record["LastName"], record["CleanStatus"]) == ("Synced", "In Sync")
    assert refused.error_code == "INVALID_FIELD"
    assert "toLabel() can only be used on picklist fields: LastName" in refused.message


def test_typeof_reads_each_polymorphic_parent_by_the_object_it_is(
    org: Org, crm: dict[str, str]
) -> None:
    org.create("Task", {"Subject": "Meet", "WhoId": crm["ana"], "WhatId": crm["acme"]})
    org.create("Task", {"Subject": "Loose"})

    records = org.query(
        "SELECT Subject, TYPEOF Who WHEN Contact THEN FirstName, LastName WHEN Lead THEN Company "
        "END, TYPEOF What WHEN Opportunity THEN Amount ELSE Name END FROM Task ORDER BY Subject"
    )["records"]

    by_subject = {r["Subject"]: (r["Who"], r["What"]) for r in records}
    call_who, call_what = by_subject["Call"]
    assert (call_who["attributes"]["type"], call_who["Company"], call_what) == (
        "Lead",
        "Initech",
        None,
    )
    assert set(call_who) == {"attributes", "Company"}
    meet_who, meet_what = by_subject["Meet"]
    assert (meet_who["FirstName"], meet_who["LastName"]) == ("Ana", "Ng")
    assert (meet_what["attributes"]["type"], meet_what["Name"]) == ("Account", "Acme")
    assert by_subject["Loose"] == (None, None)


def test_typeof_without_a_branch_for_the_parent_gives_its_type_alone(
    org: Org, crm: dict[str, str]
) -> None:
    org.update("Task", crm["task"], {"WhoId": crm["ana"], "WhatId": crm["acme"]})
    [task] = org.query("SELECT TYPEOF What WHEN Opportunity THEN Amount END FROM Task")["records"]

    assert set(task["What"]) == {"attributes"}
    assert task["What"]["attributes"]["type"] == "Account"
    [typed] = org.query("SELECT TYPEOF What WHEN Opportunity THEN Amount ELSE Type END FROM Task")[
        "records"
    ]
    assert typed["What"]["Type"] == "Account"


@pytest.mark.parametrize(
    ("soql", "code", "detail"),
    [
        (
            "SELECT TYPEOF Subject WHEN Contact THEN LastName END FROM Task",
            "INVALID_FIELD",
            "polymorphic",
        ),
        ("SELECT TYPEOF Who WHEN Account THEN Name END FROM Task", "INVALID_TYPE", "Account"),
        ("SELECT TYPEOF Who WHEN Contact THEN Nope END FROM Task", "INVALID_FIELD", "Nope"),
        (
            "SELECT TYPEOF Who WHEN Contact THEN Account.Name END FROM Task",
            "MALFORMED_QUERY",
            "not a path",
        ),
        (
            "SELECT Who.Name, TYPEOF Who WHEN Lead THEN Company END FROM Task",
            "INVALID_FIELD",
            "duplicate",
        ),
        (
            "SELECT TYPEOF Who WHEN Lead THEN Company END, Who.Name FROM Task",
            "INVALID_FIELD",
            "duplicate",
        ),
        (
            "SELECT TYPEOF What WHEN Account THEN BillingAddress END FROM Task",
            "MALFORMED_QUERY",
            "compound",
        ),
    ],
)
def test_typeof_is_refused_where_salesforce_refuses_it(
    org: Org, soql: str, code: str, detail: str
) -> None:
    refused = _error(org, soql)

    assert refused.error_code == code
    assert detail in refused.message
