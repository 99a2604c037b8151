from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
import typer
from sqlalchemy import make_url
from typer.testing import CliRunner

from forcebridge.cli.output import TERMINATED_STATUS, Commands, JsonFlag, Terminated, emit
from tests.cli.conftest import TEST_SECRET_KEY, Cli, settings_of


def test_a_refusal_gives_a_script_one_json_document_and_a_person_a_line_on_stderr(
    cli: Cli, cli_env: dict[str, str]
) -> None:
    """An org or service that does not exist is said with the database looked in: most often
    it is in another one (a new shell without the variables of the one that made it)."""
    for_script = cli("service", "create", "nowhere/support", "--json")
    for_person = cli("service", "create", "nowhere/support")
    in_database = make_url(settings_of(cli_env).database_url).database

    said = f"org 'nowhere' does not exist in the database {in_database}"
    assert for_script.exit_code == for_person.exit_code == 1
    assert json.loads(for_script.stdout) == {"error": said}
    assert for_person.stdout == ""
    assert said in " ".join(for_person.stderr.split())


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
        (  # its password given as a parameter, or with an unescaped @, is never shown
            {"FORCEBRIDGE_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/fb?password=Sup3rS"},
            "cannot open the database postgresql+psycopg://u@127.0.0.1:1/fb?password=***",
        ),
        (
            {"FORCEBRIDGE_DATABASE_URL": "postgresql+psycopg://u:Pa@5sTail@127.0.0.1:1/fb"},
            "cannot open the database postgresql+psycopg://u:***@127.0.0.1:1/fb",
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
    for secret in ("Sup3rS", "5sTail"):  # nor in the driver's reason, which quotes the host
        assert secret not in refused.stdout + refused.stderr


@pytest.mark.parametrize("typed", ["LOUD", "verbose", "INF", "ERR"])
def test_a_setting_refused_names_its_environment_variable_and_quotes_what_was_typed(
    cli: Cli, typed: str
) -> None:
    """Levels are read in any case, but the refusal quotes `verbose`, not `VERBOSE`; and `INF`
    too, though the refusal's "INFO" holds it."""
    env = {"FORCEBRIDGE_LOG_LEVEL": typed}

    refused = cli("org", "list", "--json", env=env)

    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["error"] == (
        "FORCEBRIDGE_LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, in any "
        f"case (not {typed!r})"
    )


OLD_KEY = "tjE08G-an-old-key-still-being-rotated-out-0000"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"FORCEBRIDGE_RETIRED_SECRET_KEYS": "shortk3y"}, "FORCEBRIDGE_RETIRED_SECRET_KEYS: "),
        ({"FORCEBRIDGE_SECRET_KEY": "shortk3y"}, "FORCEBRIDGE_SECRET_KEY: "),
        (
            {"FORCEBRIDGE_DATABASE_URL": "mysql://u:shortk3y@127.0.0.1/fb"},
            "FORCEBRIDGE_DATABASE_URL: database mysql://u:***@",
        ),
        (
            {"FORCEBRIDGE_DATA_DIR": __file__},
            f"FORCEBRIDGE_DATA_DIR: {__file__} is a file, not a folder",
        ),
        (  # a driver forcebridge does not install: not a traceback of its import
            {"FORCEBRIDGE_DATABASE_URL": "postgresql+psycopg2://u:shortk3y@127.0.0.1/fb"},
            "FORCEBRIDGE_DATABASE_URL: database postgresql+psycopg2://u:***@127.0.0.1/fb names "
            "the driver psycopg2, which forcebridge does not use: its driver for PostgreSQL is "
            "psycopg (version 3), so write postgresql+psycopg://u:***@127.0.0.1/fb",
        ),
        (
            {"FORCEBRIDGE_DATABASE_URL": "POSTGRES://u:shortk3y@127.0.0.1/fb"},
            "FORCEBRIDGE_DATABASE_URL: database POSTGRES://u:***@127.0.0.1/fb spells its dialect "
            "POSTGRES, which SQLAlchemy reads only as postgresql, so write "
            "postgresql+psycopg://u:***@127.0.0.1/fb",
        ),
        (
            {"FORCEBRIDGE_DATABASE_URL": "postgresql+asyncpg://u:shortk3y@127.0.0.1/fb"},
            "FORCEBRIDGE_DATABASE_URL: database postgresql+asyncpg://u:***@127.0.0.1/fb names "
            "the driver asyncpg",
        ),
    ],
)
def test_a_setting_refused_when_opened_is_named_by_its_variable(
    cli: Cli, env: dict[str, str], named: str
) -> None:
    refused = cli("org", "list", "--json", env=env)

    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["error"].startswith(named)
    assert "shortk3y" not in refused.stdout + refused.stderr


@pytest.mark.parametrize(
    "retired",
    [f'["{OLD_KEY}"', f'["{OLD_KEY}", 12345678901234567890]', f"[{OLD_KEY}]"],
    ids=["unclosed", "not-a-string", "unquoted"],
)
@pytest.mark.parametrize(
    "args", [["connections", "list", "--json"], ["worker"], ["serve"]], ids=" ".join
)
def test_a_refused_key_setting_is_named_without_showing_any_key(
    cli: Cli, retired: str, args: list[str]
) -> None:
    """Stdout and stderr end up in logs: a malformed list of keys must not put them there."""
    env = {"FORCEBRIDGE_RETIRED_SECRET_KEYS": retired}

    refused = cli(*args, env=env)

    assert refused.exit_code == 1
    assert "FORCEBRIDGE_RETIRED_SECRET_KEYS" in refused.stderr
    for shown in (refused.stdout, refused.stderr):
        assert "tjE08G" not in shown
        assert "1234567890" not in shown
        assert TEST_SECRET_KEY not in shown


