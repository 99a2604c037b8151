"""`forcebridge sandbox serve|seed|token|revoke`: run, fill, log in to the Salesforce sandbox,
and revoke its users' access as Salesforce's Setup does.

Every option also reads `FORCEBRIDGE_SANDBOX_<NAME>` from the environment; `--help` shows the
variable and the default of each.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from forcebridge.cli.output import JsonFlag, errors, fail, terminated_as_interrupted
from forcebridge.private_files import make_private_folders
from forcebridge.sandbox import config as defaults
from forcebridge.sandbox.auth import AUTH_DB_FILE, AuthStore, Grant
from forcebridge.sandbox.config import SandboxConfig, SandboxConfigError, url_host
from forcebridge.sandbox.oauth import DEFAULT_SCOPE
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.schema import SchemaError
from forcebridge.sandbox.seed import seed as seed_org
from forcebridge.sandbox.server import SandboxServer, SandboxStartError, serve
from forcebridge.sandbox.storage import DB_FILE
from forcebridge.sandbox.tls import server_certificate_files
from forcebridge.settings import log_level_setting
from forcebridge.wording import plural

app = typer.Typer(help="Run and fill the Salesforce-compatible sandbox.", no_args_is_help=True)
console = Console()
ENV = "FORCEBRIDGE_SANDBOX_"


def _option(name: str, help_text: str, **checks: Any) -> Any:
    """An option that can also come from `FORCEBRIDGE_SANDBOX_<NAME>`."""
    return typer.Option(
        f"--{name}",
        envvar=ENV + name.upper().replace("-", "_"),
        show_envvar=True,
        show_default=True,
        help=help_text,
        **checks,
    )


Host = Annotated[str, _option("host", "Address to listen on.")]
Port = Annotated[int, _option("port", "Port to listen on (0 picks a free one).")]
DataDir = Annotated[
    Path, _option("data", "Folder for the org's data, certificates and credentials.")
]
ClientId = Annotated[str, _option("client-id", "OAuth client id (consumer key).")]
ClientSecret = Annotated[str, _option("client-secret", "OAuth client secret.")]
Username = Annotated[str, _option("username", "The admin user's login.")]
Password = Annotated[str, _option("password", "The admin user's password.")]
SchemaDir = Annotated[
    Path | None,
    _option(
        "schema",
        "Folder of describe-shaped JSON: extra objects and fields.",
        exists=True,
        file_okay=False,
    ),
]
ApiLimit = Annotated[int, _option("api-limit", "Daily API request allowance.")]
SessionLifetime = Annotated[
    float, _option("session-lifetime", "Seconds an idle session lives (2 hours on Salesforce).")
]
FailRate = Annotated[
    float, _option("fail-rate", "Fraction of API calls answered 503 SERVER_UNAVAILABLE.")
]
LockRate = Annotated[
    float, _option("lock-rate", "Fraction of record writes failing UNABLE_TO_LOCK_ROW.")
]
LatencyMs = Annotated[int, _option("latency-ms", "Milliseconds added to every API call.")]
ApiDisabled = Annotated[
    bool, _option("api-disabled", "Answer every API call 403 API_DISABLED_FOR_ORG.")
]


def python_snippet(server: SandboxServer) -> str:
    """Ready-to-paste simple-salesforce code that logs in to this sandbox."""
    config = server.config
    return f'''import requests
from simple_salesforce import Salesforce

session = requests.Session()
session.verify = "{server.ca_file.resolve()}"
session.trust_env = False  # or REQUESTS_CA_BUNDLE would override verify
token = session.post("{server.base_url}/services/oauth2/token", data={{
    "grant_type": "password",
    "client_id": "{config.client_id}",
    "client_secret": "{config.client_secret}",
    "username": "{config.username}",
    "password": "{config.password}",
}}).json()
sf = Salesforce(instance_url=token["instance_url"],
                session_id=token["access_token"], session=session)
print(sf.query("SELECT Id, Name FROM Contact LIMIT 5"))'''


SERVING_FILE = "serving.json"
"""Where a serving sandbox writes its address, for `sandbox token` on the same data folder."""
LOCK_FILE = "serving.lock"
"""Held (`flock`) by the sandbox serving the folder."""


def _banner(server: SandboxServer) -> None:
    (server.config.data_dir / SERVING_FILE).write_text(
        json.dumps({"base_url": server.base_url, "client_id": server.config.client_id}) + "\n"
    )
    config = server.config
    table = Table.grid(padding=(0, 2))
    rows = [
        ("URL", server.base_url),
        ("CA file", str(server.ca_file.resolve())),
        ("Client id", config.client_id),
        ("Client secret", config.client_secret),
        ("Username", config.username),
        ("Password", config.password),
        ("JWT key", str(server.jwt_key_file.resolve())),
        ("API allowance", f"{config.api_limit:,} calls a day"),
    ]
    faults = [
        f"{name} {value}"
        for name, value in (
            ("fail-rate", config.fail_rate),
            ("lock-rate", config.lock_rate),
            ("latency-ms", config.latency_ms),
        )
        if value
    ]
    if config.api_disabled:
        faults.append("API disabled")
    if faults:
        rows.append(("Faults", ", ".join(faults)))
    for label, value in rows:
        table.add_row(f"[bold]{label}[/bold]", value)
    console.print(Panel(table, title="forcebridge sandbox", expand=False))
    console.print("simple-salesforce:")
    console.print(Syntax(python_snippet(server), "python"), soft_wrap=True)
    console.print(
        f"jsforce (version '62.0'; access token from `forcebridge sandbox token --data"
        f" {config.data_dir}`): NODE_EXTRA_CA_CERTS={server.ca_file.resolve()} node app.mjs",
        soft_wrap=True,
    )
    console.print("Press Ctrl-C to stop.")


@app.command("serve")
def serve_command(
    host: Host = defaults.DEFAULT_HOST,
    port: Port = defaults.DEFAULT_PORT,
    data: DataDir = defaults.DEFAULT_DATA_DIR,
    client_id: ClientId = defaults.DEFAULT_CLIENT_ID,
    client_secret: ClientSecret = defaults.DEFAULT_CLIENT_SECRET,
    username: Username = defaults.DEFAULT_USERNAME,
    password: Password = defaults.DEFAULT_PASSWORD,
    schema: SchemaDir = None,
    api_limit: ApiLimit = defaults.DEFAULT_API_LIMIT,
    session_lifetime: SessionLifetime = defaults.DEFAULT_SESSION_LIFETIME,
    fail_rate: FailRate = 0.0,
    lock_rate: LockRate = 0.0,
    latency_ms: LatencyMs = 0,
    api_disabled: ApiDisabled = False,
) -> None:
    """Serve the sandbox over HTTPS until Ctrl-C."""
    # Its own settings are its flags, but a FORCEBRIDGE_LOG_LEVEL every other command refuses is
    # refused here too (not run at INFO as if unset); one it reads sets what it logs.
    level = log_level_setting() or "INFO"
    try:
        config = SandboxConfig(
            data_dir=data,
            host=host,
            port=port,
            client_id=client_id,
            client_secret=client_secret,
            username=username,
            password=password,
            schema_dir=schema,
            api_limit=api_limit,
            session_lifetime=session_lifetime,
            fail_rate=fail_rate,
            lock_rate=lock_rate,
            latency_ms=latency_ms,
            api_disabled=api_disabled,
        )
    except SandboxConfigError as error:
        errors.print(f"[red]Cannot start the sandbox:[/red] {error}")
        raise typer.Exit(2) from error
    logging.basicConfig(
        level=level,
        format="%(message)s",
        # stdout holds the banner; the handler's level holds back uvicorn's own INFO lines too
        handlers=[RichHandler(level=level, console=errors, show_path=False)],
    )
    try:
        with _serving_alone(config.data_dir), terminated_as_interrupted(stops_cleanly=True):
            serve(config, on_ready=_banner)
    except (SandboxStartError, SchemaError) as error:
        errors.print(f"[red]Cannot start the sandbox:[/red] {error}")
        raise typer.Exit(1) from error


@contextmanager
def _serving_alone(data: Path) -> Iterator[None]:
    """Hold the data folder for this sandbox while it serves: a second one on the same files
    would share its org and rewrite `SERVING_FILE` under it. The file goes when it stops, so
    `sandbox token` never points at a sandbox that is gone."""
    make_private_folders(data)
    with (data / LOCK_FILE).open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SandboxStartError(
                f"another sandbox already serves {data} ({_instance_url(data, None, None)}): "
                "stop it, or give this one another --data"
            ) from None
        try:
            yield
        finally:
            (data / SERVING_FILE).unlink(missing_ok=True)


@app.command("seed")
def seed_command(
    data: DataDir = defaults.DEFAULT_DATA_DIR,
    schema: SchemaDir = None,
    contacts: Annotated[int, typer.Option(min=0, help="Contacts to add.")] = 1000,
    leads: Annotated[int, typer.Option(min=0, help="Leads to add.")] = 500,
    accounts: Annotated[int, typer.Option(min=0, help="Accounts to add.")] = 200,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed adds the same records.")
    ] = 1,
    as_json: JsonFlag = False,
) -> None:
    """Add realistic, messy records (shared companies, look-alike people, gaps) to the org."""
    try:
        org = Org(data, schema)
    except (SchemaError, OSError) as error:
        fail(f"cannot open the sandbox in {data}: {error}")
    try:
        with console.status(
            f"Seeding {contacts:,} contacts, {leads:,} leads, {accounts:,} accounts"
        ):
            report = seed_org(org, contacts=contacts, leads=leads, accounts=accounts, seed=seed)
    finally:
        org.close()
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(report)))
        return
    total = report.accounts + report.contacts + report.leads
    table = Table(title=f"Seeded {data}", show_header=False)
    table.add_row("Accounts", f"{report.accounts:,}")
    table.add_row("Contacts", f"{report.contacts:,}")
    table.add_row("Leads", f"{report.leads:,} ({report.converted_leads:,} converted)")
    table.add_row(
        "Time", f"{report.seconds:.1f} s ({total / max(report.seconds, 1e-9):,.0f} records/s)"
    )
    console.print(table)


@app.command("token")
def token_command(
    data: DataDir = defaults.DEFAULT_DATA_DIR,
    host: Annotated[
        str | None, _option("host", "The sandbox's address (default: where it serves).")
    ] = None,
    port: Annotated[
        int | None, _option("port", "The sandbox's port (default: where it serves).")
    ] = None,
    client_id: ClientId = defaults.DEFAULT_CLIENT_ID,
    as_json: JsonFlag = False,
) -> None:
    """Print a fresh access token for the admin user (for curl, jsforce, scripts); with --json,
    also its instance_url and ca_file."""
    _sandbox_in(data)
    serving = _serving(data)
    if serving is not None and serving.get("client_id", client_id) != client_id:
        fail(
            f"the sandbox serving {data} knows no client {client_id!r}: give its --client-id "
            "(the one its banner shows), as Salesforce refuses a token for an unknown client"
        )
    with _credentials(data) as (org, store):
        token = store.open_session(Grant(org.admin_user_id, client_id, DEFAULT_SCOPE))
    if as_json:
        instance = _instance_url(data, host, port)
        ca_file = str(server_certificate_files(data).ca_file.resolve())
        payload = {"access_token": token, "instance_url": instance, "ca_file": ca_file}
        typer.echo(json.dumps(payload))
    else:
        typer.echo(token)


@app.command("revoke")
def revoke_command(
    data: DataDir = defaults.DEFAULT_DATA_DIR,
    username: Annotated[
        str | None,
        typer.Option(help="The user whose access ends (default: every user of the org)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Revoke the connected app's access, as Salesforce's Setup > Connected Apps OAuth Usage >
    Revoke does: every refresh token (the next refresh fails invalid_grant) and API session."""
    _sandbox_in(data)
    with _credentials(data) as (_, store):
        user_id = None if username is None else store.user_id(username)
        if username is not None and user_id is None:
            fail(f"the sandbox in {data} has no user {username!r}: give a username it logs in")
        revoked = store.revoke_access(user_id)
    if as_json:
        typer.echo(json.dumps({"username": username, **dataclasses.asdict(revoked)}))
        return
    whose = username or "every user"
    console.print(
        f"Revoked the access of {escape(whose)} in {escape(str(data))}: "
        f"{plural(revoked.refresh_tokens, 'refresh token')} and "
        f"{plural(revoked.sessions, 'session')} ended. The next refresh fails invalid_grant, "
        "as Salesforce answers it after a Revoke.",
        soft_wrap=True,
    )


