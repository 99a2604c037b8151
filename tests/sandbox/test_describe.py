from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from forcebridge.sandbox.describe import describe_global, describe_object
from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.schema import Schema, load_schema

RECORDED = Path("/work/shared/salesforce/describe")
RECORDED_OBJECTS = ("Account", "Contact", "Lead", "Opportunity", "Event")


def _recorded(name: str) -> dict[str, Any]:
    if not RECORDED.is_dir():
        pytest.skip("no recorded describe payloads here")
    payload: dict[str, Any] = json.loads((RECORDED / f"{name}.json").read_text())
    return payload


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


def _describe(schema: Schema, name: str, version: str = "62.0") -> dict[str, Any]:
    obj = schema.get(name)
    assert obj is not None
    return describe_object(schema, obj, version, "https://sandbox.test")


@pytest.mark.parametrize("name", RECORDED_OBJECTS)
def test_describe_has_every_key_a_real_payload_has(schema: Schema, name: str) -> None:
    recorded = _recorded(name)
    ours = _describe(schema, name)
    assert set(recorded) <= set(ours)
    assert set(ours) == set(_recorded("Contact"))


@pytest.mark.parametrize("name", RECORDED_OBJECTS)
def test_recorded_fields_render_exactly_as_recorded(schema: Schema, name: str) -> None:
    fields = _recorded(name)["fields"]
    recorded = {f["name"]: f for f in fields if not f["name"].endswith("__c")}
    ours = {f["name"]: f for f in _describe(schema, name)["fields"]}
    assert set(recorded) <= set(ours)
    for field_name, field in recorded.items():
        assert ours[field_name] == field, field_name


def test_fields_written_by_hand_have_the_same_keys_as_recorded_ones(schema: Schema) -> None:
    keys = set(_recorded("Contact")["fields"][0])
    for name in ("Task", "User", "Organization", "ActivityHistory", "OpenActivity"):
        for field in _describe(schema, name)["fields"]:
            assert set(field) == keys, (name, field["name"])


def test_describe_global_entries_have_the_recorded_keys(schema: Schema) -> None:
    recorded = _recorded("describeGlobal")
    ours = describe_global(schema, "62.0")
    assert ours["encoding"] == "UTF-8" and ours["maxBatchSize"] == 200
    assert {s["name"] for s in ours["sobjects"]} >= {"Account", "Contact", "Lead", "Task", "User"}
    for entry in ours["sobjects"]:
        assert set(entry) == set(recorded["sobjects"][0])
        assert not any(key.startswith("ui") for key in entry["urls"])


def test_urls_carry_the_api_version_and_instance(schema: Schema) -> None:
    urls = _describe(schema, "Contact", "58.0")["urls"]
    assert urls["sobject"] == "/services/data/v58.0/sobjects/Contact"
    assert urls["rowTemplate"] == "/services/data/v58.0/sobjects/Contact/{ID}"
    assert urls["uiNewRecord"] == "https://sandbox.test/003/e"


def test_child_relationships_come_from_the_loaded_objects(schema: Schema) -> None:
    children = {
        (c["childSObject"], c["field"]): c["relationshipName"]
        for c in _describe(schema, "Account")["childRelationships"]
    }
    assert children[("Contact", "AccountId")] == "Contacts"
    assert children[("Task", "WhatId")] == "Tasks"
    assert children[("Opportunity", "AccountId")] == "Opportunities"


@pytest.mark.parametrize("name", ("Account", "Contact", "Lead"))
def test_child_relationships_on_the_object_itself_are_the_recorded_ones(
    schema: Schema, name: str
) -> None:
    def own(payload: dict[str, Any]) -> set[tuple[str, Any]]:
        return {
            (c["field"], c["relationshipName"])
            for c in payload["childRelationships"]
            if c["childSObject"] == name
        }

    # ParentId (ChildAccounts) and ReportsToId, never MasterRecordId
    assert own(_describe(schema, name)) == own(_recorded(name))


def test_compound_address_is_described_as_salesforce_does(schema: Schema) -> None:
    fields = {f["name"]: f for f in _describe(schema, "Contact")["fields"]}
    assert fields["MailingAddress"]["type"] == "address"
    assert fields["MailingAddress"]["soapType"] == "urn:address"
    assert not fields["MailingAddress"]["createable"]
    assert fields["MailingCity"]["compoundFieldName"] == "MailingAddress"
    assert fields["Phone"]["label"] == "Business Phone"


def test_the_org_refuses_to_describe_an_unknown_object(org: Org) -> None:
    with pytest.raises(ApiError) as raised:
        org.describe("Nope__c")
    assert raised.value.status == 404 and raised.value.error_code == "NOT_FOUND"
