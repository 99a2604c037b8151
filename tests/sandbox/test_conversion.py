from __future__ import annotations

import pytest

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.org import Org


def _lead(org: Org) -> str:
    return org.create(
        "Lead",
        {"FirstName": "Lee", "LastName": "Park", "Company": "Initech", "Email": "lee@initech.com",
         "Phone": "+44 20 7946 0000", "City": "London", "DoNotCall": True},
    )  # fmt: skip


def test_conversion_creates_an_account_and_a_contact_from_the_lead(org: Org) -> None:
    lead_id = _lead(org)
    result = org.convert_lead(lead_id)
    assert result["success"] and result["leadId"] == lead_id and result["opportunityId"] is None
    account = org.retrieve("Account", result["accountId"], ["Name", "Phone", "BillingCity"])
    assert (account["Name"], account["Phone"], account["BillingCity"]) == (
        "Initech", "+44 20 7946 0000", "London"
    )  # fmt: skip
    contact = org.retrieve(
        "Contact", result["contactId"], ["Name", "Email", "AccountId", "MailingCity", "DoNotCall"]
    )
    assert contact["Name"] == "Lee Park" and contact["Email"] == "lee@initech.com"
    assert contact["AccountId"] == result["accountId"] and contact["MailingCity"] == "London"
    assert contact["DoNotCall"] is True
    lead = org.retrieve(
        "Lead",
        lead_id,
        ["IsConverted", "ConvertedDate", "ConvertedAccountId", "ConvertedContactId", "Status"],
    )
    assert lead == {
        "attributes": lead["attributes"],
        "IsConverted": True,
        "ConvertedDate": "2024-11-07",
        "ConvertedAccountId": result["accountId"],
        "ConvertedContactId": result["contactId"],
        "Status": "Closed - Converted",
    }


def test_conversion_into_existing_records(org: Org) -> None:
    account_id = org.create("Account", {"Name": "Initech Ltd"})
    contact_id = org.create("Contact", {"LastName": "Park"})
    result = org.convert_lead(_lead(org), account_id=account_id, contact_id=contact_id)
    assert (result["accountId"], result["contactId"]) == (account_id, contact_id)
    assert org.retrieve("Contact", contact_id, ["AccountId"])["AccountId"] == account_id
    assert org.query("SELECT COUNT() FROM Account")["totalSize"] == 1


def test_converting_into_existing_records_fills_only_their_empty_fields(org: Org) -> None:
    account_id = org.create("Account", {"Name": "Initech Ltd", "Phone": "+1 555 0100"})
    contact_id = org.create(
        "Contact", {"LastName": "Parker", "Email": "lp@initech.com", "DoNotCall": False}
    )
    org.convert_lead(_lead(org), account_id=account_id, contact_id=contact_id)

    account = org.retrieve("Account", account_id, ["Name", "Phone", "BillingCity"])
    assert (account["Name"], account["Phone"], account["BillingCity"]) == (
        "Initech Ltd", "+1 555 0100", "London"
    )  # fmt: skip
    fields = ["FirstName", "LastName", "Email", "Phone", "DoNotCall"]
    contact = org.retrieve("Contact", contact_id, fields)
    assert (contact["FirstName"], contact["LastName"], contact["Email"]) == (
        "Lee", "Parker", "lp@initech.com"
    )  # fmt: skip
    assert (contact["Phone"], contact["DoNotCall"]) == ("+44 20 7946 0000", False)


def test_a_lead_converts_only_once_and_a_failure_changes_nothing(org: Org) -> None:
    lead_id = _lead(org)
    with pytest.raises(ApiError):
        org.convert_lead(lead_id, account_id="001-not-an-id")
    assert org.query("SELECT COUNT() FROM Contact")["totalSize"] == 0
    assert org.retrieve("Lead", lead_id, ["IsConverted"])["IsConverted"] is False
    org.convert_lead(lead_id)
    with pytest.raises(ApiError) as raised:
        org.convert_lead(lead_id)
    assert raised.value.error_code == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_an_opportunity_comes_with_the_conversion_when_asked(org: Org) -> None:
    lead_id = org.create("Lead", {"LastName": "Park", "Company": "Initech", "LeadSource": "Web"})
    result = org.convert_lead(lead_id, create_opportunity=True)
    opportunity = org.retrieve(
        "Opportunity",
        result["opportunityId"],
        ["Name", "AccountId", "StageName", "CloseDate", "LeadSource"],
    )
    assert {k: v for k, v in opportunity.items() if k != "attributes"} == {
        "Name": "Initech",
        "AccountId": result["accountId"],
        "StageName": "Prospecting",
        "CloseDate": "2024-12-31",  # the end of the quarter of the clock's 2024-11-07
        "LeadSource": "Web",
    }
    lead = org.retrieve("Lead", lead_id, ["ConvertedOpportunityId"])
    assert lead["ConvertedOpportunityId"] == result["opportunityId"]
    named = org.convert_lead(_lead(org), create_opportunity=True, opportunity_name="Big deal")
    assert org.retrieve("Opportunity", named["opportunityId"], ["Name"])["Name"] == "Big deal"


