"""SOQL over REST with simple-salesforce: pages, batch sizes, queryAll, errors, usage by kind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from forcebridge.sandbox.http_query import batch_size
from forcebridge.sandbox.server import SandboxServer
from tests.sandbox.clocks import Clock

Session = Callable[[SandboxServer], requests.Session]
CONTACTS = 450


@pytest.fixture(scope="module")
def contact_ids(sf: Salesforce) -> list[str]:
    ids: list[str] = []
    for start in range(0, CONTACTS, 200):
        records = [
            {"attributes": {"type": "Contact"}, "LastName": f"Person {n:04d}"}
            for n in range(start, min(start + 200, CONTACTS))
        ]
        results = sf.restful(
            "composite/sobjects", method="POST", json={"allOrNone": True, "records": records}
        )
        ids += [result["id"] for result in results]
    return ids


def test_query_all_follows_next_records_url_pages_of_the_asked_batch_size(
    sandbox: SandboxServer, sf: Salesforce, contact_ids: list[str]
) -> None:
    sandbox.reset_usage()
    options = {"Sforce-Query-Options": "batchSize=200"}
    result = sf.query_all("SELECT Id FROM Contact ORDER BY Id", headers=options)
    assert result["totalSize"] == CONTACTS
    assert [record["Id"] for record in result["records"]] == sorted(contact_ids)
    assert sandbox.usage().by_kind == {"query": 1, "queryMore": 2}


def test_first_page_says_where_the_next_one_is(sf: Salesforce, contact_ids: list[str]) -> None:
    first = sf.query(
        "SELECT Id, LastName FROM Contact", headers={"Sforce-Query-Options": "batchSize=200"}
    )
    assert (first["totalSize"], first["done"], len(first["records"])) == (CONTACTS, False, 200)
    assert first["nextRecordsUrl"].startswith("/services/data/v62.0/query/01g")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert len(second["records"]) == 200
    locator = second["nextRecordsUrl"].rsplit("/", 1)[1]
    last = sf.query_more(locator)
    assert (last["done"], len(last["records"])) == (True, CONTACTS - 400)
    assert "nextRecordsUrl" not in last


def test_default_page_is_2000_records(sf: Salesforce, contact_ids: list[str]) -> None:
    page = sf.query("SELECT Id FROM Contact")
    assert page["done"] is True
    assert len(page["records"]) == CONTACTS


def test_query_all_includes_deleted_records(sf: Salesforce, contact_ids: list[str]) -> None:
    gone = sf.Contact.create({"LastName": "Gone"})["id"]
    sf.Contact.delete(gone)
    soql = f"SELECT Id, IsDeleted FROM Contact WHERE Id = '{gone}'"
    assert sf.query(soql)["totalSize"] == 0
    assert sf.query_all(soql, include_deleted=True)["records"][0]["IsDeleted"] is True


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT FROM Contact", "MALFORMED_QUERY"),
        ("SELECT Nope__c FROM Contact", "INVALID_FIELD"),
        ("SELECT Id FROM Nope__c", "INVALID_TYPE"),
    ],
)
def test_bad_soql_is_400_with_salesforce_codes(sf: Salesforce, soql: str, code: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query(soql)
    assert refused.value.content[0]["errorCode"] == code


def test_count_with_order_by_is_refused_pointing_at_the_ordered_field(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query("SELECT COUNT() FROM Contact ORDER BY LastName")

    [error] = refused.value.content
    assert error == {
        "errorCode": "MALFORMED_QUERY",
        "message": "\nSELECT COUNT() FROM Contact ORDER BY LastName\n"
        "                                     ^\nERROR at Row:1:Column:38\n"
        "COUNT() cannot be used with ORDER BY: use COUNT(fieldName) to order",
    }


def test_query_without_q_is_400(sandbox: SandboxServer, api_for: Session) -> None:
    answer = api_for(sandbox).get(sandbox.base_url + "/services/data/v62.0/query")
    assert answer.status_code == 400
    assert answer.json()[0]["errorCode"] == "MALFORMED_QUERY"


def test_a_uri_longer_than_salesforce_takes_is_414_in_its_envelope(
    sandbox: SandboxServer, api_for: Session
) -> None:
    """A client building a huge `IN (...)` over GET must learn it here, not in production."""
    ids = ", ".join(f"'003{n:015d}'" for n in range(900))  # about 19,000 bytes
    soql = f"SELECT Id FROM Contact WHERE Id IN ({ids})"
    answer = api_for(sandbox).get(
        sandbox.base_url + "/services/data/v62.0/query", params={"q": soql}
    )

    assert answer.status_code == 414
    assert answer.json()[0]["errorCode"] == "URI_TOO_LONG"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("batchSize=500", 500),
        ("batchSize=10", 200),
        ("batchSize=99999", 2000),
        ("batchSize=lots", None),
    ],
)
def test_batch_size_stays_within_salesforce_bounds(
    header: str | None, expected: int | None
) -> None:
    assert batch_size(header) == expected


@pytest.fixture
def late_in_auckland(
    make_sandbox: Callable[..., SandboxServer], salesforce_for: Callable[..., Salesforce]
) -> Salesforce:
    """A client of a sandbox whose Contact "Late" was created at 22:00 in Auckland (09:00 UTC),
    three hours ago: it is the next day there, the same day in UTC."""
    clock = Clock(dt.datetime(2024, 11, 7, 9, 0, tzinfo=dt.UTC))
    sf = salesforce_for(make_sandbox(clock=clock))
    sf.Contact.create({"LastName": "Late"})
    clock.advance(hours=3)
    return sf


def _log_in_from_auckland(sf: Salesforce) -> None:
    [user] = sf.query("SELECT Id FROM User")["records"]
    sf.User.update(user["Id"], {"TimeZoneSidKey": "Pacific/Auckland"})


def test_date_literals_are_read_in_the_time_zone_of_the_logged_in_user(
    late_in_auckland: Salesforce,
) -> None:
    sf = late_in_auckland
    today = "SELECT Id FROM Contact WHERE CreatedDate = TODAY"
    assert sf.query(today)["totalSize"] == 1

    _log_in_from_auckland(sf)

    assert sf.query(today)["totalSize"] == 0
    assert sf.query(today.replace("TODAY", "YESTERDAY"))["totalSize"] == 1


def test_convert_timezone_groups_by_the_logged_in_users_hours(
    late_in_auckland: Salesforce,
) -> None:
    sf = late_in_auckland
    sf.Contact.create({"LastName": "Early"})  # 01:00 the next day in Auckland
    _log_in_from_auckland(sf)
    hours = (
        "SELECT HOUR_IN_DAY(convertTimezone(CreatedDate)) hour, COUNT(Id) FROM Contact "
        "GROUP BY HOUR_IN_DAY(convertTimezone(CreatedDate)) "
        "ORDER BY HOUR_IN_DAY(convertTimezone(CreatedDate))"
    )

    assert sf.query(hours)["records"] == [
        {"attributes": {"type": "AggregateResult"}, "hour": 1, "expr0": 1},
        {"attributes": {"type": "AggregateResult"}, "hour": 22, "expr0": 1},
    ]
    on_the_8th = (
        "SELECT LastName FROM Contact WHERE DAY_ONLY(convertTimezone(CreatedDate)) = 2024-11-08"
    )
    assert [r["LastName"] for r in sf.query(on_the_8th)["records"]] == ["Early"]
    with pytest.raises(SalesforceMalformedRequest, match="INVALID_FIELD"):
        sf.query("SELECT Id FROM Contact WHERE CALENDAR_YEAR(CreatedDate) = TODAY")


def test_the_admin_is_a_system_administrator_and_the_fiscal_year_starts_in_january(
    sf: Salesforce,
) -> None:
    [user] = sf.query("SELECT Name, ProfileId, Profile.Name FROM User")["records"]
    [organization] = sf.query("SELECT FiscalYearStartMonth FROM Organization")["records"]

    assert user["Profile"]["Name"] == "System Administrator"
    assert sf.Profile.get(user["ProfileId"])["Name"] == "System Administrator"
    assert organization["FiscalYearStartMonth"] == 1
