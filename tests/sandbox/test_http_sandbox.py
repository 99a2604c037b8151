"""The sandbox-only routes: converting a Lead, and the usage routes needing a session."""

from __future__ import annotations

from collections.abc import Callable

import requests
from simple_salesforce import Salesforce

from forcebridge.sandbox.server import SandboxServer

Session = Callable[[SandboxServer], requests.Session]


def test_converting_a_lead_makes_its_contact_and_account(
    sandbox: SandboxServer, api_for: Session, sf: Salesforce
) -> None:
    lead_id = sf.Lead.create({"LastName": "Converted", "Company": "Convert Co"})["id"]
    before = sandbox.usage().used
    answer = api_for(sandbox).post(f"{sandbox.base_url}/sandbox/leads/{lead_id}/convert")
    assert answer.status_code == 200, answer.text
    assert sandbox.usage().used == before
    result = answer.json()
    lead = sf.Lead.get(lead_id)
    assert lead["IsConverted"] is True
    assert lead["ConvertedContactId"] == result["contactId"]
    contact = sf.Contact.get(result["contactId"])
    assert (contact["LastName"], contact["AccountId"]) == ("Converted", result["accountId"])


def test_converting_into_an_existing_account(
    sandbox: SandboxServer, api_for: Session, sf: Salesforce
) -> None:
    account_id = sf.Account.create({"Name": "Existing"})["id"]
    lead_id = sf.Lead.create({"LastName": "Joiner", "Company": "Existing"})["id"]
    answer = api_for(sandbox).post(
        f"{sandbox.base_url}/sandbox/leads/{lead_id}/convert", json={"accountId": account_id}
    )
    assert answer.json()["accountId"] == account_id


def test_sandbox_routes_need_a_session(sandbox: SandboxServer, https_for: Session) -> None:
    for method, path in (("GET", "/sandbox/usage"), ("POST", "/sandbox/usage/reset")):
        answer = https_for(sandbox).request(method, sandbox.base_url + path)
        assert answer.status_code == 401
        assert answer.json()[0]["errorCode"] == "INVALID_SESSION_ID"
