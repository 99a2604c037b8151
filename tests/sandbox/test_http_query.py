"""SOQL over REST with simple-salesforce: pages, batch sizes, queryAll, errors, usage by kind."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from forcebridge.sandbox import semi_joins
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


@pytest.fixture(scope="module")
def alias_co(sf: Salesforce) -> str:
    """An Account with two Contacts."""
    account = str(sf.Account.create({"Name": "Alias Co"})["id"])
    for last_name in ("Ames", "Bloom"):
        sf.Contact.create({"LastName": last_name, "Title": "CTO", "AccountId": account})
    return account


@pytest.mark.parametrize(
    ("aliased", "plain"),
    [
        (
            "SELECT c.LastName, a.Name FROM Contact c, c.Account a WHERE a.Name = 'Alias Co' "
            "ORDER BY c.LastName",
            "SELECT LastName, Account.Name FROM Contact WHERE Account.Name = 'Alias Co' "
            "ORDER BY LastName",
        ),
        (
            "SELECT a.Name, (SELECT x.LastName FROM a.Contacts x ORDER BY x.LastName DESC) "
            "FROM Account a WHERE a.Name = 'Alias Co'",
            "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC) "
            "FROM Account WHERE Name = 'Alias Co'",
        ),
        (
            "SELECT c.Title, COUNT(c.Id) n FROM Contact c WHERE c.AccountId IN "
            "(SELECT a.Id FROM Account a WHERE a.Name = 'Alias Co') GROUP BY c.Title",
            "SELECT Title, COUNT(Id) n FROM Contact WHERE AccountId IN "
            "(SELECT Id FROM Account WHERE Name = 'Alias Co') GROUP BY Title",
        ),
    ],
)
def test_a_query_with_object_aliases_answers_as_without_them(
    sf: Salesforce, alias_co: str, aliased: str, plain: str
) -> None:
    """SOQL reference, "Alias Notation": `FROM Contact c, c.Account a`, then `c.` and `a.`."""
    answer = sf.query(aliased)

    assert answer == sf.query(plain)
    assert answer["totalSize"] > 0


def test_an_unknown_field_behind_an_alias_is_named_on_its_object(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query("SELECT c.Bogus FROM Contact c")
    [error] = refused.value.content
    assert error["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Bogus' on entity 'Contact'" in error["message"]


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
    assert answer.headers["Sforce-Limit-Info"].startswith("api-usage=")


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


def test_week_literals_start_on_the_first_day_of_the_logged_in_users_locale(
    make_sandbox: Callable[..., SandboxServer], salesforce_for: Callable[..., Salesforce]
) -> None:
    monday = Clock(dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC))
    sf = salesforce_for(make_sandbox(clock=monday))
    sf.Contact.create({"LastName": "Sunday", "Birthdate": "2026-12-06"})
    this_week = "SELECT LastName FROM Contact WHERE Birthdate = THIS_WEEK"
    assert sf.query(this_week)["totalSize"] == 1  # en_US: the week began on Sunday

    [user] = sf.query("SELECT Id FROM User")["records"]
    sf.User.update(user["Id"], {"LocaleSidKey": "en_GB"})

    assert sf.query(this_week)["totalSize"] == 0  # en_GB: it began on Monday


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


def _refusal(sf: Salesforce, soql: str) -> dict[str, str]:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query(soql)
    [error] = refused.value.content
    return dict(error)


def test_a_picklist_sorts_in_its_defined_order_and_compares_as_text(sf: Salesforce) -> None:
    """ORDER BY: "Picklist sorting is defined by the picklist sort determined during setup";
    MIN() and MAX() of a picklist use "the sort order of the picklist values instead of
    alphabetical order"; `<` and `>` are documented as no more than less and greater."""
    for n, stage in enumerate(["Closed Lost", "Prospecting", "Negotiation/Review", "Closed Won"]):
        sf.Opportunity.create(
            {"Name": f"Staged {n}", "StageName": stage, "CloseDate": "2025-01-31"}
        )
    staged = "FROM Opportunity WHERE Name LIKE 'Staged %'"

    def stages(soql: str) -> list[str]:
        return [record["StageName"] for record in sf.query(soql)["records"]]

    defined = ["Prospecting", "Negotiation/Review", "Closed Won", "Closed Lost"]
    assert stages(f"SELECT StageName {staged} ORDER BY StageName") == defined
    assert stages(f"SELECT StageName {staged} ORDER BY StageName DESC") == defined[::-1]
    grouped = f"SELECT StageName, COUNT(Id) {staged} GROUP BY StageName ORDER BY StageName"
    assert stages(grouped) == defined
    [extremes] = sf.query(f"SELECT MIN(StageName) low, MAX(StageName) high {staged}")["records"]
    assert (extremes["low"], extremes["high"]) == ("Prospecting", "Closed Lost")
    after = f"SELECT StageName {staged} AND StageName > 'Closed Won' ORDER BY StageName"
    assert stages(after) == ["Prospecting", "Negotiation/Review"]


