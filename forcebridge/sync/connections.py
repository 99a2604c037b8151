"""The connection service: connecting an org to Salesforce, checking, and disconnecting it.

The password and JWT grants log in here in one call; the browser's web-server flow takes two
requests (`forcebridge.sync.web_connect`) and keeps its login through `keep_login` too. The
command line and the admin pages both call these functions. Each is one unit of work over
the caller's `Session`: it logs in first, writes only once Salesforce has said yes, and commits;
a failed login creates no row and changes no existing one. Reconnecting under an existing name
replaces that connection's login and tokens and keeps its services linked, but only to the same
Salesforce org (another org's records would not match what its services already synced).

Disconnecting keeps the row: the tokens are revoked at Salesforce and every credential is
dropped, the status becomes "Needs Attention" (not connected), and services stay linked, so a
reconnect under the same name picks up where syncing stopped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from forcebridge.salesforce.describe_cache import DESCRIBE_MAX_AGE
from forcebridge.salesforce.errors import LoginFailed, SalesforceError
from forcebridge.salesforce.oauth import (
    JwtBearerGrant,
    OAuthClient,
    PasswordGrant,
    RenewalGrant,
    UserIdentity,
    other_org,
)
from forcebridge.salesforce.status import CONNECTED, ConnectionStatus, Problem, State, org_status
from forcebridge.salesforce.tokens import TokenSet
from forcebridge.salesforce.transport import timeouts
from forcebridge.salesforce.usage import UsageMeter
from forcebridge.settings import Settings
from forcebridge.soql.dates import known_zone
from forcebridge.store.errors import EncryptionError, NotFound
from forcebridge.store.models import AuthMethod, Connection, Org
from forcebridge.store.models import ConnectionStatus as StoredStatus
from forcebridge.store.names import check_name
from forcebridge.store.repositories.connections import (
    Login,
    create_connection,
    forget_credentials,
    get_connection,
    list_connections,
    record_api_usage,
    replace_login,
    set_status,
)
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.services import list_services
from forcebridge.store.sealed_keys import sealed_columns
from forcebridge.sync.connection_choice import choose_connection
from forcebridge.sync.connection_errors import (
    ConnectionInUse,
    NoConnection,
    NotConnected,
    OtherSalesforceOrg,
)
from forcebridge.sync.login_targets import LoginTarget, login_target
from forcebridge.sync.store_ports import (
    StoreDescribeCache,
    StoreFailureCount,
    StoreStatusObserver,
    StoreTokenSink,
    record_status,
    stored_status,
    stored_tokens,
)

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient

# --- logging in -----------------------------------------------------------------------------


def connect_with_password(
    session: Session,
    org: str,
    name: str | None,
    *,
    login_url: str,
    client_id: str,
    client_secret: str,
    username: str,
    password: str,
    ca_file: Path | None = None,
) -> Connection:
    """Connect by the username-password flow (sandboxes, CI); the password, with its security
    token appended when the org asks for one, is kept (encrypted) to log in again later."""
    target = login_target(login_url, ca_file)
    found = get_org(session, org)
    name = check_name("connection", name or target.default_name)
    oauth = target.oauth(client_id, client_secret)
    with _explaining_refusal(
        "the username, the password (with the security token appended if"
        " the org asks for one), and the client id and secret"
    ):
        tokens = oauth.password_grant(username, password)
    login = target.login(
        AuthMethod.PASSWORD,
        client_id,
        client_secret=client_secret,
        username=username,
        password=password,
    )
    return keep_login(session, found, name, login, tokens, oauth)


def connect_with_jwt(
    session: Session,
    org: str,
    name: str | None,
    *,
    login_url: str,
    client_id: str,
    username: str,
    private_key: str,
    ca_file: Path | None = None,
) -> Connection:
    """Connect by the JWT bearer flow (server to server): `private_key` is the PEM key of the
    certificate registered with the connected app, kept (encrypted) to mint later sessions."""
    target = login_target(login_url, ca_file)
    found = get_org(session, org)
    name = check_name("connection", name or target.default_name)
    oauth = target.oauth(client_id, None)
    with _explaining_refusal(
        "the username, the client id, and that the key's certificate is"
        " the one uploaded to the connected app"
    ):
        tokens = oauth.jwt_bearer_grant(username, private_key)
    login = target.login(AuthMethod.JWT, client_id, username=username, jwt_private_key=private_key)
    return keep_login(session, found, name, login, tokens, oauth)


def keep_login(
    session: Session, org: Org, name: str, login: Login, tokens: TokenSet, oauth: OAuthClient
) -> Connection:
    """Store a login that worked, whichever flow made it: a new connection, or a new login for
    an existing one of the same Salesforce org."""
    try:
        connection = get_connection(session, org, name)
    except NotFound:
        connection = None
    refusal = other_org(connection.salesforce_org_id if connection else None, tokens)
    if refusal is not None:
        oauth.discard(tokens.refresh_token or tokens.access_token)
        raise OtherSalesforceOrg(
            f"connection {org.name}/{name} is {refusal}: connect it under another name"
        )
    identity = _user_identity(oauth, tokens)
    if login.username is None and identity.username is not None:
        login = replace(login, username=identity.username)  # the web flow names no user
    try:
        if connection is None:
            connection = create_connection(session, org, name, login, stored_tokens(tokens))
            _adopt_waiting_services(session, org, connection)
        else:
            replace_login(session, connection, login, stored_tokens(tokens))
        connection.user_time_zone = identity.time_zone
        connection.user_locale = identity.locale
        record_status(session, connection, CONNECTED)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return connection


def _adopt_waiting_services(session: Session, org: Org, connection: Connection) -> None:
    """The org's first connection is the one its services use, as a service created now would:
    those created before it, waiting without one, take it."""
    if len(list_connections(session, org)) == 1:
        for service in list_services(session, org):
            if service.connection is None:
                service.connection = connection


def _user_identity(oauth: OAuthClient, tokens: TokenSet) -> UserIdentity:
    """The user's name, time zone and locale (routing rules read date literals in the zone,
    None, read as UTC, when this machine does not know it; weeks start on the locale's first
    day). None of them when the identity service does not answer: the connection itself works
    without them."""
    try:
        found = oauth.user_identity(tokens)
    except SalesforceError:
        return UserIdentity(None, None, None)
    zone = found.time_zone if known_zone(found.time_zone) else None
    return UserIdentity(found.username, zone, found.locale)


# --- using and checking a connection --------------------------------------------------------


def open_client(
    session: Session, connection: Connection, *, describe_max_age: dt.timedelta = DESCRIBE_MAX_AGE
) -> SalesforceClient:
    """A client for `connection` whose renewed tokens, describe results and status changes are
    stored as they happen (each in a transaction of its own; see `store_ports`). Describes
    are trusted for `describe_max_age`, then revalidated. simple-salesforce is loaded here, by
    the first client made, not by every command that can make one."""
    from forcebridge.salesforce.client import ClientSettings, SalesforceClient

    if not connection.access_token:
        raise NotConnected(
            f"connection {connection.name!r} is disconnected: reconnect it with forcebridge "
            "connect (or the admin pages) first"
        )
    target = _target_of(connection)
    usage = UsageMeter()
    oauth = target.oauth(connection.client_id, connection.client_secret, usage)
    engine = _engine_of(session)
    return SalesforceClient(
        TokenSet(
            access_token=connection.access_token,
            instance_url=connection.instance_url,
            id_url=f"{connection.login_url}/id/{connection.salesforce_org_id}"
            f"/{connection.salesforce_user_id}",
            issued_at=connection.updated_at,
            refresh_token=connection.refresh_token,
        ),
        ClientSettings(
            connection_id=str(connection.id),
            api_version=connection.api_version,
            ca_file=target.endpoint.ca_file,
            describe_max_age=describe_max_age,
            timeout=timeouts(Settings().salesforce_timeout),
        ),
        oauth=oauth,
        renewal=_renewal(connection),
        describe_cache=StoreDescribeCache(engine),
        token_sink=StoreTokenSink(engine, connection.id),
        status_observer=StoreStatusObserver(engine, connection.id),
        status=stored_status(connection),
        failure_count=StoreFailureCount(engine, connection.id, connection.temporary_failures),
        usage=usage,
    )


def refresh_status(session: Session, connection: Connection) -> Connection:
    """Check the connection with one cheap call (`limits`) and record what it found: the status,
    renewed tokens if the session had expired, and the org's API usage. A failure that says
    nothing about the connection (Salesforce unreachable) is raised; the status stays as it was.
    A disconnected connection is returned as it is: there is nothing to check. One whose
    credentials no longer open (altered in the database) is recorded as needing a reconnect,
    so one damaged value fails its own connection, not the check of every other."""
    damaged = _damaged_secret(session, connection)
    if damaged is not None:
        record_status(session, connection, damaged)
        session.commit()
        return connection
    if not connection.access_token:
        return connection
    with open_client(session, connection) as client:
        try:
            client.limits()
        except SalesforceError:
            if not client.status.needs_attention:
                raise
        session.refresh(connection)  # the ports wrote status and tokens in their own sessions
        usage = client.usage.api_usage
        if usage is not None:
            record_api_usage(session, connection, usage.used, usage.max)
    session.commit()
    return connection


def _damaged_secret(session: Session, connection: Connection) -> ConnectionStatus | None:
    """Needs Attention naming the first of the connection's sealed credentials that does not
    open, and what to do; None when every one opens. Each is read on its own, so the message
    names the column (loading them together only says that one failed)."""
    for column in sealed_columns():
        if column.table is not Connection.__table__:
            continue
        try:
            session.scalar(select(column).where(Connection.id == connection.id))
        except EncryptionError as error:
            where = f"{connection.org.name}/{connection.name}"
            return ConnectionStatus(
                State.NEEDS_ATTENTION,
                Problem.AUTHENTICATION_LOST,
                f"The connection {where} cannot be used: its {column.name} cannot be opened "
                f"({error}). Reconnect it (forcebridge connect --org {connection.org.name} "
                f"--name {connection.name}), or restore the database from a backup.",
            )
    return None


def disconnect(
    session: Session, org: str, name: str, *, now: dt.datetime | None = None
) -> Connection:
    """Revoke the connection's tokens at Salesforce, then drop every credential it holds.

    A token Salesforce no longer knows counts as revoked; any other refusal (Salesforce out of
    reach) is raised and the connection is left as it was, so the revocation can be retried.
    """
    connection = get_connection(session, get_org(session, org), name)
    _revoke(connection)
    forget_credentials(session, connection)
    when = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    set_status(
        session,
        connection,
        StoredStatus.NEEDS_ATTENTION,
        problem=Problem.NOT_CONNECTED.value,
        reason=f"Disconnected on {when}; its tokens were revoked at Salesforce. Reconnect it "
        "to resume syncing.",
        now=now,
    )
    session.commit()
    return connection


def remove_connection(session: Session, org: str, name: str) -> None:
    """Revoke the connection's tokens and delete it, with its cached describes and sync
    positions (records it gave Ids to keep them, unlinked from it): for a connection the org no
    longer wants, which would otherwise keep its status at "Needs Attention". Refused while a
    service uses it."""
    found = get_org(session, org)
    connection = get_connection(session, found, name)
    users = [f"{org}/{s.name}" for s in list_services(session, found) if s.connection is connection]
    if users:
        raise ConnectionInUse(
            f"connection {org}/{name} is used by {', '.join(users)}: it cannot be removed while "
            "a service syncs through it"
        )
    _revoke(connection)
    session.delete(connection)
    session.commit()


def _revoke(connection: Connection) -> None:
    """End the connection's authorization at Salesforce; a token Salesforce no longer knows
    counts as revoked, any other refusal is raised with nothing changed."""
    token = connection.refresh_token or connection.access_token
    if token:
        oauth = _target_of(connection).oauth(connection.client_id, connection.client_secret)
        try:
            oauth.revoke(token)
        except LoginFailed as error:
            if error.error_code != "invalid_token":
                raise


def org_connection_status(session: Session, org: Org) -> ConnectionStatus:
    """The org's status: that of its worst connection, naming it (or that it has none)."""
    return org_status({c.name: stored_status(c) for c in list_connections(session, org)})


