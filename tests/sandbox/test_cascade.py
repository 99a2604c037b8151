"""A delete's cascade: what it deletes with the record, refuses, or clears, through every API
that deletes (REST, sObject Collections, composite, Bulk 2.0 and 1.0)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from forcebridge.sandbox.server import SandboxServer
from tests.sandbox.clocks import Clock

V = "/services/data/v62.0"


def account_family(sf: Salesforce, name: str) -> dict[str, str]:
    """An Account with a Contact, an Opportunity, and activities about each of them."""
    family = {"account": sf.Account.create({"Name": name})["id"]}
    family["contact"] = sf.Contact.create({"LastName": name, "AccountId": family["account"]})["id"]
    family["opportunity"] = sf.Opportunity.create(
        {
            "Name": name,
            "AccountId": family["account"],
            "StageName": "Prospecting",
            "CloseDate": "2030-01-01",
        }
    )["id"]
    family["account task"] = sf.Task.create({"Subject": name, "WhatId": family["account"]})["id"]
    family["contact task"] = sf.Task.create({"Subject": name, "WhoId": family["contact"]})["id"]
    family["opportunity event"] = sf.Event.create(
        {
            "Subject": name,
            "WhatId": family["opportunity"],
            "StartDateTime": "2030-01-01T10:00:00.000+0000",
            "DurationInMinutes": 30,
        }
    )["id"]
    return family


def deleted_flags(sf: Salesforce, ids: dict[str, str]) -> dict[str, bool]:
    """Each record's IsDeleted, as queryAll reads it."""
    flags = {}
    for sobject in ("Account", "Contact", "Opportunity", "Task", "Event", "Lead"):
        listed = ", ".join(f"'{record_id}'" for record_id in ids.values())
        soql = f"SELECT Id, IsDeleted FROM {sobject} WHERE Id IN ({listed})"
        for row in sf.query_all(soql, include_deleted=True)["records"]:
            flags[row["Id"]] = row["IsDeleted"]
    return {name: flags[record_id] for name, record_id in ids.items()}


def all_deleted(ids: dict[str, str]) -> dict[str, bool]:
    return dict.fromkeys(ids, True)


def test_deleting_an_account_deletes_its_contacts_opportunities_and_their_activities(
    sf: Salesforce,
) -> None:
    family = account_family(sf, "Cascade Co")
    other = account_family(sf, "Bystander Co")

    sf.Account.delete(family["account"])

    assert deleted_flags(sf, family) == all_deleted(family)
    assert deleted_flags(sf, other) == dict.fromkeys(other, False)
    live = sf.query(f"SELECT Id FROM Contact WHERE AccountId = '{family['account']}'")
    assert live["totalSize"] == 0
    with pytest.raises(SalesforceResourceNotFound) as gone:
        sf.Contact.get(family["contact"])
    assert gone.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_deleting_a_contact_or_lead_deletes_its_activities_and_nothing_above_it(
    sf: Salesforce,
) -> None:
    family = account_family(sf, "Contact Only")
    lead = sf.Lead.create({"LastName": "Lead Only", "Company": "Lead Co"})["id"]
    lead_task = sf.Task.create({"Subject": "Call", "WhoId": lead})["id"]

    sf.Contact.delete(family["contact"])
    sf.Lead.delete(lead)

    assert deleted_flags(sf, family | {"lead": lead, "lead task": lead_task}) == {
        "account": False,
        "contact": True,
        "opportunity": False,
        "account task": False,
        "contact task": True,
        "opportunity event": False,
        "lead": True,
        "lead task": True,
    }


def test_lookups_to_a_deleted_record_are_cleared_and_the_record_kept(sf: Salesforce) -> None:
    boss = sf.Contact.create({"LastName": "Boss"})["id"]
    report = sf.Contact.create({"LastName": "Report", "ReportsToId": boss})["id"]
    parent = sf.Account.create({"Name": "Parent"})["id"]
    child = sf.Account.create({"Name": "Child", "ParentId": parent})["id"]
    deal = sf.Opportunity.create(
        {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2030-01-01", "ContactId": boss}
    )["id"]

    sf.Contact.delete(boss)
    sf.Account.delete(parent)

    assert sf.Contact.get(report)["ReportsToId"] is None
    assert sf.Account.get(child)["ParentId"] is None
    assert sf.Opportunity.get(deal)["ContactId"] is None
    assert deleted_flags(sf, {"report": report, "child": child, "deal": deal}) == {
        "report": False,
        "child": False,
        "deal": False,
    }


def test_sobject_collections_and_composite_deletes_cascade(sf: Salesforce) -> None:
    by_collection = account_family(sf, "Collection Co")
    by_composite = account_family(sf, "Composite Co")

    [result] = sf.restful(
        f"composite/sobjects?ids={by_collection['account']}&allOrNone=true", method="DELETE"
    )
    composite = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "DELETE",
                "url": f"{V}/sobjects/Account/{by_composite['account']}",
                "referenceId": "gone",
            }
        ],
    }
    [answer] = sf.restful("composite", method="POST", json=composite)["compositeResponse"]

    assert result["success"] is True
    assert answer["httpStatusCode"] == 204
    assert deleted_flags(sf, by_collection) == all_deleted(by_collection)
    assert deleted_flags(sf, by_composite) == all_deleted(by_composite)


