"""Custom fields made, changed and deleted at run time through the Tooling API, as an admin's
script does it with simple-salesforce's `toolingexecute`, and seen at once by the other APIs."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceMalformedRequest,
    SalesforceResourceNotFound,
)

from forcebridge.sandbox.org import Org
from forcebridge.sandbox.server import SandboxServer
from tests.sandbox.clocks import Clock

TEXT = {"type": "Text", "label": "Region", "length": 40}


@pytest.fixture
def sandbox(make_sandbox: Callable[..., SandboxServer]) -> SandboxServer:
    """A sandbox of its own: these tests change its schema."""
    return make_sandbox()


@pytest.fixture
def sf(sandbox: SandboxServer, salesforce_for: Callable[..., Salesforce]) -> Salesforce:
    return salesforce_for(sandbox)


def make_field(sf: Salesforce, full_name: str, metadata: dict[str, Any]) -> str:
    answer = sf.toolingexecute(
        "sobjects/CustomField", method="POST", data={"FullName": full_name, "Metadata": metadata}
    )
    assert answer["success"] is True
    return str(answer["id"])


def fields_of(sf: Salesforce, sobject: str) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in sf.restful(f"sobjects/{sobject}/describe")["fields"]}


def values(sf: Salesforce, field: str) -> dict[str, Any]:
    rows = sf.query(f"SELECT LastName, {field} FROM Contact WHERE LastName LIKE 'R%'")["records"]
    return {row["LastName"]: row[field] for row in rows}


def test_a_new_field_is_described_written_queried_and_read_back(sf: Salesforce) -> None:
    field_id = make_field(sf, "Contact.Region__c", TEXT)
    sf.Contact.create({"LastName": "Rowe", "Region__c": "West"})

    described = fields_of(sf, "Contact")["Region__c"]
    definition = sf.toolingexecute(f"sobjects/CustomField/{field_id}")
    listed = sf.toolingexecute(
        "query/?q=SELECT+Id,DeveloperName,TableEnumOrId+FROM+CustomField"
        "+WHERE+TableEnumOrId='Contact'"
    )

    assert (described["type"], described["length"], described["custom"]) == ("string", 40, True)
    assert values(sf, "Region__c") == {"Rowe": "West"}
    assert field_id.startswith("00N")
    assert (definition["FullName"], definition["Metadata"]) == ("Contact.Region__c", TEXT)
    assert [(r["Id"], r["DeveloperName"]) for r in listed["records"]] == [(field_id, "Region")]
    assert "/tooling/sobjects/CustomField/" in listed["records"][0]["attributes"]["url"]


def test_a_changed_type_keeps_the_values_that_convert(sf: Salesforce) -> None:
    field_id = make_field(sf, "Contact.Region__c", TEXT)
    for name, region in [("Rowe", "12.5"), ("Reyes", "twelve"), ("Ruiz", None)]:
        sf.Contact.create({"LastName": name, "Region__c": region})

    sf.toolingexecute(
        f"sobjects/CustomField/{field_id}",
        method="PATCH",
        data={"Metadata": {"type": "Number", "label": "Region", "precision": 8, "scale": 2}},
    )

    assert fields_of(sf, "Contact")["Region__c"]["type"] == "double"
    assert values(sf, "Region__c") == {"Rowe": 12.5, "Reyes": None, "Ruiz": None}
    assert sf.query("SELECT COUNT() FROM Contact WHERE Region__c > 10")["totalSize"] == 1


def test_a_new_checkbox_is_false_on_the_records_it_finds(sf: Salesforce) -> None:
    sf.Contact.create({"LastName": "Rowe"})
    make_field(sf, "Contact.Vip__c", {"type": "Checkbox", "label": "VIP", "defaultValue": "false"})
    assert values(sf, "Vip__c") == {"Rowe": False}
    assert fields_of(sf, "Contact")["Vip__c"]["nillable"] is False


def test_a_deleted_field_is_gone_from_every_api_and_comes_back_empty(sf: Salesforce) -> None:
    field_id = make_field(sf, "Contact.Region__c", TEXT)
    sf.Contact.create({"LastName": "Rowe", "Region__c": "West"})

    sf.toolingexecute(f"sobjects/CustomField/{field_id}", method="DELETE")

    assert "Region__c" not in fields_of(sf, "Contact")
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query("SELECT Region__c FROM Contact")
    assert refused.value.content[0]["errorCode"] == "INVALID_FIELD"
    with pytest.raises(SalesforceResourceNotFound):
        sf.toolingexecute(f"sobjects/CustomField/{field_id}")
    make_field(sf, "Contact.Region__c", TEXT)
    assert values(sf, "Region__c") == {"Rowe": None}


def test_a_lookup_is_a_relationship_both_ways(sf: Salesforce) -> None:
    make_field(
        sf,
        "Contact.Partner__c",
        {"type": "Lookup", "label": "Partner", "referenceTo": "Account",
         "relationshipName": "Partnered"},
    )  # fmt: skip
    account = sf.Account.create({"Name": "Partner Co"})["id"]
    sf.Contact.create({"LastName": "Rowe", "Partner__c": account})

    rows = sf.query("SELECT Partner__r.Name FROM Contact WHERE Partner__c != null")["records"]
    children = sf.query(
        f"SELECT (SELECT LastName FROM Partnered__r) FROM Account WHERE Id = '{account}'"
    )["records"][0]["Partnered__r"]["records"]
    assert [row["Partner__r"]["Name"] for row in rows] == ["Partner Co"]
    assert [child["LastName"] for child in children] == ["Rowe"]


def test_a_restricted_picklist_refuses_other_values(sf: Salesforce) -> None:
    make_field(
        sf,
        "Contact.Tier__c",
        {"type": "Picklist", "label": "Tier",
         "valueSet": {"restricted": True, "valueSetDefinition": {"value": [
             {"fullName": "Gold", "default": False}, {"fullName": "Silver", "default": False}]}}},
    )  # fmt: skip
    sf.Contact.create({"LastName": "Rowe", "Tier__c": "Gold"})
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Contact.create({"LastName": "Reyes", "Tier__c": "Bronze"})
    assert refused.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    tier = fields_of(sf, "Contact")["Tier__c"]
    assert [entry["value"] for entry in tier["picklistValues"]] == ["Gold", "Silver"]


@pytest.mark.parametrize(
    ("full_name", "metadata", "code", "detail"),
    [
        ("Contact.Region__c", {"type": "Text", "label": "Again", "length": 10},
         "DUPLICATE_DEVELOPER_NAME", "There is already a field named Region on Contact."),
        ("Contact.LastName", TEXT, "FIELD_INTEGRITY_EXCEPTION", "not a custom field name"),
        ("Nowhere.Region__c", TEXT, "FIELD_INTEGRITY_EXCEPTION", "one of the org's objects"),
        ("Contact.Sum__c", {"type": "Formula", "label": "Sum"}, "FIELD_INTEGRITY_EXCEPTION",
         "type: Formula is not a field type"),
        (None, TEXT, "FIELD_INTEGRITY_EXCEPTION", "FullName: null must name one of"),
        ("Contact.Sum__c", {"type": None, "label": "Sum"}, "FIELD_INTEGRITY_EXCEPTION",
         "type: null is not a field type"),
        ("Contact.Code__c", TEXT | {"required": "maybe"}, "JSON_PARSER_ERROR",
         "Cannot deserialize instance of boolean from VALUE_STRING value maybe"),
        ("Contact.Code__c", {"type": "Text", "label": "Code"}, "FIELD_INTEGRITY_EXCEPTION",
         "length: a Text field holds 1 to 255 characters"),
        ("Contact.Score__c", {"type": "Number", "label": "Score", "precision": 4, "scale": 6},
         "FIELD_INTEGRITY_EXCEPTION", "scale"),
        ("Contact.Boss__c", {"type": "Lookup", "label": "Boss", "referenceTo": "Nope",
                             "relationshipName": "Bossed"},
         "FIELD_INTEGRITY_EXCEPTION", "referenceTo"),
    ],
)  # fmt: skip
def test_a_wrong_definition_is_refused_naming_what_is_wrong(
    sf: Salesforce, full_name: str | None, metadata: dict[str, Any], code: str, detail: str
) -> None:
    make_field(sf, "Contact.Region__c", TEXT)
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.toolingexecute(
            "sobjects/CustomField",
            method="POST",
            data={"FullName": full_name, "Metadata": metadata},
        )
    assert refused.value.content[0]["errorCode"] == code
    assert detail in refused.value.content[0]["message"]


@pytest.mark.parametrize(
    ("metadata", "token"),
    [
        ({"type": "Text", "label": "X", "length": True}, "VALUE_TRUE value true"),
        (
            {"type": "Number", "label": "N", "precision": True, "scale": False},
            "VALUE_TRUE value true",
        ),
        (
            {"type": "Number", "label": "N", "precision": 10, "scale": False},
            "VALUE_FALSE value false",
        ),
        (
            {"type": "LongTextArea", "label": "L", "length": 1000, "visibleLines": True},
            "VALUE_TRUE value true",
        ),
        ({"type": "Text", "label": "X", "length": "ten"}, "VALUE_STRING value ten"),
        ({"type": "Text", "label": "X", "length": 12.5}, "VALUE_NUMBER_FLOAT value 12.5"),
        ({"type": "Text", "label": "X", "length": [40]}, "START_ARRAY value ["),
    ],
)
def test_a_size_that_is_no_whole_number_is_refused_as_the_json_parser_refuses_it(
    sf: Salesforce, metadata: dict[str, Any], token: str
) -> None:
    """Python counts `true` as 1: it made a Text(1) field of `"length": true`. Salesforce's
    parser refuses it, as it refuses `"NumberOfEmployees": true` on a record."""
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.toolingexecute(
            "sobjects/CustomField",
            method="POST",
            data={"FullName": "Account.X__c", "Metadata": metadata},
        )

    [error] = refused.value.content
    assert error["errorCode"] == "JSON_PARSER_ERROR"
    assert error["message"] == (
        f"Cannot deserialize instance of int from {token} or request may be missing a "
        "required field"
    )
    assert "X__c" not in fields_of(sf, "Account")


def test_a_size_given_as_a_whole_number_text_is_read_as_the_number(sf: Salesforce) -> None:
    make_field(sf, "Contact.Code__c", {"type": "Text", "label": "Code", "length": "12"})
    make_field(
        sf, "Contact.Score__c", {"type": "Number", "label": "Score", "precision": 6.0, "scale": 2}
    )

    described = fields_of(sf, "Contact")
    assert described["Code__c"]["length"] == 12
    assert (described["Score__c"]["precision"], described["Score__c"]["scale"]) == (6, 2)


def test_fields_outlive_a_restart_and_the_describe_says_when_it_changed(
    tmp_path: Path, clock: Clock
) -> None:
    org = Org(tmp_path / "org", clock=clock)
    before = org.schema_modified_at
    clock.advance(minutes=1)
    org.custom_fields.create({"FullName": "Lead.Score__c", "Metadata": {
        "type": "Number", "label": "Score", "precision": 5, "scale": 0}})  # fmt: skip
    org.create("Lead", {"LastName": "Rowe", "Company": "Rowe Ltd", "Score__c": 7})
    changed = org.schema_modified_at
    org.close()

    again = Org(tmp_path / "org", clock=clock)

    assert changed > before
    assert again.schema_modified_at == changed
    assert again.query("SELECT Score__c FROM Lead")["records"][0]["Score__c"] == 7


def test_a_made_field_named_like_one_a_schema_folder_adds_later_replaces_it(
    tmp_path: Path, clock: Clock
) -> None:
    org = Org(tmp_path / "org", clock=clock)
    org.custom_fields.create({"FullName": "Contact.Region__c", "Metadata": TEXT})
    org.close()
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / "Contact.json").write_text(
        '{"name": "Contact", "fields": [{"name": "Region__c", "type": "string", "length": 10}]}'
    )

    again = Org(tmp_path / "org", folder, clock=clock)

    regions = [f for f in again.schema.get("Contact").fields if f.name == "Region__c"]
    assert [(f.type, f.length) for f in regions] == [("string", 40)]


def test_a_tooling_query_pages_as_the_data_apis_do_under_the_tooling_urls(
    sandbox: SandboxServer, sf: Salesforce
) -> None:
    for n in range(201):
        sandbox.org.custom_fields.create(
            {"FullName": f"Lead.Score{n}__c", "Metadata": {"type": "Checkbox", "label": "S"}}
        )
    first = sf.toolingexecute(
        "query/?q=SELECT+Id+FROM+CustomField",
        headers={"Sforce-Query-Options": "batchSize=200"},
    )
    rest = sf.toolingexecute(first["nextRecordsUrl"].split("/tooling/", 1)[1])

    assert (first["totalSize"], len(first["records"]), first["done"]) == (201, 200, False)
    assert "/tooling/query/" in first["nextRecordsUrl"]
    assert (len(rest["records"]), rest["done"]) == (1, True)
    assert "/tooling/sobjects/CustomField/" in rest["records"][0]["attributes"]["url"]


def test_the_tooling_index_lists_the_tooling_resources_served(
    sandbox: SandboxServer, sf: Salesforce
) -> None:
    sandbox.reset_usage()

    index = sf.toolingexecute("")

    tooling = f"/services/data/v{sf.sf_version}/tooling"
    assert index == {"query": f"{tooling}/query", "sobjects": f"{tooling}/sobjects"}
    assert sandbox.usage().by_kind == {"describe": 1}


def test_the_tooling_describe_global_lists_the_tooling_objects_and_revalidates(
    make_sandbox: Callable[..., SandboxServer],
    salesforce_for: Callable[..., Salesforce],
    api_for: Callable[[SandboxServer], requests.Session],
) -> None:
    clock = Clock()
    sandbox = make_sandbox(clock=clock)
    sf, api = salesforce_for(sandbox), api_for(sandbox)
    url = f"{sandbox.base_url}/services/data/v{sf.sf_version}/tooling/sobjects"
    sandbox.reset_usage()

    catalogue = sf.toolingexecute("sobjects")
    info = sf.toolingexecute("sobjects/CustomField")
    counted = sandbox.usage().by_kind
    first = api.get(url)
    unchanged = api.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    clock.advance(minutes=1)
    make_field(sf, "Contact.Region__c", TEXT)
    changed = api.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})

    tooling = f"/services/data/v{sf.sf_version}/tooling/sobjects/CustomField"
    (entry,) = catalogue["sobjects"]
    assert (catalogue["encoding"], catalogue["maxBatchSize"]) == ("UTF-8", 200)
    assert (entry["name"], entry["keyPrefix"], entry["label"]) == (
        "CustomField",
        "00N",
        "Custom Field Definition",
    )
    assert (entry["queryable"], entry["createable"], entry["layoutable"]) == (True, True, False)
    assert entry["urls"] == {"rowTemplate": f"{tooling}/{{ID}}", "sobject": tooling}
    assert info == {"objectDescribe": entry, "recentItems": []}
    assert counted == {"describe": 2}
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert (changed.status_code, changed.json()) == (200, catalogue)
    with pytest.raises(SalesforceResourceNotFound):
        sf.toolingexecute("sobjects/ApexClass")


def test_a_tooling_query_without_soql_is_refused_in_a_real_orgs_words(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as missing:
        sf.toolingexecute("query/")
    with pytest.raises(SalesforceMalformedRequest) as blank:
        sf.toolingexecute("query/?q=")

    assert missing.value.content == [
        {"errorCode": "MALFORMED_QUERY", "message": "A query string has to be specified"}
    ]
    assert blank.value.content[0]["message"] == "SOQL statements cannot be empty or null"


def test_a_second_change_within_the_same_second_is_not_taken_for_no_change(
    make_sandbox: Callable[..., SandboxServer],
    salesforce_for: Callable[..., Salesforce],
    api_for: Callable[[SandboxServer], requests.Session],
) -> None:
    """HTTP dates count whole seconds: a field made and deleted within one second must still
    move `Last-Modified`, or a client revalidating with `If-Modified-Since` keeps the describe
    that lists the deleted field."""
    clock = Clock()
    sandbox = make_sandbox(clock=clock)
    sf, api = salesforce_for(sandbox), api_for(sandbox)
    data = f"{sandbox.base_url}/services/data/v{sf.sf_version}"
    urls = [f"{data}/sobjects/Contact/describe", f"{data}/tooling/sobjects"]
    clock.advance(seconds=5.2)
    field_id = make_field(sf, "Contact.Region__c", TEXT)
    made = [api.get(url) for url in urls]
    clock.advance(seconds=0.5)  # the same second
    sf.toolingexecute(f"sobjects/CustomField/{field_id}", method="DELETE")

    again = [
        api.get(url, headers={"If-Modified-Since": answer.headers["Last-Modified"]})
        for url, answer in zip(urls, made, strict=True)
    ]

    assert [answer.status_code for answer in again] == [200, 200]
    assert "Region__c" not in {f["name"] for f in again[0].json()["fields"]}
    assert all(
        parsedate_to_datetime(late.headers["Last-Modified"])
        > parsedate_to_datetime(early.headers["Last-Modified"])
        for early, late in zip(made, again, strict=True)
    )
    unchanged = api.get(urls[0], headers={"If-Modified-Since": again[0].headers["Last-Modified"]})
    assert unchanged.status_code == 304
