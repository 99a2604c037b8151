from __future__ import annotations

import json
from pathlib import Path

from forcebridge.jobs.runtime import open_runtime
from forcebridge.store.repositories.runs import finish_run, start_run
from forcebridge.store.repositories.services import get_service
from tests.cli.conftest import Cli, document, settings_of


def imported(cli: Cli, tmp_path: Path, first_id: str) -> int:
    """A run of acme/shop: two contacts imported, the first (`first_id`) with a phone that
    does not read, logged."""
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")
    file = tmp_path / "crm.csv"
    file.write_text(f"first_name,phone,external_id\nAna,12,{first_id}\nKim,,crm-2\n")
    run = cli(
        "contacts", "import", "--service", "acme/shop", str(file), "--source", "crm", "--json"
    )
    return int(document(run)["run_id"])


def test_runs_are_listed_newest_first_and_shown_with_their_log(cli: Cli, tmp_path: Path) -> None:
    run_id = imported(cli, tmp_path, "crm-1")

    listed = document(cli("runs", "list", "--service", "acme/shop", "--json"))["runs"]
    shown = document(cli("runs", "show", str(run_id), "--json"))

    assert [r["run_id"] for r in listed] == [run_id]
    assert (shown["stream"], shown["status"], shown["created"]) == ("csv:crm", "succeeded", 2)
    assert shown["duration_seconds"] is not None
    [entry] = shown["log"]
    assert (entry["code"], entry["record_ref"], entry["field"]) == (
        "invalid_phone",
        "crm-1",
        "phone",
    )


def test_runs_list_without_a_filter_lists_every_orgs_runs(cli: Cli, tmp_path: Path) -> None:
    file = tmp_path / "crm.csv"
    file.write_text("first_name,email\nAna,ana@example.com\n")
    for org in ("acme", "globex"):
        cli("org", "create", org)
        cli("service", "create", f"{org}/shop")
        cli("contacts", "import", "--service", f"{org}/shop", str(file), "--source", "crm")

    every = document(cli("runs", "list", "--json"))["runs"]
    both = cli("runs", "list", "--org", "acme", "--service", "acme/shop")

    assert [r["org"] for r in every] == ["globex", "acme"]
    assert both.exit_code == 2
    assert "not both" in both.stderr


def test_runs_read_whole_in_a_pipes_80_columns(cli: Cli, tmp_path: Path) -> None:
    run_id = imported(cli, tmp_path, "crm-000000000000001")

    listed = cli("runs", "list").stdout
    shown = cli("runs", "show", str(run_id)).stdout

    assert f"{run_id}  shop csv:crm  succeeded  " in listed
    assert " s  0 API calls\n    2 read, 2 created\n" in listed
    assert "crm-000000000000001" in shown  # a record's id whole, not cut


def test_a_long_log_is_shown_in_part_with_the_rest_counted_by_code(
    cli: Cli, tmp_path: Path
) -> None:
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")
    file = tmp_path / "crm.csv"
    rows = "".join(f"P{n},12,crm-{n}\n" for n in range(5))
    file.write_text(f"first_name,phone,external_id\n{rows}")
    run_id = document(
        cli("contacts", "import", "--service", "acme/shop", str(file), "--source", "crm", "--json")
    )["run_id"]

    shown = cli("runs", "show", str(run_id), "--log-limit", "2").stdout
    every = cli("runs", "show", str(run_id), "--log-limit", "0").stdout

    assert shown.count("invalid_phone") == 3  # two entries, and the count of the others
    assert "... and 3 more (invalid_phone: 3)" in " ".join(shown.split())
    assert every.count("invalid_phone") == 5
    assert len(document(cli("runs", "show", str(run_id), "--log-limit", "2", "--json"))["log"]) == 5


def test_runs_list_pages_with_next_before(cli: Cli, tmp_path: Path) -> None:
    first = imported(cli, tmp_path, "crm-1")
    file = tmp_path / "more.csv"
    file.write_text("first_name,email\nBo,bo@example.com\n")
    later = [
        document(
            cli(
                "contacts",
                "import",
                "--service",
                "acme/shop",
                str(file),
                "--source",
                "crm",
                "--json",
            )
        )["run_id"]
        for _ in range(2)
    ]

    page = document(cli("runs", "list", "--limit", "2", "--json"))
    rest = document(
        cli("runs", "list", "--limit", "2", "--before", str(page["next_before"]), "--json")
    )

    assert [r["run_id"] for r in page["runs"]] == later[::-1]
    assert ([r["run_id"] for r in rest["runs"]], rest["next_before"]) == ([first], None)


def test_a_run_id_past_what_the_database_stores_is_a_run_that_does_not_exist(cli: Cli) -> None:
    huge = str(2**64)

    shown = cli("runs", "show", huge, "--json")
    paged = cli("runs", "list", "--before", huge, "--json")

    for result in (shown, paged):
        assert result.exit_code == 1
        assert json.loads(result.stdout) == {"error": f"run '{huge}' does not exist"}


def test_runs_list_says_why_a_run_failed_or_ended_partial_on_a_line_of_its_own(
    cli: Cli, cli_env: dict[str, str], tmp_path: Path
) -> None:
    succeeded = imported(cli, tmp_path, "crm-1")
    file = tmp_path / "partial.csv"
    file.write_text("email,first_name,external_id\nana@example.com,Ana,crm-3\n,Bo,\n,Cy,\n")
    partial = cli("contacts", "import", "--service", "acme/shop", str(file), "--source", "crm")
    reason = "pull:Contact: The mapping has 1 problem:\n- row 2: " + "Contact has no field x " * 9
    with open_runtime(settings_of(cli_env)) as runtime, runtime.sessions() as session:
        shop = get_service(session, "acme/shop")
        failed = start_run(session, shop.org, "pull:Contact", service=shop)
        finish_run(session, failed, error=reason)
        session.commit()
        failed_id = failed.id

    lines = cli("runs", "list").stdout.splitlines()

    assert partial.exit_code == 1
    whys = {
        int(lines[at].split()[0]): lines[at + 2].strip()
        for at in range(len(lines) - 2)
        if lines[at][:1].isdigit() and lines[at + 2].strip().startswith("why:")
    }
    assert whys == {
        succeeded + 1: "why: 2 records failed; the first: row 3 has no external_id, and no "
        f"email or phone that reads as one... (see forcebridge runs show {succeeded + 1})",
        failed_id: "why: pull:Contact: The mapping has 1 problem: - row 2: Contact has no field "
        f"x Contact has no field x... (see forcebridge runs show {failed_id})",
    }
    assert set(document(cli("runs", "list", "--json"))["runs"][0]) == {
        "run_id", "org", "service", "stream", "status", "dry_run", "started_at", "finished_at",
        "duration_seconds", "read", "created", "updated", "unchanged", "skipped", "failed",
        "api_calls", "error",
    }  # fmt: skip
