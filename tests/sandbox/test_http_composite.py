"""sObject Collections with simple-salesforce: results in request order, allOrNone, retrieve."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from forcebridge.sandbox.http_composite import merge_lock_failures
from forcebridge.sandbox.ids import make_id
from forcebridge.sandbox.server import SandboxServer

SANDBOX_SETTINGS = {"schema_dir": Path(__file__).with_name("schema")}


def contact(**values: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Contact"}, **values}


def collection(sf: Salesforce, method: str, body: Any, **params: str) -> Any:
    return sf.restful("composite/sobjects", method=method, json=body, params=params or None)


def test_create_reports_each_record_in_order_and_keeps_the_good_ones(sf: Salesforce) -> None:
    results = collection(
        sf,
        "POST",
        {
            "allOrNone": False,
            "records": [
                contact(LastName="Good"),
                contact(FirstName="NoLast"),
                contact(LastName="Fine"),
            ],
        },
    )
    assert [result["success"] for result in results] == [True, False, True]
    assert results[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert sf.Contact.get(results[0]["id"])["LastName"] == "Good"


def test_all_or_none_writes_nothing_when_one_record_fails(sf: Salesforce) -> None:
    results = collection(
        sf,
        "POST",
        {"allOrNone": True, "records": [contact(LastName="Rolled"), contact(FirstName="Bad")]},
    )
    assert [result["success"] for result in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert sf.query("SELECT Id FROM Contact WHERE LastName = 'Rolled'")["totalSize"] == 0


def test_update_and_delete_by_ids(sf: Salesforce) -> None:
    created = collection(
        sf, "POST", {"records": [contact(LastName="Up"), contact(LastName="Down")]}
    )
    ids = [result["id"] for result in created]
    updated = collection(
        sf,
        "PATCH",
        {"records": [contact(Id=ids[0], Title="Updated"), contact(Id=ids[1], Title="Too")]},
    )
    assert [result["id"] for result in updated] == ids
    assert sf.Contact.get(ids[0])["Title"] == "Updated"
    deleted = collection(sf, "DELETE", None, ids=",".join(ids), allOrNone="false")
    assert [(result["id"], result["success"]) for result in deleted] == [
        (ids[0], True),
        (ids[1], True),
    ]
    assert (
        sf.query(f"SELECT Id FROM Contact WHERE Id IN ('{ids[0]}', '{ids[1]}')")["totalSize"] == 0
    )


def test_a_failure_over_a_malformed_id_carries_no_id_as_the_rest_guide_shows(
    sf: Salesforce,
) -> None:
    good = sf.Contact.create({"LastName": "Going"})["id"]
    malformed = good[:15] + "000"  # the guide's example: a known prefix, a broken checksum

    deleted = collection(sf, "DELETE", None, ids=f"{good},junk,{malformed}")
    updated = collection(
        sf, "PATCH", {"records": [contact(Title="no Id"), contact(Id="junk", Title="bad Id")]}
    )

    assert deleted == [
        {"id": good, "success": True, "errors": []},
        {"success": False,
         "errors": [{"statusCode": "MALFORMED_ID", "message": "malformed id junk", "fields": []}]},
        {"success": False,
         "errors": [{"statusCode": "MALFORMED_ID", "message": f"malformed id {malformed}",
                     "fields": []}]},
    ]  # fmt: skip
    assert [sorted(result) for result in updated] == [["errors", "success"]] * 2
    assert [r["errors"][0]["statusCode"] for r in updated] == ["MISSING_ARGUMENT", "MALFORMED_ID"]


def test_an_update_or_upsert_of_an_id_naming_no_record_fails_invalid_cross_reference_key(
    sf: Salesforce,
) -> None:
    """Salesforce's help (000387915): an incorrect Id to update or upsert fails its record
    INVALID_CROSS_REFERENCE_KEY; REST's 404 NOT_FOUND is for a URL naming no record."""
    missing = make_id("003", 424242)
    unknown = {"statusCode": "INVALID_CROSS_REFERENCE_KEY", "message": "invalid cross reference id",
               "fields": []}  # fmt: skip

    updated = collection(sf, "PATCH", {"records": [contact(Id=missing, Title="Nobody")]})
    upserted = sf.restful(
        "composite/sobjects/Contact/Id",
        method="PATCH",
        json={"records": [contact(Id=missing, LastName="Nobody")]},
    )

    assert updated == [{"id": missing, "success": False, "errors": [unknown]}]
    assert upserted == [{"success": False, "errors": [unknown]}]
    with pytest.raises(SalesforceResourceNotFound) as at_url:
        sf.Contact.update(missing, {"Title": "Nobody"})
    assert at_url.value.content[0]["errorCode"] == "NOT_FOUND"


def test_upsert_collection_by_external_id(sf: Salesforce) -> None:
    body = {
        "allOrNone": False,
        "records": [contact(External_Id__c="col-1", LastName="First")],
    }
    first = sf.restful("composite/sobjects/Contact/External_Id__c", method="PATCH", json=body)
    assert first[0]["created"] is True
    body["records"][0]["LastName"] = "Again"
    second = sf.restful("composite/sobjects/Contact/External_Id__c", method="PATCH", json=body)
    assert (second[0]["created"], second[0]["id"]) == (False, first[0]["id"])


