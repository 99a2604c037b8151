"""The demo is the newcomer's first contact: it must run end to end and explain itself."""

from pathlib import Path

from typer.testing import CliRunner

from forcebridge.cli.main import app


def test_demo_runs_every_chapter_and_ends_with_a_summary(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    result = CliRunner().invoke(
        app,
        ["demo", "--data", str(data), "--contacts", "300", "--leads", "50", "--accounts", "40"],
    )
    assert result.exit_code == 0, result.output
    assert "Business Phone (Phone)" in result.output
    assert "MALFORMED_QUERY" in result.output
    assert "read 300 Contacts in 1 pages" in result.output
    assert "What the demo showed" in result.output
    assert "Where to look next" in result.output
    assert (data / "sandbox" / "ca.pem").exists()
