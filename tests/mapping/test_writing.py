"""Writing prospect values as Salesforce takes them (an export)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given

from forcebridge.mapping.describe import SalesforceField
from forcebridge.mapping.errors import ConversionError, UnsupportedField
from forcebridge.mapping.local_fields import LocalField, LocalType
from forcebridge.mapping.writing import convert_for_export, export_converter
from tests.mapping.conversions import DATETIME, aware_datetimes, pulled, sf

PROSPECT_TEXT = LocalField("company_name", LocalType.TEXT, "Company name")
PROSPECT_EMAIL = LocalField("email", LocalType.EMAIL, "Email")
PROSPECT_NUMBER = LocalField("employees", LocalType.NUMBER, "Employees")
PROSPECT_DATE = LocalField("met_on", LocalType.DATE, "Met on")
PROSPECT_DATETIME = LocalField("seen", LocalType.DATETIME, "Seen")
PROSPECT_BOOLEAN = LocalField("opted_in", LocalType.BOOLEAN, "Opted in")
PROSPECT_TIME = LocalField("calls_at", LocalType.TIME, "Calls at")


def exported(value: Any, source: LocalField, target: SalesforceField) -> Any:
    converted = convert_for_export(value, source, target)
    assert converted.warnings == ()
    return converted.value


def test_text_is_sent_trimmed() -> None:
    assert (
        exported("  Acme Corp ", PROSPECT_TEXT, sf("Company", "string", length=255)) == "Acme Corp"
    )


def test_text_too_long_for_salesforce_is_refused_not_cut() -> None:
    with pytest.raises(ConversionError) as raised:
        convert_for_export("x" * 300, PROSPECT_TEXT, sf("Company", "string", length=255))

    assert raised.value.field == "Company"
    assert raised.value.reason == "has 300 characters; Company holds at most 255"


def test_an_email_that_is_not_an_email_is_refused() -> None:
    target = sf("Email", "email", length=80)

    assert exported("ann@example.com", PROSPECT_EMAIL, target) == "ann@example.com"
    assert exported("ann@acme.test", PROSPECT_EMAIL, target) == "ann@acme.test"
    with pytest.raises(ConversionError, match="Email: 'ann@' is not an email address"):
        convert_for_export("ann@", PROSPECT_EMAIL, target)


@pytest.mark.parametrize("address", ["zoë@example.com", "ana@exämple.com"])
def test_an_email_salesforce_would_refuse_for_its_characters_is_refused_before(
    address: str,
) -> None:
    with pytest.raises(ConversionError, match="characters outside ASCII"):
        convert_for_export(address, PROSPECT_EMAIL, sf("Email", "email", length=80))


def test_a_restricted_picklist_takes_only_its_values() -> None:
    target = sf("Rating", "picklist", picklist_values=("Hot", "Warm"), restricted_picklist=True)

    assert exported("Hot", PROSPECT_TEXT, target) == "Hot"
    with pytest.raises(ConversionError, match=r"'Cold' is not one of .* \(Hot, Warm\)"):
        convert_for_export("Cold", PROSPECT_TEXT, target)


def test_an_unrestricted_picklist_takes_any_value() -> None:
    target = sf("Industry", "picklist", picklist_values=("Banking",))

    assert exported("Space mining", PROSPECT_TEXT, target) == "Space mining"


def test_a_restricted_multi_select_picklist_checks_each_value() -> None:
    target = sf(
        "Colors__c", "multipicklist", picklist_values=("Red", "Blue"), restricted_picklist=True
    )

    assert exported("Red; Blue", PROSPECT_TEXT, target) == "Red;Blue"
    with pytest.raises(ConversionError, match="holds 'Green', which is not one of"):
        convert_for_export("Red;Green", PROSPECT_TEXT, target)


def test_whole_numbers_from_a_file_become_integers_within_the_field_digits() -> None:
    employees = sf("NumberOfEmployees", "int", digits=8)

    assert exported("250", PROSPECT_NUMBER, employees) == 250
    assert exported(Decimal("250"), PROSPECT_NUMBER, employees) == 250
    with pytest.raises(ConversionError, match="is not a whole number"):
        convert_for_export("12.5", PROSPECT_NUMBER, employees)
    with pytest.raises(ConversionError, match="more than the 8 digits"):
        convert_for_export(123_456_789, PROSPECT_NUMBER, employees)
    with pytest.raises(ConversionError, match="more than the 18 digits"):  # not built as an int
        convert_for_export("1e999999999", PROSPECT_NUMBER, sf("Big__c", "long"))


def test_decimals_are_sent_as_salesforce_keeps_them_and_checked_against_the_precision() -> None:
    revenue = sf("AnnualRevenue", "currency", precision=18, scale=2)
    whole = sf("AnnualRevenue", "currency", precision=18, scale=0)

    assert exported(Decimal("1234.56"), PROSPECT_NUMBER, revenue) == Decimal("1234.56")
    assert exported(Decimal("1234.565"), PROSPECT_NUMBER, revenue) == Decimal("1234.57")
    assert exported(Decimal("1500000.50"), PROSPECT_NUMBER, whole) == Decimal("1500001")
    assert exported(Decimal("0.001"), PROSPECT_NUMBER, whole) == Decimal("0")
    with pytest.raises(ConversionError, match="more than the 16 whole digits"):
        convert_for_export(Decimal("1E+16"), PROSPECT_NUMBER, revenue)
    with pytest.raises(ConversionError, match="more than the 16 whole digits"):
        convert_for_export(Decimal("9999999999999999.995"), PROSPECT_NUMBER, revenue)
    with pytest.raises(ConversionError, match="more than the 18 whole digits"):
        convert_for_export(Decimal("1E+999999"), PROSPECT_NUMBER, whole)


def test_a_number_into_a_text_field_is_written_as_digits() -> None:
    assert exported(250, PROSPECT_NUMBER, sf("Size__c", "string", length=10)) == "250"


def test_datetimes_are_sent_in_salesforce_spelling_in_utc() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    target = sf("Seen__c", "datetime")

    sent = exported(
        dt.datetime(2024, 11, 7, 8, 0, 0, 250_000, tzinfo=paris), PROSPECT_DATETIME, target
    )

    assert sent == "2024-11-07T07:00:00.250+0000"
    assert exported(dt.date(2024, 11, 7), PROSPECT_DATE, target) == "2024-11-07T00:00:00.000+0000"
    with pytest.raises(ConversionError, match="has no time zone"):
        convert_for_export(dt.datetime(2024, 11, 7, 8), PROSPECT_DATETIME, target)


def test_dates_times_and_checkboxes_are_sent_as_salesforce_reads_them() -> None:
    assert exported("2024-11-07", PROSPECT_DATE, sf("Met__c", "date")) == "2024-11-07"
    assert exported(dt.time(9, 30), PROSPECT_TIME, sf("Calls__c", "time")) == "09:30:00.000Z"
    assert exported(False, PROSPECT_BOOLEAN, sf("OptIn__c", "boolean")) is False


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (PROSPECT_TEXT, sf("NumberOfEmployees", "int")),
        (PROSPECT_TEXT, sf("AccountId", "reference")),
        (PROSPECT_NUMBER, sf("Email", "email")),
        (PROSPECT_TEXT, sf("BillingAddress", "address")),
    ],
)
def test_a_salesforce_field_the_prospect_field_cannot_fill_is_refused(
    source: LocalField, target: SalesforceField
) -> None:
    with pytest.raises(UnsupportedField, match=target.name):
        export_converter(source, target)


@given(aware_datetimes)
def test_what_an_export_writes_a_pull_reads_back_as_the_same_instant(value: dt.datetime) -> None:
    field = sf("Seen__c", "datetime")

    sent = exported(value, PROSPECT_DATETIME, field)

    assert pulled(sent, field, DATETIME) == value