def test_a_cascade_rolled_back_with_its_composite_request_leaves_every_record_live(
    sf: Salesforce,
) -> None:
    family = account_family(sf, "Rolled Back Co")
    composite = {
        "allOrNone": True,
        "compositeRequest": [
            {
                "method": "DELETE",
                "url": f"{V}/sobjects/Account/{family['account']}",
                "referenceId": "gone",
            },
            {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "bad", "body": {}},
        ],
    }

    sf.restful("composite", method="POST", json=composite)

    assert deleted_flags(sf, family) == dict.fromkeys(family, False)


@pytest.mark.parametrize("operation", ["delete", "hard_delete"])
def test_bulk_2_delete_jobs_cascade(sf: Salesforce, operation: str) -> None:
    family = account_family(sf, f"Bulk 2 {operation}")

    [report] = getattr(sf.bulk2.Account, operation)(records=[{"Id": family["account"]}], wait=0.1)

    assert report["numberRecordsFailed"] == 0
    assert deleted_flags(sf, family) == all_deleted(family)


@pytest.mark.parametrize("operation", ["delete", "hard_delete"])
def test_bulk_1_delete_jobs_cascade(sf: Salesforce, operation: str) -> None:
    family = account_family(sf, f"Bulk 1 {operation}")

    [result] = getattr(sf.bulk.Account, operation)([{"Id": family["account"]}])

    assert result["success"] is True
    assert deleted_flags(sf, family) == all_deleted(family)


def test_describe_shows_which_children_a_delete_takes(sf: Salesforce) -> None:
    def relationships(sobject: str) -> dict[tuple[str, str], tuple[bool, bool]]:
        described = sf.restful(f"sobjects/{sobject}/describe")["childRelationships"]
        return {
            (r["childSObject"], r["field"]): (r["cascadeDelete"], r["restrictedDelete"])
            for r in described
        }

    account, contact = relationships("Account"), relationships("Contact")

    assert account[("Contact", "AccountId")] == (True, False)
    assert account[("Opportunity", "AccountId")] == (True, False)
    assert account[("Task", "WhatId")] == (True, False)
    assert account[("Account", "ParentId")] == (False, False)
    assert account[("Task", "AccountId")] == (False, False)
    assert contact[("Event", "WhoId")] == (True, False)
    assert contact[("Contact", "ReportsToId")] == (False, False)


def test_replication_sees_the_cascade_deleted_and_the_cleared_records_changed(
    make_sandbox: Callable[..., SandboxServer], salesforce_for: Callable[..., Salesforce]
) -> None:
    clock = Clock()
    sf = salesforce_for(make_sandbox(clock=clock))
    family = account_family(sf, "Replicated Co")
    reporting = sf.Contact.create({"LastName": "Reporting", "ReportsToId": family["contact"]})
    created = sf.Contact.get(reporting["id"])
    clock.advance(minutes=5)

    sf.Account.delete(family["account"])
    clock.advance(minutes=2)

    window = (clock.now - dt.timedelta(minutes=3), clock.now)
    deleted = sf.Contact.deleted(*window)["deletedRecords"]
    assert deleted == [{"id": family["contact"], "deletedDate": "2024-11-07T15:35:00.000+0000"}]
    assert [r["id"] for r in sf.Task.deleted(*window)["deletedRecords"]] == [
        family["account task"],
        family["contact task"],
    ]
    assert sf.Contact.updated(*window)["ids"] == [reporting["id"]]
    cleared = sf.Contact.get(reporting["id"])
    assert cleared["LastModifiedDate"] == created["LastModifiedDate"]
    assert cleared["SystemModstamp"] == "2024-11-07T15:35:00.000+0000"


