"""Write validation: each Salesforce error code, worded as Salesforce words it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.ids import make_id
from forcebridge.sandbox.records import defaults, derived, prepare
from forcebridge.sandbox.schema import ObjectSpec, Schema, load_schema

SCHEMA: Schema = load_schema()


def _obj(name: str) -> ObjectSpec:
    obj = SCHEMA.get(name)
    assert obj is not None
    return obj


def _create(name: str, values: dict[str, Any]) -> dict[str, Any]:
    return prepare(SCHEMA, _obj(name), values, creating=True).values


def _refusal(name: str, values: dict[str, Any], *, creating: bool = True) -> ApiError:
    with pytest.raises(ApiError) as raised:
        prepare(SCHEMA, _obj(name), values, creating=creating)
    return raised.value


def test_unknown_field() -> None:
    error = _refusal("Contact", {"LastName": "Ng", "Foo": 1})
    assert (error.status, error.error_code) == (400, "INVALID_FIELD")
    assert error.message == "No such column 'Foo' on sobject of type Contact"


def test_fields_that_cannot_be_written() -> None:
    error = _refusal("Contact", {"LastName": "Ng", "Name": "x", "IsDeleted": True})
    assert error.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert error.fields == ["Name", "IsDeleted"]
    assert error.message.startswith("Unable to create/update fields: Name, IsDeleted. Please check")
    assert error.message.endswith("read/write for your profile or permission set.")


def test_a_createable_field_that_is_not_updateable() -> None:
    assert _create("Task", {"TaskSubtype": "Call"})["TaskSubtype"] == "Call"
    error = _refusal("Task", {"TaskSubtype": "Email"}, creating=False)
    assert error.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE" and error.fields == ["TaskSubtype"]


def test_an_id_in_an_insert() -> None:
    error = _refusal("Contact", {"Id": make_id("003", 1), "LastName": "Ng"})
    assert error.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"


@pytest.mark.parametrize(
    ("name", "values", "missing"),
    [
        ("Contact", {"FirstName": "Ana"}, ["LastName"]),
        ("Lead", {"FirstName": "Ana"}, ["LastName", "Company"]),
        ("Account", {"Phone": "1"}, ["Name"]),
        ("Contact", {"LastName": ""}, ["LastName"]),
    ],
)
def test_required_fields(name: str, values: dict[str, Any], missing: list[str]) -> None:
    error = _refusal(name, values)
    assert error.error_code == "REQUIRED_FIELD_MISSING"
    assert error.message == f"Required fields are missing: [{', '.join(missing)}]"
    assert error.fields == missing


def test_clearing_a_required_field_on_update() -> None:
    error = _refusal("Contact", {"LastName": None}, creating=False)
    assert error.error_code == "REQUIRED_FIELD_MISSING" and error.fields == ["LastName"]


def test_string_too_long() -> None:
    error = _refusal("Contact", {"LastName": "x" * 81})
    assert error.error_code == "STRING_TOO_LONG" and error.fields == ["LastName"]
    assert error.message == f"Last Name: data value too large: {'x' * 81} (max length=80)"


def test_invalid_email() -> None:
    error = _refusal("Contact", {"LastName": "Ng", "Email": "foo"})
    assert error.error_code == "INVALID_EMAIL_ADDRESS"
    assert error.message == "Email: invalid email address: foo"
    assert _create("Contact", {"LastName": "Ng", "Email": "ana.ng+crm@mail.example.co.uk"})


def test_restricted_picklist() -> None:
    error = _refusal("Task", {"CallType": "Sideways"})
    assert error.error_code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert error.message == "Call Type: bad value for restricted picklist field: Sideways"
    assert _create("Contact", {"LastName": "Ng", "LeadSource": "Trade show"})["LeadSource"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("TimeZoneSidKey", "Mars/Olympus"),
        ("LocaleSidKey", "xx_MARS"),
        ("LanguageLocaleKey", "klingon"),
    ],
)
def test_a_users_zone_locale_and_language_are_restricted_picklists(field: str, value: str) -> None:
    error = _refusal("User", {field: value}, creating=False)
    assert (error.error_code, error.fields) == ("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", [field])
    assert error.message.endswith(f"bad value for restricted picklist field: {value}")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("TimeZoneSidKey", "UTC"),  # the sandbox org's own zone
        ("TimeZoneSidKey", "GMT"),
        ("TimeZoneSidKey", "Pacific/Auckland"),
        ("TimeZoneSidKey", "America/Argentina/Buenos_Aires"),
        ("TimeZoneSidKey", "Asia/Rangoon"),  # an old name a real org still lists
        ("LocaleSidKey", "en_GB"),
        ("LocaleSidKey", "ar_AE"),
        ("LocaleSidKey", "zh_CN_PINYIN"),
        ("LanguageLocaleKey", "pt_BR"),
        ("LanguageLocaleKey", "iw"),
    ],
)
def test_a_user_takes_the_zones_locales_and_languages_real_orgs_offer(
    field: str, value: str
) -> None:
    assert prepare(SCHEMA, _obj("User"), {field: value}, creating=False).values[field] == value


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("DoNotCall", "yes", "Cannot deserialize instance of boolean from VALUE_STRING value yes"),
        ("DoNotCall", 1, "Cannot deserialize instance of boolean from VALUE_NUMBER_INT value 1"),
        ("Birthdate", "next week", "Cannot deserialize instance of date from VALUE_STRING"),
        ("LastName", {"a": 1}, "Cannot deserialize instance of string from START_OBJECT value {"),
        ("EmailBouncedDate", "soon", "Cannot deserialize instance of datetime from VALUE_STRING"),
    ],
)
def test_values_of_the_wrong_json_type(field: str, value: Any, message: str) -> None:
    error = _refusal("Contact", {"LastName": "Ng", field: value})
    assert error.error_code == "JSON_PARSER_ERROR"
    assert error.message.startswith(message)


@pytest.mark.parametrize(("value", "stored"), [(True, 1), ("true", 1), (False, 0), ("false", 0)])
def test_a_checkbox_takes_json_booleans_and_the_texts_true_and_false(
    value: Any, stored: int
) -> None:
    assert _create("Contact", {"LastName": "Ng", "DoNotCall": value})["DoNotCall"] == stored


@pytest.mark.parametrize("value", ["1", "0", "yes", "TRUE", "False", " true", ""])
def test_a_checkbox_refuses_any_other_text_as_the_json_parser_does(value: str) -> None:
    error = _refusal("Contact", {"LastName": "Ng", "DoNotCall": value})

    assert (error.status, error.error_code) == (400, "JSON_PARSER_ERROR")
    assert error.message == (
        f"Cannot deserialize instance of boolean from VALUE_STRING value {value} or request may "
        "be missing a required field"
    )


def test_numbers_respect_digits_precision_and_scale() -> None:
    account = {"Name": "Acme"}
    deal = {"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2024-12-01"}
    assert _create("Account", account | {"NumberOfEmployees": "250"})["NumberOfEmployees"] == 250
    assert _create("Opportunity", deal | {"Amount": 10.005})["Amount"] == Decimal("10.01")
    too_many = _refusal("Account", account | {"NumberOfEmployees": 123_456_789})
    assert too_many.error_code == "NUMBER_OUTSIDE_VALID_RANGE"
    assert too_many.message == "Employees: value outside of valid range on numeric field: 123456789"
    fraction = _refusal("Account", account | {"NumberOfEmployees": 2.5})
    assert fraction.error_code == "JSON_PARSER_ERROR"
    huge = _refusal("Opportunity", deal | {"Amount": 1e17})
    assert huge.error_code == "NUMBER_OUTSIDE_VALID_RANGE"
    far = _refusal("Contact", {"LastName": "Ng", "MailingLatitude": -1.5e32})  # past rounding
    assert far.error_code == "NUMBER_OUTSIDE_VALID_RANGE"


def test_dates_and_datetimes_accept_salesforce_input_forms() -> None:
    for raw in ("2024-11-07T08:00:00.000+0100", "2024-11-07T07:00:00Z", "2024-11-07T07:00:00"):
        values = _create("Contact", {"LastName": "Ng", "EmailBouncedDate": raw})
        assert values["EmailBouncedDate"] == "2024-11-07T07:00:00.000+0000"
    assert _create("Contact", {"LastName": "Ng", "Birthdate": "1990-02-28"})["Birthdate"] == (
        "1990-02-28"
    )


def test_empty_text_is_stored_as_null() -> None:
    assert _create("Contact", {"LastName": "Ng", "Title": ""})["Title"] is None


def test_references_are_checked_for_form_and_object() -> None:
    malformed = _refusal("Contact", {"LastName": "Ng", "AccountId": "not-an-id"})
    assert malformed.error_code == "MALFORMED_ID"
    assert malformed.message == "Account ID: id value of incorrect type: not-an-id"
    wrong_object = _refusal("Contact", {"LastName": "Ng", "AccountId": make_id("003", 7)})
    assert wrong_object.error_code == "FIELD_INTEGRITY_EXCEPTION"
    account_id = make_id("001", 7)
    changes = prepare(
        SCHEMA, _obj("Contact"), {"LastName": "Ng", "AccountId": account_id[:15]}, creating=True
    )
    assert changes.values["AccountId"] == account_id
    assert [(r.field.name, r.record_id, r.target) for r in changes.references] == [
        ("AccountId", account_id, "Account")
    ]


def test_a_polymorphic_reference_accepts_each_of_its_objects() -> None:
    for who in (make_id("003", 1), make_id("00Q", 1)):
        assert _create("Task", {"WhoId": who})["WhoId"] == who
    assert _refusal("Task", {"WhoId": make_id("001", 1)}).error_code == "FIELD_INTEGRITY_EXCEPTION"


def test_defaults_fill_what_salesforce_fills_on_create() -> None:
    task = defaults(_obj("Task"), {})
    assert task["Status"] == "Not Started" and task["Priority"] == "Normal"
    assert task["IsReminderSet"] == 0
    assert defaults(_obj("Lead"), {})["Status"] == "Open - Not Contacted"
    assert "Status" not in defaults(_obj("Task"), {"Status": "Completed"})


def test_derived_values() -> None:
    contact = derived(_obj("Contact"), {"FirstName": "Ana", "LastName": "Ng", "Salutation": "Dr."})
    assert contact["Name"] == "Ana Ng"
    assert derived(_obj("Contact"), {"LastName": "Ng"})["Name"] == "Ng"
    saved = "2024-11-07T15:30:00.000+0000"
    task = derived(
        _obj("Task"), {"Status": "Completed", "Priority": "High", "LastModifiedDate": saved}
    )
    assert task == {"IsClosed": 1, "IsHighPriority": 1, "CompletedDateTime": saved}
