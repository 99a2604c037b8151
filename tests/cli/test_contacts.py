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
    assert "unknown column 'shoe_size'; the columns are: " in result.stderr


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


@pytest.fixture
def five_pages(cli: Cli, shop: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """`shop` with five contacts, P0 to P4, listed two to a page."""
    monkeypatch.setattr("forcebridge.cli.contacts.PAGE", 2)
    file = tmp_path / "crm.csv"
    rows = [f"P{n},Person,p{n}@example.com,crm-{n}" for n in range(5)]
    file.write_text("first_name,last_name,email,external_id\n" + "\n".join(rows) + "\n")
    cli("contacts", "import", "--service", shop, str(file), "--source", "crm")
    return shop


def test_a_book_larger_than_a_page_is_listed_whole_once_in_order(cli: Cli, five_pages: str) -> None:
    shop = five_pages

    listed = document(cli("contacts", "list", "--service", shop, "--json"))["contacts"]
    shown = cli("contacts", "list", "--service", shop).stdout

    assert [c["first_name"] for c in listed] == [f"P{n}" for n in range(5)]
    assert [c["id"] for c in listed] == sorted(c["id"] for c in listed)
    assert "5 contacts" in shown and "P4" in shown


def test_a_long_book_is_listed_a_part_at_a_time_with_limit_and_after(
    cli: Cli, five_pages: str
) -> None:
    shop = five_pages

    first = document(cli("contacts", "list", "--service", shop, "--limit", "3", "--json"))
    after = str(first["next_after"])
    rest = document(cli("contacts", "list", "--service", shop, "--after", after, "--json"))
    last = document(
        cli("contacts", "list", "--service", shop, "--after", after, "--limit", "2", "--json")
    )
    shown = cli("contacts", "list", "--service", shop, "--limit", "3").stdout
    ending = cli("contacts", "list", "--service", shop, "--after", after, "--limit", "2").stdout

    assert [c["first_name"] for c in first["contacts"]] == ["P0", "P1", "P2"]
    assert first["next_after"] == first["contacts"][-1]["id"]
    assert [c["first_name"] for c in rest["contacts"]] == ["P3", "P4"]
    assert rest["next_after"] is None
    assert [c["first_name"] for c in last["contacts"]] == ["P3", "P4"]
    assert last["next_after"] is None  # exactly the last two: nothing after them
    assert "3 contacts" in shown and "P3" not in shown and f"--after {after}" in shown
    assert "--after" not in ending


def test_an_empty_book_lists_as_an_empty_document(cli: Cli, shop: str) -> None:
    listed = cli("contacts", "list", "--service", shop, "--json")

    assert json.loads(listed.stdout) == {"contacts": [], "next_after": None}


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


def imported(cli: Cli, shop: str, file: Path) -> tuple[Any, list[dict[str, Any]]]:
    """`contacts import --json`'s result, and the log of its run."""
    result = cli("contacts", "import", "--service", shop, str(file), "--source", "crm", "--json")
    report = json.loads(result.stdout)
    return report, document(cli("runs", "show", str(report["run_id"]), "--json"))["log"]


def book(cli: Cli, shop: str) -> list[dict[str, Any]]:
    return list(document(cli("contacts", "list", "--service", shop, "--json"))["contacts"])


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("email,first_name,email", "email ('email', 'email')"),
        ("email,first_name,E-Mail", "email ('email', 'E-Mail')"),
        ("Mobile Phone,first_name,mobilephone", "mobile_phone ('Mobile Phone', 'mobilephone')"),
    ],
)
def test_a_header_naming_a_column_twice_is_refused_whole_as_export_refuses_it(
    cli: Cli, shop: str, tmp_path: Path, header: str, named: str
) -> None:
    """Reading one of the two would keep one column's values and drop the other's unsaid."""
    file = tmp_path / "twice.csv"
    file.write_text(f"{header}\nana@example.com,Ana,+12015550100\n")

    result = cli("contacts", "import", "--service", shop, str(file), "--source", "crm", "--json")

    assert result.exit_code == 1
    refused = f"the header names {named} more than once: keep one column each"
    assert json.loads(result.stdout) == {"error": refused}
    assert refused in result.stderr.replace("\n", "")
    assert book(cli, shop) == []


