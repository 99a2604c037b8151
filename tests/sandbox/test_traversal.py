"""Friendly URLs (`sobjects/T/id/Relationship`) and rows by external id, over REST and inside
composite requests, through simple-salesforce as a client uses them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)

from forcebridge.sandbox.server import SandboxServer

SANDBOX_SETTINGS = {"schema_dir": Path(__file__).with_name("schema")}
Session = Callable[[SandboxServer], requests.Session]
DATA = "/services/data/v62.0"


@pytest.fixture
def family(sf: Salesforce) -> dict[str, str]:
    """An Account with two Contacts, and a Task about one of them."""
    account = sf.Account.create({"Name": "Traversal Co"})["id"]
    first = sf.Contact.create({"LastName": "Ada", "AccountId": account})["id"]
    second = sf.Contact.create({"LastName": "Grace", "AccountId": account})["id"]
    task = sf.Task.create({"Subject": "Call", "WhoId": first})["id"]
    return {"account": account, "first": first, "second": second, "task": task}


def test_a_parent_is_read_through_its_relationship_name(
    sf: Salesforce, family: dict[str, str]
) -> None:
    account = sf.restful(f"sobjects/Contact/{family['first']}/Account")
    assert account["attributes"]["type"] == "Account"
    assert (account["Id"], account["Name"]) == (family["account"], "Traversal Co")
    assert "Description" in account  # every field, as a plain GET of the row gives


def test_relationships_chain_from_child_to_parent_and_honour_fields(
    sf: Salesforce, family: dict[str, str]
) -> None:
    owner = sf.restful(
        f"sobjects/Contact/{family['first']}/account/Owner", params={"fields": "Id,Username"}
    )
    me = sf.query("SELECT Id, Username FROM User LIMIT 1")["records"][0]
    assert owner["attributes"]["type"] == "User"
    assert (owner["Id"], owner["Username"]) == (me["Id"], me["Username"])
    assert set(owner) == {"attributes", "Id", "Username"}


def test_a_polymorphic_lookup_leads_to_the_object_its_id_names(
    sf: Salesforce, family: dict[str, str]
) -> None:
    who = sf.restful(f"sobjects/Task/{family['task']}/Who", params={"fields": "LastName"})
    assert who["attributes"]["type"] == "Contact"
    assert who["LastName"] == "Ada"


def test_children_answer_as_a_query_result(sf: Salesforce, family: dict[str, str]) -> None:
    contacts = sf.restful(
        f"sobjects/Account/{family['account']}/Contacts", params={"fields": "Id,LastName"}
    )
    assert contacts["totalSize"] == 2
    assert contacts["done"] is True
    assert sorted(r["LastName"] for r in contacts["records"]) == ["Ada", "Grace"]
    assert all(r["attributes"]["type"] == "Contact" for r in contacts["records"])


def test_no_children_is_an_empty_result_not_an_error(sf: Salesforce) -> None:
    lonely = sf.Account.create({"Name": "Lonely Co"})["id"]
    empty = sf.restful(f"sobjects/Account/{lonely}/Contacts")
    assert (empty["totalSize"], empty["done"], empty["records"]) == (0, True, [])


def test_an_empty_lookup_an_unknown_name_or_children_midway_are_not_found(
    sf: Salesforce, family: dict[str, str]
) -> None:
    orphan = sf.Contact.create({"LastName": "Orphan"})["id"]
    for path in (
        f"sobjects/Contact/{orphan}/Account",
        f"sobjects/Contact/{family['first']}/Nothing",
        f"sobjects/Account/{family['account']}/Contacts/Account",
    ):
        with pytest.raises(SalesforceResourceNotFound):
            sf.restful(path)


def test_a_field_the_target_lacks_is_refused(sf: Salesforce, family: dict[str, str]) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful(f"sobjects/Contact/{family['first']}/Account", params={"fields": "Nope__c"})
    assert refused.value.content[0]["errorCode"] == "INVALID_FIELD"


def test_a_parent_is_updated_and_deleted_through_the_relationship(
    sf: Salesforce, family: dict[str, str]
) -> None:
    sf.restful(
        f"sobjects/Contact/{family['first']}/Account",
        method="PATCH",
        json={"Description": "reached by a friendly URL"},
    )
    assert sf.Account.get(family["account"])["Description"] == "reached by a friendly URL"

    sf.restful(f"sobjects/Contact/{family['second']}/Account", method="DELETE")
    with pytest.raises(SalesforceResourceNotFound):
        sf.Account.get(family["account"])


def test_children_cannot_be_written_through(
    sandbox: SandboxServer, api_for: Session, sf: Salesforce, family: dict[str, str]
) -> None:
    with pytest.raises(SalesforceError) as refused:
        sf.restful(
            f"sobjects/Account/{family['account']}/Contacts",
            method="PATCH",
            json={"Description": "all of them"},
        )
    deleted = api_for(sandbox).delete(
        f"{sandbox.base_url}{DATA}/sobjects/Account/{family['account']}/Contacts"
    )

    assert refused.value.status == 405
    assert refused.value.content[0]["errorCode"] == "METHOD_NOT_ALLOWED"
    assert (deleted.status_code, deleted.headers.get("Allow")) == (405, "GET")
    assert deleted.json()[0]["message"] == "HTTP Method 'DELETE' not allowed. Allowed are GET"


def test_a_row_is_deleted_by_its_external_id(
    sandbox: SandboxServer, api_for: Session, sf: Salesforce
) -> None:
    record_id = sf.Contact.create({"LastName": "Keyed", "External_Id__c": "gone-1"})["id"]
    url = f"{sandbox.base_url}{DATA}/sobjects/Contact/External_Id__c/gone-1"
    assert api_for(sandbox).delete(url).status_code == 204
    assert api_for(sandbox).delete(url).status_code == 404
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get(record_id)


def test_composite_subrequests_traverse_relationships(
    sf: Salesforce, family: dict[str, str]
) -> None:
    base = "/services/data/v62.0/sobjects"
    answer = sf.restful(
        "composite",
        method="POST",
        json={
            "compositeRequest": [
                {
                    "method": "GET",
                    "url": f"{base}/Contact/{family['first']}/Account?fields=Id,Name",
                    "referenceId": "account",
                },
                {
                    "method": "PATCH",
                    "url": f"{base}/Contact/{family['first']}/Account",
                    "referenceId": "renamed",
                    "body": {"Name": "Renamed through @{account.Name}"},
                },
                {
                    "method": "GET",
                    "url": f"{base}/Account/{family['account']}/Contacts?fields=LastName",
                    "referenceId": "contacts",
                },
            ]
        },
    )
    replies = {r["referenceId"]: r for r in answer["compositeResponse"]}
    assert replies["account"]["body"]["Name"] == "Traversal Co"
    assert replies["renamed"]["httpStatusCode"] == 204
    assert replies["contacts"]["body"]["totalSize"] == 2
    assert sf.Account.get(family["account"])["Name"] == "Renamed through Traversal Co"


def test_the_admin_user_is_named_by_its_login(
    make_sandbox: Callable[..., SandboxServer], salesforce_for: Callable[..., Salesforce]
) -> None:
    """The identity service and a query of the User agree on the running user's name."""
    sandbox = make_sandbox(username="owner@acme.example")
    sf = salesforce_for(sandbox)
    url = f"{sandbox.base_url}/services/oauth2/userinfo"
    info = sf.session.get(url, headers=sf.headers).json()
    users = sf.query(f"SELECT Username FROM User WHERE Id = '{info['user_id']}'")["records"]
    assert info["preferred_username"] == "owner@acme.example"
    assert [u["Username"] for u in users] == ["owner@acme.example"]
