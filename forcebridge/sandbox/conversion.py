"""Lead conversion: the Lead becomes a Contact at an Account, as Salesforce's convertLead does.

The Account and Contact are created from the Lead's own fields unless existing ones are named;
the Lead is then marked converted (`IsConverted`, `ConvertedDate`, `ConvertedAccountId`,
`ConvertedContactId`, a converted `Status`) and can no longer be updated. All in the caller's
transaction, so a failure leaves the Lead as it was.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.schema import ObjectSpec
from forcebridge.sandbox.writes import Writes

CONVERTED_STATUS = "Closed - Converted"
#: Lead field -> the field it fills on the new Account.
ACCOUNT_FROM_LEAD = {
    "Company": "Name",
    "Phone": "Phone",
    "Website": "Website",
    "Industry": "Industry",
    "AnnualRevenue": "AnnualRevenue",
    "NumberOfEmployees": "NumberOfEmployees",
    "Street": "BillingStreet",
    "City": "BillingCity",
    "State": "BillingState",
    "PostalCode": "BillingPostalCode",
    "Country": "BillingCountry",
}
#: Lead field -> the field it fills on the new Contact.
CONTACT_FROM_LEAD = {
    "Salutation": "Salutation",
    "FirstName": "FirstName",
    "LastName": "LastName",
    "Title": "Title",
    "Email": "Email",
    "Phone": "Phone",
    "MobilePhone": "MobilePhone",
    "Fax": "Fax",
    "LeadSource": "LeadSource",
    "Description": "Description",
    "HasOptedOutOfEmail": "HasOptedOutOfEmail",
    "HasOptedOutOfFax": "HasOptedOutOfFax",
    "DoNotCall": "DoNotCall",
    "Street": "MailingStreet",
    "City": "MailingCity",
    "State": "MailingState",
    "PostalCode": "MailingPostalCode",
    "Country": "MailingCountry",
}


def convert_lead(
    writes: Writes,
    conn: sqlite3.Connection,
    lead_id: str,
    today: dt.date,
    account_id: str | None = None,
    contact_id: str | None = None,
) -> dict[str, Any]:
    """Convert one Lead; returns Salesforce's LeadConvertResult shape."""
    lead_obj = writes.sobject("Lead")
    account_obj, contact_obj = writes.sobject("Account"), writes.sobject("Contact")
    lead_id = writes.record_id(lead_obj, lead_id)
    lead = writes.live_row(conn, lead_obj, lead_id)
    if lead.get("IsConverted"):
        raise ApiError(400, "CANNOT_UPDATE_CONVERTED_LEAD", "This lead was already converted", [])
    if account_id is None:
        account_id = writes.create(
            conn, account_obj, _carried(lead, ACCOUNT_FROM_LEAD, account_obj)
        )
    else:
        account_id = writes.record_id(account_obj, account_id)
        writes.live_row(conn, account_obj, account_id)
    if contact_id is None:
        values = _carried(lead, CONTACT_FROM_LEAD, contact_obj) | {"AccountId": account_id}
        contact_id = writes.create(conn, contact_obj, values)
    else:
        contact_id = writes.record_id(contact_obj, contact_id)
        contact = writes.live_row(conn, contact_obj, contact_id)
        if contact.get("AccountId") not in (None, account_id):
            raise ApiError(
                400,
                "INVALID_CROSS_REFERENCE_KEY",
                "The contact must belong to the account the lead is converted into",
                ["ContactId"],
            )
        if contact.get("AccountId") is None:
            writes.update(conn, contact_obj, contact_id, {"AccountId": account_id})
    converted: dict[str, Any] = {
        "IsConverted": 1,
        "ConvertedDate": today.isoformat(),
        "ConvertedAccountId": account_id,
        "ConvertedContactId": contact_id,
    }
    status = lead_obj.field("Status")
    if status is not None and any(e.value == CONVERTED_STATUS for e in status.picklist):
        converted["Status"] = CONVERTED_STATUS
    writes.apply(conn, lead_obj, lead_id, lead, converted)
    return {
        "accountId": account_id,
        "contactId": contact_id,
        "leadId": lead_id,
        "opportunityId": None,
        "success": True,
        "errors": [],
    }


def _carried(lead: dict[str, Any], mapping: dict[str, str], target: ObjectSpec) -> dict[str, Any]:
    """The Lead's values for the fields `mapping` carries over, as the target's JSON input."""
    values: dict[str, Any] = {}
    for source, destination in mapping.items():
        value = lead.get(source)
        f = target.field(destination)
        if value is None or f is None:
            continue
        values[destination] = bool(value) if f.type == "boolean" else value
    return values
