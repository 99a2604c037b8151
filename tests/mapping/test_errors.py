from __future__ import annotations

from decimal import Decimal

from forcebridge.mapping.errors import ConversionError, MappingError


def test_a_conversion_error_names_field_value_and_reason() -> None:
    error = ConversionError("Employees__c", "many", "is not a number")

    assert isinstance(error, MappingError)
    assert str(error) == "Employees__c: 'many' is not a number"


def test_a_long_value_is_cut_so_the_log_line_stays_readable() -> None:
    error = ConversionError("Description", "x" * 32_000, "is not a date")

    assert str(error) == f"Description: '{'x' * 56}... is not a date"
    assert error.value == "x" * 32_000


def test_a_decimal_is_shown_as_the_number_it_is() -> None:
    error = ConversionError("Ratio__c", Decimal("-1E+3"), "has more than the 3 whole digits")

    assert str(error) == "Ratio__c: -1000 has more than the 3 whole digits"
