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
