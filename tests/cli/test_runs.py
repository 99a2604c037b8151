from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Cli, document


def test_runs_are_listed_newest_first_and_shown_with_their_log(cli: Cli, tmp_path: Path) -> None:
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")
    file = tmp_path / "crm.csv"
    file.write_text("first_name,phone\nAna,12\nKim,\n")
    imported = document(
        cli("contacts", "import", "--service", "acme/shop", str(file), "--source", "crm", "--json")
    )

    listed = document(cli("runs", "list", "--service", "acme/shop", "--json"))["runs"]
    shown = document(cli("runs", "show", str(imported["run_id"]), "--json"))

    assert [r["run_id"] for r in listed] == [imported["run_id"]]
    assert (shown["stream"], shown["status"], shown["created"]) == ("csv:crm", "succeeded", 2)
    assert shown["duration_seconds"] is not None
    [entry] = shown["log"]
    assert (entry["code"], entry["record_ref"], entry["field"]) == ("invalid_phone", "1", "phone")


def test_runs_list_needs_an_org_or_a_service(cli: Cli) -> None:
    result = cli("runs", "list")
    assert result.exit_code == 1
    assert "--org ORG or --service ORG/SERVICE" in result.stderr