def test_a_header_is_read_by_the_rule_export_and_messages_import_read_theirs(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    file = tmp_path / "crm.csv"
    file.write_text("E-Mail,First Name,lastname,Postal-Code,External ID\na@example.com,A,B,9,x-1\n")

    report, _ = imported(cli, shop, file)
    [contact] = book(cli, shop)

    assert report["created"] == 1
    assert (contact["email"], contact["first_name"], contact["last_name"]) == (
        "a@example.com",
        "A",
        "B",
    )
    assert (contact["postal_code"], contact["identities"][0]["external_id"]) == ("9", "x-1")


def test_an_unknown_column_is_named_with_the_one_it_may_be_a_misspelling_of(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    file = tmp_path / "odd.csv"
    file.write_text("Emial,first_name\nana@example.com,Ana\n")

    result = cli("contacts", "import", "--service", shop, str(file), "--source", "crm")

    assert result.exit_code == 1
    assert "unknown column 'Emial' (did you mean 'email'?); the columns are: first_name, " in (
        result.stderr.replace("\n", "")
    )


def test_an_email_export_would_refuse_is_refused_by_row_and_field_and_the_rest_imported(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    file = tmp_path / "crm.csv"
    file.write_text(
        "email,first_name,external_id\n"
        '"q@x.com,z",Q,crm-1\n'
        "ana@example.com,Ana,crm-2\n"
        "bo@@example.com,Bo,\n"
    )

    report, log = imported(cli, shop, file)
    contacts = {c["first_name"]: c["email"] for c in book(cli, shop)}

    assert (report["created"], report["failed"]) == (2, 1)  # Bo has nothing else to be known by
    assert contacts == {"Q": None, "Ana": "ana@example.com"}
    refusals = sorted((e["message"], e["record_ref"], e["field"], e["code"]) for e in log)
    assert [refusal[1:] for refusal in refusals] == [
        ("crm-1", "email", "invalid_email"),
        ("row 4", None, "unreadable_record"),
        ("row 4", "email", "invalid_email"),
    ]
    assert refusals[0][0].startswith("row 2, email: 'q@x.com,z' is not an email address (")
    assert refusals[1][0].startswith("row 4 has no external_id")
    assert refusals[2][0].startswith("row 4, email: 'bo@@example.com' is not an email address (")


def test_broken_quoting_fails_its_row_as_export_reports_it_and_the_rows_before_are_imported(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    """An unclosed quote would take in the rest of the file as one value."""
    file = tmp_path / "crm.csv"
    file.write_text(
        "email,first_name,last_name\n"
        "ana@example.com,Ana,Lopez\n"
        '"broken,quote\n'
        "ok@example.com,Ok,extra\n"
    )

    report, log = imported(cli, shop, file)

    assert (report["created"], report["failed"]) == (1, 1)
    assert [c["email"] for c in book(cli, shop)] == ["ana@example.com"]
    [entry] = log
    assert (entry["record_ref"], entry["code"], entry["level"]) == (
        "row 3",
        "unreadable_record",
        "error",
    )
    assert entry["message"].startswith("row 3 is not valid CSV (unexpected end of data): ")


def test_a_row_that_does_not_split_into_the_header_columns_fails_and_a_blank_one_is_passed_over(
    cli: Cli, shop: str, tmp_path: Path
) -> None:
    file = tmp_path / "crm.csv"
    file.write_text(
        "email,first_name,\n"
        "ana@example.com,Ana,\n"
        ",,\n"
        "\n"
        "bo@example.com,Bo,,extra\n"
        "cy@example.com,Cy,a note\n"
    )

    report, log = imported(cli, shop, file)

    assert (report["created"], report["failed"]) == (1, 2)
    assert [(e["record_ref"], e["message"]) for e in log] == [
        ("row 5", "row 5 has 4 values but the header names 3 columns"),
        (
            "row 6",
            "row 6 holds a value in column 3, which the header leaves unnamed: name the column "
            "or remove the value",
        ),
    ]