def test_text_sorts_and_compares_by_its_upper_case_characters(sf: Salesforce) -> None:
    """ORDER BY: for English locales, SOQL sorts by "the UTF-8 values of the uppercase
    character": `A` (0x41) and `B` come before `_` (0x5F), which lower case puts first."""
    for email in ("_u@x.com", "b@x.com", "A@x.com"):
        sf.Contact.create({"LastName": "Sorted", "Email": email})
    sorted_ = "FROM Contact WHERE LastName = 'Sorted'"

    def emails(soql: str) -> list[str]:
        return [record["Email"] for record in sf.query(soql)["records"]]

    assert emails(f"SELECT Email {sorted_} ORDER BY Email") == ["A@x.com", "b@x.com", "_u@x.com"]
    assert emails(f"SELECT Email {sorted_} AND Email > 'B' ORDER BY Email") == [
        "b@x.com",
        "_u@x.com",
    ]
    [extremes] = sf.query(f"SELECT MIN(Email) low, MAX(Email) high {sorted_}")["records"]
    assert (extremes["low"], extremes["high"]) == ("A@x.com", "_u@x.com")


def test_fields_and_a_field_it_selects_again_are_refused(sf: Salesforce) -> None:
    """The FIELDS() page: `SELECT Id, FIELDS(ALL) FROM User LIMIT 200` fails so."""
    for soql in (
        "SELECT Id, FIELDS(ALL) FROM User LIMIT 200",
        "SELECT FIELDS(STANDARD), Id FROM User",
        "SELECT FIELDS(ALL), FIELDS(STANDARD) FROM User LIMIT 200",
    ):
        assert _refusal(sf, soql) == {
            "message": "duplicate field selected: Id",
            "errorCode": "INVALID_FIELD",
        }, soql


def test_a_field_selected_twice_is_refused_as_when_fields_selects_it_again(
    sf: Salesforce,
) -> None:
    """The FIELDS() page: "The API returns an error if the SELECT statement results in any
    duplicated field names", in one form whether FIELDS() selected the field or not."""
    for soql, name in (
        ("SELECT Id, Id FROM Account", "Id"),
        ("SELECT Name, name FROM Account", "Name"),
        ("SELECT Account.Name, Account.Name FROM Contact", "Account.Name"),
    ):
        assert _refusal(sf, soql) == {
            "message": f"duplicate field selected: {name}",
            "errorCode": "INVALID_FIELD",
        }, soql


def test_fields_without_a_small_limit_and_a_duplicate_alias_say_where_they_are(
    sf: Salesforce,
) -> None:
    """MALFORMED_QUERY points at what is wrong, as Salesforce lays its query errors out."""
    unbounded = "SELECT Id, FIELDS(ALL) FROM Account"
    aliased = "SELECT LastName n, COUNT(Id) n FROM Contact GROUP BY LastName"
    named = (
        "SELECT Account.Name, Owner.Name, COUNT(Id) FROM Contact GROUP BY Account.Name, Owner.Name"
    )

    assert _refusal(sf, unbounded) == {
        "errorCode": "MALFORMED_QUERY",
        "message": f"\n{unbounded}\n{' ' * 11}^\nERROR at Row:1:Column:12\n"
        "The SOQL FIELDS function must have a LIMIT of at most 200",
    }
    assert _refusal(sf, aliased)["message"] == (
        f"\n{aliased}\n{' ' * 29}^\nERROR at Row:1:Column:30\nduplicate alias: n"
    )
    assert _refusal(sf, named)["message"] == (
        f"\n{named}\n{' ' * 21}^\nERROR at Row:1:Column:22\nduplicate alias: Name"
    )


def test_grouped_fields_of_one_name_need_aliases_rather_than_losing_a_value(
    sf: Salesforce,
) -> None:
    account = sf.Account.create({"Name": "Aliased"})["id"]
    sf.Contact.create({"LastName": "Grouped", "AccountId": account})
    grouped = "COUNT(Id) FROM Contact WHERE LastName = 'Grouped' GROUP BY Account.Name, Owner.Name"

    error = _refusal(sf, f"SELECT Account.Name, Owner.Name, {grouped}")
    [row] = sf.query(f"SELECT Account.Name company, Owner.Name owner, {grouped}")["records"]

    assert error["errorCode"] == "MALFORMED_QUERY"
    assert error["message"].endswith("duplicate alias: Name")
    [user] = sf.query("SELECT Name FROM User")["records"]
    assert (row["company"], row["owner"], row["expr0"]) == ("Aliased", user["Name"], 1)


