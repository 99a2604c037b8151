from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from forcebridge.sandbox.schema import SchemaError, load_schema


def _write(folder: Path, payload: dict[str, Any]) -> None:
    folder.mkdir(exist_ok=True)
    (folder / f"{payload['name']}.json").write_text(json.dumps(payload))


INVOICE = {
    "name": "Invoice__c",
    "label": "Invoice",
    "labelPlural": "Invoices",
    "keyPrefix": None,
    "custom": True,
    "fields": [
        {"name": "Id", "type": "id", "label": "Record ID", "nillable": False,
         "createable": False, "updateable": False, "defaultedOnCreate": True},
        {"name": "Name", "type": "string", "label": "Invoice Name", "length": 80,
         "nameField": True},
        {"name": "Number__c", "type": "string", "label": "Number", "length": 20, "custom": True,
         "externalId": True, "unique": True},
        {"name": "Stage__c", "type": "picklist", "label": "Stage", "length": 255, "custom": True,
         "restrictedPicklist": True,
         "picklistValues": [{"value": "Draft", "label": "Draft", "active": True,
                             "defaultValue": True, "validFor": None}, "Sent", "Paid"]},
        {"name": "Contact__c", "type": "reference", "label": "Contact", "length": 18,
         "custom": True, "referenceTo": ["Contact"], "relationshipName": "Contact__r"},
    ],
}  # fmt: skip
CONTACT_ADDITIONS = {
    "name": "Contact",
    "fields": [
        {"name": "Loyalty_Tier__c", "type": "picklist", "label": "Loyalty Tier", "length": 255,
         "custom": True, "picklistValues": ["Gold", "Silver"]},
        {"name": "Phone", "type": "phone", "label": "Work Phone", "length": 40},
    ],
}  # fmt: skip


def test_built_in_objects_have_salesforce_key_prefixes() -> None:
    schema = load_schema()
    prefixes = {o.name: o.key_prefix for o in schema.objects}
    assert prefixes == {
        "ActivityHistory": "",  # a view: its records are Tasks and Events
        "OpenActivity": "",
        "Account": "001",
        "Contact": "003",
        "Event": "00U",
        "Lead": "00Q",
        "Opportunity": "006",
        "Organization": "00D",
        "Profile": "00e",
        "Task": "00T",
        "User": "005",
    }


def test_real_org_facts_are_kept() -> None:
    contact = load_schema().get("contact")
    assert contact is not None
    phone, mailing, city = (contact.field(n) for n in ("Phone", "MailingAddress", "MailingCity"))
    assert phone is not None and phone.label == "Business Phone"
    assert mailing is not None and mailing.type == "address" and not mailing.createable
    assert city is not None and city.compound_field_name == "MailingAddress"
    assert [f.name for f in contact.parts(mailing)] == [
        "MailingStreet", "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry",
        "MailingLatitude", "MailingLongitude", "MailingGeocodeAccuracy",
    ]  # fmt: skip


def test_a_new_org_has_the_standard_fields_the_recorded_org_hid() -> None:
    schema = load_schema()
    for name in ("Contact", "Lead"):
        obj = schema.get(name)
        assert obj is not None
        for hidden in ("HasOptedOutOfEmail", "DoNotCall", "HasOptedOutOfFax"):
            f = obj.field(hidden)
            assert f is not None and f.type == "boolean" and f.createable and f.updateable


def test_the_recorded_orgs_own_custom_fields_are_not_built_in() -> None:
    assert not [f.name for o in load_schema().objects for f in o.fields if f.custom]


def test_required_fields_are_those_salesforce_requires() -> None:
    schema = load_schema()

    def required(name: str) -> list[str]:
        obj = schema.get(name)
        assert obj is not None
        return [f.name for f in obj.fields if f.required]

    assert required("Contact") == ["LastName"]
    assert required("Lead") == ["LastName", "Company"]
    assert required("Account") == ["Name"]


def test_task_fields_follow_salesforce_documentation() -> None:
    task = load_schema().get("Task")
    assert task is not None
    subtype, status, priority, who = (
        task.field(n) for n in ("TaskSubtype", "Status", "Priority", "WhoId")
    )
    assert subtype is not None and subtype.createable and not subtype.updateable
    assert status is not None and status.picklist_default == "Not Started"
    assert "Completed" in [e.value for e in status.picklist]
    assert priority is not None and priority.picklist_default == "Normal"
    assert who is not None and who.polymorphic and who.relationship_name == "Who"
    assert set(who.reference_to) == {"Contact", "Lead"}


def test_extra_schema_adds_a_custom_object_with_system_fields(tmp_path: Path) -> None:
    _write(tmp_path, INVOICE)
    invoice = load_schema(tmp_path).get("invoice__c")
    assert invoice is not None and invoice.custom
    assert invoice.key_prefix.startswith("a") and len(invoice.key_prefix) == 3
    for system in ("IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp"):
        assert invoice.field(system) is not None
    number = invoice.field("Number__c")
    assert number is not None and number.external_id and number.unique


def test_generated_key_prefixes_are_stable(tmp_path: Path) -> None:
    _write(tmp_path, INVOICE)
    _write(tmp_path, INVOICE | {"name": "Shipment__c"})
    first, second = load_schema(tmp_path), load_schema(tmp_path)
    assert [o.key_prefix for o in first.objects] == [o.key_prefix for o in second.objects]
    stored = [o for o in first.objects if not o.view]
    assert len({o.key_prefix for o in stored}) == len(stored)


def test_extra_schema_merges_fields_into_a_built_in_object(tmp_path: Path) -> None:
    _write(tmp_path, CONTACT_ADDITIONS)
    contact = load_schema(tmp_path).get("Contact")
    built_in = load_schema().get("Contact")
    assert contact is not None and built_in is not None
    tier, phone = contact.field("Loyalty_Tier__c"), contact.field("Phone")
    assert (
        tier is not None and tier.custom and [e.value for e in tier.picklist] == ["Gold", "Silver"]
    )
    assert phone is not None and phone.label == "Work Phone"
    assert len(contact.fields) == len(built_in.fields) + 1


def test_a_full_describe_payload_loads(tmp_path: Path) -> None:
    recorded = Path("/work/shared/salesforce/describe/Custom__c.json")
    if not recorded.exists():
        pytest.skip("no recorded describe payloads here")
    (tmp_path / "Custom__c.json").write_text(recorded.read_text())
    custom = load_schema(tmp_path).get("Custom__c")
    assert custom is not None and custom.key_prefix == "aB5"
    assert custom.field("CustomField__c") is not None


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("{not json", "cannot read it as JSON"),
        ('{"name": "Bad__c", "fields": [{"name": "X__c", "type": "hologram"}]}',
         "field X__c has unsupported type 'hologram'"),
        ('{"name": "Bad__c; DROP TABLE", "fields": []}', "the object needs a valid 'name'"),
    ],
)  # fmt: skip
def test_unusable_schema_files_are_refused_with_the_file_named(
    tmp_path: Path, content: str, complaint: str
) -> None:
    (tmp_path / "Bad.json").write_text(content)
    with pytest.raises(SchemaError, match=r"Bad\.json") as raised:
        load_schema(tmp_path)
    assert complaint in str(raised.value)
