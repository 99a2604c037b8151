from __future__ import annotations

import json
from pathlib import Path

from forcebridge.sandbox.server import SandboxServer
from tests.cli.conftest import Cli, document, password_grant_args
from tests.conftest import SandboxFactory

REPORT_KEYS = [
    "run_id",
    "status",
    "created",
    "updated",
    "unchanged",
    "failed",
    "api_calls",
    "error",
    "results",
]
RESULT_KEYS = ["row", "action", "salesforce_id", "account_id", "errors", "same_person_as"]


def connected(cli: Cli, server: SandboxServer) -> None:
    cli("org", "create", "acme")
    assert cli(*password_grant_args(server)).exit_code == 0


def prospects_file(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "prospects.csv"
    path.write_text("\n".join(["first_name,last_name,email,company_name,company_website", *rows]))
    return str(path)


def test_an_org_exports_once_allowed_and_scripts_get_one_json_document(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    connected(cli, make_sandbox())
    path = prospects_file(
        tmp_path,
        "Ada,Lovelace,ada@acme.com,Acme,acme.com",
        "Bob,Builder,bob@acme.com,Acme,acme.com",
    )

    refused = cli("export", "--org", "acme", "--object", "Contact", path, "--json")
    allowed = document(cli("export", "allow", "--org", "acme", "contact", "ACCOUNT", "--json"))
    exported = document(cli("export", "--org", "acme", "--object", "contact", path, "--json"))

    assert refused.exit_code == 1
    assert "does not allow exporting to Contact" in refused.stderr
    assert "does not allow exporting to Contact" in json.loads(refused.stdout)["error"]
    assert allowed == {"org": "acme", "allowed": ["Account", "Contact"]}
    assert list(exported) == REPORT_KEYS
    assert (exported["status"], exported["created"], exported["failed"]) == ("succeeded", 2, 0)
    assert [list(result) for result in exported["results"]] == [RESULT_KEYS, RESULT_KEYS]
    ada, bob = exported["results"]
    assert (ada["row"], ada["action"], ada["errors"]) == (2, "created", [])
    assert ada["account_id"] == bob["account_id"] is not None
    assert ada["salesforce_id"].startswith("003")


def test_a_dry_run_shows_the_values_and_a_bad_row_makes_the_exit_status_1(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    connected(cli, make_sandbox())
    cli("export", "allow", "--org", "acme", "Lead")
    path = prospects_file(tmp_path, "Ada,Lovelace,ada@acme.com,Acme,acme.com", "Bob,,bob@,Acme,")

    result = cli("export", "--org", "acme", "--object", "Lead", path, "--dry-run", "--json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["status"], report["created"], report["failed"]) == ("partial", 1, 1)
    assert "1 row failed: their errors are in the results, by row" in result.stderr
    ada, bob = report["results"]
    assert ada["values"] == {
        "FirstName": "Ada",
        "LastName": "Lovelace",
        "Email": "ada@acme.com",
        "Company": "Acme",
        "Website": "acme.com",
    }
    assert [error["field"] for error in bob["errors"]] == ["email", "LastName"]

    people = cli("export", "--org", "acme", "--object", "Lead", path, "--dry-run")

    assert "1 of 2 prospects would stand in Salesforce as Leads" in people.stdout
    assert "1 row failed: their errors are in the Problems table" in people.stderr
    assert "FirstName=Ada" in people.stdout
    assert "bob@" in people.stdout


def test_a_row_with_bad_values_names_the_required_fields_it_leaves_empty_too(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    connected(cli, make_sandbox())
    cli("export", "allow", "--org", "acme", "Lead")
    path = tmp_path / "p4.csv"
    path.write_text("first_name,last_name,email,company_name,employees\nFay,,fay@,,12.5\n")

    result = cli("export", "--org", "acme", "--object", "Lead", str(path), "--dry-run", "--json")

    [fay] = json.loads(result.stdout)["results"]
    assert fay["action"] == "failed"
    assert [error["field"] for error in fay["errors"]] == [
        "email",
        "employees",
        "LastName",
        "Company",
    ]
    assert fay["errors"][2]["message"] == (
        "Lead.LastName is required, and no mapped prospect field holds a value for it"
    )


def test_a_row_with_bad_values_of_a_person_in_salesforce_names_no_required_field(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    """A person the lookup finds by email (a Lead an earlier export made, a Lead or Contact
    put in Salesforce elsewhere) would be updated, which needs no required field: their row
    names its bad value alone, in a dry run and a real one. A new person's row names the
    required fields too."""
    server = make_sandbox()
    connected(cli, server)
    cli("export", "allow", "--org", "acme", "Lead", "Contact", "Account")
    header = "first_name,last_name,email,company_name,employees"
    first = tmp_path / "ex3.csv"
    first.write_text(f"{header}\nEve,Evans,eve@new.example.com,Eve Co,10\n")
    created = document(cli("export", "--org", "acme", "--object", "Lead", str(first), "--json"))
    assert created["results"][0]["salesforce_id"].startswith("00Q")
    server.org.create("Lead", {"LastName": "Zoe", "Company": "Z Co", "Email": "zoe@else.example"})
    server.org.create("Contact", {"LastName": "Evans", "Email": "eve@new.example.com"})
    server.org.create("Contact", {"LastName": "Zoe", "Email": "zoe@else.example"})
    again = tmp_path / "ex4.csv"
    rows = [
        "Eve,,eve@new.example.com,,ten",
        "Zoe,,Zoe@Else.example,,ten",
        "Ned,,ned@x.example,,ten",
    ]
    again.write_text("\n".join([header, *rows]) + "\n")

    for sobject, required in (("Lead", ["LastName", "Company"]), ("Contact", ["LastName"])):
        for how in (["--dry-run"], []):
            args = ["export", "--org", "acme", "--object", sobject, str(again), "--json", *how]
            result = cli(*args)

            assert result.exit_code == 1
            eve, zoe, ned = json.loads(result.stdout)["results"]
            assert [e["field"] for e in eve["errors"]] == ["employees"], (sobject, how)
            assert [e["field"] for e in zoe["errors"]] == ["employees"], (sobject, how)
            assert [e["field"] for e in ned["errors"]] == ["employees", *required], (sobject, how)
            assert eve["errors"][0]["message"].startswith("'ten' is not a number")


def test_an_org_without_a_connection_is_told_to_connect_first(cli: Cli, tmp_path: Path) -> None:
    cli("org", "create", "acme")
    cli("export", "allow", "--org", "acme", "Lead")

    result = cli("export", "--org", "acme", "--object", "Lead", prospects_file(tmp_path))

    assert result.exit_code == 1
    assert "org 'acme' has no Salesforce connection: connect it first" in result.stderr


def test_export_help_lists_the_exports_own_options_and_the_allow_commands(cli: Cli) -> None:
    for asking in (["export", "--help"], ["export"]):
        result = cli(*asking)

        assert result.exit_code == 0
        for option in (
            "--org",
            "--object",
            "--dry-run",
            "--connection",
            "--json",
            "allow|disallow",
            "export allowed --org ORG",
        ):
            assert option in result.stdout, (asking, option)
        assert "export [OPTIONS] {FILE.csv}" in result.stdout  # as typed, not "export run"


def test_the_objects_an_org_allows_are_shown_without_changing_them(cli: Cli) -> None:
    cli("org", "create", "acme")
    none_yet = document(cli("export", "allowed", "--org", "acme", "--json"))
    cli("export", "allow", "--org", "acme", "Lead", "Account")

    shown = cli("export", "allowed", "--org", "acme")
    again = document(cli("export", "allowed", "--org", "acme", "--json"))

    assert none_yet == {"org": "acme", "allowed": []}
    assert (shown.exit_code, shown.stdout) == (0, "Org acme may export to: Account, Lead\n")
    assert again == {"org": "acme", "allowed": ["Account", "Lead"]}
    assert cli("export", "allowed", "--org", "nope").exit_code == 1


def test_a_nul_character_in_the_file_fails_its_row_naming_it_and_the_others_are_exported(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    server = make_sandbox()
    connected(cli, server)
    cli("export", "allow", "--org", "acme", "Lead")
    path = prospects_file(
        tmp_path, "Ada,Bad\x00Nul,ada@acme.com,Acme,acme.com", "Bob,Builder,bob@acme.com,Acme,"
    )

    result = cli("export", "--org", "acme", "--object", "Lead", path, "--json")

    assert result.exit_code == 1
    ada, bob = json.loads(result.stdout)["results"]
    assert (ada["action"], ada["errors"][0]["field"]) == ("failed", "last_name")
    assert "holds a NUL character (U+0000)" in ada["errors"][0]["message"]
    assert bob["action"] == "created"
    leads = server.org.query("SELECT LastName FROM Lead")["records"]
    assert [lead["LastName"] for lead in leads] == ["Builder"]


def test_only_leads_and_contacts_are_exported_and_only_known_objects_allowed(
    cli: Cli, tmp_path: Path
) -> None:
    cli("org", "create", "acme")

    wrong_object = cli("export", "--org", "acme", "--object", "Account", prospects_file(tmp_path))
    wrong_allow = cli("export", "allow", "--org", "acme", "Opportunity")

    assert wrong_object.exit_code == wrong_allow.exit_code == 2
    assert "Invalid value for '--object': 'Account' is not one of Lead, Contact" in (
        " ".join(wrong_object.stderr.replace("│", "").split())
    )
    assert "Invalid value for 'OBJECT': 'Opportunity' is not one of Lead, Contact, Account" in (
        " ".join(wrong_allow.stderr.replace("│", "").split())
    )


def test_the_ids_one_connection_gave_are_not_used_through_another(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    first, other = make_sandbox(), make_sandbox()
    connected(cli, first)
    assert cli("export", "allow", "--org", "acme", "Lead").exit_code == 0
    zed = other.org.create("Lead", {"LastName": "Zed", "Company": "Zed Co", "Email": "z@zed.com"})
    path = prospects_file(tmp_path, "Ann,Lee,ann@acme.com,Acme,acme.com")
    [here] = document(cli("export", "--org", "acme", "--object", "Lead", path, "--json"))["results"]
    assert cli(*password_grant_args(other, name="other")).exit_code == 0

    exported = cli("export", "--org", "acme", "--object", "Lead", path, "--connection", "other")
    [there] = document(
        cli("export", "--org", "acme", "--object", "Lead", path, "--connection", "other", "--json")
    )["results"]

    assert here["salesforce_id"] == zed  # the same Id, in another Salesforce org
    assert exported.exit_code == 0
    assert (there["action"], there["salesforce_id"]) == ("unchanged", exported_id(other, "Lee"))
    assert other.org.retrieve("Lead", zed)["LastName"] == "Zed"


def exported_id(server: SandboxServer, last_name: str) -> str:
    [record] = server.org.query(f"SELECT Id FROM Lead WHERE LastName = '{last_name}'")["records"]
    return str(record["Id"])


def test_a_mapped_field_deleted_in_salesforce_is_named_by_this_export_and_the_next(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    server = make_sandbox()
    connected(cli, server)
    cli("export", "allow", "--org", "acme", "Lead")
    tier = server.org.custom_fields.create(
        {"FullName": "Lead.Tier__c", "Metadata": {"type": "Text", "label": "Tier", "length": 20}}
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"rows": [
        {"source": "last_name", "target": "LastName", "update": "fill_empty"},
        {"source": "company_name", "target": "Company", "update": "fill_empty"},
        {"source": "email", "target": "Email", "update": "fill_empty"},
        {"source": "first_name", "target": "Tier__c", "update": "overwrite"},
    ]}))  # fmt: skip
    cli("mapping", "set", "--org", "acme", "--object", "Lead", "--file", str(mapping))
    path = prospects_file(tmp_path, "Ada,Lovelace,ada@acme.com,Acme,acme.com")
    export = ("export", "--org", "acme", "--object", "Lead", path, "--json")
    assert document(cli(*export))["created"] == 1  # the describe naming Tier__c is kept
    server.org.custom_fields.delete(tier)

    refused, again = cli(*export), cli(*export)

    for result in (refused, again):
        assert result.exit_code == 1
        error = json.loads(result.stdout)["error"]
        assert error.startswith("the Lead export mapping needs fixing before exporting: ")
        assert "Tier__c" in error and "INVALID_FIELD" not in error
    first_refusal = document(cli("runs", "list", "--org", "acme", "--json"))["runs"][0]
    assert (first_refusal["status"], first_refusal["read"]) == ("failed", 1)
    assert first_refusal["api_calls"] >= 1  # the calls that found the field gone are counted


def test_a_prospect_without_an_email_is_known_by_name_and_company_and_never_made_twice(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    connected(cli, make_sandbox())
    cli("export", "allow", "--org", "acme", "Lead")
    path = prospects_file(
        tmp_path,
        "Ada,Lovelace,,Acme,",
        "ada, LOVELACE,,acme ,",
        "Ada,Lovelace,,Globex,",
    )

    first = document(cli("export", "--org", "acme", "--object", "Lead", path, "--json"))
    rehearsed = document(
        cli("export", "--org", "acme", "--object", "Lead", path, "--dry-run", "--json")
    )
    again = document(cli("export", "--org", "acme", "--object", "Lead", path, "--json"))

    acme, same, globex = first["results"]
    assert acme["salesforce_id"] == same["salesforce_id"] != globex["salesforce_id"]
    for second in (rehearsed, again):
        assert second["created"] == 0
        assert [r["action"] for r in second["results"]] == ["unchanged"] * 3
    assert [r["salesforce_id"] for r in again["results"]] == [
        r["salesforce_id"] for r in first["results"]
    ]


def test_a_revenue_salesforce_rounds_is_unchanged_when_exported_again(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    connected(cli, make_sandbox())
    cli("export", "allow", "--org", "acme", "Lead")
    rows = [
        {"source": "last_name", "target": "LastName", "update": "overwrite"},
        {"source": "company_name", "target": "Company", "update": "overwrite"},
        {"source": "email", "target": "Email", "update": "overwrite"},
        {"source": "revenue", "target": "AnnualRevenue", "update": "overwrite"},
    ]
    mapping = tmp_path / "lead.json"
    mapping.write_text(json.dumps({"rows": rows}))
    assert (
        cli("mapping", "set", "--org", "acme", "--object", "Lead", "--file", str(mapping)).exit_code
        == 0
    )
    path = tmp_path / "prospects.csv"
    path.write_text("last_name,company_name,email,revenue\nLovelace,Acme,ada@acme.com,1500000.50\n")

    first = document(cli("export", "--org", "acme", "--object", "Lead", str(path), "--json"))
    again = document(cli("export", "--org", "acme", "--object", "Lead", str(path), "--json"))

    assert [r["action"] for r in first["results"]] == ["created"]
    assert [r["action"] for r in again["results"]] == ["unchanged"]


def test_a_person_on_two_rows_is_one_contact_counted_once_dry_run_and_real_alike(
    cli: Cli, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    """Rows 3 and 6 are one person: one Contact is made, and counted once, on row 3; row 6 is
    `unchanged` by that write, and people and the run's log are told why, naming both rows."""
    server = make_sandbox()
    connected(cli, server)
    cli("export", "allow", "--org", "acme", "Contact", "Account")
    path = prospects_file(
        tmp_path,
        "Ann,Lee,ann@acme.com,Acme,acme.com",
        "Bob,Builder,bob@globex.com,Globex,globex.com",
        "Cy,Young,cy@,Acme,acme.com",
        "Dee,Dunn,dee@acme.com,Acme,acme.com",
        "Bob,Builder,bob@globex.com,Globex,globex.com",
    )
    export = ("export", "--org", "acme", "--object", "Contact", path)

    rehearsed = json.loads(cli(*export, "--dry-run", "--json").stdout)
    people = cli(*export, "--dry-run")
    exported = json.loads(cli(*export, "--json").stdout)  # exit status 1: row 4 failed

    contacts = server.org.query("SELECT Id FROM Contact")["records"]
    for report in (rehearsed, exported):
        assert (report["created"], report["unchanged"], report["failed"]) == (3, 1, 1)
        assert [(r["row"], r["action"]) for r in report["results"]] == [
            (2, "created"),
            (3, "created"),
            (4, "failed"),
            (5, "created"),
            (6, "unchanged"),
        ]
    assert exported["created"] == len(contacts)
    bob, bob_again = exported["results"][1], exported["results"][4]
    assert bob_again["salesforce_id"] == bob["salesforce_id"]
    assert bob_again["account_id"] == bob["account_id"] is not None
    assert rehearsed["results"][4]["values"] == {}  # nothing is sent for row 6 itself
    for report in (rehearsed, exported):
        assert [r["same_person_as"] for r in report["results"]] == [None, None, None, None, 3]
    assert "the same person as row 3: their record would be created once" in people.stdout
    [run] = [r for r in document(cli("runs", "list", "--org", "acme", "--json"))["runs"]
             if r["run_id"] == exported["run_id"]]  # fmt: skip
    assert (run["created"], run["unchanged"]) == (3, 1)
    log = document(cli("runs", "show", str(exported["run_id"]), "--json"))["log"]
    [warning] = [entry for entry in log if entry["level"] == "warning"]
    assert (warning["record_ref"], warning["code"]) == ("row 6", "same_person")
    assert warning["message"] == (
        f"the same person as row 3: their record {bob['salesforce_id']} was created once, for"
        " all their rows, and counted on row 3"
    )
