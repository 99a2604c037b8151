"""Parent-to-child subqueries over REST with simple-salesforce: a large child result pages on
its own, at its own `nextRecordsUrl`; a record's activities come through ActivityHistories and
OpenActivities."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from forcebridge.sandbox.server import SandboxServer

Session = Callable[[SandboxServer], requests.Session]
DATA = "/services/data/v62.0"
BIG, SMALL = 450, 3
CONTACTS = (
    "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account "
    "WHERE Id IN ('{big}', '{small}') ORDER BY Name"
)


@pytest.fixture(scope="module")
def accounts(sf: Salesforce) -> dict[str, str]:
    """An Account "Big" with 450 Contacts, C000 to C449 (made out of order), and "Small"
    with 3."""
    big = sf.Account.create({"Name": "Big"})["id"]
    small = sf.Account.create({"Name": "Small"})["id"]
    names = [f"C{n:03d}" for n in range(BIG)]
    random.Random(7).shuffle(names)
    records = [{"LastName": name, "AccountId": big} for name in names]
    records += [{"LastName": f"S{n}", "AccountId": small} for n in range(SMALL)]
    for start in range(0, len(records), 200):
        batch = [{"attributes": {"type": "Contact"}} | r for r in records[start : start + 200]]
        sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": batch})
    return {"big": big, "small": small}


def _first_children(sf: Salesforce, accounts: dict[str, str]) -> dict[str, Any]:
    big, _ = sf.query(CONTACTS.format(**accounts))["records"]
    children: dict[str, Any] = big["Contacts"]
    return children


@pytest.mark.parametrize("headers", [{}, {"Sforce-Query-Options": "batchSize=500"}])
def test_a_large_child_result_comes_200_at_a_time_from_its_own_next_records_url(
    sandbox: SandboxServer, sf: Salesforce, accounts: dict[str, str], headers: dict[str, str]
) -> None:
    sandbox.reset_usage()
    result = sf.query(CONTACTS.format(**accounts), headers=headers)
    big, small = result["records"]
    pages = [big["Contacts"]]
    while not pages[-1]["done"]:
        pages.append(sf.query_more(pages[-1]["nextRecordsUrl"], identifier_is_url=True))

    assert (result["totalSize"], result["done"]) == (2, True)
    assert [(p["totalSize"], p["done"], len(p["records"])) for p in pages] == [
        (BIG, False, 200), (BIG, False, 200), (BIG, True, 50)
    ]  # fmt: skip
    first, second, _ = (p.get("nextRecordsUrl", "") for p in pages)
    assert first.startswith(f"{DATA}/query/01g") and first.endswith("-200")
    assert second.endswith("-400") and "nextRecordsUrl" not in pages[-1]
    names = [row["LastName"] for page in pages for row in page["records"]]
    assert names == [f"C{n:03d}" for n in range(BIG)]
    assert (small["Contacts"]["totalSize"], small["Contacts"]["done"]) == (SMALL, True)
    assert "nextRecordsUrl" not in small["Contacts"]
    assert sandbox.usage().by_kind == {"query": 1, "queryMore": 2}


def test_a_child_locator_reads_alike_through_query_all_and_again(
    sf: Salesforce, accounts: dict[str, str]
) -> None:
    url = _first_children(sf, accounts)["nextRecordsUrl"]

    pages = [
        sf.query_more(url, identifier_is_url=True),
        sf.query_more(url.replace("/query/", "/queryAll/"), identifier_is_url=True),
        sf.query_more(url, identifier_is_url=True),
    ]

    assert pages[0]["records"] == pages[1]["records"] == pages[2]["records"]
    assert pages[0]["records"][0]["LastName"] == "C200"


def test_an_unknown_or_overrun_child_locator_is_refused_as_a_query_s_is(
    sandbox: SandboxServer, api_for: Session, sf: Salesforce, accounts: dict[str, str]
) -> None:
    url = _first_children(sf, accounts)["nextRecordsUrl"]
    session = api_for(sandbox)

    answers = [
        session.get(f"{sandbox.base_url}{url.replace('-200', f'-{BIG + 1}')}"),
        session.get(f"{sandbox.base_url}{DATA}/query/01gAAAAAAAAAAAAAAA-200"),
    ]

    for answer in answers:
        assert answer.status_code == 400
        assert answer.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_the_children_a_page_carries_count_toward_its_batch_size(sf: Salesforce) -> None:
    teams = [sf.Account.create({"Name": f"Team {n}"})["id"] for n in range(6)]
    members = [
        {"attributes": {"type": "Contact"}, "LastName": f"M{n}", "AccountId": team}
        for team in teams
        for n in range(49)
    ]
    for start in range(0, len(members), 200):
        batch = members[start : start + 200]
        sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": batch})
    soql = (
        "SELECT Name, (SELECT LastName FROM Contacts) FROM Account WHERE Name LIKE 'Team %' "
        "ORDER BY Name"
    )

    first = sf.query(soql, headers={"Sforce-Query-Options": "batchSize=200"})
    rest = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)

    assert [r["Name"] for r in first["records"]] == ["Team 0", "Team 1", "Team 2", "Team 3"]
    assert (first["totalSize"], first["done"]) == (6, False)  # 4 x (1 + 49) = 200 records
    assert first["nextRecordsUrl"].endswith("-4")
    assert ([r["Name"] for r in rest["records"]], rest["done"]) == (["Team 4", "Team 5"], True)
    assert all(len(r["Contacts"]["records"]) == 49 for r in first["records"] + rest["records"])
    assert len(sf.query(soql)["records"]) == 6


def test_a_parent_whose_children_outweigh_the_batch_comes_on_a_page_alone(
    sf: Salesforce, accounts: dict[str, str]
) -> None:
    first = sf.query(CONTACTS.format(**accounts), headers={"Sforce-Query-Options": "batchSize=200"})
    rest = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)

    assert [(r["Name"], len(r["Contacts"]["records"])) for r in first["records"]] == [("Big", 200)]
    assert (first["totalSize"], first["done"]) == (2, False)
    assert [(r["Name"], len(r["Contacts"]["records"])) for r in rest["records"]] == [("Small", 3)]
    assert rest["done"] is True


@pytest.fixture(scope="module")
def activities(sf: Salesforce) -> dict[str, str]:
    """An Account with a Contact, and its activities: a closed and an open Task, an Event of
    2020 and one of 2099."""
    account = sf.Account.create({"Name": "Busy"})["id"]
    contact = sf.Contact.create({"LastName": "Ng", "AccountId": account})["id"]
    sf.Task.create({"Subject": "Called", "WhoId": contact, "Status": "Completed"})
    sf.Task.create({"Subject": "Call back", "WhatId": account})
    sf.Event.create({"Subject": "Met", "WhoId": contact, "DurationInMinutes": 30,
                     "StartDateTime": "2020-03-02T10:00:00Z"})  # fmt: skip
    sf.Event.create({"Subject": "Meet again", "WhoId": contact, "DurationInMinutes": 30,
                     "StartDateTime": "2099-03-02T10:00:00Z"})  # fmt: skip
    return {"account": account, "contact": contact}


def test_a_record_s_activities_come_closed_and_open_through_its_subqueries(
    sf: Salesforce, activities: dict[str, str]
) -> None:
    soql = (
        "SELECT Name, (SELECT Subject, IsTask FROM ActivityHistories ORDER BY Subject), "
        "(SELECT Subject, IsTask FROM OpenActivities ORDER BY Subject) FROM {} WHERE Id = '{}'"
    )

    (account,) = sf.query(soql.format("Account", activities["account"]))["records"]
    (contact,) = sf.query(soql.format("Contact", activities["contact"]))["records"]

    def listed(result: dict[str, Any]) -> list[tuple[str, bool]]:
        return [(row["Subject"], row["IsTask"]) for row in result["records"]]

    assert listed(account["ActivityHistories"]) == [("Called", True), ("Met", False)]
    assert listed(account["OpenActivities"]) == [("Call back", True), ("Meet again", False)]
    assert listed(contact["ActivityHistories"]) == [("Called", True), ("Met", False)]
    assert listed(contact["OpenActivities"]) == [("Meet again", False)]


def test_activity_views_are_described_but_not_queried_on_their_own(sf: Salesforce) -> None:
    relationships = {
        name: {c["relationshipName"] for c in getattr(sf, name).describe()["childRelationships"]}
        for name in ("Account", "Contact", "Lead", "Opportunity")
    }

    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query("SELECT Id, Subject FROM ActivityHistory")

    for name, names in relationships.items():
        assert {"ActivityHistories", "OpenActivities"} <= names, name
    assert refused.value.content[0]["errorCode"] == "INVALID_TYPE_FOR_OPERATION"


def test_a_subquery_names_its_relationship_through_the_parent_as_the_docs_write_it(
    sf: Salesforce, accounts: dict[str, str]
) -> None:
    """The literal example of "Understanding Relationship Names"."""
    soql = (
        "SELECT Account.Name, (SELECT Contact.FirstName, Contact.LastName FROM Account.Contacts "
        "ORDER BY Contact.LastName) FROM Account WHERE Id = '{small}' LIMIT 1"
    )

    (small,) = sf.query(soql.format(**accounts))["records"]
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query(soql.replace("Account.Contacts", "Opportunity.Contacts").format(**accounts))

    assert small["Name"] == "Small"
    assert [(c["FirstName"], c["LastName"]) for c in small["Contacts"]["records"]] == [
        (None, "S0"), (None, "S1"), (None, "S2")
    ]  # fmt: skip
    [error] = refused.value.content
    assert error["errorCode"] == "INVALID_TYPE"
    assert "Didn't understand relationship 'Opportunity.Contacts'" in error["message"]


def test_fields_selects_a_subquery_s_fields_within_its_limit_of_200(
    sf: Salesforce, accounts: dict[str, str]
) -> None:
    soql = (
        "SELECT Name, (SELECT FIELDS(ALL) FROM Account.Contacts ORDER BY LastName {limit}) "
        "FROM Account WHERE Id = '{small}'"
    )
    described = {field["name"] for field in sf.Contact.describe()["fields"]}

    (small,) = sf.query(soql.format(limit="LIMIT 200", **accounts))["records"]
    with pytest.raises(SalesforceMalformedRequest) as unbounded:
        sf.query(soql.format(limit="", **accounts))

    first = small["Contacts"]["records"][0]
    assert set(first) - {"attributes"} == described
    assert (first["LastName"], first["AccountId"]) == ("S0", accounts["small"])
    [error] = unbounded.value.content
    assert error["errorCode"] == "MALFORMED_QUERY"
    assert error["message"].endswith("The SOQL FIELDS function must have a LIMIT of at most 200")


def _records(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    return result["records"] if result else []


def test_subqueries_nest_from_api_58_0_and_carry_their_own_results(
    sandbox: SandboxServer,
    sf: Salesforce,
    salesforce_for: Callable[..., Salesforce],
    activities: dict[str, str],
) -> None:
    """ "Using Relationship Queries": up to five levels of parent-to-child relationships in REST
    and SOAP queries from API version 58.0, and two before."""
    account = sf.Account.create({"Name": "Nest"})["id"]
    ana = sf.Contact.create({"LastName": "Ana", "AccountId": account})["id"]
    sf.Contact.create({"LastName": "Bo", "AccountId": account})
    for subject in ("Write", "Call"):
        sf.Task.create({"Subject": subject, "WhoId": ana})
    soql = (
        "SELECT Name, (SELECT LastName, (SELECT Subject FROM Tasks ORDER BY Subject), "
        "(SELECT Subject FROM ActivityHistories) FROM Contacts ORDER BY LastName) "
        "FROM Account WHERE Id IN ('{}', '{}') ORDER BY Name"
    ).format(account, activities["account"])

    busy, nest = sf.query(soql)["records"]
    with pytest.raises(SalesforceMalformedRequest) as too_early:
        salesforce_for(sandbox, version="57.0").query(soql)

    contacts = _records(nest["Contacts"])
    assert [c["LastName"] for c in contacts] == ["Ana", "Bo"]
    assert [t["Subject"] for t in _records(contacts[0]["Tasks"])] == ["Call", "Write"]
    assert contacts[0]["Tasks"]["totalSize"] == 2 and contacts[1]["Tasks"] is None
    assert contacts[0]["Tasks"]["records"][0]["attributes"]["type"] == "Task"
    [ng] = _records(busy["Contacts"])
    assert sorted(a["Subject"] for a in _records(ng["ActivityHistories"])) == ["Called", "Met"]
    [error] = too_early.value.content
    assert error["errorCode"] == "MALFORMED_QUERY"
    assert "need API version 58.0 or later" in error["message"]


def test_a_nested_child_result_pages_on_its_own_and_counts_toward_the_batch(
    sf: Salesforce,
) -> None:
    account = sf.Account.create({"Name": "Busy nest"})["id"]
    contact = sf.Contact.create({"LastName": "Ng", "AccountId": account})["id"]
    tasks = [
        {"attributes": {"type": "Task"}, "Subject": f"T{n:03d}", "WhoId": contact}
        for n in range(250)
    ]
    for start in range(0, len(tasks), 200):
        batch = tasks[start : start + 200]
        sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": batch})
    other = sf.Account.create({"Name": "Busy nest too"})["id"]
    soql = (
        "SELECT Name, (SELECT LastName, (SELECT Subject FROM Tasks ORDER BY Subject) "
        f"FROM Contacts) FROM Account WHERE Id IN ('{account}', '{other}') ORDER BY Name"
    )

    first = sf.query(soql, headers={"Sforce-Query-Options": "batchSize=200"})
    [ng] = first["records"][0]["Contacts"]["records"]
    more = sf.query_more(ng["Tasks"]["nextRecordsUrl"], identifier_is_url=True)

    assert len(first["records"]) == 1 and first["done"] is False  # 1 + 1 + 200 records
    assert (ng["Tasks"]["totalSize"], ng["Tasks"]["done"], len(ng["Tasks"]["records"])) == (
        250, False, 200
    )  # fmt: skip
    assert [t["Subject"] for t in more["records"]] == [f"T{n:03d}" for n in range(200, 250)]
    assert more["done"] is True


def test_five_levels_of_parent_to_child_relationships_and_no_more(sf: Salesforce) -> None:
    parent = None
    for name in ("L1", "L2", "L3", "L4", "L5", "L6"):
        values = {"Name": f"Levels {name}"} | ({"ParentId": parent} if parent else {})
        parent = sf.Account.create(values)["id"]
    top = sf.query("SELECT Id FROM Account WHERE Name = 'Levels L1'")["records"][0]["Id"]

    def levels(depth: int) -> str:
        inner = "SELECT Name FROM ChildAccounts"
        for _ in range(depth - 1):
            inner = f"SELECT Name, ({inner}) FROM ChildAccounts"
        return f"SELECT Name, ({inner}) FROM Account WHERE Id = '{top}'"

    (record,) = sf.query(levels(4))["records"]
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query(levels(5))

    names = []
    while record:
        names.append(record["Name"])
        children = record.get("ChildAccounts")
        record = children["records"][0] if children else None
    assert names == [f"Levels L{n}" for n in range(1, 6)]
    assert refused.value.content[0]["errorCode"] == "MALFORMED_QUERY"
    assert (
        "at most 5 levels of parent-to-child relationships" in refused.value.content[0]["message"]
    )