def _sandbox_in(data: Path) -> None:
    """Refuse a folder that holds no sandbox, before anything is made in it."""
    if not (data / DB_FILE).exists():
        fail(f"No sandbox in {data}: give the --data folder of a sandbox that was served or seeded")


@contextmanager
def _credentials(data: Path) -> Iterator[tuple[Org, AuthStore]]:
    """The org in `data` and its credential tables, shared with the sandbox serving it (if
    one does: each write is a transaction of its own)."""
    org = Org(data)
    store = AuthStore(
        data / AUTH_DB_FILE,
        org_id=org.org_id,
        session_lifetime=defaults.DEFAULT_SESSION_LIFETIME,
    )
    try:
        yield org, store
    finally:
        store.close()
        org.close()


def _instance_url(data: Path, host: str | None, port: int | None) -> str:
    """The sandbox's URL: as given, else where it serves from `data`, else the default."""
    serving = _serving(data)
    if host is None and port is None and serving is not None:
        return str(serving["base_url"])
    return f"https://{url_host(host or defaults.DEFAULT_HOST)}:{port or defaults.DEFAULT_PORT}"


def _serving(data: Path) -> dict[str, Any] | None:
    """What the sandbox serving `data` wrote of itself (`SERVING_FILE`), if one serves it."""
    serving = data / SERVING_FILE
    return dict(json.loads(serving.read_text())) if serving.exists() else None
