"""`forcebridge sandbox serve|token|revoke`: flags, environment, the printed credentials and
snippet, and revoking access."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import requests
from typer.testing import CliRunner

from forcebridge.cli.main import app
from forcebridge.cli.sandbox import python_snippet
from forcebridge.sandbox.clients import trusting_session
from forcebridge.sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from forcebridge.sandbox.server import SandboxServer
from tests.conftest import SandboxFactory
from tests.sandbox.oauth_calls import api_status, assert_oauth_error, password_form, token_call
from tests.sandbox.test_authorize import web_server_login

Session = Callable[[SandboxServer], requests.Session]
runner = CliRunner()


def test_every_serve_option_shows_its_environment_variable() -> None:
    result = runner.invoke(app, ["sandbox", "serve", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for name in (
        "HOST",
        "PORT",
        "DATA",
        "CLIENT_ID",
        "CLIENT_SECRET",
        "USERNAME",
        "PASSWORD",
        "SCHEMA",
        "API_LIMIT",
        "SESSION_LIFETIME",
        "FAIL_RATE",
        "LOCK_RATE",
        "LATENCY_MS",
        "API_DISABLED",
    ):
        assert f"FORCEBRIDGE_SANDBOX_{name}" in result.output
    assert "8443" in result.output


def test_a_setting_out_of_range_is_refused_by_name(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sandbox", "serve", "--data", str(tmp_path), "--fail-rate", "1.5"])
    assert result.exit_code == 2
    assert "fail_rate 1.5 is not a fraction between 0 and 1" in result.stderr
    assert result.stdout == ""  # stdout is for the banner a script reads the credentials from


def test_a_log_level_every_other_command_refuses_is_refused_before_anything_is_made(
    tmp_path: Path,
) -> None:
    data = tmp_path / "sandbox"

    result = runner.invoke(
        app, ["sandbox", "serve", "--data", str(data)], env={"FORCEBRIDGE_LOG_LEVEL": "verbose"}
    )

    assert result.exit_code == 1
    assert " ".join(result.stderr.split()) == (
        "Error: FORCEBRIDGE_LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, in "
        "any case (not 'verbose')"
    )
    assert result.stdout == ""
    assert not data.exists()


def test_a_data_folder_that_is_a_file_is_refused_by_name() -> None:
    result = runner.invoke(app, ["sandbox", "serve", "--data", __file__])

    assert result.exit_code == 2
    assert f"data folder {__file__} is a file, not a folder" in " ".join(result.stderr.split())


def test_serve_prints_credentials_from_the_environment_and_serves_them(
    tmp_path: Path, sandbox_keys: Path
) -> None:
    for pem in sandbox_keys.glob("*.pem"):
        shutil.copy2(pem, tmp_path / pem.name)
    env = os.environ | {
        "FORCEBRIDGE_SANDBOX_PORT": "0",
        "FORCEBRIDGE_SANDBOX_DATA": str(tmp_path),
        "FORCEBRIDGE_SANDBOX_USERNAME": "ops@example.com",
        "FORCEBRIDGE_SANDBOX_PASSWORD": "from-the-env",
        "COLUMNS": "200",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "forcebridge.cli.main", "sandbox", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        printed = ""
        while "Ctrl-C" not in printed:
            line = server.stdout.readline()
            assert line, f"serve exited early:\n{printed}"
            printed += line
        url = re.search(r"https://127\.0\.0\.1:\d+", printed)
        assert url is not None
        assert "ops@example.com" in printed and "from-the-env" in printed
        assert str((tmp_path / "ca.pem").resolve()) in printed
        with trusting_session(tmp_path / "ca.pem") as session:
            answer = session.post(
                url.group() + "/services/oauth2/token",
                data={
                    "grant_type": "password",
                    "client_id": DEFAULT_CLIENT_ID,
                    "client_secret": DEFAULT_CLIENT_SECRET,
                    "username": "ops@example.com",
                    "password": "from-the-env",
                },
                headers={"Connection": "close"},  # so the server need not wait for it to stop
            )
        assert answer.status_code == 200
        # `sandbox token` on the same folder names where it serves, not the default port.
        token = runner.invoke(
            app,
            ["sandbox", "token", "--data", str(tmp_path), "--json"],
            env={"FORCEBRIDGE_SANDBOX_PORT": None},
        )
        assert json.loads(token.output)["instance_url"] == url.group()
        stranger = runner.invoke(
            app,
            ["sandbox", "token", "--data", str(tmp_path), "--client-id", "nobody", "--json"],
        )
        assert stranger.exit_code == 1
        assert "knows no client 'nobody'" in json.loads(stranger.stdout)["error"]
        # A second sandbox on the same folder is refused, naming the one that serves it.
        second = subprocess.run(
            [sys.executable, "-m", "forcebridge.cli.main", "sandbox", "serve"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 1 and url.group() in second.stderr
    finally:
        server.send_signal(signal.SIGTERM)  # as a service manager stops it
        rest, logged = server.communicate(timeout=10)
    assert not (tmp_path / "serving.json").exists()  # gone with the sandbox it named
    # The request log goes to stderr: stdout is the banner a script reads the credentials from.
    assert "Started server process" in logged and "Started server process" not in printed + rest


def test_token_prints_a_session_for_the_admin(sandbox: SandboxServer, https_for: Session) -> None:
    data = str(sandbox.config.data_dir)
    result = runner.invoke(app, ["sandbox", "token", "--data", data, "--json"])
    assert result.exit_code == 0
    printed = json.loads(result.output)
    answer = https_for(sandbox).get(
        sandbox.base_url + "/services/data/v62.0/limits",
        headers={"Authorization": f"Bearer {printed['access_token']}"},
    )
    assert answer.status_code == 200
    assert printed["ca_file"] == str(sandbox.ca_file.resolve())


def test_token_refuses_a_folder_that_holds_no_sandbox(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sandbox", "token", "--data", str(tmp_path / "typo"), "--json"])

    assert result.exit_code == 1
    assert json.loads(result.stdout)["error"].startswith("No sandbox in")
    assert "No sandbox in" in result.stderr  # never in a token a script captures from stdout
    assert not (tmp_path / "typo").exists()


def test_revoke_ends_the_users_tokens_as_salesforce_revoke_does(
    make_sandbox: SandboxFactory, https_for: Session
) -> None:
    """What Setup > Connected Apps OAuth Usage > Revoke does to a connection: its next refresh
    fails invalid_grant, and its sessions end."""
    sandbox = make_sandbox()
    tokens = web_server_login(sandbox, https_for)
    other = sandbox.access_token()
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": sandbox.config.client_id,
    }
    data, user = str(sandbox.config.data_dir), sandbox.config.username

    result = runner.invoke(app, ["sandbox", "revoke", "--data", data, "--username", user, "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"username": user, "refresh_tokens": 1, "sessions": 2}
    assert_oauth_error(
        token_call(sandbox, https_for, **refresh), "invalid_grant", "expired access/refresh token"
    )
    for token in (tokens["access_token"], other):
        gone = api_status(sandbox, https_for, token)
        assert (gone.status_code, gone.json()[0]["errorCode"]) == (401, "INVALID_SESSION_ID")
    # Revoking ends what was granted, not the user's logins (as on Salesforce).
    assert token_call(sandbox, https_for, **password_form(sandbox)).status_code == 200
    again = runner.invoke(app, ["sandbox", "revoke", "--data", data])
    assert again.exit_code == 0
    assert "Revoked the access of every user" in again.stdout
    assert "0 refresh tokens and 1 session ended" in again.stdout


def test_revoke_refuses_an_unknown_user_or_a_folder_that_holds_no_sandbox(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    data = str(sandbox.config.data_dir)
    unknown = runner.invoke(
        app, ["sandbox", "revoke", "--data", data, "--username", "nobody@x.example", "--json"]
    )
    missing = runner.invoke(app, ["sandbox", "revoke", "--data", str(tmp_path / "typo")])

    assert unknown.exit_code == 1
    assert json.loads(unknown.stdout)["error"].startswith(
        f"the sandbox in {data} has no user 'nobody@x.example'"
    )
    assert missing.exit_code == 1
    assert "No sandbox in" in missing.stderr
    assert not (tmp_path / "typo").exists()


def test_seed_refuses_a_missing_schema_or_an_unusable_folder_in_one_json_document(
    tmp_path: Path,
) -> None:
    seed = ["sandbox", "seed", "--contacts", "1", "--leads", "0", "--accounts", "0", "--json"]
    (tmp_path / "file").write_text("")

    missing = runner.invoke(app, [*seed, "--data", str(tmp_path), "--schema", str(tmp_path / "x")])
    unusable = runner.invoke(app, [*seed, "--data", str(tmp_path / "file" / "sandbox")])

    assert missing.exit_code == 2  # a command line that names a missing folder
    assert "does not exist" in json.loads(missing.stdout)["error"]
    assert unusable.exit_code == 1
    assert "cannot open the sandbox in" in json.loads(unusable.stdout)["error"]


def test_the_printed_simple_salesforce_snippet_runs(sandbox: SandboxServer) -> None:
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(python_snippet(sandbox), {})
    assert "('totalSize', 0), ('done', True), ('records', [])" in output.getvalue()
