from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.mapping.describe import SalesforceField
from forcebridge.mapping.errors import ConversionError, UnsupportedField
from forcebridge.mapping.local_fields import LocalField, LocalType
from forcebridge.mapping.types import (
    Converted,
    convert_for_export,
    convert_for_pull,
    export_converter,
    held_as_target,
    pull_converter,
)

TEXT = LocalField("title", LocalType.TEXT, "Title", max_length=255)
UNBOUNDED_TEXT = LocalField("notes", LocalType.TEXT, "Notes")
NUMBER = LocalField("score", LocalType.NUMBER, "Score")
BOOLEAN = LocalField("vip", LocalType.BOOLEAN, "VIP")
DATE = LocalField("birthday", LocalType.DATE, "Birthday")
DATETIME = LocalField("seen", LocalType.DATETIME, "Seen")
TIME = LocalField("opens", LocalType.TIME, "Opens")
CHOICE = LocalField("region", LocalType.CHOICE, "Region", choices=("West", "East"))


def sf(name: str, type_: str, **facts: Any) -> SalesforceField:
    return SalesforceField(name, name, type_, **facts)


def pulled(value: Any, source: SalesforceField, target: LocalField) -> Any:
    converted = convert_for_pull(value, source, target)
    assert converted.warnings == ()
    return converted.value


# --- pull ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [False, "false", "FALSE"])
def test_a_false_checkbox_stays_false(value: Any) -> None:
    assert pulled(value, sf("DoNotCall", "boolean"), BOOLEAN) is False


@pytest.mark.parametrize("value", [True, "true"])
def test_a_true_checkbox_stays_true(value: Any) -> None:
    assert pulled(value, sf("DoNotCall", "boolean"), BOOLEAN) is True


def test_a_checkbox_into_text_reads_true_or_false() -> None:
    assert pulled(False, sf("DoNotCall", "boolean"), TEXT) == "false"


@pytest.mark.parametrize(
    ("type_", "value", "expected"),
    [
        ("int", Decimal("42"), Decimal("42")),
        ("int", "42", Decimal("42")),
        ("double", 0.1, Decimal("0.1")),
        ("double", Decimal("3.14159265358979323846"), Decimal("3.14159265358979323846")),
        ("currency", "1234.50", Decimal("1234.50")),
        ("percent", Decimal("12.5"), Decimal("12.5")),
        ("long", 9007199254740993, Decimal("9007199254740993")),
    ],
)
def test_numbers_are_read_exactly(type_: str, value: Any, expected: Decimal) -> None:
    result = pulled(value, sf("Amount", type_), NUMBER)

    assert isinstance(result, Decimal)
    assert result == expected
    assert str(result) == str(expected)


def test_a_number_into_text_is_written_without_exponent() -> None:
    assert pulled(Decimal("1E+3"), sf("Amount", "currency"), TEXT) == "1000"
    assert pulled(Decimal("1234.50"), sf("Amount", "currency"), TEXT) == "1234.50"


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
    ("source", "target", "value", "reason"),
    [
        (sf("Employees__c", "int"), NUMBER, "many", "is not a number"),
        (sf("Employees__c", "int"), NUMBER, Decimal("2.5"), "is not a whole number"),
        (sf("Score__c", "double"), NUMBER, True, "is not a number"),
        (sf("Active__c", "boolean"), BOOLEAN, "yes", "is not a checkbox value"),
        (sf("Nickname__c", "string"), TEXT, Decimal("7"), "is not text"),
        (sf("Since__c", "date"), DATE, "07/11/2024", "is not a date"),
        (sf("Seen__c", "datetime"), DATETIME, "2024-11-07T07:00:00", "has no time zone"),
        (sf("Opens__c", "time"), TIME, "ten", "is not a time"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_field_and_value(
    source: SalesforceField, target: LocalField, value: Any, reason: str
) -> None:
    with pytest.raises(ConversionError) as raised:
        convert_for_pull(value, source, target)

    assert raised.value.field == source.name
    assert raised.value.value == value
    assert reason in raised.value.reason
    shown = format(value, "f") if isinstance(value, Decimal) else repr(value)
    assert str(raised.value).startswith(f"{source.name}: {shown} ")


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_values_convert_to_none(value: Any) -> None:
    assert convert_for_pull(value, sf("Amount", "currency"), NUMBER) == Converted(None)


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


@given(finite_decimals)
def test_any_number_survives_json_csv_and_text(number: Decimal) -> None:
    source = sf("Amount", "double")

    assert pulled(number, source, NUMBER) == number
    assert pulled(str(number), source, NUMBER) == number
    assert Decimal(pulled(number, source, TEXT)) == number


aware_datetimes = st.datetimes(
    min_value=dt.datetime(1900, 1, 1),
    max_value=dt.datetime(2200, 1, 1),
    timezones=st.builds(
        dt.timezone, st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timedelta(minutes=m))
    ),
).map(lambda value: value.replace(microsecond=value.microsecond // 1000 * 1000))


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


# --- export --------------------------------------------------------------------------------

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


@given(st.text(min_size=1, max_size=300).filter(str.strip))
def test_text_a_converter_says_it_leaves_alone_is_converted_to_itself(value: str) -> None:
    converter = pull_converter(sf("Title", "string", length=300), TEXT)
    kept = value.replace("\x00", "")  # no store keeps a NUL character

    if len(value) <= converter.text_as_is_up_to and kept == value:
        assert converter(value) == Converted(value)
    else:
        assert converter(value).value == kept[:255]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (sf("Region__c", "picklist"), CHOICE),
        (sf("Score__c", "double"), TEXT),
        (sf("DoNotCall", "boolean"), TEXT),
    ],
)
def test_a_converter_that_may_change_text_never_lets_it_through_as_is(
    source: SalesforceField, target: LocalField
) -> None:
    assert pull_converter(source, target).text_as_is_up_to == 0
