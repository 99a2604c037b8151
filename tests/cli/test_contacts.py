from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli, document

CSV = """first_name,last_name,email,phone,external_id
Ana,Lopez,Ana@Example.com,(201) 555-0100,crm-1
Kim,Park,,+44 20 7946 0000,crm-2
"""


@pytest.fixture
def shop(cli: Cli) -> str:
    """A service with an empty contact book: `acme/shop`."""
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")
    return "acme/shop"


def test_imported_contacts_are_listed_with_their_identities_and_a_second_import_changes_nothing(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    file = tmp_path / "crm.csv"
    file.write_text(CSV)

    first = document(
        cli("contacts", "import", "--service", shop, str(file), "--source", "crm", "--json")
    )
    again = document(
        cli("contacts", "import", "--service", shop, str(file), "--source", "crm", "--json")
    )
    contacts = document(cli("contacts", "list", "--service", shop, "--json"))["contacts"]

    assert (first["created"], again["created"], again["unchanged"]) == (2, 0, 2)
    ana = contacts[0]
    assert set(ana) == {
        "id", "first_name", "last_name", "email", "phone", "mobile_phone", "title", "company",
        "street", "city", "state", "postal_code", "country", "custom", "identities",
        "deleted_in_source",
    }  # fmt: skip
    assert (ana["email"], ana["identities"]) == (
        "Ana@Example.com",
        [{"source": "csv:crm", "external_id": "crm-1"}],
    )


def test_a_file_with_unknown_columns_is_refused_naming_them(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    file = tmp_path / "odd.csv"
    file.write_text("first_name,shoe_size\nAna,38\n")

    result = cli("contacts", "import", "--service", shop, str(file), "--source", "crm")

    assert result.exit_code == 1
    assert "unknown columns shoe_size" in result.stderr


def test_a_file_that_is_not_utf8_is_refused_naming_the_line_and_nothing_is_imported(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    file = tmp_path / "latin1.csv"
    file.write_bytes("first_name,last_name\nAna,Lopez\nJos\u00e9,Garc\u00eda\n".encode("latin-1"))

    result = cli("contacts", "import", "--service", shop, str(file), "--source", "crm")
    contacts = document(cli("contacts", "list", "--service", shop, "--json"))["contacts"]

    assert result.exit_code == 1
    assert "latin1.csv is not UTF-8 text (line 3): save it as CSV UTF-8" in result.stderr
    assert contacts == []
