"""What `contacts import` says of a run that did not wholly succeed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.conftest import Cli


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "table"])
def test_a_partial_import_says_on_stderr_how_many_rows_failed_and_where_to_see_why(
    cli: Cli, tmp_path: Path, as_json: bool
) -> None:
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")
    file = tmp_path / "crm.csv"
    file.write_text("email,first_name,external_id\nana@example.com,Ana,crm-1\nbo@@x,Bo,\n")
    flag = ["--json"] if as_json else []

    result = cli(
        "contacts", "import", "--service", "acme/shop", str(file), "--source", "crm", *flag
    )

    assert result.exit_code == 1
    shown = re.search(r"\(run (\d+)\)", result.stdout)
    run_id = json.loads(result.stdout)["run_id"] if as_json else shown and shown[1]
    assert f"1 row failed: see why with forcebridge runs show {run_id}" in result.stderr


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "table"])
def test_a_value_left_out_of_a_row_imported_is_said_on_stderr_by_row_and_field(
    cli: Cli, tmp_path: Path, as_json: bool
) -> None:
    """The run succeeds (the row is imported without the value), so nothing else would say the
    contact lacks its email: only `runs show` logged it."""
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")
    long = "x" * 60
    file = tmp_path / "crm.csv"
    file.write_text(
        "first_name,last_name,email,external_id,phone\n"
        "Good,Mail,good@example.com,crm-1,\n"
        "Bad2,Mail,nope2,crm-9,\n"
        f"Long,Mail,{long},crm-10,abc\n"
    )
    flag = ["--json"] if as_json else []

    result = cli(
        "contacts", "import", "--service", "acme/shop", str(file), "--source", "crm", *flag
    )

    assert result.exit_code == 0
    said = [" ".join(line.split()) for line in result.stderr.split("Warning: ")[1:]]
    assert said == [
        "row 3, email: 'nope2' is not an email address (An email address must have an "
        "@-sign.); the field was not changed",
        f"row 4, email: '{long[:40]}'... (60 characters) is not an email address (An email "
        "address must have an @-sign.); the field was not changed",
        "row 4, phone 'abc' is not a phone number; the field was not changed",
    ]
    if as_json:
        report = json.loads(result.stdout)
        assert (report["status"], report["created"], report["failed"]) == ("succeeded", 3, 0)
        assert [(w["row"], w["field"], w["code"]) for w in report["warnings"]] == [
            (3, "email", "invalid_email"),
            (4, "email", "invalid_email"),
            (4, "phone", "invalid_phone"),
        ]
        assert report["warnings"][0]["message"].startswith("email: 'nope2' is not an email")


def test_warnings_past_the_first_fifty_are_counted_with_where_to_see_them(
    cli: Cli, tmp_path: Path
) -> None:
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")
    file = tmp_path / "crm.csv"
    rows = [f"Ann{n},nope{n},crm-{n}" for n in range(52)]
    file.write_text("first_name,email,external_id\n" + "\n".join(rows) + "\n")

    result = cli("contacts", "import", "--service", "acme/shop", str(file), "--source", "crm")

    assert result.exit_code == 0
    assert result.stderr.count("Warning: row ") == 50
    assert "row 51, email: 'nope49'" in result.stderr and "nope50" not in result.stderr
    run_id = re.search(r"\(run (\d+)\)", result.stdout)
    assert run_id is not None
    assert (
        f"... and 2 more warnings: see them all with forcebridge runs show {run_id[1]} "
        "--log-limit 0 (or --json)"
    ) in " ".join(result.stderr.split())


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "table"])
def test_each_failed_row_is_said_on_stderr_and_in_json_by_row_and_why(
    cli: Cli, tmp_path: Path, as_json: bool
) -> None:
    """Counting them was all it said: which rows, and why, only `runs show` knew."""
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")
    file = tmp_path / "crm.csv"
    file.write_text(
        "first_name,email,external_id\nAna,ana@example.com,crm-1\nBo,,\nCy,cy@example.com,x,y\n"
    )
    flag = ["--json"] if as_json else []

    result = cli(
        "contacts", "import", "--service", "acme/shop", str(file), "--source", "crm", *flag
    )

    assert result.exit_code == 1
    said = [" ".join(line.split()) for line in result.stderr.split("Failed: ")[1:]]
    assert said[0] == (
        "row 3 has no external_id, and no email or phone that reads as one: nothing "
        "identifies the person, so it was not imported"
    )
    assert said[1].startswith("row 4 has 4 values but the header names 3 columns")
    if as_json:
        report = json.loads(result.stdout)
        assert (report["created"], report["failed"]) == (1, 2)
        assert [(f["row"], f["field"], f["code"]) for f in report["failures"]] == [
            (3, None, "unreadable_record"),
            (4, None, "unreadable_record"),
        ]
        assert report["failures"][1]["message"] == "has 4 values but the header names 3 columns"


def test_failed_rows_past_the_first_fifty_are_counted_with_where_to_see_them(
    cli: Cli, tmp_path: Path
) -> None:
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")
    file = tmp_path / "crm.csv"
    file.write_text("first_name,external_id\n" + "".join(f"Ann{n},\n" for n in range(52)))

    result = cli("contacts", "import", "--service", "acme/shop", str(file), "--source", "crm")

    assert result.exit_code == 1
    assert result.stderr.count("Failed: row ") == 50
    run_id = re.search(r"\(run (\d+)\)", result.stdout)
    assert run_id is not None
    assert (
        f"... and 2 more failed rows: see them all with forcebridge runs show {run_id[1]} "
        "--log-limit 0 (or --json)"
    ) in " ".join(result.stderr.split())
