"""The command line loads each command's module only when that command runs, and a command
only what it needs to start: its `--help` costs no Salesforce client, web app or job queue."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest
import typer.main

from forcebridge.cli.main import COMMANDS, app
from tests.cli.conftest import Cli

HEAVY = (
    "alembic",  # the store's migrations: opening the database loads them
    "faker",
    "fastapi",
    "forcebridge.sandbox",
    "forcebridge.store.migrations",
    "forcebridge.web",
    "lark",  # the SOQL parser
    "procrastinate",
    "simple_salesforce",
    "uvicorn",
)
"""What only the commands that talk to Salesforce, parse SOQL, serve or run the job queue
use, and none of them before it runs: each took a tenth of a second to a second to load."""

COMMAND_MODULES = tuple(sorted({listed.target.split(":")[0] for listed in COMMANDS.values()}))


def _loaded_by(*args: str) -> list[str]:
    """Every module the real console script loaded for `forcebridge ARGS`, in a fresh Python."""
    probe = (
        "import json, sys\n"
        "from forcebridge.cli.entry import main\n"
        f"sys.argv = ['forcebridge', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(json.loads(ran.stdout.splitlines()[-1]))


def _of(packages: tuple[str, ...], loaded: list[str]) -> list[str]:
    return [m for m in loaded if any(m == p or m.startswith(f"{p}.") for p in packages)]


@pytest.mark.parametrize(
    "args",
    [
        ("runs", "--help"),
        ("runs", "list", "--help"),
        ("contacts", "list", "--help"),
        ("admin", "--help"),
        ("secrets", "--help"),
    ],
    ids=" ".join,
)
def test_a_command_s_help_loads_no_salesforce_client_parser_web_app_or_job_queue(
    args: tuple[str, ...],
) -> None:
    assert _of(HEAVY, _loaded_by(*args)) == []


SALESFORCE_LIBRARY = ("simple_salesforce", "zeep", "lxml", "httpx")
"""simple-salesforce and what it loads (its SOAP client and XML parser): 0.7 s, loaded where
a client is made (`open_client`), not by the modules that only name `SalesforceClient`."""


@pytest.mark.parametrize(
    "args",
    [
        ("org", "--help"),
        ("service", "--help"),
        ("connect", "--help"),
        ("connections", "--help"),
        ("export", "--help"),
        ("activities", "--help"),
        ("pull", "--help"),
        ("reconcile", "--help"),
        ("mapping", "--help"),
    ],
    ids=" ".join,
)
def test_a_salesforce_command_s_help_loads_no_salesforce_library_or_soql_parser(
    args: tuple[str, ...],
) -> None:
    """Lark (0.2 s) is loaded by the first query parsed (`soql.tree_builder`), not by the
    modules that might parse one."""
    assert _of((*SALESFORCE_LIBRARY, "lark"), _loaded_by(*args)) == []


def test_the_list_of_commands_loads_none_of_them() -> None:
    """`forcebridge --help` names each command from `COMMANDS`: it loaded every module (3 s),
    and with them the database's library."""
    loaded = _loaded_by("--help")

    assert _of(COMMAND_MODULES, loaded) == []
    assert _of(("sqlalchemy",), loaded) == []
    assert _of(HEAVY, loaded) == []


def test_the_list_says_of_each_command_what_its_own_help_says() -> None:
    """The one-line help kept beside `COMMANDS` is the first paragraph of the command's own
    (its docstring or its sub-app's help), as Typer would list it loaded."""
    root = typer.main.get_command(app)

    for name, listed in COMMANDS.items():
        command = root.loaded(name)  # type: ignore[attr-defined]
        first = inspect.cleandoc(command.short_help or command.help).split("\n\n")[0]
        assert listed.help == " ".join(first.split()), name


def test_every_command_loads_under_its_own_name() -> None:
    root = typer.main.get_command(app)

    for name in COMMANDS:
        command = root.loaded(name)  # type: ignore[attr-defined]
        assert command.name == name
        assert root.get_command(None, name) is command  # type: ignore[attr-defined]
    assert root.list_commands(None) == list(COMMANDS)  # type: ignore[attr-defined]


def test_the_list_of_commands_shows_each_with_its_help(cli: Cli) -> None:
    listed = cli("--help")

    assert listed.exit_code == 0
    for name in COMMANDS:
        assert f" {name} " in listed.stdout


def test_a_mistyped_command_is_answered_with_the_nearest(cli: Cli) -> None:
    mistyped = cli("pul", "--json")

    assert mistyped.exit_code == 2
    assert json.loads(mistyped.stdout) == {"error": "No such command 'pul'. Did you mean 'pull'?"}
