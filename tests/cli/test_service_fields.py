"""`forcebridge service field add|list|remove`: a service's own contact fields, defined, then
filled by a pull from a Salesforce field an admin made, and shown by `contacts list`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forcebridge.sandbox.server import SandboxServer
from tests.cli.conftest import Cli, document
from tests.cli.pull_setup import connected_service, custom_contact_field, set_contact_mapping


def test_a_field_is_added_listed_and_removed(cli: Cli) -> None:
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")

    added = document(
        cli("service", "field", "add", "acme/shop", "loyalty_tier", "--type", "choice",
            "--choice", "Gold", "--choice", " Silver ", "--json")
    )  # fmt: skip
    cli("service", "field", "add", "acme/shop", "vip", "--type", "boolean")
    listed = document(cli("service", "field", "list", "acme/shop", "--json"))
    removed = document(cli("service", "field", "remove", "acme/shop", "vip", "--json"))

    assert added == {
        "service": "acme/shop",
        "name": "loyalty_tier",
        "type": "choice",
        "choices": ["Gold", "Silver"],
    }
    assert [f["name"] for f in listed["fields"]] == ["loyalty_tier", "vip"]
    assert removed == {"service": "acme/shop", "removed": "vip"}
    after = document(cli("service", "field", "list", "acme/shop", "--json"))
    assert [f["name"] for f in after["fields"]] == ["loyalty_tier"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Tier"], "'Tier' is not a field name"),
        (["city"], "'city' is a built-in contact field"),
        (["external_id"], "'external_id' is a name contacts already use (the column of a contacts"),
        (["tier", "--type", "choice"], "needs its choices"),
        (["tier", "--type", "choice", "--choice", "A", "--choice", "A"], "lists a choice twice"),
        (["tier", "--choice", "A"], "only a choice field has choices"),
    ],
)
def test_a_wrong_field_is_refused_naming_what_is_wrong(
    cli: Cli, args: list[str], message: str
) -> None:
    cli("org", "create", "acme")
    cli("service", "create", "acme/shop")
    refused = cli("service", "field", "add", "acme/shop", *args, "--json")
    assert refused.exit_code == 1
    assert message in json.loads(refused.stdout)["error"]


def test_a_pull_fills_the_field_and_a_mapped_field_cannot_be_removed(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    service = connected_service(cli, sandbox, "--pull", "contacts")
    custom_contact_field(sandbox, "Tier__c")
    sandbox.org.create("Contact", {"LastName": "Gold", "Tier__c": "Gold"})
    cli("service", "field", "add", service, "loyalty_tier", "--type", "choice",
        "--choice", "Gold", "--choice", "Silver")  # fmt: skip
    set_contact_mapping(
        cli, service, tmp_path, ("LastName", "last_name"), ("Tier__c", "loyalty_tier")
    )

    pulled = document(cli("pull", "--service", service, "--json"))
    contacts = document(cli("contacts", "list", "--service", service, "--json"))["contacts"]
    refused = cli("service", "field", "remove", service, "loyalty_tier", "--json")

    assert pulled["status"] == "succeeded"
    assert [(c["last_name"], c["custom"]) for c in contacts] == [("Gold", {"loyalty_tier": "Gold"})]
    assert refused.exit_code == 1
    assert "Contact mapping's row 2" in json.loads(refused.stdout)["error"]


def test_a_value_cleared_in_salesforce_leaves_the_contact_as_if_it_never_had_one(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    service = connected_service(cli, sandbox, "--pull", "contacts")
    custom_contact_field(sandbox, "Score__c", type="Number", precision=5, scale=0)
    scored = sandbox.org.create("Contact", {"LastName": "Scored", "Score__c": 7})
    cli("service", "field", "add", service, "score", "--type", "number")
    set_contact_mapping(cli, service, tmp_path, ("LastName", "last_name"), ("Score__c", "score"))
    cli("pull", "--service", service)
    sandbox.org.update("Contact", scored, {"Score__c": None})

    cli("pull", "--service", service)

    contacts = document(cli("contacts", "list", "--service", service, "--json"))["contacts"]
    assert [c["custom"] for c in contacts if c["last_name"] == "Scored"] == [{}]
