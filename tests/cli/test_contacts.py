from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest
import typer

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


def test_rows_without_an_id_are_known_by_email_or_phone_never_by_their_place_in_the_file(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    """A second file of the same source holds other people in the same rows: each must become
    a contact of their own, not overwrite the person who stood in that row before."""
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(
        "first_name,last_name,email\nAnna,Ames,anna@example.com\nBen,Berg,ben@example.com\n"
    )
    second.write_text(
        "first_name,last_name,phone,email\n"
        "Zed,Zulu,+1 415 555 0101,\n"
        "Yan,Yankee,,yan@example.com\n"
        "Nobody,Known,,\n"
    )

    imported = document(
        cli("contacts", "import", "--service", shop, str(first), "--source", "crm", "--json")
    )
    added = cli("contacts", "import", "--service", shop, str(second), "--source", "crm", "--json")
    report = json.loads(added.stdout)
    log = document(cli("runs", "show", str(report["run_id"]), "--json"))["log"]
    contacts = document(cli("contacts", "list", "--service", shop, "--json"))["contacts"]

    assert imported["created"] == 2
    assert (report["created"], report["updated"], report["failed"]) == (2, 0, 1)
    assert added.exit_code == 1
    assert any("row 4 has no external_id" in entry["message"] for entry in log)  # file line 4
    people = {c["last_name"]: c["identities"] for c in contacts}
    assert people == {
        "Ames": [{"source": "csv:crm", "external_id": "email:anna@example.com"}],
        "Berg": [{"source": "csv:crm", "external_id": "email:ben@example.com"}],
        "Zulu": [{"source": "csv:crm", "external_id": "phone:+14155550101"}],
        "Yankee": [{"source": "csv:crm", "external_id": "email:yan@example.com"}],
    }


def test_a_file_saved_with_semicolons_is_read_with_them(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    file = tmp_path / "crm.csv"
    file.write_text("first_name;last_name;company;external_id\nAna;Lopez;Lopez, Inc.;crm-1\n")

    imported = document(
        cli("contacts", "import", "--service", shop, str(file), "--source", "crm", "--json")
    )
    [ana] = document(cli("contacts", "list", "--service", shop, "--json"))["contacts"]

    assert imported["created"] == 1
    assert (ana["last_name"], ana["company"]) == ("Lopez", "Lopez, Inc.")


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


def test_numbers_are_kept_in_plain_digits_and_one_that_is_not_finite_is_refused(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    assert cli("service", "field", "add", shop, "score", "--type", "number").exit_code == 0
    file = tmp_path / "scores.csv"
    file.write_text("email,score\nana@example.com,1e3\nkim@example.com,2.50\nlee@example.com,NaN\n")

    imported = cli("contacts", "import", "--service", shop, str(file), "--source", "crm", "--json")
    contacts = document(cli("contacts", "list", "--service", shop, "--json"))["contacts"]
    log = document(cli("runs", "show", str(document(imported)["run_id"]), "--json"))

    scores = {c["email"]: c["custom"].get("score") for c in contacts}
    assert scores == {"ana@example.com": "1000", "kim@example.com": "2.50", "lee@example.com": None}
    [entry] = log["log"]
    assert (entry["field"], entry["code"]) == ("score", "conversion_failed")
    assert "'NaN' is not a finite number" in entry["message"]


def test_a_book_larger_than_a_page_is_listed_whole_once_in_order(
    cli: Cli, shop: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("forcebridge.cli.contacts.PAGE", 2)
    file = tmp_path / "crm.csv"
    rows = [f"P{n},Person,p{n}@example.com,crm-{n}" for n in range(5)]
    file.write_text("first_name,last_name,email,external_id\n" + "\n".join(rows) + "\n")
    cli("contacts", "import", "--service", shop, str(file), "--source", "crm")

    listed = document(cli("contacts", "list", "--service", shop, "--json"))["contacts"]
    shown = cli("contacts", "list", "--service", shop).stdout

    assert [c["first_name"] for c in listed] == [f"P{n}" for n in range(5)]
    assert [c["id"] for c in listed] == sorted(c["id"] for c in listed)
    assert "5 contacts" in shown and "P4" in shown


def test_an_empty_book_lists_as_an_empty_document(cli: Cli, shop: str) -> None:
    listed = cli("contacts", "list", "--service", shop, "--json")

    assert json.loads(listed.stdout) == {"contacts": []}


def test_a_listing_stopped_midway_is_still_one_document_saying_why(
    cli: Cli, shop: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C while a large book goes to a slow reader: the list is closed, the document ends
    with the error, and nothing is glued after it."""
    file = tmp_path / "crm.csv"
    rows = "".join(f"Ann{i},Lee,crm-{i}\n" for i in range(3))
    file.write_text("first_name,last_name,external_id\n" + rows)
    cli("contacts", "import", "--service", shop, str(file), "--source", "crm")
    written = typer.echo
    echoed: list[object] = []

    def stopped_at_the_third_write(message: object = None, *args: Any, **kwargs: Any) -> None:
        echoed.append(message)
        if len(echoed) == 3:  # the list opened, a contact written, the next on its way
            signal.raise_signal(signal.SIGINT)
        written(message, *args, **kwargs)

    monkeypatch.setattr(typer, "echo", stopped_at_the_third_write)
    stopped = cli("contacts", "list", "--service", shop, "--json")
    monkeypatch.undo()

    listed = json.loads(stopped.stdout)
    assert stopped.exit_code == 130
    assert [c["first_name"] for c in listed["contacts"]] == ["Ann0", "Ann1"]
    assert listed["error"] == "interrupted (Ctrl+C) before the end"
