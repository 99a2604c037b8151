"""An org connected to the sandbox with one service, as the pull commands' tests start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from forcebridge.sandbox.server import SandboxServer
from tests.cli.conftest import Cli, password_grant_args


def connected_service(cli: Cli, sandbox: SandboxServer, *extra: str) -> str:
    """`acme/shop` on a connection to `sandbox`, configured with `extra` options."""
    assert cli("org", "create", "acme").exit_code == 0
    assert cli(*password_grant_args(sandbox)).exit_code == 0
    assert cli("service", "create", "acme/shop").exit_code == 0
    if extra:
        configured = cli("service", "configure", "acme/shop", *extra)
        assert configured.exit_code == 0, configured.stderr
    return "acme/shop"


def custom_contact_field(sandbox: SandboxServer, name: str, **metadata: Any) -> str:
    """A custom field made on the sandbox's Contact through its Tooling API; its id."""
    label = name.removesuffix("__c")
    full = {"type": "Text", "label": label, "length": 20} | metadata
    return str(sandbox.org.custom_fields.create({"FullName": f"Contact.{name}", "Metadata": full}))


def set_contact_mapping(cli: Cli, service: str, folder: Path, *pairs: tuple[str, str]) -> None:
    """The service's Contact mapping: each `(Salesforce field, contact field)`, overwriting."""
    mapping = folder / "mapping.json"
    rows = [{"source": s, "target": t, "update": "overwrite"} for s, t in pairs]
    mapping.write_text(json.dumps({"rows": rows}))
    saved = cli("mapping", "set", "--service", service, "--object", "Contact", "--file",
                str(mapping))  # fmt: skip
    assert saved.exit_code == 0, saved.stderr


def mapping_of_a_deleted_field(
    cli: Cli, sandbox: SandboxServer, service: str, folder: Path
) -> None:
    """The service's Contact mapping reads `Tier__c`, which is then deleted from the org: its
    streams can no longer run."""
    tier = custom_contact_field(sandbox, "Tier__c")
    set_contact_mapping(cli, service, folder, ("LastName", "last_name"), ("Tier__c", "title"))
    sandbox.org.custom_fields.delete(tier)
