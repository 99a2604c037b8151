"""Lead conversion: the Lead becomes a Contact at an Account, as Salesforce's convertLead does.

The Account and Contact are created from the Lead's own fields unless existing ones are named,
whose empty fields the Lead's values then fill (existing data is never overwritten, as
Salesforce documents for convertLead); the Lead is then marked converted (`IsConverted`,
`ConvertedDate`, `ConvertedAccountId`, `ConvertedContactId`, a converted `Status`) and can no
longer be updated. All in the caller's
transaction, so a failure leaves the Lead as it was.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.schema import ObjectSpec
from forcebridge.sandbox.writes import Writes

CONVERTED_STATUS = "Closed - Converted"
CONVERTED_STATUSES = frozenset({CONVERTED_STATUS})
"""The Lead statuses that mark a Lead converted (a real org's LeadStatus rows with
`IsConverted`): the default org has one."""
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


@dataclass(frozen=True)
class LeadConvert:
    """One conversion, as SOAP's `convertLead` takes it (a `leadConverts` element)."""

    lead_id: str
    converted_status: str = CONVERTED_STATUS
    """The Lead's status once converted: one of the converted ones (`CONVERTED_STATUSES`)."""
    account_id: str | None = None
    """An Account to convert into instead of a new one made from the Lead."""
    contact_id: str | None = None
    """A Contact (of that Account, or of none) to merge into instead of a new one."""
    create_opportunity: bool = False
    """SOAP's `doNotCreateOpportunity` reversed: a new Opportunity at the Account."""
    opportunity_name: str | None = None
    """Its name; the Lead's Company when none is given."""
    overwrite_lead_source: bool = False
    """Give the existing Contact the Lead's LeadSource."""
    owner_id: str | None = None
    """The owner of the records the conversion creates; the Lead's owner by default."""


def wire_options(values: Mapping[str, Any], *, create_opportunity: bool) -> dict[str, Any]:
    """`LeadConvert`'s options from SOAP's `leadConverts` names (`convertedStatus`,
    `doNotCreateOpportunity`, ...), given as XML text or JSON; `create_opportunity` applies when
    `doNotCreateOpportunity` is not given."""

    def text(name: str) -> str | None:
        value = values.get(name)
        return str(value) if value not in (None, "") else None

    def flag(name: str) -> bool | None:
        value = values.get(name)
        if value in (None, ""):
            return None
        return value is True or str(value).strip().lower() in ("true", "1")

    do_not_create = flag("doNotCreateOpportunity")
    options: dict[str, Any] = {
        "account_id": text("accountId"),
        "contact_id": text("contactId"),
        "create_opportunity": create_opportunity if do_not_create is None else not do_not_create,
        "opportunity_name": text("opportunityName"),
        "overwrite_lead_source": bool(flag("overwriteLeadSource")),
        "owner_id": text("ownerId"),
    }
    status = text("convertedStatus")
    return options | ({"converted_status": status} if status is not None else {})


def convert_lead(
    writes: Writes, conn: sqlite3.Connection, request: LeadConvert, today: dt.date
) -> dict[str, Any]:
    """Convert one Lead; returns Salesforce's LeadConvertResult shape."""
    lead_obj = writes.sobject("Lead")
    account_obj, contact_obj = writes.sobject("Account"), writes.sobject("Contact")
    lead_id = writes.record_id(lead_obj, request.lead_id)
    lead = writes.live_row(conn, lead_obj, lead_id)
    if lead.get("IsConverted"):
        raise ApiError(400, "CANNOT_UPDATE_CONVERTED_LEAD", "This lead was already converted", [])
    if request.converted_status not in CONVERTED_STATUSES:
        raise ApiError(
            400, "INVALID_STATUS", f"invalid convertedStatus: {request.converted_status}", []
        )
    if request.contact_id is not None and request.account_id is None:
        raise ApiError(
            400,
            "REQUIRED_FIELD_MISSING",
            "accountId must be specified when the lead is merged into a contact (contactId)",
            ["accountId"],
        )
    owner = _owner(writes, conn, request.owner_id or lead.get("OwnerId"))
    if request.account_id is None:
        values = _carried(lead, ACCOUNT_FROM_LEAD, account_obj) | owner
        account_id = writes.create(conn, account_obj, values)
    else:
        account_id = writes.record_id(account_obj, request.account_id)
        account = writes.live_row(conn, account_obj, account_id)
        filled = _blanks_filled(account, _carried(lead, ACCOUNT_FROM_LEAD, account_obj))
        if filled:
            writes.update(conn, account_obj, account_id, filled)
    if request.contact_id is None:
        values = _carried(lead, CONTACT_FROM_LEAD, contact_obj) | {"AccountId": account_id}
        contact_id = writes.create(conn, contact_obj, values | owner)
    else:
        contact_id = _merged_contact(writes, conn, request, lead, account_id)
    opportunity_id = (
        _opportunity(writes, conn, request, lead, account_id, owner, today)
        if request.create_opportunity
        else None
    )
    _move_activities(writes, conn, lead_id, contact_id, opportunity_id or account_id)
    converted: dict[str, Any] = {
        "IsConverted": 1,
        "ConvertedDate": today.isoformat(),
        "ConvertedAccountId": account_id,
        "ConvertedContactId": contact_id,
        "ConvertedOpportunityId": opportunity_id,
    }
    status = lead_obj.field("Status")
    if status is not None and any(e.value == request.converted_status for e in status.picklist):
        converted["Status"] = request.converted_status
    writes.apply(conn, lead_obj, lead_id, lead, converted)
    return {
        "accountId": account_id,
        "contactId": contact_id,
        "leadId": lead_id,
        "opportunityId": opportunity_id,
        "success": True,
        "errors": [],
    }


