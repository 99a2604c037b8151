from __future__ import annotations

import json
from pathlib import Path

from forcebridge.sandbox.server import SandboxServer
from tests.cli.conftest import Cli, document
from tests.cli.pull_setup import connected_service


def mapping_file(folder: Path, *rows: tuple[str, str]) -> str:
    path = folder / "mapping.json"
    path.write_text(json.dumps({"rows": [{"source": s, "target": t} for s, t in rows]}))
    return str(path)


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
