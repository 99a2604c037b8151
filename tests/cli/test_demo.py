"""The demo is the newcomer's first contact: it must run end to end and explain itself."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from forcebridge.cli.main import app


def test_demo_runs_every_chapter_and_ends_with_a_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("FORCEBRIDGE_DATA_DIR", "FORCEBRIDGE_DATABASE_URL", "FORCEBRIDGE_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)  # the demo sets them; restored afterwards
    data = tmp_path / "demo"
    result = CliRunner().invoke(
        app,
        ["demo", "--data", str(data), "--contacts", "300", "--leads", "50", "--accounts", "40"],
    )
    assert result.exit_code == 0, result.output
    assert "Business Phone (Phone)" in result.output
    assert "MALFORMED_QUERY" in result.output
    assert "GROUP BY, answered as Salesforce answers it: " in result.output
    assert "a child subquery and a semi-join in one query: " in result.output
    assert "a SOSL search, FIND {Smith} IN NAME FIELDS: " in result.output
    assert "answered 201, 200, 204" in result.output
    assert "read 300 Contacts in 1 pages" in result.output
    assert "acme: Connected" in result.output
    would, pulled = result.output.split("Would pull (run 1)")[1].split("Pulled (run 2)")[:2]
    assert would.split("Api calls")[0] == pulled.split("Api calls")[0]  # the dry run was exact
    assert "messages recorded: 1" in result.output  # over the REST API, with a token
    assert "Reconciled (run" in result.output
    assert "America/New_York" in result.output
    assert "What the demo showed" in result.output
    assert "Where to look next" in result.output
    assert (data / "sandbox" / "ca.pem").exists()


def test_demo_empties_only_a_folder_a_demo_made(tmp_path: Path) -> None:
    """`--data` naming a folder of real data, or a file, must not lose it."""
    kept = tmp_path / "mine"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    a_file = tmp_path / "file.txt"
    a_file.write_text("mine")

    into_a_folder = CliRunner().invoke(app, ["demo", "--data", str(kept)])
    into_a_file = CliRunner().invoke(app, ["demo", "--data", str(a_file)])

    assert into_a_folder.exit_code == into_a_file.exit_code == 1
    assert "holds files no demo made" in into_a_folder.stderr
    assert "is a file, not a folder" in into_a_file.stderr
    assert (kept / "notes.txt").read_text() == a_file.read_text() == "mine"