def connection_for_new_service(session: Session, org: Org, name: str | None) -> Connection | None:
    """The connection a new service uses (`choose_connection`), none while the org has none."""
    return choose_connection(org.name, list_connections(session, org), name)


def org_connection(session: Session, org: Org, name: str | None) -> Connection:
    """The connection an org-wide command (export, export mappings) uses (`choose_connection`)."""
    connection = choose_connection(org.name, list_connections(session, org), name)
    if connection is None:
        raise NoConnection(org.name)
    return connection


# --- plumbing -------------------------------------------------------------------------------


@contextlib.contextmanager
def _explaining_refusal(what_to_check: str) -> Iterator[None]:
    try:
        yield
    except LoginFailed as error:
        raise LoginFailed(
            f"Salesforce refused the login ({error.message}): check {what_to_check}",
            error_code=error.error_code,
            status=error.status,
        ) from error


def _target_of(connection: Connection) -> LoginTarget:
    return login_target(
        connection.login_url, Path(connection.ca_file) if connection.ca_file else None
    )


def _renewal(connection: Connection) -> RenewalGrant | None:
    """How an expired session is renewed; the web flow's refresh token is the client's default."""
    if (
        connection.auth_method is AuthMethod.PASSWORD
        and connection.username
        and connection.password
    ):
        return PasswordGrant(connection.username, connection.password)
    if (
        connection.auth_method is AuthMethod.JWT
        and connection.username
        and connection.jwt_private_key
    ):
        return JwtBearerGrant(connection.username, connection.jwt_private_key)
    return None


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    if not isinstance(bind, Engine):
        raise TypeError("open_client needs a session bound to an engine, not to a connection")
    return bind
