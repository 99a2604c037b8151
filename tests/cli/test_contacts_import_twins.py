"""`contacts import` of a file holding one person in two rows, on SQLite and PostgreSQL: the
rows are one record of the source, so they become one contact with one identity, the later row
applied as an import of it in a later file would be (filling what is empty), never a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Cli, document


@pytest.fixture
def cli_env(cli_env_on_each_backend: dict[str, str]) -> dict[str, str]:
    return cli_env_on_each_backend


@pytest.fixture
def shop(cli: Cli) -> str:
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")
    return "acme/shop"


def imported(cli: Cli, shop: str, file: Path, source: str = "x8") -> Any:
    result = cli("contacts", "import", "--service", shop, str(file), "--source", source, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def book(cli: Cli, shop: str) -> list[dict[str, Any]]:
    return list(document(cli("contacts", "list", "--service", shop, "--json"))["contacts"])


@pytest.mark.parametrize(
    ("rows", "identity"),
    [
        ("email,first_name\ndup@x.com,A\ndup@x.com,B\n", "email:dup@x.com"),
        ("email,first_name\ndup@x.com,A\nDUP@X.com,B\n", "email:dup@x.com"),
        ("phone,first_name\n+33612345670,A\n+33 6 12 34 56 70,B\n", "phone:+33612345670"),
        ("external_id,email,first_name\ncrm-1,a@x.com,A\ncrm-1,b@x.com,B\n", "crm-1"),
    ],
    ids=["same-email", "email-in-another-case", "phone-written-two-ways", "same-external-id"],
)
def test_two_rows_of_one_person_are_one_contact_and_the_second_fills_only_what_is_empty(
    cli: Cli, shop: str, tmp_path: Path, rows: str, identity: str
) -> None:
    file = tmp_path / "twins.csv"
    file.write_text(rows)

    report = imported(cli, shop, file)
    [contact] = book(cli, shop)

    assert report["status"] == "succeeded"
    assert (report["created"], report["updated"], report["unchanged"], report["failed"]) == (
        1,
        0,
        1,
        0,
    )
    assert contact["first_name"] == "A"
    assert contact["identities"] == [{"source": "csv:x8", "external_id": identity}]


def test_the_second_row_fills_the_fields_the_first_left_empty_and_is_counted_updated(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    file = tmp_path / "twins.csv"
    file.write_text("external_id,first_name,last_name,city\ncrm-1,Ana,,Lyon\ncrm-1,Anna,Lopez,\n")

    report = imported(cli, shop, file)
    again = imported(cli, shop, file)
    [contact] = book(cli, shop)

    assert (report["created"], report["updated"], report["unchanged"]) == (1, 1, 0)
    assert (contact["first_name"], contact["last_name"], contact["city"]) == (
        "Ana",
        "Lopez",
        "Lyon",
    )
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_two_rows_of_a_person_already_in_the_book_link_that_contact_once(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    """The first row is matched by email and linked; its twin is the same record, not a new
    person for whom the contact is already taken."""
    known, twins = tmp_path / "known.csv", tmp_path / "twins.csv"
    known.write_text("email,first_name\ndup@x.com,A\n")
    twins.write_text("email,last_name\nDup@x.com,Lopez\ndup@x.com,Other\n")
    imported(cli, shop, known, source="crm")

    report = imported(cli, shop, twins)
    [contact] = book(cli, shop)

    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 1)
    assert (contact["first_name"], contact["last_name"]) == ("A", "Lopez")
    assert contact["identities"] == [
        {"source": "csv:crm", "external_id": "email:dup@x.com"},
        {"source": "csv:x8", "external_id": "email:dup@x.com"},
    ]
