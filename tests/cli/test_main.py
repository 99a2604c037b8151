"""The command line loads each command's module only when that command runs."""

from __future__ import annotations

import json
import subprocess
import sys

import typer.main

from forcebridge.cli.main import COMMANDS, app
from tests.cli.conftest import Cli

HEAVY = ("faker", "fastapi", "procrastinate", "uvicorn", "forcebridge.sandbox", "forcebridge.web")
"""What only the sandbox, `serve` and `worker` use."""


def _loaded_after(script: str) -> list[str]:
    loaded = f"sorted(m for m in sys.modules if m.startswith({HEAVY!r}))"
    probe = f"import json, sys\n{script}\nprint(json.dumps({loaded}))"
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(json.loads(ran.stdout.splitlines()[-1]))


def test_a_command_loads_neither_the_web_app_nor_the_sandbox_nor_the_workers() -> None:
    loaded = _loaded_after(
        "from forcebridge.cli.main import app\n"
        "import typer.main\n"
        "root = typer.main.get_command(app)\n"
        "root.get_command(None, 'runs')"
    )

    assert loaded == []


def test_every_command_loads_under_its_own_name() -> None:
    root = typer.main.get_command(app)

    for name in COMMANDS:
        command = root.get_command(None, name)  # type: ignore[attr-defined]
        assert command is not None and command.name == name
    assert root.list_commands(None) == list(COMMANDS)  # type: ignore[attr-defined]


def test_a_mistyped_command_is_answered_with_the_nearest(cli: Cli) -> None:
    mistyped = cli("pul", "--json")

    assert mistyped.exit_code == 2
    assert json.loads(mistyped.stdout) == {"error": "No such command 'pul'. Did you mean 'pull'?"}
