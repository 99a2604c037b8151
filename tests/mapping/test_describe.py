from __future__ import annotations

import pytest

from forcebridge.mapping.describe import Catalog, parse_describe
from forcebridge.mapping.errors import DescribeError, UnknownField
from tests.mapping.payloads import field_payload, object_payload


def test_fields_are_found_whatever_the_case_and_come_back_spelled_as_the_org_does(
    real_catalog: Catalog,
) -> None:
    contact = real_catalog.get("contact")

    assert contact is not None
    phone = contact.field("PHONE")
    assert phone is not None
    assert phone.name == "Phone"
    assert phone.display_name == "Business Phone (Phone)"


def test_compound_fields_are_offered_as_their_parts_never_as_the_empty_whole(
    real_catalog: Catalog,
) -> None:
    contact = real_catalog.get("Contact")
    assert contact is not None

    offered = {f.name for f in contact.offered()}

    assert "MailingAddress" not in offered
    assert "OtherAddress" not in offered
    assert {"MailingStreet", "MailingCity", "MailingPostalCode"} <= offered
    assert [f.name for f in contact.parts("MailingAddress")] == [
        "MailingStreet",
        "MailingCity",
        "MailingState",
        "MailingPostalCode",
        "MailingCountry",
        "MailingLatitude",
        "MailingLongitude",
        "MailingGeocodeAccuracy",
    ]


def test_required_fields_are_the_ones_a_create_must_give(real_catalog: Catalog) -> None:
    required = {
        name: [f.name for f in describe.required()]
        for name in ("Lead", "Contact", "Account")
        if (describe := real_catalog.get(name)) is not None
    }

    assert required == {
        "Lead": ["LastName", "Company"],
        "Contact": ["LastName"],
        "Account": ["Name"],
    }


def test_picklists_keep_active_values_and_say_whether_they_are_restricted(
    real_catalog: Catalog,
) -> None:
    account = real_catalog.get("Account")
    assert account is not None
    accuracy = account.field("BillingGeocodeAccuracy")
    industry = account.field("Industry")

    assert accuracy is not None and accuracy.restricted_picklist
    assert "Address" in accuracy.picklist_values
    assert industry is not None and not industry.restricted_picklist
    assert len(industry.picklist_values) == 32


def test_formula_roll_up_and_auto_number_fields_are_told_apart() -> None:
    describe = parse_describe(
        object_payload(
            "Invoice__c",
            field_payload("Total__c", "currency", calculated=True, calculatedFormula="A + B"),
            field_payload("Paid__c", "currency", calculated=True, calculatedFormula=None),
            field_payload("Number__c", "string", autoNumber=True, createable=False),
            field_payload("Old__c", "string", picklist=("A",), deprecatedAndHidden=True),
        )
    )
    total, paid, number, old = (
        describe.field(n) for n in ("Total__c", "Paid__c", "Number__c", "Old__c")
    )

    assert total is not None and total.calculated and not total.roll_up
    assert paid is not None and paid.roll_up
    assert number is not None and number.auto_number
    assert old is not None and old.hidden
    assert "Old__c" not in {f.name for f in describe.offered()}


def test_inactive_picklist_values_are_not_offered() -> None:
    payload = object_payload("Thing__c", field_payload("Stage__c", "picklist", picklist=("Open",)))
    payload["fields"][1]["picklistValues"].append({"value": "Retired", "active": False})

    stage = parse_describe(payload).field("Stage__c")

    assert stage is not None and stage.picklist_values == ("Open",)


def test_a_payload_that_is_not_a_describe_is_refused() -> None:
    with pytest.raises(DescribeError, match="describe of Contact"):
        parse_describe({"name": "Contact"})


def test_a_parent_path_follows_the_relationship_to_the_parent_field(real_catalog: Catalog) -> None:
    path, field = real_catalog.resolve("Contact", "account.name")

    assert path == "Account.Name"
    assert field.label == "Account Name"


def test_a_parent_compound_field_is_offered_as_its_parts_paths(real_catalog: Catalog) -> None:
    assert real_catalog.parts("Contact", "account.billingaddress")[:2] == (
        "Account.BillingStreet",
        "Account.BillingCity",
    )


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("Acount.Name", "Contact has no relationship 'Acount'"),
        ("Account.Nmae", "Account has no field 'Nmae'"),
        ("Emial", "Contact has no field 'Emial'"),
        ("Individual.Name", "Contact.Individual points to Individual, whose describe is not"),
    ],
)
def test_an_unknown_step_of_a_path_is_named(real_catalog: Catalog, path: str, message: str) -> None:
    with pytest.raises(UnknownField, match=message):
        real_catalog.resolve("Contact", path)


def test_the_catalog_names_the_parent_describes_still_to_fetch(real_catalog: Catalog) -> None:
    contact = real_catalog.get("Contact")
    assert contact is not None
    contact_only = Catalog((contact,))

    assert contact_only.missing("Contact", ["Email", "Account.Name", "Owner.Name"]) == {
        "Account",
        "User",
    }
    assert real_catalog.missing("Contact", ["Email", "Account.Name"]) == frozenset()
    assert Catalog().missing("Contact", ["Email"]) == {"Contact"}
