from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from forcebridge.sandbox.server import SandboxServer
from tests.cli.conftest import Cli, document, password_grant_args
from tests.cli.pull_setup import connected_service, custom_contact_field
from tests.conftest import SandboxFactory


def mapping_file(folder: Path, *rows: tuple[str, str]) -> str:
    path = folder / "mapping.json"
    path.write_text(json.dumps({"rows": [{"source": s, "target": t} for s, t in rows]}))
    return str(path)


def test_whose_mapping_must_be_said_once_as_a_command_line_that_does_not_parse(
    cli: Cli,
) -> None:
    neither = cli("mapping", "show", "--object", "Lead", "--json")
    both = cli("mapping", "show", "--service", "a/b", "--org", "a", "--object", "Lead", "--json")

    for refused in (neither, both):
        assert refused.exit_code == 2
        assert json.loads(refused.stdout) == {
            "error": "name either --service ORG/SERVICE (pull) or --org ORG (export)"
        }


def test_show_gives_the_default_mapping_with_salesforce_labels(
    cli: Cli, sandbox: SandboxServer
) -> None:
    service = connected_service(cli, sandbox)

    shown = document(cli("mapping", "show", "--service", service, "--object", "Lead", "--json"))

    assert (shown["direction"], shown["object"], shown["default"]) == ("pull", "Lead", True)
    first = shown["rows"][0]
    assert first == {
        "source": "FirstName",
        "target": "first_name",
        "update": "overwrite",
        "salesforce_label": "First Name (FirstName)",
    }
    contact = document(
        cli("mapping", "show", "--service", service, "--object", "Contact", "--json")
    )
    labels = {row["source"]: row["salesforce_label"] for row in contact["rows"]}
    assert labels["Account.Name"] == "Account Name (Account.Name)"  # the path, not just Name