def test_the_records_a_conversion_creates_hold_what_salesforce_fills(org: Org) -> None:
    result = org.convert_lead(_lead(org), create_opportunity=True)

    account = org.retrieve("Account", result["accountId"], ["IsPartner", "IsCustomerPortal"])
    contact = org.retrieve("Contact", result["contactId"], ["IsEmailBounced"])
    opportunity = org.retrieve(
        "Opportunity",
        result["opportunityId"],
        ["IsClosed", "IsWon", "Probability", "ForecastCategoryName", "Fiscal"],
    )
    assert (account["IsPartner"], account["IsCustomerPortal"]) == (False, False)
    assert contact["IsEmailBounced"] is False
    assert {k: v for k, v in opportunity.items() if k != "attributes"} == {
        "IsClosed": False,
        "IsWon": False,
        "Probability": 10,
        "ForecastCategoryName": "Pipeline",
        "Fiscal": "2024 4",
    }
    assert org.query("SELECT COUNT() FROM Opportunity WHERE IsClosed = false")["totalSize"] == 1


def test_the_owner_and_lead_source_options_apply(org: Org) -> None:
    profile = org.retrieve("User", org.admin_user_id, ["ProfileId"])["ProfileId"]
    owner = org.create(
        "User",
        {"LastName": "Owner", "Username": "owner@initech.example", "Email": "o@initech.example",
         "Alias": "own", "TimeZoneSidKey": "UTC", "LocaleSidKey": "en_US",
         "EmailEncodingKey": "UTF-8", "LanguageLocaleKey": "en_US", "ProfileId": profile},
    )  # fmt: skip
    account_id = org.create("Account", {"Name": "Initech"})
    contact_id = org.create(
        "Contact", {"LastName": "Park", "LeadSource": "Other", "AccountId": account_id}
    )
    lead_id = org.create("Lead", {"LastName": "Park", "Company": "Initech", "LeadSource": "Web"})
    other = org.create("Lead", {"LastName": "Ode", "Company": "Globex"})
    org.convert_lead(
        lead_id, contact_id=contact_id, account_id=account_id, overwrite_lead_source=True
    )
    result = org.convert_lead(other, owner_id=owner)
    assert org.retrieve("Contact", contact_id, ["LeadSource"])["LeadSource"] == "Web"
    assert org.retrieve("Account", result["accountId"], ["OwnerId"])["OwnerId"] == owner


def test_merging_into_a_contact_needs_its_account_and_changes_nothing_without(org: Org) -> None:
    contact_id = org.create("Contact", {"LastName": "Park"})
    lead_id = org.create("Lead", {"LastName": "Park", "Company": "Initech"})

    with pytest.raises(ApiError) as refused:
        org.convert_lead(lead_id, contact_id=contact_id)

    assert (refused.value.error_code, refused.value.fields) == (
        "REQUIRED_FIELD_MISSING",
        ["accountId"],
    )
    assert org.retrieve("Lead", lead_id, ["IsConverted"])["IsConverted"] is False


def test_the_leads_activities_move_to_the_contact_and_the_account(org: Org) -> None:
    lead_id = org.create("Lead", {"LastName": "Park", "Company": "Initech"})
    task_id = org.create("Task", {"Subject": "Call", "WhoId": lead_id, "Status": "Completed"})

    result = org.convert_lead(lead_id)

    moved = org.retrieve("Task", task_id, ["WhoId", "WhatId"])
    related = result["opportunityId"] or result["accountId"]
    assert (moved["WhoId"], moved["WhatId"]) == (result["contactId"], related)


def test_only_a_converted_status_converts(org: Org) -> None:
    lead_id = _lead(org)
    with pytest.raises(ApiError) as raised:
        org.convert_lead(lead_id, converted_status="Working - Contacted")
    assert raised.value.error_code == "INVALID_STATUS"
    assert "Working - Contacted" in raised.value.message
    assert org.retrieve("Lead", lead_id, ["IsConverted"])["IsConverted"] is False
