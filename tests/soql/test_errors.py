import pytest

from forcebridge.soql.errors import InvalidField, InvalidType, MalformedQuery, SoqlError

SOQL = "SELECT Id, Foo FROM Contact"


def test_an_unknown_field_reads_as_salesforce_writes_it() -> None:
    error = SoqlError.invalid_field(SOQL, SOQL.index("Foo"), "Foo", "Contact")
    assert isinstance(error, InvalidField)
    assert error.error_code == "INVALID_FIELD"
    assert error.message == (
        "\nSELECT Id, Foo FROM Contact\n           ^\nERROR at Row:1:Column:12\n"
        "No such column 'Foo' on entity 'Contact'. If you are attempting to use a custom field, "
        "be sure to append the '__c' after the custom field name. Please reference your WSDL or "
        "the describe call for the appropriate names."
    )
    assert str(error) == error.message


def test_an_unknown_object_reads_as_salesforce_writes_it() -> None:
    text = "SELECT Id FROM Foo"
    error = SoqlError.invalid_type(text, text.index("Foo"), "Foo")
    assert isinstance(error, InvalidType)
    assert error.error_code == "INVALID_TYPE"
    assert error.message == (
        "\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\n"
        "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be "
        "sure to append the '__c' after the entity name. Please reference your WSDL or the "
        "describe call for the appropriate names."
    )


def test_an_unknown_relationship_is_an_invalid_field() -> None:
    text = "SELECT Acount.Name FROM Contact"
    error = SoqlError.invalid_relationship(text, 7, "Acount")
    assert error.error_code == "INVALID_FIELD"
    assert error.detail.startswith("Didn't understand relationship 'Acount' in field path.")


def test_the_caret_line_is_the_row_of_the_error() -> None:
    text = "SELECT Id,\r\n       Foo\r\nFROM Contact"
    error = SoqlError.invalid_field(text, text.index("Foo"), "Foo", "Contact")
    assert (error.row, error.column) == (2, 8)
    assert error.message.startswith("\n       Foo\n       ^\nERROR at Row:2:Column:8\n")


def test_an_error_without_a_position_is_its_reason_alone() -> None:
    error = MalformedQuery(SOQL, None, "Maximum SOQL offset allowed is 2000")
    assert (error.row, error.column) == (None, None)
    assert error.message == "Maximum SOQL offset allowed is 2000"


@pytest.mark.parametrize("kind", [MalformedQuery, InvalidField, InvalidType])
def test_every_error_is_a_soql_error(kind: type[SoqlError]) -> None:
    with pytest.raises(SoqlError):
        raise kind(SOQL, 0, "reason")
