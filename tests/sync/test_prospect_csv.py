from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from forcebridge.sync.export_errors import ProspectFileError
from forcebridge.sync.export_model import FieldError
from forcebridge.sync.prospect_csv import read_prospect_csv, read_prospect_file


def fields(errors: tuple[FieldError, ...]) -> list[str | None]:
    return [error.field for error in errors]


def test_rows_are_numbered_as_a_spreadsheet_shows_them_and_typed() -> None:
    rows = read_prospect_csv(
        "first_name,last_name,email,employees,revenue\n"
        "Ada,Lovelace,ada@example.com,1200,2500000.50\n"
        "\n"
        'Bob,Builder,,"1,500",\n'
    )

    assert [(row.row, row.errors) for row in rows] == [(2, ()), (4, ())]
    assert rows[0].values == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "employees": 1200,
        "revenue": Decimal("2500000.50"),
    }
    assert rows[1].values == {"first_name": "Bob", "last_name": "Builder", "employees": 1500}


def test_a_file_a_spreadsheet_saved_with_semicolons_is_read_as_such() -> None:
    [row] = read_prospect_csv("first_name;last_name;company_name\nAda;Lovelace;Acme, Inc.\n")

    assert row.values == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "company_name": "Acme, Inc.",
    }


def test_header_names_are_read_as_people_write_them() -> None:
    [row] = read_prospect_csv("First Name,LAST NAME, Company-Website \nAda,Lovelace,acme.com\n")

    assert row.values == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "company_website": "acme.com",
    }


def test_each_bad_value_is_named_and_the_other_rows_are_kept() -> None:
    rows = read_prospect_csv(
        "last_name,email,employees,revenue,job_title\n"
        f"Ada,not-an-email,many,{'1' * 30},{'x' * 256}\n"
        "Bob,bob@example.com,3.5,,\n"
        "Cy,cy@example.com,,,CEO\n"
    )

    assert fields(rows[0].errors) == ["email", "employees", "revenue", "job_title"]
    messages = [error.message for error in rows[0].errors]
    assert messages[0].startswith("'not-an-email' is not an email address")
    assert messages[1] == "'many' is not a number: write it with the digits 0-9 (-1,234.5)"
    assert "whole digits" in messages[2]
    assert messages[3].endswith("has 256 characters; at most 255 can be kept")
    assert fields(rows[1].errors) == ["employees"]
    assert rows[1].errors[0].message == (
        "'3.5' is not a whole number; a prospect's employees can only be one"
    )
    assert rows[2].errors == ()


@pytest.mark.parametrize("written", ["1.234,56", "2,5", "1,2,3,4", "12,34", ",5", "1,0000"])
def test_a_comma_that_does_not_separate_thousands_is_refused_not_guessed_at(written: str) -> None:
    [row] = read_prospect_csv(f'last_name,revenue\nAda,"{written}"\n')

    assert fields(row.errors) == ["revenue"]
    assert "a comma may only separate thousands" in row.errors[0].message
    assert "revenue" not in row.values


@pytest.mark.parametrize(
    ("written", "read"), [("1,234", "1234"), ("-12,345,678.90", "-12345678.90"), ("999", "999")]
)
def test_thousands_separated_by_commas_are_read(written: str, read: str) -> None:
    [row] = read_prospect_csv(f'last_name,revenue\nAda,"{written}"\n')

    assert row.values["revenue"] == Decimal(read)


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("1_000", "write it with the digits 0-9"),
        ("\uff11\uff12", "write it with the digits 0-9"),
        ("\u0663", "write it with the digits 0-9"),
        ("Infinity", "write it with the digits 0-9"),
        ("NaN", "write it with the digits 0-9"),
        ("1e2", "exponent notation is not read"),
        ("1.23457E+11", "exponent notation is not read"),
    ],
)
def test_only_ascii_digits_without_exponent_are_read_as_a_number(written: str, reason: str) -> None:
    """What Python's Decimal reads but a CSV number is not: underscores, digits of other
    scripts, exponent notation (mostly a long number a spreadsheet mangled)."""
    [_, row] = read_prospect_csv(f"last_name,employees,revenue\nAda,,\nBob,{written},{written}\n")

    assert row.row == 3
    assert fields(row.errors) == ["employees", "revenue"]
    for error in row.errors:
        assert error.message.startswith(f"{written!r} is not a number: ")
        assert reason in error.message
    assert row.values == {"last_name": "Bob"}


@pytest.mark.parametrize(
    ("written", "read"), [("+5", "5"), (".5", "0.5"), ("7.", "7"), ("-0.25", "-0.25")]
)
def test_a_sign_and_a_decimal_point_are_read(written: str, read: str) -> None:
    [row] = read_prospect_csv(f"last_name,revenue\nAda,{written}\n")

    assert row.values["revenue"] == Decimal(read)


@pytest.mark.parametrize("header", ["E-mail", "e mail", "EMAIL", "E_Mail", " e - mail "])
def test_a_header_is_read_whatever_separates_its_words(header: str) -> None:
    [row] = read_prospect_csv(f"{header},First  Name\nada@example.com,Ada\n")

    assert (row.errors, row.values) == ((), {"email": "ada@example.com", "first_name": "Ada"})


