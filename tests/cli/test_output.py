from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Cli


def test_a_refusal_gives_a_script_one_json_document_and_a_person_a_line_on_stderr(
    cli: Cli,
) -> None:
    for_script = cli("service", "create", "nowhere/support", "--json")
    for_person = cli("service", "create", "nowhere/support")

    assert for_script.exit_code == for_person.exit_code == 1
    assert json.loads(for_script.stdout) == {"error": "org 'nowhere' does not exist"}
    assert for_person.stdout == ""
    assert "org 'nowhere' does not exist" in for_person.stderr == for_script.stderr


def test_a_command_line_that_does_not_parse_still_gives_a_script_its_json_document(
    cli: Cli,
) -> None:
    cli("org", "create", "acme")
    for args in (
        ["runs", "show", "abc"],
        ["export", "--org", "acme", "--object", "Opportunity", "/no/such.csv"],
        ["service", "configure", "acme/shop", "--pull-every", "0"],
    ):
        refused = cli(*args, "--json")
        assert refused.exit_code == 2, args
        assert set(json.loads(refused.stdout)) == {"error"}, args
        assert "Error:" in refused.stderr


@pytest.mark.parametrize(
    ("env", "said"),
    [
        (
            {"FORCEBRIDGE_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/forcebridge"},
            "cannot open the database postgresql+psycopg://postgres@127.0.0.1:1/forcebridge",
        ),
        (
            {"FORCEBRIDGE_DATABASE_URL": "sqlite:////proc/no/such/forcebridge.sqlite3"},
            "cannot make the database /proc/no/such/forcebridge.sqlite3",
        ),
    ],
)
def test_a_database_that_cannot_be_opened_is_said_so_in_one_json_document(
    cli: Cli, env: dict[str, str], said: str
) -> None:
    refused = cli("org", "list", "--json", env=env)

    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["error"].startswith(said)
    assert "Traceback" not in refused.stderr


def test_a_setting_refused_names_its_environment_variable(cli: Cli) -> None:
    env = {"FORCEBRIDGE_LOG_LEVEL": "LOUD"}

    refused = cli("org", "list", "--json", env=env)

    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert error.startswith("FORCEBRIDGE_LOG_LEVEL: Input should be 'DEBUG'")
