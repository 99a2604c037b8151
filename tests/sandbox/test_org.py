"""The org facade: a new org, single-record CRUD, upsert, and concurrent use."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from forcebridge.sandbox.errors import ApiError, MultipleMatches
from forcebridge.sandbox.ids import make_id
from forcebridge.sandbox.org import Org
from tests.sandbox.clocks import START, Clock

URL = "/services/data/v62.0/sobjects"
EXTERNAL_ID = {
    "name": "Contact",
    "fields": [
        {"name": "Legacy_Id__c", "type": "string", "label": "Legacy Id", "length": 40,
         "custom": True, "externalId": True, "unique": True},
        {"name": "Shared_Key__c", "type": "string", "label": "Shared Key", "length": 40,
         "custom": True, "externalId": True},
    ],
}  # fmt: skip


def _refusal(call: object, *args: object, **kwargs: object) -> ApiError:
    assert callable(call)
    with pytest.raises(ApiError) as raised:
        call(*args, **kwargs)
    return raised.value


def test_a_new_org_holds_its_organization_and_admin_user(org: Org) -> None:
    assert org.org_id.startswith("00D") and org.admin_user_id.startswith("005")
    admin = org.retrieve("User", org.admin_user_id)
    assert admin["Name"] == "Sandbox Admin" and admin["IsActive"] is True
    assert org.query("SELECT Name FROM Organization")["records"][0]["Name"] == "forcebridge sandbox"
    assert org.query("SELECT COUNT() FROM Contact")["totalSize"] == 0


def test_create_fills_what_the_server_maintains(org: Org, clock: Clock) -> None:
    contact_id = org.create("Contact", {"FirstName": "Ana", "LastName": "Ng"})
    assert contact_id.startswith("003") and len(contact_id) == 18
    record = org.retrieve("Contact", contact_id)
    stamp = "2024-11-07T15:30:00.000+0000"
    assert record["CreatedDate"] == record["LastModifiedDate"] == record["SystemModstamp"] == stamp
    assert record["OwnerId"] == record["CreatedById"] == org.admin_user_id
    assert (record["Name"], record["IsDeleted"], record["HasOptedOutOfEmail"]) == (
        "Ana Ng", False, False
    )  # fmt: skip


def test_update_changes_values_and_timestamps_but_not_creation(org: Org, clock: Clock) -> None:
    contact_id = org.create("Contact", {"FirstName": "Ana", "LastName": "Ng"})
    clock.advance(minutes=5)
    org.update("Contact", contact_id, {"LastName": "Ngata", "Email": "ana@example.com"})
    record = org.retrieve("Contact", contact_id, ["Name", "Email", "CreatedDate", "SystemModstamp"])
    assert record["Name"] == "Ana Ngata" and record["Email"] == "ana@example.com"
    assert record["CreatedDate"] == "2024-11-07T15:30:00.000+0000"
    assert record["SystemModstamp"] == "2024-11-07T15:35:00.000+0000"


def test_a_failed_update_changes_nothing(org: Org) -> None:
    contact_id = org.create("Contact", {"LastName": "Ng", "Title": "Boss"})
    error = _refusal(org.update, "Contact", contact_id, {"Title": "CEO", "Email": "nope"})
    assert error.error_code == "INVALID_EMAIL_ADDRESS"
    assert org.retrieve("Contact", contact_id, ["Title"])["Title"] == "Boss"


def test_retrieve_selects_fields_and_accepts_15_character_ids(org: Org) -> None:
    contact_id = org.create("Contact", {"LastName": "Ng"})
    record = org.retrieve("Contact", contact_id[:15], ["LastName", "MailingAddress"])
    assert record == {
        "attributes": {"type": "Contact", "url": f"{URL}/Contact/{contact_id}"},
        "LastName": "Ng",
        "MailingAddress": None,
    }  # fmt: skip
    assert _refusal(org.retrieve, "Contact", contact_id, ["Nope"]).error_code == "INVALID_FIELD"


def test_missing_deleted_and_malformed_records(org: Org) -> None:
    contact_id = org.create("Contact", {"LastName": "Ng"})
    org.delete("Contact", contact_id)
    for call, args in (
        (org.retrieve, ()), (org.update, ({"Title": "x"},)), (org.delete, ())
    ):  # fmt: skip
        deleted = _refusal(call, "Contact", contact_id, *args)
        assert (deleted.status, deleted.error_code) == (404, "ENTITY_IS_DELETED")
        missing = _refusal(call, "Contact", make_id("003", 999), *args)
        assert (missing.status, missing.error_code, missing.message) == (
            404, "NOT_FOUND", "The requested resource does not exist"
        )  # fmt: skip
        no_id = _refusal(call, "Contact", "003-nope", *args)  # read as an external id field
        assert (no_id.status, no_id.error_code) == (404, "NOT_FOUND")
        assert no_id.message == (
            "Provided external ID field does not exist or is not accessible: 003-nope"
        )
        account = make_id("001", 5)
        malformed = _refusal(call, "Contact", account, *args)
        assert (malformed.status, malformed.error_code) == (400, "MALFORMED_ID")
        assert malformed.message == f"Contact ID: id value of incorrect type: {account}"
    assert _refusal(org.create, "Nope__c", {}).status == 404


def test_references_must_name_live_records(org: Org) -> None:
    account_id = org.create("Account", {"Name": "Acme"})
    missing = _refusal(org.create, "Contact", {"LastName": "Ng", "AccountId": make_id("001", 77)})
    assert missing.error_code == "INVALID_CROSS_REFERENCE_KEY"
    org.delete("Account", account_id)
    deleted = _refusal(org.create, "Contact", {"LastName": "Ng", "AccountId": account_id})
    assert deleted.error_code == "ENTITY_IS_DELETED"


def test_objects_that_refuse_an_operation(org: Org) -> None:
    assert (
        _refusal(org.delete, "User", org.admin_user_id).error_code == "INVALID_TYPE_FOR_OPERATION"
    )
    assert _refusal(org.create, "Organization", {}).error_code == "INVALID_TYPE_FOR_OPERATION"


@pytest.fixture
def mirrored(tmp_path: Path, clock: Clock) -> Iterator[Org]:
    """An org whose Contact has the external id fields of a customer's org."""
    schema = tmp_path / "schema"
    schema.mkdir()
    (schema / "Contact.json").write_text(json.dumps(EXTERNAL_ID))
    org = Org(tmp_path / "data", schema, clock=clock)
    yield org
    org.close()


