"""The connection service against a real sandbox over HTTPS and a temporary database."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from forcebridge.salesforce.endpoints import trusted_sandbox
from forcebridge.salesforce.errors import LoginFailed, UntrustedUrl
from forcebridge.salesforce.oauth import ConnectedApp, OAuthClient, OtherOrgSession
from forcebridge.salesforce.status import ConnectionStatus as SalesforceStatus
from forcebridge.salesforce.status import Problem, State
from forcebridge.sandbox.clients import trusting_session
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import AuthMethod, Connection, ConnectionKind, ConnectionStatus
from forcebridge.store.repositories.connections import create_connection
from forcebridge.store.repositories.orgs import create_org, get_org
from forcebridge.store.repositories.services import create_service
from forcebridge.sync.connection_errors import (
    ConnectError,
    NotConnected,
    OtherSalesforceOrg,
    UnreadablePendingConnect,
    WebConnectExpired,
)
from forcebridge.sync.connections import (
    connect_with_jwt,
    connect_with_password,
    connection_for_new_service,
    disconnect,
    open_client,
    refresh_status,
)
from forcebridge.sync.store_ports import record_status
from forcebridge.sync.web_connect import PendingWebConnect, finish_web_connect, start_web_connect
from tests.conftest import SandboxFactory
from tests.oauth_browser import allow_access, callback_params
from tests.store.samples import LOGIN, TOKENS

REDIRECT_URI = "http://localhost:1717/OauthRedirect"
LOST = SalesforceStatus(State.NEEDS_ATTENTION, Problem.AUTHENTICATION_LOST, "Reconnect.")
MakeSandbox = Callable[..., SandboxServer]


@pytest.fixture
def backend() -> str:
    """Against the sandbox, SQLite is enough: the store ports run on PostgreSQL too."""
    return "sqlite"


@pytest.fixture
def org_session(session: Session) -> Session:
    create_org(session, "acme")
    session.commit()
    return session


def password_connect(session: Session, server: SandboxServer, **overrides: Any) -> Connection:
    name = overrides.pop("name", None)
    login: dict[str, Any] = {
        "login_url": server.base_url,
        "client_id": server.config.client_id,
        "client_secret": server.config.client_secret,
        "username": server.config.username,
        "password": server.config.password,
        "ca_file": server.ca_file,
    } | overrides
    return connect_with_password(session, "acme", name, **login)


def start(server: SandboxServer, name: str | None = None, **options: Any) -> PendingWebConnect:
    return start_web_connect(
        "acme",
        name,
        server.base_url,
        REDIRECT_URI,
        server.config.client_id,
        server.config.client_secret,
        server.ca_file,
        **options,
    )


def web_connect(session: Session, server: SandboxServer, name: str | None = None) -> Connection:
    pending = start(server, name)
    return finish_web_connect(
        session, pending, callback_params(allow_access(server, pending.authorize_url))
    )


def oauth_of(server: SandboxServer) -> OAuthClient:
    endpoint = trusted_sandbox(server.base_url, server.ca_file)
    return OAuthClient(endpoint, ConnectedApp(server.config.client_id, server.config.client_secret))


def api_call(server: SandboxServer, access_token: str) -> requests.Response:
    return trusting_session(server.ca_file).get(
        f"{server.base_url}/services/data/v62.0/limits",
        headers={"Authorization": f"Bearer {access_token}"},
    )


def count_connections(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Connection)) or 0


def raw_connection_text(engine: Engine) -> str:
    with engine.connect() as raw:
        return " ".join(
            str(value) for row in raw.execute(text("SELECT * FROM connections")) for value in row
        )


def reloaded(session: Session, connection: Connection) -> Connection:
    session.expire_all()
    found = session.get(Connection, connection.id)
    assert found is not None
    return found


# --- logging in -----------------------------------------------------------------------------


def test_the_password_flow_stores_a_connected_connection_with_sealed_credentials(
    org_session: Session, engine: Engine, sandbox: SandboxServer
) -> None:
    connection = password_connect(org_session, sandbox)

    assert (connection.name, connection.kind) == (
        "forcebridge-sandbox",
        ConnectionKind.FORCEBRIDGE_SANDBOX,
    )
    assert connection.auth_method is AuthMethod.PASSWORD
    assert connection.status is ConnectionStatus.CONNECTED
    assert connection.instance_url == sandbox.base_url
    assert connection.salesforce_org_id == sandbox.org.org_id
    stored = raw_connection_text(engine)
    for secret in (connection.access_token, sandbox.config.password, sandbox.config.client_secret):
        assert secret and secret not in stored


@pytest.mark.parametrize(
    ("zone_in_salesforce", "recorded"),
    [("America/Los_Angeles", "America/Los_Angeles"), ("Mars/Olympus_Mons", None)],
)
def test_connecting_records_the_users_time_zone_when_this_machine_knows_it(
    org_session: Session, make_sandbox: MakeSandbox, zone_in_salesforce: str, recorded: str | None
) -> None:
    server = make_sandbox()
    [user] = server.org.query("SELECT Id FROM User")["records"]
    # Stored as is: the sandbox's User API refuses a zone off its picklist, as Salesforce
    # does, and the case is a zone the org offers that this machine's zone database lacks.
    user_object = server.org.writes.sobject("User")
    with server.org.storage.write() as conn:
        server.org.storage.update(
            conn, user_object, user["Id"], {"TimeZoneSidKey": zone_in_salesforce}
        )

    connection = password_connect(org_session, server)

    assert connection.status is ConnectionStatus.CONNECTED
    assert connection.user_time_zone == recorded


def test_connecting_records_the_users_locale(
    org_session: Session, make_sandbox: MakeSandbox
) -> None:
    server = make_sandbox()
    [user] = server.org.query("SELECT Id FROM User")["records"]
    with server.org.storage.write() as conn:
        server.org.storage.update(
            conn, server.org.writes.sobject("User"), user["Id"], {"LocaleSidKey": "en_GB"}
        )

    connection = password_connect(org_session, server)

    assert connection.user_locale == "en_GB"


def test_a_wrong_password_stores_nothing_and_says_what_to_check(
    org_session: Session, sandbox: SandboxServer
) -> None:
    with pytest.raises(LoginFailed, match=r"refused the login.*check the username, the password"):
        password_connect(org_session, sandbox, password="wrong")
    assert count_connections(org_session) == 0


def test_a_failed_reconnect_leaves_the_connection_as_it_was(
    org_session: Session, sandbox: SandboxServer
) -> None:
    connection = password_connect(org_session, sandbox, name="main")
    before = (connection.access_token, connection.password, connection.updated_at)

    with pytest.raises(LoginFailed):
        password_connect(org_session, sandbox, name="main", password="wrong")

    after = reloaded(org_session, connection)
    assert (after.access_token, after.password, after.updated_at) == before


def test_a_login_url_that_is_not_salesforce_is_refused_before_anything_is_sent(
    org_session: Session, sandbox: SandboxServer
) -> None:
    with pytest.raises(UntrustedUrl, match="not a Salesforce URL"):
        password_connect(org_session, sandbox, login_url="https://login.example.com", ca_file=None)
    assert count_connections(org_session) == 0


def test_the_jwt_flow_keeps_the_key_to_mint_later_sessions(
    org_session: Session, sandbox: SandboxServer
) -> None:
    connection = connect_with_jwt(
        org_session,
        "acme",
        "server",
        login_url=sandbox.base_url,
        client_id=sandbox.config.client_id,
        username=sandbox.config.username,
        private_key=sandbox.jwt_key_file.read_text(),
        ca_file=sandbox.ca_file,
    )
    assert (connection.name, connection.auth_method) == ("server", AuthMethod.JWT)
    assert connection.refresh_token is None
    assert connection.jwt_private_key == sandbox.jwt_key_file.read_text()


def test_the_web_flow_stores_a_refresh_token(org_session: Session, sandbox: SandboxServer) -> None:
    connection = web_connect(org_session, sandbox, "web")

    assert connection.auth_method is AuthMethod.WEB
    assert connection.refresh_token
    assert oauth_of(sandbox).refresh(connection.refresh_token).instance_url == sandbox.base_url


def test_a_callback_with_a_forged_state_is_refused_and_nothing_is_stored(
    org_session: Session, sandbox: SandboxServer
) -> None:
    pending = start(sandbox)
    params = callback_params(allow_access(sandbox, pending.authorize_url))

    with pytest.raises(LoginFailed, match="forged") as caught:
        finish_web_connect(org_session, pending, params | {"state": "attacker-chosen"})
    assert caught.value.error_code == "state_mismatch"
    assert count_connections(org_session) == 0


def test_a_web_login_left_too_long_must_be_started_again(
    org_session: Session, sandbox: SandboxServer
) -> None:
    pending = start(sandbox, now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20))
    params = callback_params(allow_access(sandbox, pending.authorize_url))

    with pytest.raises(WebConnectExpired, match="start connecting again"):
        finish_web_connect(org_session, pending, params)
    assert count_connections(org_session) == 0


def test_a_pending_web_login_survives_plain_json_and_hides_its_secrets(
    sandbox: SandboxServer,
) -> None:
    pending = start(sandbox)

    assert PendingWebConnect.from_dict(json.loads(json.dumps(pending.to_dict()))) == pending
    for secret in (pending.code_verifier, sandbox.config.client_secret):
        assert secret not in repr(pending)
    damaged = pending.to_dict() | {"state": None}
    with pytest.raises(UnreadablePendingConnect, match="no valid state"):
        PendingWebConnect.from_dict(damaged)


def test_reconnecting_replaces_the_login_and_keeps_the_services_linked(
    org_session: Session, sandbox: SandboxServer
) -> None:
    first = password_connect(org_session, sandbox, name="main")
    service = create_service(org_session, get_org(org_session, "acme"), "shop", connection=first)
    record_status(org_session, first, LOST)
    org_session.commit()

    again = web_connect(org_session, sandbox, "main")

    assert again.id == first.id
    assert (again.status, again.status_problem) == (ConnectionStatus.CONNECTED, None)
    assert (again.auth_method, again.password) == (AuthMethod.WEB, None)
    assert again.refresh_token
    assert reloaded(org_session, first).services == [service]


def test_reconnecting_to_another_salesforce_org_is_refused(
    org_session: Session, sandbox: SandboxServer
) -> None:
    connection = password_connect(org_session, sandbox, name="main")
    connection.salesforce_org_id = "00D0000000000AAAAA"
    org_session.commit()

    with pytest.raises(OtherSalesforceOrg, match="connect it under another name"):
        password_connect(org_session, sandbox, name="main")
    assert reloaded(org_session, connection).salesforce_org_id == "00D0000000000AAAAA"


def test_another_sandbox_is_another_org_and_a_reconnect_to_it_is_refused(
    org_session: Session, sandbox: SandboxServer, make_sandbox: SandboxFactory
) -> None:
    connection = password_connect(org_session, sandbox, name="main")

    with pytest.raises(OtherSalesforceOrg):
        password_connect(org_session, make_sandbox(), name="main")
    assert reloaded(org_session, connection).instance_url == sandbox.base_url


def test_a_new_service_takes_the_only_connection_or_must_be_told_which(
    org_session: Session,
) -> None:
    org = get_org(org_session, "acme")
    assert connection_for_new_service(org_session, org, None) is None
    only = create_connection(org_session, org, "eu", LOGIN, TOKENS)
    assert connection_for_new_service(org_session, org, None) is only
    create_connection(org_session, org, "us", LOGIN, TOKENS)
    with pytest.raises(ConnectError, match=r"2 Salesforce connections \(eu, us\)"):
        connection_for_new_service(org_session, org, None)
    assert connection_for_new_service(org_session, org, "eu") is only


# --- disconnecting --------------------------------------------------------------------------


def test_disconnect_revokes_at_salesforce_and_forgets_every_credential(
    org_session: Session, engine: Engine, sandbox: SandboxServer
) -> None:
    connection = web_connect(org_session, sandbox, "main")
    access, refresh = connection.access_token, connection.refresh_token
    assert access and refresh

    disconnect(org_session, "acme", "main")

    with pytest.raises(LoginFailed):
        oauth_of(sandbox).refresh(refresh)
    assert api_call(sandbox, access).status_code == 401
    stored = reloaded(org_session, connection)
    assert (stored.access_token, stored.refresh_token, stored.client_secret) == (None, None, None)
    assert stored.status is ConnectionStatus.NEEDS_ATTENTION
    assert stored.status_problem == "not_connected"
    assert "Reconnect" in (stored.status_reason or "")
    with pytest.raises(NotConnected, match="reconnect"):
        open_client(org_session, stored)
    assert disconnect(org_session, "acme", "main").status_problem == "not_connected"


# --- checking -------------------------------------------------------------------------------


def test_an_org_without_api_access_needs_attention(
    org_session: Session, make_sandbox: MakeSandbox
) -> None:
    connection = password_connect(org_session, make_sandbox(api_disabled=True))

    checked = refresh_status(org_session, connection)

    assert checked.status is ConnectionStatus.NEEDS_ATTENTION
    assert checked.status_problem == "api_disabled"
    assert "edition" in (checked.status_reason or "")


def test_the_daily_limit_needs_attention_until_the_allowance_frees_up(
    org_session: Session, make_sandbox: MakeSandbox
) -> None:
    server = make_sandbox(api_limit=2)
    connection = password_connect(org_session, server)
    api_call(server, server.access_token())  # another client spends half the allowance

    checked = refresh_status(org_session, connection)
    assert (checked.status_problem, checked.last_api_usage, checked.last_api_limit) == (
        "limit_reached",
        2,
        2,
    )
    assert "daily API limit" in (checked.status_reason or "")

    server.reset_usage()
    assert refresh_status(org_session, connection).status is ConnectionStatus.CONNECTED


def test_a_revoked_authorization_needs_attention_with_reconnect_advice(
    org_session: Session, sandbox: SandboxServer
) -> None:
    connection = web_connect(org_session, sandbox)
    oauth_of(sandbox).revoke(connection.refresh_token or "")

    checked = refresh_status(org_session, connection)

    assert checked.status_problem == "authentication_lost"
    assert "reconnect" in (checked.status_reason or "")


@pytest.mark.parametrize("flow", ["web", "jwt"])
def test_an_expired_session_is_renewed_and_the_new_tokens_stored_sealed(
    flow: str, org_session: Session, engine: Engine, make_sandbox: MakeSandbox
) -> None:
    server = make_sandbox(session_lifetime=0.5)
    if flow == "web":
        connection = web_connect(org_session, server)
    else:
        connection = connect_with_jwt(
            org_session,
            "acme",
            None,
            login_url=server.base_url,
            client_id=server.config.client_id,
            username=server.config.username,
            private_key=server.jwt_key_file.read_text(),
            ca_file=server.ca_file,
        )
    expired = connection.access_token
    time.sleep(0.6)

    checked = refresh_status(org_session, connection)

    assert checked.status is ConnectionStatus.CONNECTED
    assert checked.access_token and checked.access_token != expired
    assert checked.access_token not in raw_connection_text(engine)


def test_a_renewal_that_reaches_another_org_is_refused_and_needs_attention(
    org_session: Session, sandbox: SandboxServer, make_sandbox: MakeSandbox
) -> None:
    """A refreshed sandbox: the same login now reaches a new org, and the old session is gone."""
    connection = password_connect(org_session, sandbox, name="main")
    linked, token = connection.salesforce_org_id, connection.access_token
    refreshed = make_sandbox()
    connection.login_url = connection.instance_url = refreshed.base_url
    connection.ca_file = str(refreshed.ca_file)
    org_session.commit()

    checked = refresh_status(org_session, connection)

    assert (checked.status, checked.status_problem) == (
        ConnectionStatus.NEEDS_ATTENTION,
        "authentication_lost",
    )
    reason = checked.status_reason or ""
    assert f"linked to Salesforce org {linked}, but this login is to org 00D" in reason
    assert "connect it under a new name" in reason
    assert (checked.salesforce_org_id, checked.access_token) == (linked, token)
    with open_client(org_session, checked) as client, pytest.raises(OtherOrgSession):
        client.count("SELECT COUNT() FROM Contact")
    assert client.status.message == reason


def test_no_token_reaches_the_logs(
    org_session: Session, sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    pending = start(sandbox)
    params = callback_params(allow_access(sandbox, pending.authorize_url))
    connection = finish_web_connect(org_session, pending, params)
    secrets = [connection.access_token, connection.refresh_token, params["code"]]
    refresh_status(org_session, connection)
    disconnect(org_session, "acme", connection.name)

    assert "revoked a token" in caplog.text
    for secret in [*secrets, pending.code_verifier, sandbox.config.client_secret]:
        assert secret and secret not in caplog.text