SEMI_JOINS_REFUSED = [
    ("SELECT Id FROM Contact WHERE LastName = 'x' OR AccountId IN (SELECT Id FROM Account)",
     "Semi join sub-selects are not allowed with the 'OR' operator"),
    ("SELECT Id FROM Contact WHERE LastName = 'x' AND (Email = null OR AccountId IN "
     "(SELECT Id FROM Account))", semi_joins.NESTED),
    ("SELECT Id FROM Contact WHERE NOT AccountId IN (SELECT Id FROM Account)", semi_joins.NESTED),
    ("SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account) AND OwnerId IN "
     "(SELECT Id FROM User) AND AccountId NOT IN (SELECT AccountId FROM Opportunity)",
     "Maximum 2 semi join sub-selects are allowed"),
    ("SELECT Id FROM Contact WHERE Id IN (SELECT WhoId FROM Task)",
     "Entity 'Task' is not supported for semi join inner selects"),
    ("SELECT Id FROM Account WHERE Id IN (SELECT ParentId FROM Account)",
     "The inner and outer selects should not be on the same object type"),
    ("SELECT Id FROM Contact WHERE Account.Id IN (SELECT AccountId FROM Opportunity)",
     semi_joins.LEFT_PATH),
    ("SELECT Id FROM Account WHERE OwnerId IN (SELECT Account.OwnerId FROM Contact)",
     semi_joins.INNER_PATH),
    ("SELECT AccountId, COUNT(Id) FROM Contact GROUP BY AccountId "
     "HAVING AccountId IN (SELECT Id FROM Account)", semi_joins.IN_HAVING),
]  # fmt: skip


@pytest.mark.parametrize(("soql", "detail"), SEMI_JOINS_REFUSED)
def test_semi_joins_go_only_where_salesforce_takes_them(
    sf: Salesforce, soql: str, detail: str
) -> None:
    """ "Considerations for Semi-Join and Anti-Join Queries", with Salesforce's messages."""
    error = _refusal(sf, soql)

    assert error["errorCode"] == "MALFORMED_QUERY"
    assert error["message"].endswith(detail)


