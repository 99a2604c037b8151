"""The sandbox's data folder holds org records and hashed credentials: like forcebridge's own,
the folders made for it and its databases are readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from typer.testing import CliRunner

from forcebridge.cli.main import app
from forcebridge.sandbox.auth import AUTH_DB_FILE, AuthStore
from forcebridge.sandbox.config import SandboxConfig
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.server import SandboxServer
from forcebridge.sandbox.storage import DB_FILE


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def open_to_others(folder: Path) -> dict[str, int]:
    """The files in `folder` another user could read or write, and their modes; the public
    certificates aside."""
    return {
        file.name: mode(file)
        for file in folder.iterdir()
        if mode(file) & 0o077 and not file.name.endswith(("cert.pem", "ca.pem", "server.pem"))
    }


def test_seed_makes_the_folders_and_the_org_database_private(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o755)
    data = tmp_path / "made" / "sandbox"

    seeded = CliRunner().invoke(
        app,
        [
            "sandbox",
            "seed",
            "--data",
            str(data),
            "--contacts",
            "2",
            "--leads",
            "1",
            "--accounts",
            "1",
        ],
    )

    assert seeded.exit_code == 0, seeded.output
    assert (mode(data), mode(data.parent), mode(tmp_path)) == (0o700, 0o700, 0o755)
    assert mode(data / DB_FILE) == 0o600
    assert open_to_others(data) == {}


def test_a_served_sandbox_keeps_its_credentials_private(tmp_path: Path, sandbox_keys: Path) -> None:
    data = tmp_path / "fresh"

    server = SandboxServer(SandboxConfig(data_dir=data, port=0)).start()
    server.stop()

    assert mode(data) == 0o700
    assert (mode(data / DB_FILE), mode(data / AUTH_DB_FILE)) == (0o600, 0o600)
    assert open_to_others(data) == {}


def test_databases_left_open_to_others_by_an_older_sandbox_are_made_private(
    tmp_path: Path,
) -> None:
    def open_both() -> None:
        Org(tmp_path).close()
        AuthStore(tmp_path / AUTH_DB_FILE, org_id="00D", session_lifetime=60).close()

    open_both()
    for file in tmp_path.iterdir():
        os.chmod(file, 0o644)

    open_both()

    assert open_to_others(tmp_path) == {}