def test_an_unknown_column_close_to_a_prospect_column_is_suggested() -> None:
    [row] = read_prospect_csv("last_name,Emial,Company Websit,notes\nAda,ada@x.com,x.com,call\n")

    assert fields(row.errors) == [  # as the file writes them, named as columns
        "column 'Emial'",
        "column 'Company Websit'",
        "column 'notes'",
    ]
    assert "(did you mean 'company_website'?)" in row.errors[1].message
    assert "is not a prospect column (did you mean 'email'?)" in row.errors[0].message
    assert "did you mean" not in row.errors[2].message


def test_a_value_under_an_unknown_column_fails_its_row_rather_than_being_lost() -> None:
    rows = read_prospect_csv("last_name,notes\nAda,call her monday\nBob,\n")

    assert fields(rows[0].errors) == ["column 'notes'"]
    assert "is not a prospect column" in rows[0].errors[0].message
    assert rows[1].errors == ()
    assert rows[1].values == {"last_name": "Bob"}


def test_a_row_that_does_not_split_into_the_header_columns_is_malformed() -> None:
    rows = read_prospect_csv(
        'last_name,email\nAda,ada@example.com,extra\nBob\nCy,"cy@example.com"x\nDee,dee@ex.com\n'
    )

    assert [(row.row, fields(row.errors)) for row in rows] == [
        (2, [None]),
        (3, [None]),
        (4, [None]),
        (5, []),
    ]
    assert rows[0].errors[0].message == "has 3 values but the header names 2 columns"
    assert rows[2].errors[0].message.startswith("is not valid CSV (',' expected after '\"'): ")


def test_a_quote_left_open_fails_its_row_instead_of_taking_in_the_rest_of_the_file() -> None:
    rows = read_prospect_csv(
        'last_name,email\nAda,ada@example.com\n"Bob,bob@example.com\nCy,c@x.com\n'
    )

    assert [(row.row, row.values, fields(row.errors)) for row in rows] == [
        (2, {"last_name": "Ada", "email": "ada@example.com"}, []),
        (3, {}, [None]),
    ]
    assert rows[1].errors[0].message.startswith("is not valid CSV (unexpected end of data): ")
    assert rows[1].errors[0].message.endswith("a quote left open runs to the end of the file")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no header row"),
        (
            "last_name,Last Name\nAda,Ada\n",
            r"names last_name \('last_name', 'Last Name'\) more than once",
        ),
    ],
)
def test_a_file_without_a_usable_header_is_refused_whole(text: str, reason: str) -> None:
    with pytest.raises(ProspectFileError, match=reason):
        read_prospect_csv(text)


def test_a_file_that_is_not_utf8_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "prospects.csv"
    path.write_bytes("last_name\nM\xfcller\n".encode("latin-1"))

    with pytest.raises(ProspectFileError, match="save it as CSV UTF-8"):
        read_prospect_file(path)


def test_a_byte_order_mark_from_a_spreadsheet_is_not_part_of_the_first_column(
    tmp_path: Path,
) -> None:
    path = tmp_path / "prospects.csv"
    path.write_bytes("last_name,email\nAda,ada@example.com\n".encode("utf-8-sig"))

    [row] = read_prospect_file(path)

    assert row.values == {"last_name": "Ada", "email": "ada@example.com"}


def test_a_nul_character_fails_its_row_naming_the_column_and_the_other_rows_are_kept() -> None:
    rows = read_prospect_csv("first_name,last_name\nAda,Bad\x00Nul\nBob,Builder\n")

    assert [(row.row, fields(row.errors)) for row in rows] == [(2, ["last_name"]), (3, [])]
    assert rows[0].errors[0].message == (
        "'Bad\\x00Nul' holds a NUL character (U+0000), which no field can keep: remove it"
    )
    assert rows[0].values == {"first_name": "Ada"}  # nothing removed from it unsaid
    assert rows[1].values == {"first_name": "Bob", "last_name": "Builder"}


def test_a_salesforce_field_name_as_a_column_suggests_the_prospect_column() -> None:
    header = "last_name,Company,Title,NumberOfEmployees,Account Name,Name"
    [row] = read_prospect_csv(f"{header}\nAda,Acme,CEO,12,Acme,Ada Lovelace\n")

    assert fields(row.errors) == [
        "column 'Company'",
        "column 'Title'",
        "column 'NumberOfEmployees'",
        "column 'Account Name'",
        "column 'Name'",
    ]
    suggested = [error.message.split(")")[0] for error in row.errors]
    assert suggested[:4] == [
        "is not a prospect column (did you mean 'company_name'?",
        "is not a prospect column (did you mean 'job_title'?",
        "is not a prospect column (did you mean 'employees'?",
        "is not a prospect column (did you mean 'company_name'?",
    ]
    assert "did you mean" not in row.errors[4].message  # a person's name as well as a company's