def make_lookup(sf: Salesforce, metadata: dict[str, Any]) -> None:
    sf.toolingexecute(
        "sobjects/CustomField",
        method="POST",
        data={
            "FullName": "Account.Champion__c",
            "Metadata": {
                "type": "Lookup",
                "label": "Champion",
                "referenceTo": "Contact",
                "relationshipName": "Championed",
            }
            | metadata,
        },
    )


def test_a_restricting_custom_lookup_refuses_the_delete_and_changes_nothing(
    make_sandbox: Callable[..., SandboxServer], salesforce_for: Callable[..., Salesforce]
) -> None:
    sf = salesforce_for(make_sandbox())
    make_lookup(sf, {"deleteConstraint": "Restrict"})
    champion = sf.Contact.create({"LastName": "Champion"})["id"]
    task = sf.Task.create({"Subject": "Thank", "WhoId": champion})["id"]
    account = sf.Account.create({"Name": "Championed Co", "Champion__c": champion})["id"]

    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Contact.delete(champion)

    [error] = refused.value.content
    assert error["errorCode"] == "DELETE_FAILED"
    assert error["message"] == (
        "Your attempt to delete Champion could not be completed because it is associated with "
        "the following accounts.: Championed Co"
    )
    assert deleted_flags(sf, {"champion": champion, "task": task, "account": account}) == {
        "champion": False,
        "task": False,
        "account": False,
    }
    described = sf.restful("sobjects/Contact/describe")["childRelationships"]
    [championed] = [r for r in described if r["field"] == "Champion__c"]
    assert (championed["cascadeDelete"], championed["restrictedDelete"]) == (False, True)


@pytest.mark.parametrize(
    ("metadata", "champion_of"),
    [({}, None), ({"deleteConstraint": "Cascade"}, "deleted")],
)
def test_a_custom_lookup_is_cleared_by_default_or_cascades_when_told(
    make_sandbox: Callable[..., SandboxServer],
    salesforce_for: Callable[..., Salesforce],
    metadata: dict[str, Any],
    champion_of: str | None,
) -> None:
    sf = salesforce_for(make_sandbox())
    make_lookup(sf, metadata)
    champion = sf.Contact.create({"LastName": "Champion"})["id"]
    account = sf.Account.create({"Name": "Championed Co", "Champion__c": champion})["id"]

    sf.Contact.delete(champion)

    [row] = sf.query_all(
        f"SELECT IsDeleted, Champion__c FROM Account WHERE Id = '{account}'", include_deleted=True
    )["records"]
    if champion_of == "deleted":
        assert (row["IsDeleted"], row["Champion__c"]) == (True, champion)
    else:
        assert (row["IsDeleted"], row["Champion__c"]) == (False, None)


def test_a_required_custom_lookup_cannot_be_set_to_clear(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        make_lookup(sf, {"required": True, "deleteConstraint": "SetNull"})

    [error] = refused.value.content
    assert (error["errorCode"], error["fields"]) == (
        "FIELD_INTEGRITY_EXCEPTION",
        ["deleteConstraint"],
    )


@pytest.mark.parametrize("rule", ["cascadeDelete", "restrictedDelete"])
def test_a_lookup_of_a_recorded_payload_deletes_as_its_describe_says(
    make_sandbox: Callable[..., SandboxServer],
    salesforce_for: Callable[..., Salesforce],
    tmp_path: Path,
    rule: str,
) -> None:
    lookup = {
        "name": "Account__c",
        "type": "reference",
        "referenceTo": ["Account"],
        "relationshipName": "Account__r",
        "nillable": False,
        rule: True,
    }
    invoice = {"name": "Invoice__c", "label": "Invoice", "fields": [lookup]}
    (tmp_path / "Invoice__c.json").write_text(json.dumps(invoice), encoding="utf-8")
    sf = salesforce_for(make_sandbox(schema_dir=tmp_path))
    account = sf.Account.create({"Name": "Billed Co"})["id"]
    bill = sf.Invoice__c.create({"Account__c": account})["id"]

    if rule == "restrictedDelete":
        with pytest.raises(SalesforceMalformedRequest, match="DELETE_FAILED"):
            sf.Account.delete(account)
    else:
        sf.Account.delete(account)

    [row] = sf.query_all(
        f"SELECT IsDeleted FROM Invoice__c WHERE Id = '{bill}'", include_deleted=True
    )["records"]
    assert row["IsDeleted"] is (rule == "cascadeDelete")