@pytest.mark.parametrize(("given", "shown"), [(True, "true"), (12, "12"), ("junk", "junk")])
def test_an_upsert_on_id_names_a_malformed_id_as_json_spells_it(
    sf: Salesforce, given: Any, shown: str
) -> None:
    """`"Id": true` was named as Python's `True`."""
    body = {"records": [{"attributes": {"type": "Account"}, "Id": given, "Name": "Untrue Co"}]}

    [result] = sf.restful("composite/sobjects/Account/Id", method="PATCH", json=body)

    assert result["success"] is False
    assert result["errors"] == [
        {
            "statusCode": "MALFORMED_ID",
            "message": f"Account ID: id value of incorrect type: {shown}",
            "fields": ["Id"],
        }
    ]
    assert sf.query("SELECT COUNT() FROM Account WHERE Name = 'Untrue Co'")["totalSize"] == 0


def test_an_all_or_none_upsert_collection_writes_nothing_when_one_record_fails(
    sf: Salesforce,
) -> None:
    existing = sf.Contact.create({"LastName": "Kept", "External_Id__c": "aon-kept"})["id"]
    records = [
        contact(External_Id__c="aon-kept", Title="Changed"),
        contact(External_Id__c="aon-new", LastName="New"),
        contact(External_Id__c="aon-bad", FirstName="No last name"),
    ]

    kept, new, bad = sf.restful(
        "composite/sobjects/Contact/External_Id__c",
        method="PATCH",
        json={"allOrNone": True, "records": records},
    )

    assert [r["success"] for r in (kept, new, bad)] == [False, False, False]
    assert [r["errors"][0]["statusCode"] for r in (kept, new)] == [
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    ] * 2
    assert bad["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert sf.Contact.get(existing)["Title"] is None
    assert (
        sf.query("SELECT COUNT() FROM Contact WHERE External_Id__c = 'aon-new'")["totalSize"] == 0
    )


@pytest.mark.parametrize("all_or_none", [False, True])
def test_an_upsert_fails_every_record_sharing_its_external_id(
    sf: Salesforce, all_or_none: bool
) -> None:
    key = f"shared-{all_or_none}"
    records = [
        contact(External_Id__c=key, LastName="One"),
        contact(External_Id__c=f"alone-{all_or_none}", LastName="Alone"),
        contact(External_Id__c=key.upper(), LastName="Two"),
    ]

    one, alone, two = sf.restful(
        "composite/sobjects/Contact/External_Id__c",
        method="PATCH",
        json={"allOrNone": all_or_none, "records": records},
    )

    for failed, value in ((one, key), (two, key.upper())):
        assert failed["success"] is False
        assert failed["errors"] == [
            {
                "statusCode": "DUPLICATE_VALUE",
                "message": f"Duplicate external id specified: {value}",
                "fields": [],
            }
        ]
    assert alone["success"] is not all_or_none
    written = sf.query(f"SELECT COUNT() FROM Contact WHERE External_Id__c = '{key}'")
    assert written["totalSize"] == 0


@pytest.mark.parametrize("all_or_none", [False, True])
def test_an_update_fails_every_record_naming_an_id_another_names(
    sf: Salesforce, all_or_none: bool
) -> None:
    twice, once = (sf.Contact.create({"LastName": n})["id"] for n in ("Twice", "Once"))
    records = [
        contact(Id=twice, Title="First"),
        contact(Id=once, Title="Alone"),
        contact(Id=twice, Title="Second"),
    ]

    first, alone, second = sf.restful(
        "composite/sobjects", method="PATCH", json={"allOrNone": all_or_none, "records": records}
    )

    for failed in (first, second):
        assert failed == {
            "id": twice,
            "success": False,
            "errors": [
                {
                    "statusCode": "DUPLICATE_VALUE",
                    "message": f"Duplicate id specified: {twice}",
                    "fields": [],
                }
            ],
        }
    assert alone["success"] is not all_or_none
    assert sf.Contact.get(twice)["Title"] is None


def test_an_upsert_key_matching_several_records_fails_as_a_duplicate_external_id(
    sf: Salesforce,
) -> None:
    twins = [
        sf.Contact.create({"LastName": name, "External_Id__c": "col-twin"})["id"]
        for name in ("Twin A", "Twin B")
    ]

    [result] = sf.restful(
        "composite/sobjects/Contact/External_Id__c",
        method="PATCH",
        json={"records": [contact(External_Id__c="col-twin", LastName="Which")]},
    )

    assert (result["success"], result["errors"]) == (
        False,
        [
            {
                "statusCode": "DUPLICATE_EXTERNAL_ID",
                "message": "more than one record found for external id field: "
                f"[{twins[0]}, {twins[1]}]",
                "fields": [],
            }
        ],
    )


def test_retrieve_many_as_jsforce_does_with_null_for_missing(sf: Salesforce) -> None:
    kept = sf.Contact.create({"LastName": "Fetched", "Title": "Here"})["id"]
    missing = sf.Contact.create({"LastName": "Missing"})["id"]
    sf.Contact.delete(missing)
    records = sf.restful(
        "composite/sobjects/Contact",
        method="POST",
        json={"ids": [kept, missing], "fields": ["LastName", "Title"]},
    )
    assert records[0]["LastName"] == "Fetched" and records[0]["Title"] == "Here"
    assert records[1] is None


def test_retrieve_many_answers_null_for_an_invalid_id_but_fails_on_a_bad_field(
    sf: Salesforce,
) -> None:
    kept = sf.Contact.create({"LastName": "Fetched"})["id"]
    account = sf.Account.create({"Name": "Not a Contact"})["id"]
    ids = [kept, "not-an-id", account]

    posted = sf.restful(
        "composite/sobjects/Contact", method="POST", json={"ids": ids, "fields": ["LastName"]}
    )
    got = sf.restful("composite/sobjects/Contact", params={"ids": ",".join(ids), "fields": "Name"})

    assert [r and r["LastName"] for r in posted] == ["Fetched", None, None]
    assert [r and r["Name"] for r in got] == ["Fetched", None, None]
    with pytest.raises(SalesforceMalformedRequest) as bad_field:
        sf.restful("composite/sobjects/Contact", method="POST",
                   json={"ids": ["not-an-id"], "fields": ["Nope"]})  # fmt: skip
    assert bad_field.value.content[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceMalformedRequest) as too_many:
        sf.restful("composite/sobjects/Contact", method="POST",
                   json={"ids": [kept] * 2001, "fields": ["LastName"]})  # fmt: skip
    assert too_many.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_more_than_200_records_is_refused(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest):
        collection(sf, "POST", {"records": [contact(LastName=f"n{i}") for i in range(201)]})


def account(**values: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Account"}, **values}


def alternating(count: int, tag: str) -> list[dict[str, Any]]:
    """`count` records whose type changes at each: `count` chunks."""
    return [
        account(Name=f"{tag}{i}") if i % 2 else contact(LastName=f"{tag}{i}") for i in range(count)
    ]


def test_a_create_or_update_past_ten_chunks_of_one_type_is_refused_whole(sf: Salesforce) -> None:
    """A new chunk wherever the type changes, at most 10 (REST guide, "Create Records Using
    sObject Collections" and "Update Records Using sObject Collections")."""
    ten = collection(sf, "POST", {"records": alternating(10, "Ten")})
    sorted_eleven = collection(sf, "POST", {"records": sorted(alternating(11, "Two"), key=str)})
    with pytest.raises(SalesforceMalformedRequest) as created:
        collection(sf, "POST", {"records": alternating(11, "Eleven")})
    updates = [
        {"attributes": {"type": r["attributes"]["type"]}, "Id": result["id"], "Title": "Moved"}
        for r, result in zip(alternating(10, "Ten"), ten, strict=True)
    ]
    with pytest.raises(SalesforceMalformedRequest) as updated:
        collection(sf, "PATCH", {"records": [*updates, contact(Id=ten[0]["id"])]})

    assert all(r["success"] for r in [*ten, *sorted_eleven])
    for refused in (created, updated):
        assert refused.value.content == [
            {
                "errorCode": "INVALID_BATCH_SIZE",
                "message": "Cannot have more than 10 chunks in a single operation. Please "
                "rearrange the data to reduce chunking.",
            }
        ]
    assert sf.query("SELECT Id FROM Contact WHERE LastName LIKE 'Eleven%'")["totalSize"] == 0
    assert sf.query("SELECT Id FROM Contact WHERE Title = 'Moved'")["totalSize"] == 0


def test_the_chunk_limit_refuses_a_request_before_any_record_meets_a_lock(
    make_sandbox: Callable[..., SandboxServer], salesforce_for: Callable[..., Salesforce]
) -> None:
    sf = salesforce_for(make_sandbox(lock_rate=1.0))
    with pytest.raises(SalesforceMalformedRequest) as refused:
        collection(sf, "POST", {"records": alternating(11, "Locked")})
    assert refused.value.content[0]["errorCode"] == "INVALID_BATCH_SIZE"


def codes(results: list[dict[str, Any]]) -> list[str | None]:
    return [r["errors"][0]["statusCode"] if not r["success"] else None for r in results]


def test_lock_failures_take_their_place_among_the_written_results() -> None:
    written = [
        {"id": "a", "success": True, "errors": []},
        {"id": "c", "success": True, "errors": []},
    ]
    merged = merge_lock_failures([False, True, False], ["a", "b", "c"], written, all_or_none=False)
    assert codes(merged) == [None, "UNABLE_TO_LOCK_ROW", None]
    assert [r["id"] for r in merged] == ["a", "b", "c"]


def test_a_lock_failure_under_all_or_none_rolls_back_the_rest() -> None:
    merged = merge_lock_failures([False, True], [None, None], [], all_or_none=True)
    assert codes(merged) == ["ALL_OR_NONE_OPERATION_ROLLED_BACK", "UNABLE_TO_LOCK_ROW"]
    assert "id" not in merged[0]
