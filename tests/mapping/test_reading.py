"""Reading Salesforce's values into contact fields (a pull)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.mapping.converters import number_text
from forcebridge.mapping.describe import SalesforceField
from forcebridge.mapping.errors import ConversionError, UnsupportedField
from forcebridge.mapping.local_fields import LocalField
from forcebridge.mapping.reading import convert_for_pull, held_as_target, pull_converter
from tests.mapping.conversions import (
    BOOLEAN,
    CHOICE,
    DATE,
    DATETIME,
    NUMBER,
    TEXT,
    TIME,
    UNBOUNDED_TEXT,
    aware_datetimes,
    pulled,
    sf,
)


@pytest.mark.parametrize("value", [False, "false", "FALSE"])
def test_a_false_checkbox_stays_false(value: Any) -> None:
    assert pulled(value, sf("DoNotCall", "boolean"), BOOLEAN) is False


@pytest.mark.parametrize("value", [True, "true"])
def test_a_true_checkbox_stays_true(value: Any) -> None:
    assert pulled(value, sf("DoNotCall", "boolean"), BOOLEAN) is True


def test_a_checkbox_into_text_reads_true_or_false() -> None:
    assert pulled(False, sf("DoNotCall", "boolean"), TEXT) == "false"


@pytest.mark.parametrize(
    ("type_", "scale", "value", "expected"),
    [
        ("int", 0, Decimal("42"), Decimal("42")),
        ("int", 0, "42", Decimal("42")),
        ("double", 1, 0.1, Decimal("0.1")),
        ("double", 0, Decimal("3.14159265358979323846"), Decimal("3.14159265358979323846")),
        ("currency", 2, "1234.50", Decimal("1234.50")),
        ("percent", 1, Decimal("12.5"), Decimal("12.5")),
        ("long", 0, 9007199254740993, Decimal("9007199254740993")),
    ],
)
def test_numbers_are_read_exactly(type_: str, scale: int, value: Any, expected: Decimal) -> None:
    result = pulled(value, sf("Amount", type_, scale=scale), NUMBER)

    assert isinstance(result, Decimal)
    assert result == expected
    assert str(result) == str(expected)


def test_a_number_into_text_is_written_without_exponent() -> None:
    assert pulled(Decimal("1E+3"), sf("Amount", "currency", scale=2), TEXT) == "1000.00"
    assert pulled(Decimal("1234.50"), sf("Amount", "currency", scale=2), TEXT) == "1234.50"
    assert pulled(Decimal("1.2345678E7"), sf("Employees__c", "double"), TEXT) == "12345678"


@pytest.mark.parametrize(
    ("type_", "scale", "value", "expected"),
    [
        ("double", 0, Decimal("3.0"), "3"),  # a Number(18, 0) as Salesforce's JSON writes it
        ("double", 0, "3.0", "3"),  # ... and as Bulk API CSV does
        ("double", 0, "3", "3"),
        ("double", 2, Decimal("3.5"), "3.50"),
        ("double", 2, Decimal("0.3"), "0.30"),
        ("double", 2, Decimal("-1234567.5"), "-1234567.50"),  # no thousands separators
        ("double", 0, Decimal("-0.0"), "0"),
        ("currency", 2, Decimal("1234.5"), "1234.50"),
        ("currency", 0, Decimal("99.0"), "99"),
        ("percent", 1, Decimal("12.50"), "12.5"),
        ("percent", 0, Decimal("15.0"), "15"),
        ("int", 0, Decimal("42"), "42"),
    ],
)
def test_a_number_into_text_reads_as_salesforce_shows_it_by_its_scale(
    type_: str, scale: int, value: Any, expected: str
) -> None:
    employees = sf("Employees__c", type_, precision=18, scale=scale)

    assert pulled(value, employees, TEXT) == expected
    assert pulled(value, employees, UNBOUNDED_TEXT) == expected  # a service's own text field


@pytest.mark.parametrize(
    ("scale", "wire", "stored"),
    [
        (1, "5", "5.0"),  # a Percent(5, 1) holding 5, as Bulk API CSV writes it
        (1, "5.0", "5.0"),  # ... as its text in REST JSON
        (1, Decimal("5.0"), "5.0"),  # ... as REST JSON's number, read as a Decimal
        (1, 5.0, "5.0"),  # ... read as a float by a client not told otherwise
        (1, 5, "5.0"),  # ... a JSON whole number
        (0, Decimal("1.39E9"), "1390000000"),  # a double in Java's notation (AnnualRevenue)
        (0, "1.39E9", "1390000000"),
        (2, Decimal("1.39E9"), "1390000000.00"),
        (0, Decimal("45220000.0"), "45220000"),
        (2, "45220000", "45220000.00"),
        (0, Decimal("3.0"), "3"),
        (2, Decimal("0.3"), "0.30"),
        (2, "-0", "0.00"),
        (0, Decimal("-0.000"), "0"),
        (1, Decimal("0E+5"), "0.0"),
        (2, "12.3450", "12.345"),  # decimals beyond the scale are kept, trailing zeros are not
        (2, "-1234567.5", "-1234567.50"),
        (2, "999999999999999999999999999999.5", "999999999999999999999999999999.50"),
        (2, "1E+40", "1" + "0" * 40 + ".00"),  # more digits than a Decimal context's 28
        (2, "1E-30", "0." + "0" * 29 + "1"),
        (18, "1", "1." + "0" * 18),
    ],
)
def test_a_number_into_a_number_field_is_spelled_by_its_scale_whatever_the_wire(
    scale: int, wire: Any, stored: str
) -> None:
    """REST JSON and Bulk CSV spell a value their own ways; stored, it is one text."""
    score = sf("Score__c", "percent", precision=18, scale=scale)

    number = pulled(wire, score, NUMBER)

    assert number == Decimal(stored)
    assert number_text(number) == stored  # what a service's number field keeps
    assert pulled(wire, score, TEXT if len(stored) <= 255 else UNBOUNDED_TEXT) == stored


def test_a_number_whose_field_is_no_number_any_more_is_spelled_as_of_no_scale() -> None:
    """Number to Text in Salesforce, mapped to a number: no scale is known."""
    retyped = held_as_target(sf("Score__c", "string"), NUMBER)

    assert [number_text(retyped(text).value) for text in ("5.0", "5", "-0", "1.50")] == [
        "5",
        "5",
        "0",
        "1.5",
    ]


def test_decimals_salesforce_keeps_beyond_the_scale_are_not_rounded_away() -> None:
    """Set through the API, a value keeps more decimals than its field's scale (Salesforce
    shows it rounded): the text keeps them, so no value is lost or changed."""
    assert pulled(Decimal("237.631"), sf("Size__c", "double", scale=1), TEXT) == "237.631"


def test_a_formula_is_converted_by_its_result_type() -> None:
    formula = sf("Margin__c", "percent", calculated=True, formula="A / B")

    assert pulled(Decimal("0.25"), formula, NUMBER) == Decimal("0.25")


def test_an_auto_number_is_text() -> None:
    assert pulled("INV-0042", sf("Name", "string", auto_number=True), TEXT) == "INV-0042"


def test_dates_go_to_dates_midnight_utc_datetimes_or_iso_text() -> None:
    birthdate = sf("Birthdate", "date")

    assert pulled("2024-11-07", birthdate, DATE) == dt.date(2024, 11, 7)
    assert pulled("2024-11-07", birthdate, DATETIME) == dt.datetime(2024, 11, 7, tzinfo=dt.UTC)
    assert pulled("2024-11-07", birthdate, TEXT) == "2024-11-07"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-11-07T07:00:00.000+0000", dt.datetime(2024, 11, 7, 7, tzinfo=dt.UTC)),
        ("2024-11-07T07:00:00.000Z", dt.datetime(2024, 11, 7, 7, tzinfo=dt.UTC)),
        (
            "2024-11-07T09:00:00.000+02:00",
            dt.datetime(2024, 11, 7, 9, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
    ],
)
def test_datetimes_are_aware_and_keep_their_zone(value: str, expected: dt.datetime) -> None:
    result = pulled(value, sf("LastModifiedDate", "datetime"), DATETIME)

    assert result == expected
    assert result.utcoffset() == expected.utcoffset()


def test_a_salesforce_time_is_a_time_of_day_without_zone() -> None:
    assert pulled("10:00:00.000Z", sf("Opens__c", "time"), TIME) == dt.time(10, 0)
    assert pulled("10:00:00.000Z", sf("Opens__c", "time"), TEXT) == "10:00:00"


def test_a_picklist_value_lands_in_a_choice_field_that_offers_it() -> None:
    assert pulled("West", sf("Region__c", "picklist"), CHOICE) == "West"


def test_a_picklist_value_the_choice_field_lacks_is_refused() -> None:
    with pytest.raises(
        ConversionError, match=r"Region__c: 'North' is not one of .* \(West, East\)"
    ):
        convert_for_pull("North", sf("Region__c", "picklist"), CHOICE)


def test_a_field_whose_type_changed_is_read_as_its_target_holds_value_by_value() -> None:
    """Number to Text in Salesforce, mapped to a number: what still reads as one arrives."""
    retyped = held_as_target(sf("Score__c", "string"), NUMBER)

    assert retyped("7").value == Decimal("7")
    with pytest.raises(ConversionError, match="Score__c: 'lots'"):
        retyped("lots")


def test_a_multi_select_picklist_into_text_keeps_salesforce_spelling() -> None:
    assert pulled("Red;Blue", sf("Colors__c", "multipicklist"), TEXT) == "Red;Blue"


@pytest.mark.parametrize(
    "type_", ["string", "textarea", "url", "email", "phone", "combobox", "id", "reference"]
)
def test_text_like_types_arrive_as_they_are(type_: str) -> None:
    assert pulled(" As typed ", sf("Field", type_), TEXT) == " As typed "


def test_an_address_part_is_an_ordinary_field() -> None:
    street = sf("MailingStreet", "textarea", length=255, compound_field_name="MailingAddress")

    assert pulled("1 Main St\nSuite 2", street, TEXT) == "1 Main St\nSuite 2"


def test_text_longer_than_the_contact_field_is_truncated_with_a_warning() -> None:
    converted = convert_for_pull("x" * 300, sf("Description", "textarea"), TEXT)

    assert converted.value == "x" * 255
    assert converted.warnings == (
        "Description has 300 characters; truncated to the 255 that title holds",
    )


def test_a_custom_text_field_without_a_limit_keeps_everything() -> None:
    assert pulled("x" * 32_000, sf("Description", "textarea"), UNBOUNDED_TEXT) == "x" * 32_000


@pytest.mark.parametrize(
    ("type_", "reason"),
    [
        ("base64", "binary content"),
        ("location", "compound field"),
        ("address", "compound field; map its parts"),
        ("anyType", "type anyType, which is not supported"),
        ("encryptedstring", "encrypted"),
    ],
)
def test_unsupported_types_are_refused_naming_the_field(type_: str, reason: str) -> None:
    with pytest.raises(UnsupportedField, match=f"Secret__c \\(Secret__c\\) .*{reason}"):
        pull_converter(sf("Secret__c", type_), UNBOUNDED_TEXT)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (sf("Amount", "currency"), DATE),
        (sf("Birthdate", "date"), NUMBER),
        (sf("LastModifiedDate", "datetime"), DATE),
        (sf("Name", "string"), BOOLEAN),
        (sf("DoNotCall", "boolean"), CHOICE),
    ],
)
def test_a_target_that_cannot_hold_the_source_type_is_refused(
    source: SalesforceField, target: LocalField
) -> None:
    with pytest.raises(
        UnsupportedField, match=rf"which contact field {target.name} \({target.type}\)"
    ):
        pull_converter(source, target)


finite_decimals = st.decimals(allow_nan=False, allow_infinity=False)


@given(finite_decimals, st.integers(0, 18))
def test_any_number_survives_json_csv_and_text_as_one_spelling(number: Decimal, scale: int) -> None:
    source = sf("Amount", "double", scale=scale)

    from_json, from_csv = pulled(number, source, NUMBER), pulled(str(number), source, NUMBER)
    assert from_json == from_csv == number
    assert number_text(from_json) == number_text(from_csv) == pulled(number, source, TEXT)
    assert Decimal(pulled(number, source, TEXT)) == number


@given(finite_decimals, st.integers(0, 18))
def test_a_number_as_text_is_the_same_number_with_at_least_its_scales_decimals(
    number: Decimal, scale: int
) -> None:
    text = pulled(number, sf("Amount", "double", scale=scale), TEXT)

    assert Decimal(text) == number
    assert "E" not in text.upper() and "," not in text
    assert len(text.partition(".")[2]) >= scale


@given(aware_datetimes)
def test_datetimes_keep_instant_and_offset_in_every_spelling(value: dt.datetime) -> None:
    offset = value.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    spelled = (
        value.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{value.microsecond // 1000:03d}{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    )

    result = pulled(spelled, sf("Seen__c", "datetime"), DATETIME)

    assert result == value
    assert result.utcoffset() == offset