def test_set_refuses_a_mapping_naming_every_problem_and_saves_nothing(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    service = connected_service(cli, sandbox)
    bad = mapping_file(tmp_path, ("Region__c", "city"), ("Email", "nickname"))

    refused = cli(
        "mapping", "set", "--service", service, "--object", "Contact", "--file", bad, "--json"
    )

    assert refused.exit_code == 1
    report = json.loads(refused.stdout)
    assert [p["field"] for p in report["problems"]] == ["Region__c", "nickname"]
    assert report["saved"] is False
    assert "The mapping has 2 problems" in refused.stderr and "Nothing was saved" in refused.stderr
    shown = document(cli("mapping", "show", "--service", service, "--object", "Contact", "--json"))
    assert shown["default"] is True


def test_a_mapping_set_for_an_object_lets_a_custom_query_on_it_be_configured_and_pulled(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    service = connected_service(cli, sandbox)
    sandbox.org.create("Account", {"Name": "Initech", "Phone": "(201) 555-0188"})
    good = mapping_file(tmp_path, ("Name", "company"), ("Phone", "phone"))

    saved = document(
        cli("mapping", "set", "--service", service, "--object", "account", "--file", good, "--json")
    )
    configured = cli(
        "service", "configure", service, "--soql", "SELECT Id, Name, Phone FROM Account"
    )
    verified = document(
        cli("mapping", "verify", "--service", service, "--object", "Account", "--json")
    )
    pulled = document(cli("pull", "--service", service, "--json"))

    assert saved["ok"] and verified["ok"]
    assert configured.exit_code == 0, configured.stderr
    assert pulled["status"] == "succeeded" and pulled["created"] >= 1
    contacts = document(cli("contacts", "list", "--service", service, "--json"))["contacts"]
    assert {"Initech"} <= {c["company"] for c in contacts}


def test_an_orgs_export_mapping_is_shown_with_the_salesforce_side_labelled(
    cli: Cli, sandbox: SandboxServer
) -> None:
    connected_service(cli, sandbox)

    shown = document(cli("mapping", "show", "--org", "acme", "--object", "Lead", "--json"))

    assert (shown["direction"], shown["default"]) == ("export", True)
    assert shown["rows"][0]["salesforce_label"] == "First Name (FirstName)"


def test_an_orgs_export_mapping_is_one_whatever_the_case_the_object_is_typed_in(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    connected_service(cli, sandbox)
    mine = mapping_file(tmp_path, ("last_name", "lastname"), ("company_name", "COMPANY"))

    saved = document(
        cli("mapping", "set", "--org", "acme", "--object", "lead", "--file", mine, "--json")
    )
    shown = [
        document(cli("mapping", "show", "--org", "acme", "--object", spelled, "--json"))
        for spelled in ("lead", "LEAD", "Lead")
    ]
    verified = document(cli("mapping", "verify", "--org", "acme", "--object", "lead", "--json"))

    assert (saved["ok"], saved["saved"]) == (True, True)
    assert {(s["object"], s["default"], len(s["rows"])) for s in shown} == {("Lead", False, 2)}
    assert [row["target"] for row in shown[0]["rows"]] == ["LastName", "Company"]  # as spelled
    assert "2 rows map" in verified["message"]


def test_a_services_mapping_is_shown_under_the_objects_own_spelling(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    service = connected_service(cli, sandbox)
    mine = mapping_file(tmp_path, ("email", "email"), ("LASTNAME", "last_name"))
    set_lead = ("mapping", "set", "--service", service, "--object", "lead", "--file", mine)
    assert document(cli(*set_lead, "--json"))["ok"]

    shown = document(cli("mapping", "show", "--service", service, "--object", "lead", "--json"))
    verified = document(
        cli("mapping", "verify", "--service", service, "--object", "LEAD", "--json")
    )

    assert (shown["object"], shown["default"], len(shown["rows"])) == ("Lead", False, 2)
    assert [row["source"] for row in shown["rows"]] == ["Email", "LastName"]  # as the org spells
    assert "2 rows map" in verified["message"]


@pytest.mark.parametrize("command", ["show", "verify", "set"])
def test_an_org_has_export_mappings_only_for_objects_an_export_writes(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path, command: str
) -> None:
    connected_service(cli, sandbox)
    task = mapping_file(tmp_path, ("last_name", "Subject"))
    file = ["--file", task] if command != "show" else []

    refused = cli("mapping", command, "--org", "acme", "--object", "Task", *file, "--json")

    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert "Lead, Contact, Account" in error and "'Task'" in error
    assert cli("export", "allow", "--org", "acme", "Task").exit_code != 0


def test_an_org_with_two_connections_checks_its_one_export_mapping_on_the_one_named(
    cli: Cli, sandbox: SandboxServer, make_sandbox: SandboxFactory, tmp_path: Path
) -> None:
    regional = make_sandbox(schema_dir=lead_with_region(tmp_path / "schema"))
    assert cli("org", "create", "acme").exit_code == 0
    assert cli(*password_grant_args(sandbox, name="main")).exit_code == 0
    assert cli(*password_grant_args(regional, name="regional")).exit_code == 0
    assert cli("service", "create", "acme/shop", "--connection", "main").exit_code == 0
    mine = mapping_file(
        tmp_path, ("last_name", "LastName"), ("company_name", "Company"), ("state", "Region__c")
    )
    lead = ["--org", "acme", "--object", "Lead", "--json"]

    unchosen = cli("mapping", "show", *lead)
    elsewhere = cli("mapping", "set", *lead, "--connection", "main", "--file", mine)
    saved = document(cli("mapping", "set", *lead, "--connection", "regional", "--file", mine))
    shown = document(cli("mapping", "show", *lead, "--connection", "main"))
    on_service = cli(
        "mapping", "show", "--service", "acme/shop", "--object", "Lead", "--connection", "main"
    )

    assert unchosen.exit_code == 1
    assert "name one with --connection NAME" in json.loads(unchosen.stdout)["error"]
    assert elsewhere.exit_code == 1
    assert [p["field"] for p in json.loads(elsewhere.stdout)["problems"]] == ["Region__c"]
    assert saved["ok"]
    assert (shown["default"], shown["rows"][2]["target"]) == (False, "Region__c")
    assert on_service.exit_code == 2
    assert "--connection goes with --org" in on_service.stderr


def lead_with_region(folder: Path) -> Path:
    """A schema folder giving Lead a custom text field, as one Salesforce org of many may."""
    folder.mkdir()
    region = {"name": "Region__c", "label": "Region", "type": "string", "length": 40}
    (folder / "Lead.json").write_text(json.dumps({"name": "Lead", "fields": [region]}))
    return folder


def rows_file(folder: Path, name: str, *rows: object) -> str:
    path = folder / name
    path.write_text(json.dumps({"rows": list(rows)}))
    return str(path)


@pytest.mark.parametrize("command", ["verify", "set"])
def test_a_files_own_problems_are_named_with_every_other_one_at_once(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path, command: str
) -> None:
    service = connected_service(cli, sandbox)
    lead = rows_file(
        tmp_path,
        "lead.json",
        {"source": "company_name", "target": "Company", "update": "Overwrite"},
        {"source": "", "target": "Phone"},
        {"source": "email", "target": "NoSuch__c"},
        {"target": "Title"},
    )
    contact = rows_file(
        tmp_path,
        "contact.json",
        {"source": "Email", "target": "email", "update": "always"},
        {"source": "NoSuch__c", "target": "phone"},
    )

    refused = cli("mapping", command, "--org", "acme", "--object", "Lead", "--file", lead, "--json")
    pulled = cli(
        "mapping", command, "--service", service, "--object", "Contact", "--file", contact, "--json"
    )

    assert refused.exit_code == pulled.exit_code == 1
    report = json.loads(refused.stdout)
    assert report["ok"] is False
    assert [(p["row"], p["field"], p["code"]) for p in report["problems"]] == [
        (1, "update", "invalid_row"),
        (2, "Phone", "blank_row"),
        (3, "NoSuch__c", "unknown_target"),
        (4, "source", "invalid_row"),  # said once: not called a blank row too
        (None, "LastName", "required_unmapped"),
    ]
    assert report["problems"][0]["message"] == (
        'row 1: "update" must be "overwrite" or "fill_empty", not "Overwrite"'
    )
    pull = json.loads(pulled.stdout)
    assert [(p["row"], p["code"]) for p in pull["problems"]] == [
        (1, "invalid_row"),
        (2, "unknown_source"),
    ]
    if command == "set":
        assert report["saved"] is pull["saved"] is False
        lead_in_use = cli("mapping", "show", "--org", "acme", "--object", "Lead", "--json")
        assert document(lead_in_use)["default"] is True
        contact_in_use = cli("mapping", "show", "--service", service, "--object", "Contact")
        assert "(default)" in contact_in_use.stdout


def test_a_file_that_is_no_mapping_at_all_is_reported_as_its_problem(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    connected_service(cli, sandbox)
    broken = tmp_path / "broken.json"
    broken.write_text("{rows: []}")

    refused = cli("mapping", "set", "--org", "acme", "--object", "Lead", "--file", str(broken))
    shown = cli(
        "mapping", "verify", "--org", "acme", "--object", "Lead", "--file", str(broken), "--json"
    )

    assert refused.exit_code == shown.exit_code == 1
    assert "not JSON: Expecting property name" in refused.stderr
    assert refused.stderr.rstrip().endswith("\nNothing was saved.")  # apart from the problem
    [problem] = json.loads(shown.stdout)["problems"]
    assert (problem["row"], problem["code"]) == (None, "invalid_file")


def test_verify_names_a_routing_rule_reading_a_field_deleted_from_the_org(
    cli: Cli, sandbox: SandboxServer
) -> None:
    """The runs stop on it as on a deleted mapped field, and `service configure` names it: so
    does `mapping verify` of the mapping in use (it said ok)."""
    service = connected_service(cli, sandbox, "--pull", "contacts")
    region = custom_contact_field(sandbox, "Region__c")
    assert cli("service", "configure", service, "--routing", "Region__c = 'North'").exit_code == 0
    sandbox.org.custom_fields.delete(region)

    verified = cli("mapping", "verify", "--service", service, "--object", "Contact", "--json")

    assert verified.exit_code == 1
    [problem] = json.loads(verified.stdout)["problems"]
    assert problem["message"] == "the routing rule of shop: Contact has no field 'Region__c'"
    assert "Region__c" in verified.stderr


def _saved_as_shown(folder: Path, shown: dict[str, Any]) -> str:
    path = folder / "shown.json"
    path.write_text(json.dumps(shown))
    return str(path)


@pytest.mark.parametrize(
    "owner",
    [("--service", "acme/shop", "Contact"), ("--org", "acme", "Lead")],
    ids=["pull", "export"],
)
def test_what_show_prints_is_set_back_as_it_is_edited_or_not_its_labels_ignored(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path, owner: tuple[str, str, str]
) -> None:
    """Show, edit, save back: the whole document or its rows, a label that no longer says the
    field (renamed in Salesforce since, or edited by hand) changing nothing."""
    connected_service(cli, sandbox)
    flag, name, sobject = owner
    mapping = ["--object", sobject.lower(), flag, name, "--json"]
    shown = document(cli("mapping", "show", *mapping))
    shown["rows"][0]["update"] = "fill_empty"
    shown["rows"][0]["salesforce_label"] = "Not what the org calls it"
    file = _saved_as_shown(tmp_path, shown)

    verified = document(cli("mapping", "verify", *mapping, "--file", file))
    saved = document(cli("mapping", "set", *mapping, "--file", file))
    again = document(cli("mapping", "show", *mapping))
    rows_only = _saved_as_shown(tmp_path, {"rows": again["rows"]})
    resaved = document(cli("mapping", "set", *mapping, "--file", rows_only))

    assert verified["ok"] and (saved["ok"], saved["saved"]) == (True, True)
    assert resaved["saved"] is True
    assert again["default"] is False
    assert again["rows"][0]["update"] == "fill_empty"
    assert again["rows"][0]["salesforce_label"] != "Not what the org calls it"
    assert [(r["source"], r["target"]) for r in again["rows"]] == [
        (r["source"], r["target"]) for r in shown["rows"]
    ]
    assert document(cli("mapping", "show", *mapping)) == again


def test_a_misspelt_key_in_what_show_printed_is_still_refused_naming_its_row(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    connected_service(cli, sandbox)
    lead = ["--org", "acme", "--object", "Lead", "--json"]
    shown = document(cli("mapping", "show", *lead))
    shown["rows"][1]["upate"] = shown["rows"][1].pop("update")
    file = _saved_as_shown(tmp_path, shown)

    refused = cli("mapping", "set", *lead, "--file", file)

    assert refused.exit_code == 1
    report = json.loads(refused.stdout)
    assert [(p["row"], p["field"], p["code"]) for p in report["problems"]] == [
        (2, "upate", "invalid_row")
    ]
    assert report["saved"] is False
    assert "row 2: unknown key 'upate'" in refused.stderr


def test_a_shown_mapping_set_as_another_is_refused_saying_whose_it_is(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """A service's pull mapping of Contact is no export mapping, nor one of Lead: its rows
    would verify as nonsense, and the document says what it is."""
    service = connected_service(cli, sandbox)
    pulled = document(cli("mapping", "show", "--service", service, "--object", "Contact", "--json"))
    file = _saved_as_shown(tmp_path, pulled)

    exported = cli("mapping", "verify", "--org", "acme", "--object", "Contact", "--file", file)
    of_lead = cli(
        "mapping", "set", "--service", service, "--object", "Lead", "--file", file, "--json"
    )

    assert exported.exit_code == of_lead.exit_code == 1
    assert '"direction" is "pull", not "export"' in exported.stderr
    problems = json.loads(of_lead.stdout)["problems"]
    assert [(p["row"], p["field"]) for p in problems if p["code"] == "invalid_file"] == [
        (None, "object")
    ]
    assert '"object" is "Contact", not "Lead"' in of_lead.stderr