def test_two_semi_joins_at_the_top_level_of_where_are_taken(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Semi"})["id"]
    sf.Contact.create({"LastName": "Semi", "AccountId": account})
    soql = (
        "SELECT Name FROM Account WHERE Name = 'Semi' AND Id IN (SELECT AccountId FROM Contact) "
        "AND Id NOT IN (SELECT AccountId FROM Opportunity)"
    )

    assert [r["Name"] for r in sf.query(soql)["records"]] == ["Semi"]


def test_a_multi_select_picklist_equals_a_set_and_reads_in_its_defined_order(
    tmp_path: Path,
    make_sandbox: Callable[..., SandboxServer],
    salesforce_for: Callable[..., Salesforce],
) -> None:
    """ "Query Multi-Select Picklists": `= 'AAA;BBB'` is AAA and BBB selected, an exact match;
    SOQL returns selected values in the picklist's order (Salesforce help, "Multi-Select
    Picklist Value Ordering Behavior")."""
    tags = {"name": "Tags__c", "type": "multipicklist", "label": "Tags", "length": 4099,
            "custom": True, "picklistValues": ["AAA", "BBB", "CCC"]}  # fmt: skip
    (tmp_path / "Contact.json").write_text(json.dumps({"name": "Contact", "fields": [tags]}))
    sf = salesforce_for(make_sandbox(schema_dir=tmp_path))
    sf.Contact.create({"LastName": "Both", "Tags__c": "BBB;AAA"})
    sf.Contact.create({"LastName": "One", "Tags__c": "AAA"})

    def names(where: str) -> list[str]:
        soql = f"SELECT LastName FROM Contact WHERE {where} ORDER BY LastName"
        return [record["LastName"] for record in sf.query(soql)["records"]]

    assert names("Tags__c = 'AAA;BBB'") == names("Tags__c = 'bbb;AAA'") == ["Both"]
    assert names("Tags__c = 'AAA'") == ["One"]
    assert names("Tags__c != 'BBB;AAA'") == ["One"]
    assert names("Tags__c = 'AAA;BBB;CCC'") == []
    [both] = sf.query("SELECT Tags__c FROM Contact WHERE LastName = 'Both'")["records"]
    assert both["Tags__c"] == "AAA;BBB"
    assert _refusal(sf, "SELECT Tags__c, FIELDS(CUSTOM) FROM Contact LIMIT 200") == {
        "message": "duplicate field selected: Tags__c",
        "errorCode": "INVALID_FIELD",
    }


def test_a_query_without_soql_is_refused_in_a_real_orgs_words(
    sandbox: SandboxServer, api_for: Callable[[SandboxServer], requests.Session]
) -> None:
    api = api_for(sandbox)
    base = f"{sandbox.base_url}/services/data/v62.0"

    for resource in ("query", "queryAll"):
        missing = api.get(f"{base}/{resource}")
        blank = api.get(f"{base}/{resource}", params={"q": " "})

        assert missing.status_code == blank.status_code == 400
        assert missing.json() == [
            {"message": "A query string has to be specified", "errorCode": "MALFORMED_QUERY"}
        ]
        assert blank.json()[0]["message"] == "SOQL statements cannot be empty or null"


@pytest.fixture
def tiered(
    make_sandbox: Callable[..., SandboxServer], salesforce_for: Callable[..., Salesforce]
) -> Salesforce:
    """Accounts in each tier of a picklist made through the Tooling API, whose values are
    defined out of alphabetical order (Zinc, gold, Bronze, Ärger), one Account in a tier the
    picklist does not define (Silver) and one in none."""
    sf = salesforce_for(make_sandbox())
    tiers = ("Zinc", "gold", "Bronze", "Ärger")
    values = [{"fullName": tier, "default": False} for tier in tiers]
    value_set = {"restricted": False, "valueSetDefinition": {"value": values}}
    metadata = {"type": "Picklist", "label": "Tier", "valueSet": value_set}
    sf.toolingexecute(
        "sobjects/CustomField",
        method="POST",
        data={"FullName": "Account.Tier__c", "Metadata": metadata},
    )
    accounts = [
        ("qa posted", "gold"), ("QA zebra", "gold"), ("Bravo", "Zinc"), ("alpha", "Zinc"),
        ("Brass", "Bronze"), ("Ärger AG", "Ärger"), ("Sterling", "Silver"), ("Untiered", None),
    ]  # fmt: skip
    for name, tier in accounts:
        sf.Account.create({"Name": name, "Tier__c": tier})
    return sf


def test_an_aggregate_of_a_picklist_orders_in_its_defined_order(tiered: Salesforce) -> None:
    """ORDER BY MAX(picklist) sorts as ORDER BY the picklist does, by its defined order (a
    value it does not define after those), and ORDER BY MIN(text) by upper-case characters."""

    def tiers(soql: str) -> list[str | None]:
        return [record["t"] for record in tiered.query(soql)["records"]]

    by_max = "SELECT Tier__c t, MAX(Tier__c) mx FROM Account GROUP BY Tier__c ORDER BY MAX(Tier__c)"
    by_min_name = "SELECT Tier__c t FROM Account GROUP BY Tier__c ORDER BY MIN(Name)"

    assert tiers(by_max) == [None, "Zinc", "gold", "Bronze", "Ärger", "Silver"]
    assert tiers(f"{by_max} DESC") == ["Silver", "Ärger", "Bronze", "gold", "Zinc", None]
    assert tiers(f"{by_max} DESC NULLS FIRST")[0] is None
    # alpha, Brass, qa posted, Sterling, Untiered, Ärger AG: by upper-case characters, Ä last
    assert tiers(by_min_name) == ["Zinc", "Bronze", "gold", "Silver", None, "Ärger"]


def test_subtotals_without_order_by_come_in_soqls_order_of_the_groups(tiered: Salesforce) -> None:
    """Without ORDER BY the groups come as ORDER BY would put them (Salesforce guarantees no
    order; its ROLLUP example lists LeadSource in the picklist's order), each subtotal after
    its group and the grand total last."""
    rolled = tiered.query(
        "SELECT Tier__c, Name, COUNT(Id) n FROM Account WHERE Tier__c IN ('gold', 'Zinc') "
        "GROUP BY ROLLUP(Tier__c, Name)"
    )
    cubed = tiered.query("SELECT Tier__c, COUNT(Id) n FROM Account GROUP BY CUBE(Tier__c)")

    assert [(r["Tier__c"], r["Name"], r["n"]) for r in rolled["records"]] == [
        ("Zinc", "alpha", 1), ("Zinc", "Bravo", 1), ("Zinc", None, 2),
        ("gold", "qa posted", 1), ("gold", "QA zebra", 1), ("gold", None, 2),
        (None, None, 4),
    ]  # fmt: skip
    assert [r["Tier__c"] for r in cubed["records"]] == [
        None, "Zinc", "gold", "Bronze", "Ärger", "Silver", None
    ]  # fmt: skip