def _move_activities(
    writes: Writes, conn: sqlite3.Connection, lead_id: str, contact_id: str, what_id: str
) -> None:
    """The Lead's Tasks and Events, open and closed, follow the person: they now name the
    Contact, and are related to the Opportunity the conversion made, else the Account."""
    for name in ("Task", "Event"):
        obj = writes.sobject(name)
        who = obj.field("WhoId")
        if who is None:
            continue
        for activity_id in writes.storage.find(conn, obj, who, lead_id):
            writes.update(conn, obj, activity_id, {"WhoId": contact_id, "WhatId": what_id})


def _owner(writes: Writes, conn: sqlite3.Connection, owner_id: Any) -> dict[str, Any]:
    """`{"OwnerId": ...}` for the records a conversion creates, once the owner is known."""
    if not owner_id:
        return {}
    user_obj = writes.sobject("User")
    user_id = writes.record_id(user_obj, str(owner_id))
    writes.live_row(conn, user_obj, user_id)
    return {"OwnerId": user_id}


def _merged_contact(
    writes: Writes,
    conn: sqlite3.Connection,
    request: LeadConvert,
    lead: dict[str, Any],
    account_id: str,
) -> str:
    """The existing Contact the Lead merges into, moved to the Account if it had none."""
    contact_obj = writes.sobject("Contact")
    contact_id = writes.record_id(contact_obj, str(request.contact_id))
    contact = writes.live_row(conn, contact_obj, contact_id)
    if contact.get("AccountId") not in (None, account_id):
        raise ApiError(
            400,
            "INVALID_CROSS_REFERENCE_KEY",
            "The contact must belong to the account the lead is converted into",
            ["ContactId"],
        )
    changes = _blanks_filled(contact, _carried(lead, CONTACT_FROM_LEAD, contact_obj))
    if contact.get("AccountId") is None:
        changes["AccountId"] = account_id
    if request.overwrite_lead_source and contact_obj.field("LeadSource") is not None:
        changes["LeadSource"] = lead.get("LeadSource")
    if changes:
        writes.update(conn, contact_obj, contact_id, changes)
    return contact_id


def _opportunity(
    writes: Writes,
    conn: sqlite3.Connection,
    request: LeadConvert,
    lead: dict[str, Any],
    account_id: str,
    owner: dict[str, Any],
    today: dt.date,
) -> str:
    """A new Opportunity at the Account: named as asked or after the Lead's Company, at the
    first stage, closing at the end of the current quarter, from the Lead's source."""
    opportunity_obj = writes.sobject("Opportunity")
    stage = opportunity_obj.field("StageName")
    name = (request.opportunity_name or lead.get("Company") or lead.get("LastName") or "")[:80]
    values: dict[str, Any] = {
        "Name": name,
        "AccountId": account_id,
        "CloseDate": _quarter_end(today).isoformat(),
        "LeadSource": lead.get("LeadSource"),
    }
    if stage is not None and stage.picklist:
        values["StageName"] = stage.picklist[0].value
    return writes.create(conn, opportunity_obj, values | owner)


def _quarter_end(day: dt.date) -> dt.date:
    """The last day of `day`'s calendar quarter (the default org's fiscal year starts in
    January)."""
    months = (day.month - 1) // 3 * 3 + 3  # months from January to the quarter's end
    first_of_next = dt.date(day.year + months // 12, months % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def _blanks_filled(existing: Mapping[str, Any], carried: Mapping[str, Any]) -> dict[str, Any]:
    """The carried values for the existing record's empty fields (a checkbox is never empty)."""
    return {name: value for name, value in carried.items() if existing.get(name) in (None, "")}


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
