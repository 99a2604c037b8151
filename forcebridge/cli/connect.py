"""`forcebridge connect`: connect an org to Salesforce by one of three OAuth flows.

- `--web`: the admin logs in in a browser; the command prints the URL (and tries to open a
  browser), then waits for Salesforce's redirect on a localhost port.
- `--password-grant`: username and password (sandboxes, CI).
- `--jwt`: a certificate's private key registered with the connected app (server to server).

Secrets can come from the environment rather than the command line, where other users of the
machine could see them: `FORCEBRIDGE_CLIENT_SECRET`, `FORCEBRIDGE_SF_PASSWORD`.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.markup import escape
from sqlalchemy.orm import Session

from forcebridge.cli.callback_listener import DEFAULT_PORT, CallbackListener
from forcebridge.cli.connections import connection_document, show_connection
from forcebridge.cli.output import JsonFlag, asked_secret, database, emit, errors, fail
from forcebridge.jobs.schedules import after_connecting
from forcebridge.salesforce.endpoints import PRODUCTION_LOGIN, not_salesforce, salesforce_urls
from forcebridge.salesforce.errors import NotSalesforceUrl
from forcebridge.salesforce.oauth import UnusableKey, jwt_signing_key
from forcebridge.store.models import Connection
from forcebridge.store.names import check_name
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.types import utcnow
from forcebridge.sync.connections import connect_with_jwt, connect_with_password
from forcebridge.sync.web_connect import finish_web_connect, start_web_connect

DEFAULT_WAIT_SECONDS = 300

T = TypeVar("T")


def _file_option(help_text: str) -> Any:
    return typer.Option(
        exists=True, dir_okay=False, readable=True, resolve_path=True, help=help_text
    )


def command(
    org: Annotated[str, typer.Option(help="The org to connect.")],
    name: Annotated[
        str | None,
        typer.Option(help="The connection's name (default: the kind, e.g. production)."),
    ] = None,
    web: Annotated[bool, typer.Option("--web", help="Log in in a browser.")] = False,
    password_grant: Annotated[
        bool, typer.Option("--password-grant", help="Log in with a username and password.")
    ] = False,
    jwt: Annotated[bool, typer.Option("--jwt", help="Log in with the JWT bearer flow.")] = False,
    login_url: Annotated[
        str | None,
        typer.Option(
            help="https://login.salesforce.com (production; the --web default), "
            "https://test.salesforce.com (sandboxes), your My Domain, or a forcebridge sandbox."
        ),
    ] = None,
    client_id: Annotated[
        str | None,
        typer.Option(envvar="FORCEBRIDGE_CLIENT_ID", help="The connected app's consumer key."),
    ] = None,
    client_secret: Annotated[
        str | None,
        typer.Option(
            envvar="FORCEBRIDGE_CLIENT_SECRET", help="The connected app's consumer secret."
        ),
    ] = None,
    username: Annotated[str | None, typer.Option(help="The Salesforce user to log in as.")] = None,
    password: Annotated[
        str | None,
        typer.Option(
            envvar="FORCEBRIDGE_SF_PASSWORD",
            help="Their password (with the security token appended if the org asks for one);"
            " asked for when not given.",
        ),
    ] = None,
    key_file: Annotated[Path | None, _file_option("PEM private key for --jwt.")] = None,
    ca_file: Annotated[
        Path | None,
        _file_option("The CA that signed a forcebridge sandbox's certificate (its ca.pem)."),
    ] = None,
    callback_port: Annotated[
        int,
        typer.Option(help="Local port for the --web callback (0: any free port).", min=0),
    ] = DEFAULT_PORT,
    open_browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Try to open a browser for --web.")
    ] = True,
    wait: Annotated[
        float, typer.Option(help="Seconds to wait for the --web login.", min=1)
    ] = DEFAULT_WAIT_SECONDS,
    as_json: JsonFlag = False,
) -> None:
    """Connect an org to Salesforce (or log an existing connection in again)."""
    flows = [
        flag
        for flag, chosen in (("--web", web), ("--password-grant", password_grant), ("--jwt", jwt))
        if chosen
    ]
    if len(flows) != 1:
        raise typer.BadParameter("choose exactly one of --web, --password-grant, --jwt")
    with database() as session, _naming_the_ca_option(login_url, ca_file):
        if name is not None:  # `--name ""` (or spaces) is refused, not taken for the default
            check_name("connection", name)
        if web:
            connection = _web(
                session,
                org,
                name,
                login_url or PRODUCTION_LOGIN,
                _required(client_id, "--client-id"),
                client_secret,
                ca_file,
                callback_port,
                open_browser,
                wait,
            )
        elif password_grant:
            connection = connect_with_password(
                session,
                org,
                name,
                login_url=_required(login_url, "--login-url"),
                client_id=_required(client_id, "--client-id"),
                client_secret=_required(client_secret, "--client-secret"),
                username=_required(username, "--username"),
                password=password
                or asked_secret(
                    "Salesforce password", "give --password, or set FORCEBRIDGE_SF_PASSWORD"
                ),
                ca_file=ca_file,
            )
        else:
            connection = connect_with_jwt(
                session,
                org,
                name,
                login_url=_required(login_url, "--login-url"),
                client_id=_required(client_id, "--client-id"),
                username=_required(username, "--username"),
                private_key=_private_key(_required(key_file, "--key-file")),
                ca_file=ca_file,
            )
        after_connecting(session.connection(), [s.id for s in connection.services], utcnow())
        session.commit()
        document = connection_document(connection)
    emit(document, as_json, lambda: show_connection(document, "Connected"))


def _web(
    session: Session,
    org: str,
    name: str | None,
    login_url: str,
    client_id: str,
    client_secret: str | None,
    ca_file: Path | None,
    port: int,
    open_browser: bool,
    wait: float,
) -> Connection:
    get_org(session, org)  # refuse an unknown org before sending anyone to Salesforce
    session.close()  # hold no database transaction while the admin logs in
    with CallbackListener(port) as listener:
        pending = start_web_connect(
            org, name, login_url, listener.redirect_uri, client_id, client_secret, ca_file
        )
        errors.print("Log in to Salesforce and allow access at:")
        errors.print(escape(pending.authorize_url), soft_wrap=True, highlight=False)
        if open_browser:
            webbrowser.open(pending.authorize_url)
        errors.print(f"Waiting for the login (up to {wait:.0f} seconds)...")
        params = listener.wait(wait, pending.state)
    return finish_web_connect(session, pending, params)


@contextmanager
def _naming_the_ca_option(login_url: str | None, ca_file: Path | None) -> Iterator[None]:
    """A --login-url refused as no Salesforce URL, given without --ca-file, is refused naming
    the option that makes a forcebridge sandbox trusted, not "configured with its CA file"."""
    try:
        yield
    except NotSalesforceUrl as refused:
        if ca_file is not None or refused.url != login_url:
            raise
        fail(
            not_salesforce(
                refused.url,
                salesforce_urls(
                    "a forcebridge sandbox with --ca-file naming its CA (the ca.pem in the "
                    "sandbox's data folder)"
                ),
            )
        )


def _private_key(path: Path) -> str:
    """The --jwt key, refused before anything is sent to Salesforce when it cannot sign the
    login: a certificate or an EC key given by mistake would fail as an unreadable key."""
    try:
        return jwt_signing_key(path.read_bytes())
    except OSError as error:
        fail(f"cannot read the --key-file {path}: {error.strerror}")
    except UnusableKey as unusable:
        fail(
            f"--key-file {path} is not a PEM RSA private key ({unusable}): give the private key "
            "of the certificate uploaded to the connected app (PEM, -----BEGIN PRIVATE KEY----- "
            "or -----BEGIN RSA PRIVATE KEY-----)"
        )


def _required(value: T | None, flag: str) -> T:
    if value is None:
        raise typer.BadParameter(f"this login needs {flag}")
    return value
