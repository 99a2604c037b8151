"""A field converter: empty values, refusals naming the field and value, text let through."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forcebridge.mapping.converters import Converted
from forcebridge.mapping.describe import SalesforceField
from forcebridge.mapping.errors import ConversionError
from forcebridge.mapping.local_fields import LocalField
from forcebridge.mapping.reading import convert_for_pull, pull_converter
from tests.mapping.conversions import (
    BOOLEAN,
    CHOICE,
    DATE,
    DATETIME,
    NUMBER,
    TEXT,
    TIME,
    sf,
)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_values_convert_to_none(value: Any) -> None:
    assert convert_for_pull(value, sf("Amount", "currency"), NUMBER) == Converted(None)


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
