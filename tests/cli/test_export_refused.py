"""`forcebridge export` refused once its run has started (a mapped field deleted in Salesforce
since the describe was cached), on both backends: `--json` prints the document naming the run,
as for a run Ctrl+C, SIGTERM or Salesforce stopped, and people are told its id; refused before
a run started, only `{"error"}`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from simple_salesforce import Salesforce

from forcebridge.sync.documents import EXPORT_COUNTS
from tests.cli.conftest import Cli, document
from tests.cli.test_export import connected
from tests.conftest import SandboxFactory

REFUSED = (
    "the Contact export mapping needs fixing before exporting: row 4: Contact has no field "
    "'LinkedIn__c'"
)


@pytest.fixture
def cli_env(cli_env_on_each_backend: dict[str, str]) -> dict[str, str]:
    return cli_env_on_each_backend


def test_a_refusal_once_the_run_started_names_the_run_it_ended(
    cli: Cli,
    make_sandbox: SandboxFactory,
    salesforce_for: Callable[..., Salesforce],
    tmp_path: Path,
) -> None:
    server = make_sandbox()
    sf = salesforce_for(server)
    connected(cli, server)
    cli("export", "allow", "--org", "acme", "Contact")
    linkedin = {"FullName": "Contact.LinkedIn__c", "Metadata": {"type": "Url", "label": "In"}}
    made = sf.toolingexecute("sobjects/CustomField/", method="POST", data=linkedin)
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"rows": [
        {"source": "first_name", "target": "FirstName", "update": "fill_empty"},
        {"source": "last_name", "target": "LastName", "update": "fill_empty"},
        {"source": "email", "target": "Email", "update": "fill_empty"},
        {"source": "linkedin_url", "target": "LinkedIn__c", "update": "overwrite"},
    ]}))  # fmt: skip
    mapped = cli("mapping", "set", "--org", "acme", "--object", "Contact", "--file", str(mapping))
    assert mapped.exit_code == 0, mapped.stderr
    path = tmp_path / "c10.csv"
    path.write_text(
        "first_name,last_name,email,linkedin_url\nLia,Link,lia@link.com,https://li/lia\n"
    )
    export = ("export", "--org", "acme", "--object", "Contact", str(path))
    assert document(cli(*export, "--json"))["created"] == 1  # the describe is cached
    sf.toolingexecute(f"sobjects/CustomField/{made['id']}", method="DELETE")

    refused = cli(*export, "--json")
    [run] = document(cli("runs", "list", "--org", "acme", "--json"))["runs"][:1]
    again = cli(*export, "--json")  # the describe fetched anew: refused before its run starts

    assert refused.exit_code == 1
    assert json.loads(refused.stdout) == {
        "run_id": run["run_id"],
        "status": "failed",
        **{key: run[key] for key in EXPORT_COUNTS},
        "error": REFUSED,
    }
    assert (run["status"], run["read"], run["error"]) == ("failed", 1, REFUSED)
    assert REFUSED in refused.stderr
    assert (again.exit_code, json.loads(again.stdout)) == (1, {"error": REFUSED})
    assert f"(run {run['run_id']})" not in again.stderr

    made = sf.toolingexecute("sobjects/CustomField/", method="POST", data=linkedin)
    assert document(cli(*export, "--json"))["updated"] == 1  # the new field cached, filled
    sf.toolingexecute(f"sobjects/CustomField/{made['id']}", method="DELETE")

    told = cli(*export)
    [run] = document(cli("runs", "list", "--org", "acme", "--json"))["runs"][:1]

    assert told.exit_code == 1
    assert run["status"] == "failed"
    assert f"(run {run['run_id']})" in " ".join(told.stderr.split())
