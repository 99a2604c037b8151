from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import create_engine, text

from forcebridge.sandbox.server import SandboxServer
from tests.cli.conftest import Cli, document, password_grant_args
from tests.oauth_browser import allow_access, callback_params

CONNECTION_KEYS = {
    "org",
    "name",
    "kind",
    "auth_method",
    "login_url",
    "instance_url",
    "username",
    "salesforce_org_id",
    "salesforce_user_id",
    "user_time_zone",
    "status",
    "problem",
    "reason",
    "status_since",
    "api_usage",
}


def stored_text(database_url: str) -> str:
    """Every value of the connections table, as the database holds it."""
    engine = create_engine(database_url)
    with engine.connect() as raw:
        rows = raw.execute(text("SELECT * FROM connections")).all()
    engine.dispose()
    return " ".join(str(value) for row in rows for value in row)


def test_the_password_grant_connects_and_shows_no_secret(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    cli("org", "create", "acme")

    result = cli(*password_grant_args(sandbox), "--json")

    connected = document(result)
    assert set(connected) == CONNECTION_KEYS
    assert (connected["name"], connected["kind"], connected["auth_method"]) == (
        "forcebridge-sandbox",
        "forcebridge-sandbox",
        "password",
    )
    assert (connected["status"], connected["problem"]) == ("Connected", None)
    assert connected["user_time_zone"] == "UTC"  # the sandbox user's zone
    stored = stored_text(cli_env["FORCEBRIDGE_DATABASE_URL"])
    for secret in (sandbox.config.password, sandbox.config.client_secret):
        assert secret not in result.stdout + result.stderr
        assert secret not in stored


@pytest.mark.parametrize(("level", "logged"), [(None, False), ("info", True)])
def test_a_command_logs_warnings_only_unless_told_a_level(
    cli: Cli, sandbox: SandboxServer, level: str | None, logged: bool
) -> None:
    """A command's report is its result: its routine INFO lines ("obtained a session for user
    ...") are noise on stderr, unless FORCEBRIDGE_LOG_LEVEL asks for them."""
    cli("org", "create", "acme")
    env = {"FORCEBRIDGE_LOG_LEVEL": level} if level else {}

    connected = cli(*password_grant_args(sandbox), env=env)

    assert connected.exit_code == 0
    assert ("INFO forcebridge.salesforce.oauth: obtained a session" in connected.stderr) is logged


def test_secrets_can_come_from_the_environment(cli: Cli, sandbox: SandboxServer) -> None:
    cli("org", "create", "acme")
    args = password_grant_args(sandbox)
    for flag in ("--client-secret", "--password"):
        del args[args.index(flag) : args.index(flag) + 2]

    result = cli(
        *args,
        "--json",
        env={
            "FORCEBRIDGE_CLIENT_SECRET": sandbox.config.client_secret,
            "FORCEBRIDGE_SF_PASSWORD": sandbox.config.password,
        },
    )

    assert document(result)["status"] == "Connected"


def test_a_wrong_password_is_a_clear_error_and_stores_nothing(
    cli: Cli, sandbox: SandboxServer
) -> None:
    cli("org", "create", "acme")
    args = password_grant_args(sandbox)
    args[args.index("--password") + 1] = "wrong-password"

    result = cli(*args, "--json")

    assert result.exit_code == 1
    for said in (result.stderr, json.loads(result.stdout)["error"]):
        assert "Salesforce refused the login (authentication failure)" in said
    assert "wrong-password" not in result.stdout + result.stderr
    assert document(cli("connections", "list", "--json")) == {"connections": []}


@pytest.mark.parametrize("name", ["", "   "])
def test_a_blank_name_is_refused_not_taken_for_the_default(
    cli: Cli, sandbox: SandboxServer, name: str
) -> None:
    """Read as none given, it logged in the default connection (forcebridge-sandbox, or
    production, whose login it would replace) without a word."""
    cli("org", "create", "acme")

    result = cli(*password_grant_args(sandbox), "--name", name, "--json")

    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": f"connection name {name!r} must have 1 to 64 characters"
    }
    assert document(cli("connections", "list", "--json")) == {"connections": []}


def test_the_jwt_flow_connects(cli: Cli, sandbox: SandboxServer) -> None:
    cli("org", "create", "acme")

    result = cli(
        "connect",
        "--org",
        "acme",
        "--name",
        "server",
        "--jwt",
        "--login-url",
        sandbox.base_url,
        "--client-id",
        sandbox.config.client_id,
        "--username",
        sandbox.config.username,
        "--key-file",
        str(sandbox.jwt_key_file),
        "--ca-file",
        str(sandbox.ca_file),
    )

    assert result.exit_code == 0, result.stderr
    assert "Connected acme/server" in result.stdout
    assert "BEGIN" not in result.stdout + result.stderr