def test_upsert_creates_then_updates(mirrored: Org) -> None:
    created_id, created = mirrored.upsert("Contact", "Legacy_Id__c", "L-1", {"LastName": "Ng"})
    assert created
    same_id, created = mirrored.upsert("Contact", "legacy_id__c", "l-1", {"Title": "CTO"})
    assert (same_id, created) == (created_id, False)
    record = mirrored.retrieve("Contact", created_id, ["LastName", "Title", "Legacy_Id__c"])
    assert (record["LastName"], record["Title"], record["Legacy_Id__c"]) == ("Ng", "CTO", "L-1")


def test_upsert_with_several_matches_answers_300_with_their_urls(mirrored: Org) -> None:
    first = mirrored.create("Contact", {"LastName": "A", "Shared_Key__c": "k"})
    second = mirrored.create("Contact", {"LastName": "B", "Shared_Key__c": "k"})
    with pytest.raises(MultipleMatches) as raised:
        mirrored.upsert("Contact", "Shared_Key__c", "k", {"Title": "x"}, api_version="60.0")
    assert raised.value.status == 300
    assert raised.value.to_json() == [
        f"/services/data/v60.0/sobjects/Contact/{first}",
        f"/services/data/v60.0/sobjects/Contact/{second}",
    ]


def test_upsert_refuses_fields_that_are_not_external_ids(mirrored: Org) -> None:
    error = _refusal(mirrored.upsert, "Contact", "Title", "x", {"LastName": "Ng"})
    assert (error.status, error.error_code) == (404, "NOT_FOUND")
    assert "Provided external ID field does not exist or is not accessible: Title" in error.message


