from __future__ import annotations

import pytest

from forcebridge.sync.column_names import column_name, unknown_columns

KNOWN = ("email", "sent_at", "mobile_phone", "mobilephone", "first_name")


@pytest.mark.parametrize(
    ("cell", "name"),
    [
        ("E-Mail", "email"),
        (" e mail ", "email"),
        ("EMAIL", "email"),
        ("E_Mail", "email"),
        ("Sent At", "sent_at"),
        ("sent-at", "sent_at"),
        ("sentat", "sent_at"),
        ("SENT__AT", "sent_at"),
        ("First  Name", "first_name"),
    ],
)
def test_a_cell_names_a_column_whatever_its_case_and_word_separators(cell: str, name: str) -> None:
    assert column_name(cell, KNOWN) == name


def test_a_cell_spelling_one_name_exactly_names_it_though_another_has_the_same_letters() -> None:
    assert column_name("Mobile Phone", KNOWN) == "mobile_phone"
    assert column_name("MobilePhone", KNOWN) == "mobilephone"
    assert column_name("Mobile-Ph-one", KNOWN) == "Mobile-Ph-one"  # two by their letters alone


def test_a_cell_naming_no_column_stays_as_the_file_writes_it() -> None:
    assert column_name("  Emial ", KNOWN) == "Emial"
    assert column_name(" ", KNOWN) == ""


def test_unknown_columns_are_named_once_each_with_what_they_may_be_misspellings_of() -> None:
    assert unknown_columns(["email", "", "Emial", "Emial", "notes"], ("email", "phone")) == (
        "unknown columns 'Emial' (did you mean 'email'?), 'notes'; the columns are: email, phone"
    )
    assert unknown_columns(["email", ""], ("email",)) == ""