def test_a_flow_must_be_chosen_and_given_what_it_needs(cli: Cli) -> None:
    none = cli("connect", "--org", "acme")
    two = cli("connect", "--org", "acme", "--web", "--jwt")
    lacking = cli("connect", "--org", "acme", "--jwt", "--login-url", "https://x.my.salesforce.com")

    assert none.exit_code == two.exit_code == lacking.exit_code == 2
    assert "choose exactly one of --web, --password-grant, --jwt" in none.stderr
    assert "needs --client-id" in lacking.stderr


@pytest.mark.parametrize("flow", ["--password-grant", "--jwt", "--web"])
def test_a_sandbox_given_without_its_ca_file_is_refused_naming_the_option(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path, flow: str
) -> None:
    cli("org", "create", "acme")
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(pem_of(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    args = password_grant_args(sandbox)
    without_ca = [*args[: args.index("--ca-file")], "--key-file", str(key_file)]
    without_ca[without_ca.index("--password-grant")] = flow

    refused = cli(*without_ca, "--no-browser" if flow == "--web" else "--json")

    assert refused.exit_code == 1
    said = " ".join(refused.stderr.split())
    assert said.startswith(f"Error: {sandbox.base_url} is not a Salesforce URL: use ")
    assert said.endswith(
        "or a forcebridge sandbox with --ca-file naming its CA (the ca.pem in the sandbox's data "
        "folder)"
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://" + "u" * 4_992 + ".example.com", "is not a Salesforce URL: use "),
        ("https://acme.my.salesforce.com/" + "p" * 4_970, "must be just the site"),
        ("http://" + "h" * 4_993, "must use https"),
    ],
)
def test_a_long_login_url_is_refused_quoting_its_start_and_length(
    cli: Cli, url: str, reason: str
) -> None:
    """A 5,000-character --login-url is named as the pages name it, not printed whole."""
    cli("org", "create", "acme")

    refused = cli("connect", "--org", "acme", "--password-grant", "--login-url", url,
                  "--client-id", "id", "--client-secret", "s", "--username", "u",
                  "--password", "p")  # fmt: skip

    assert refused.exit_code == 1
    said = " ".join(refused.stderr.split())
    assert said.startswith(f"Error: {url[:40]!r}... ({len(url):,} characters) {reason}")
    assert len(refused.stderr) < 500


# --- the web flow, with the command running as it would in a terminal ---------------------


@contextmanager
def web_connect(cli_env: dict[str, str], server: SandboxServer) -> Iterator[subprocess.Popen[str]]:
    """`forcebridge connect --web` in a subprocess, listening on a free port."""
    command = [
        sys.executable,
        "-m",
        "forcebridge.cli.main",
        "connect",
        "--org",
        "acme",
        "--web",
        "--login-url",
        server.base_url,
        "--client-id",
        server.config.client_id,
        "--client-secret",
        server.config.client_secret,
        "--ca-file",
        str(server.ca_file),
        "--callback-port",
        "0",
        "--no-browser",
        "--wait",
        "30",
        "--json",
    ]
    process = subprocess.Popen(
        command,
        env=os.environ | cli_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        process.kill()
        process.wait()


def printed_url(process: subprocess.Popen[str]) -> str:
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("https://"):
            return line.strip()
    raise AssertionError("the command printed no login URL")


def local_get(url: str) -> requests.Response:
    browser = requests.Session()
    browser.trust_env = False
    return browser.get(url, timeout=10)


def test_the_web_flow_prints_the_url_and_takes_the_callback_on_localhost(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    cli("org", "create", "acme")
    with web_connect(cli_env, sandbox) as process:
        callback = allow_access(sandbox, printed_url(process))
        assert urlsplit(callback).netloc.startswith("localhost:")

        page = local_get(callback)
        stdout, stderr = process.communicate(timeout=30)

    assert page.status_code == 200
    assert "close this window" in page.text
    assert process.returncode == 0, stderr
    connected = json.loads(stdout)
    assert (connected["auth_method"], connected["status"]) == ("web", "Connected")
    assert callback_params(callback)["code"] not in stdout + stderr


def test_a_callback_with_a_forged_state_is_ignored_and_the_real_one_still_connects(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    cli("org", "create", "acme")
    with web_connect(cli_env, sandbox) as process:
        callback = urlsplit(allow_access(sandbox, printed_url(process)))
        params = callback_params(callback.geturl()) | {"state": "forged-by-someone-else"}

        forged = local_get(urlunsplit(callback._replace(query=urlencode(params))))
        real = local_get(callback.geturl())
        _, stderr = process.communicate(timeout=30)

    assert (forged.status_code, real.status_code) == (400, 200)
    assert "ignored" in forged.text and "received" not in forged.text
    assert process.returncode == 0, stderr
    [connection] = document(cli("connections", "list", "--json"))["connections"]
    assert connection["status"] == "Connected"


def test_a_script_that_gives_no_salesforce_password_is_told_how_to_in_one_json_document(
    cli: Cli, cli_env: dict[str, str], sandbox: SandboxServer
) -> None:
    cli("org", "create", "acme")
    args = password_grant_args(sandbox)
    at = args.index("--password")
    without = [*args[:at], *args[at + 2 :]]

    refused = cli(*without, "--json", input="")
    without_a_terminal = subprocess.run(
        [sys.executable, "-m", "forcebridge.cli.main", *without, "--json"],
        env=cli_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )

    told = {
        "error": "Salesforce password not given: give --password, or set FORCEBRIDGE_SF_PASSWORD"
    }
    assert refused.exit_code == without_a_terminal.returncode == 1
    assert json.loads(refused.stdout) == json.loads(without_a_terminal.stdout) == told
    assert "GetPassWarning" not in without_a_terminal.stderr  # Python's, with its file and line


# --- the JWT flow's key file, checked before anything is sent --------------------------------


def pem_of(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def jwt_args(sandbox: SandboxServer, key_file: Path) -> list[str]:
    """`connect --jwt` to a login URL nothing listens on: a key sent there would fail as a
    connection refused, not as the key's refusal."""
    return [
        "connect",
        "--org",
        "acme",
        "--name",
        "j2",
        "--jwt",
        "--login-url",
        "https://127.0.0.1:9",
        "--ca-file",
        str(sandbox.ca_file),
        "--client-id",
        sandbox.config.client_id,
        "--username",
        sandbox.config.username,
        "--key-file",
        str(key_file),
        "--json",
    ]


@pytest.mark.parametrize(
    ("written", "why"),
    [
        (lambda _: pem_of(ec.generate_private_key(ec.SECP256R1())), "its key is EC, not RSA"),
        (lambda sandbox: sandbox.ca_file.read_bytes(), "it holds a certificate"),
        (lambda _: b"hello\n", "it holds no PEM block"),
        (
            lambda _: (
                rsa.generate_private_key(public_exponent=65537, key_size=2048)
                .public_key()
                .public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            ),
            "it holds a public key",
        ),
        (
            lambda _: rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"passphrase"),
            ),
            "it is encrypted",
        ),
        (lambda _: b"\x30\x82\x04\xa4\x02\x01\x00\xff", "it is not text"),
    ],
    ids=["ec-key", "certificate", "text", "public-key", "encrypted", "der"],
)
def test_a_key_file_that_cannot_sign_the_login_is_refused_before_anything_is_sent(
    cli: Cli,
    sandbox: SandboxServer,
    tmp_path: Path,
    written: Callable[[SandboxServer], bytes],
    why: str,
) -> None:
    cli("org", "create", "acme")
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(written(sandbox))

    result = cli(*jwt_args(sandbox, key_file))

    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error.startswith(f"--key-file {key_file} is not a PEM RSA private key ({why}")
    assert error.endswith(
        "give the private key of the certificate uploaded to the connected app (PEM, "
        "-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)"
    )
    assert error in result.stderr.replace("\n", "")
    assert "Traceback" not in result.stdout + result.stderr
    assert document(cli("connections", "list", "--json")) == {"connections": []}


def test_a_key_file_that_is_not_there_is_refused_as_a_command_line_that_does_not_parse(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    cli("org", "create", "acme")

    result = cli(*jwt_args(sandbox, tmp_path / "missing.pem"))

    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert "--key-file" in error and "missing.pem" in error and "does not exist" in error


def test_the_jwt_flow_connects_with_a_traditional_rsa_key(
    cli: Cli, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """`-----BEGIN RSA PRIVATE KEY-----`, as `openssl genrsa` of OpenSSL 1 writes it, is read as
    well as the PKCS #8 key `openssl genpkey` writes."""
    cli("org", "create", "acme")
    key = serialization.load_pem_private_key(sandbox.jwt_key_file.read_bytes(), password=None)
    traditional = tmp_path / "traditional.pem"
    traditional.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    args = jwt_args(sandbox, traditional)
    args[args.index("--login-url") + 1] = sandbox.base_url

    assert document(cli(*args))["auth_method"] == "jwt"