def test_unique_external_ids_refuse_duplicates(mirrored: Org) -> None:
    mirrored.create("Contact", {"LastName": "A", "Legacy_Id__c": "L-9"})
    error = _refusal(mirrored.create, "Contact", {"LastName": "B", "Legacy_Id__c": "l-9"})
    assert error.error_code == "DUPLICATE_VALUE"
    assert error.message.startswith("duplicate value found: Legacy_Id__c duplicates value")


def test_each_data_folder_is_an_org_of_its_own_id(tmp_path: Path) -> None:
    first, second = Org(tmp_path / "a"), Org(tmp_path / "b")

    assert first.org_id != second.org_id
    assert first.org_id.startswith("00D") and len(first.org_id) == 18
    assert Org(tmp_path / "a").org_id == first.org_id  # kept when opened again


def test_converted_leads_cannot_be_updated(org: Org) -> None:
    lead_id = org.create("Lead", {"LastName": "Lee", "Company": "Initech"})
    org.convert_lead(lead_id)
    assert _refusal(org.update, "Lead", lead_id, {"Title": "x"}).error_code == (
        "CANNOT_UPDATE_CONVERTED_LEAD"
    )


def test_nothing_may_reference_a_converted_lead(org: Org) -> None:
    lead_id = org.create("Lead", {"LastName": "Lee", "Company": "Initech"})
    task_id = org.create("Task", {"Subject": "Call", "WhoId": lead_id})
    org.convert_lead(lead_id)

    created = _refusal(org.create, "Task", {"Subject": "Again", "WhoId": lead_id})
    moved = _refusal(org.update, "Task", task_id, {"WhoId": lead_id})

    for refused in (created, moved):
        assert refused.error_code == "CANNOT_UPDATE_CONVERTED_LEAD"
        assert refused.message == "cannot reference converted lead"
        assert refused.fields == ["WhoId"]


def test_many_threads_can_write_and_read_at_once(tmp_path: Path) -> None:
    org = Org(tmp_path, clock=Clock(START))
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                contact_id = org.create("Contact", {"LastName": f"T{n}-{i}"})
                org.update("Contact", contact_id, {"Title": "x"})
                org.query("SELECT Id FROM Contact LIMIT 5")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert org.query("SELECT COUNT() FROM Contact WHERE Title = 'x'")["totalSize"] == 120
    org.close()


def test_a_task_about_a_lead_relates_to_no_other_record(org: Org) -> None:
    lead = org.create("Lead", {"LastName": "Ng", "Company": "Initech"})
    acme = org.create("Account", {"Name": "Acme"})
    task = org.create("Task", {"Subject": "Call", "WhoId": lead})

    for attempt in (
        lambda: org.create("Task", {"Subject": "Call", "WhoId": lead, "WhatId": acme}),
        lambda: org.update("Task", task, {"WhatId": acme}),
    ):
        with pytest.raises(ApiError) as refused:
            attempt()
        assert (refused.value.error_code, refused.value.fields) == (
            "FIELD_INTEGRITY_EXCEPTION",
            ["WhoId", "WhatId"],
        )
    assert org.retrieve("Task", task, ["WhatId"])["WhatId"] is None


def test_a_task_takes_its_account_from_what_it_is_about(org: Org) -> None:
    acme = org.create("Account", {"Name": "Acme"})
    globex = org.create("Account", {"Name": "Globex"})
    contact = org.create("Contact", {"LastName": "Ng", "AccountId": globex})
    deal = org.create(
        "Opportunity",
        {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2024-12-01", "AccountId": acme},
    )
    about_contact = org.create("Task", {"Subject": "Call", "WhoId": contact})
    about_deal = org.create("Task", {"Subject": "Call", "WhoId": contact, "WhatId": deal})
    accounts = {
        r["Id"]: r["AccountId"] for r in org.query("SELECT Id, AccountId FROM Task")["records"]
    }
    assert accounts == {about_contact: globex, about_deal: acme}
    org.update("Task", about_deal, {"WhatId": None})
    assert org.retrieve("Task", about_deal, ["AccountId"])["AccountId"] == globex
