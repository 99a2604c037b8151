"""jsforce, the other client the sandbox must satisfy, driven through Node (marked `node`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from forcebridge.sandbox.server import SandboxServer

NODE_DIR = Path(__file__).parents[1] / "node"


@pytest.fixture(scope="session")
def jsforce_dir() -> Path:
    """`tests/node` with jsforce installed; skipped when Node or the npm registry is missing."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js and npm are needed for the jsforce check")
    if not (NODE_DIR / "node_modules" / "jsforce").is_dir():
        install = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if install.returncode != 0:
            pytest.skip(f"npm could not install jsforce: {install.stderr.strip()[-300:]}")
    return NODE_DIR


@pytest.mark.node
def test_jsforce_logs_in_describes_creates_queries_retrieves_and_uses_both_bulk_apis(
    sandbox: SandboxServer, jsforce_dir: Path
) -> None:
    env = os.environ | {
        "NODE_EXTRA_CA_CERTS": str(sandbox.ca_file),
        "SANDBOX_URL": sandbox.base_url,
        "SANDBOX_TOKEN": sandbox.access_token(),
        "SANDBOX_USERNAME": sandbox.config.username,
        "SANDBOX_PASSWORD": sandbox.config.password,
    }
    run = subprocess.run(
        ["node", "check_sandbox.mjs"],
        cwd=jsforce_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)
    assert (summary["identityUser"], summary["recent"]) == (sandbox.org.admin_user_id, [])
    assert summary["describeName"] == "Contact"
    assert summary["phoneLabel"] == "Business Phone"
    assert summary["created"]["success"] is True
    assert summary["created"]["id"].startswith("003")
    assert summary["manySuccess"] == [True, True]
    assert (summary["queryTotal"], summary["queryName"]) == (1, "Node Script")
    assert summary["accountContacts"] == ["Script"]
    assert summary["retrievedNames"] == ["Script", "Batch One"]
    assert summary["bulkLoaded"] == ["Bulk Loaded"]
    # jsforce writes a one-column record of "" as a blank line: a record, failing in its place
    assert summary["bulkFailed"] == ["REQUIRED_FIELD_MISSING"]
    assert summary["bulkV1Success"] == [True, False]
    assert summary["bulkV1Errors"] == ["REQUIRED_FIELD_MISSING"]
    assert summary["bulkV1Queried"] == [[True, "classic@example.com"]]
    assert summary["searchedNames"] == ["Script"]
    assert summary["compositeStatuses"] == [201, 201]
    assert summary["soapLoginOrg"] == sandbox.org.org_id
    assert summary["soapCount"] >= 1
    assert summary["conversions"] == [
        [True, "003", "006", []],
        [False, "", "", ["CANNOT_UPDATE_CONVERTED_LEAD"]],
    ]
    assert summary["convertedLead"] == [True, "006"]
    assert summary["madeField"] == [True, "00N"]
    assert summary["sizedBack"] == 42.5
    assert "Shoe_Size" in summary["toolingListed"]
    assert summary["refused"] == "INVALID_FIELD"