def test_a_malformed_key_list_is_refused_with_how_to_write_it(cli: Cli) -> None:
    refused = cli(
        "connections", "list", "--json", env={"FORCEBRIDGE_RETIRED_SECRET_KEYS": f'["{OLD_KEY}"'}
    )

    assert json.loads(refused.stdout) == {
        "error": "FORCEBRIDGE_RETIRED_SECRET_KEYS: starts with '[' but is not a JSON list "
        "(Expecting ',' delimiter at character 50): write it as [\"KEY\", ...], or give the "
        "keys separated by commas"
    }


def test_an_unterminated_key_is_named_in_plain_words(cli: Cli) -> None:
    refused = cli("connections", "list", "--json", env={"FORCEBRIDGE_RETIRED_SECRET_KEYS": '["x'})

    assert "(Unterminated string starting at character 2)" in json.loads(refused.stdout)["error"]


def test_a_command_reading_the_settings_itself_refuses_them_without_a_traceback(
    cli: Cli,
) -> None:
    """`activities push` reads the settings before opening the database."""
    env = {"FORCEBRIDGE_RETIRED_SECRET_KEYS": f'["{OLD_KEY}"'}

    refused = cli("activities", "push", "--service", "acme/shop", "--json", env=env)

    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["error"].startswith("FORCEBRIDGE_RETIRED_SECRET_KEYS: ")
    assert "Traceback" not in refused.stderr
    assert "tjE08G" not in refused.stdout + refused.stderr


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("not a url", "'not a url' cannot be used: it is not a database URL"),
        (
            "postgresql+psycopg://app:hunter22@127.0.0.1:notaport/fb",
            "'postgresql+psycopg://app:***@127.0.0.1:notaport/fb' cannot be used: its port is "
            "not a number",
        ),
        (
            " postgresql+psycopg://app:hunter22@db/fb",
            "' postgresql+psycopg://app:***@db/fb' cannot be used: it has a space or a line "
            "break before or after it",
        ),
    ],
)
def test_a_database_url_that_does_not_parse_is_refused_naming_the_variable(
    cli: Cli, url: str, said: str
) -> None:
    refused = cli("org", "list", "--json", env={"FORCEBRIDGE_DATABASE_URL": url})

    assert refused.exit_code == 1
    error = json.loads(refused.stdout)["error"]
    assert error.startswith(f"FORCEBRIDGE_DATABASE_URL: {said}")
    assert "sqlite:///PATH or postgresql+psycopg://" in error
    assert "hunter22" not in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_serve_and_worker_refuse_a_database_url_that_does_not_parse(cli: Cli, command: str) -> None:
    url = "postgresql+psycopg://app:hunter22@127.0.0.1:notaport/fb"

    refused = cli(command, env={"FORCEBRIDGE_DATABASE_URL": url})

    assert refused.exit_code == 1
    assert "Error: FORCEBRIDGE_DATABASE_URL: " in refused.stderr
    assert "hunter22" not in refused.stdout + refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_database_file_restored_open_to_others_is_made_private_by_the_next_command(
    cli: Cli, cli_env: dict[str, str]
) -> None:
    """A backup restored with the umask's 0644 (and its write-ahead log, left by a process
    still holding it) holds contact books no other user may read; its folder is the owner's
    business."""
    database = Path(cli_env["FORCEBRIDGE_DATABASE_URL"].removeprefix("sqlite:///"))
    os.chmod(database.parent, 0o755)
    os.chmod(database, 0o644)
    holder = sqlite3.connect(database)
    try:
        holder.execute("PRAGMA journal_mode = WAL")
        holder.execute("CREATE TABLE kept_open (x)")
        holder.commit()
        companions = [database.with_name(database.name + end) for end in ("-wal", "-shm")]
        assert all(stat.S_IMODE(f.stat().st_mode) == 0o644 for f in companions)

        listed = cli("org", "list", "--json")

        modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in (database, *companions)}
    finally:
        holder.close()
    assert listed.exit_code == 0
    assert set(modes.values()) == {0o600}, modes
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o755


def test_a_signal_after_the_document_was_printed_prints_no_second_one() -> None:
    """SIGTERM while a command closes its database, after its result was printed: the exit
    status says it was stopped, and stdout still holds one document."""
    stopped_late = typer.Typer(cls=Commands)

    @stopped_late.command()
    def report(as_json: JsonFlag = False) -> None:
        emit({"status": "succeeded"}, as_json, lambda: None)
        raise Terminated(TERMINATED_STATUS)  # as `_stop` raises it on SIGTERM

    result = CliRunner().invoke(stopped_late, ["--json"])

    assert result.exit_code == TERMINATED_STATUS
    assert json.loads(result.stdout) == {"status": "succeeded"}


def test_a_data_folder_that_is_a_file_is_the_one_problem_named(cli: Cli) -> None:
    """The default database URL, made in that folder, follows from it: not a second problem."""
    refused = cli(
        "org", "list", "--json",
        env={"FORCEBRIDGE_DATA_DIR": __file__, "FORCEBRIDGE_DATABASE_URL": ""},
    )  # fmt: skip

    assert refused.exit_code == 1
    assert json.loads(refused.stdout) == {
        "error": f"FORCEBRIDGE_DATA_DIR: {__file__} is a file, not a folder (name a folder, or "
        "one to make)"
    }
