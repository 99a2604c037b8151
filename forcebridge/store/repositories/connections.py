"""Salesforce connections of an org: creating them from a login, new tokens, and status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.store.errors import InvalidValue, NotFound
from forcebridge.store.models import AuthMethod, Connection, ConnectionKind, ConnectionStatus, Org
from forcebridge.store.names import check_name
from forcebridge.store.repositories.uniqueness import add_unique, named
from forcebridge.store.types import utcnow


@dataclass(frozen=True)
class Tokens:
    """What a successful OAuth exchange gives; the tokens stay out of reprs and logs."""

    access_token: str = field(repr=False)
    instance_url: str
    refresh_token: str | None = field(default=None, repr=False)
    salesforce_org_id: str | None = None
    salesforce_user_id: str | None = None


@dataclass(frozen=True)
class Login:
    """How forcebridge logs in to a Salesforce org again; secrets stay out of reprs and logs."""

    kind: ConnectionKind
    login_url: str
    auth_method: AuthMethod
    client_id: str
    api_version: str
    client_secret: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    jwt_private_key: str | None = field(default=None, repr=False)
    ca_file: str | None = None


def create_connection(
    session: Session, org: Org, name: str, login: Login, tokens: Tokens
) -> Connection:
    """Store a connection only once its login has worked, so nothing is half-stored."""
    connection = Connection(org=org, name=check_name("connection", name))
    _apply_login(connection, login)
    _apply_tokens(connection, tokens)
    return add_unique(session, connection, "connection", f"{org.name}/{name}")


def replace_login(session: Session, connection: Connection, login: Login, tokens: Tokens) -> None:
    """Log an existing connection in anew: credentials and tokens are replaced whole (a refresh
    token of the old login does not survive a login without one); its services stay linked."""
    _apply_login(connection, login)
    _apply_tokens(connection, tokens)
    connection.refresh_token = tokens.refresh_token
    session.flush()


def forget_credentials(session: Session, connection: Connection) -> None:
    """Drop every secret the connection holds (after they were revoked at Salesforce)."""
    connection.client_secret = None
    connection.access_token = None
    connection.refresh_token = None
    connection.password = None
    connection.jwt_private_key = None
    session.flush()


def get_connection(session: Session, org: Org, name: str) -> Connection:
    connection, near = named(session, Connection, name, Connection.org_id == org.id)
    if connection is None:
        raise NotFound("connection", f"{org.name}/{name}", near and f"{org.name}/{near}")
    return connection


def list_connections(session: Session, org: Org) -> list[Connection]:
    return list(
        session.scalars(
            select(Connection).where(Connection.org_id == org.id).order_by(Connection.name)
        )
    )


def update_tokens(session: Session, connection: Connection, tokens: Tokens) -> None:
    """Keep the refreshed tokens; a refresh that returns no new refresh token keeps the old one."""
    _apply_tokens(connection, tokens)
    session.flush()


def _apply_login(connection: Connection, login: Login) -> None:
    connection.kind = login.kind
    connection.login_url = login.login_url
    connection.auth_method = login.auth_method
    connection.client_id = login.client_id
    connection.api_version = login.api_version
    connection.client_secret = login.client_secret
    connection.username = login.username
    connection.password = login.password
    connection.jwt_private_key = login.jwt_private_key
    connection.ca_file = login.ca_file


def _apply_tokens(connection: Connection, tokens: Tokens) -> None:
    connection.access_token = tokens.access_token
    connection.instance_url = tokens.instance_url
    if tokens.refresh_token is not None:
        connection.refresh_token = tokens.refresh_token
    if tokens.salesforce_org_id is not None:
        connection.salesforce_org_id = tokens.salesforce_org_id
    if tokens.salesforce_user_id is not None:
        connection.salesforce_user_id = tokens.salesforce_user_id


def set_status(
    session: Session,
    connection: Connection,
    status: ConnectionStatus,
    *,
    problem: str | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> None:
    """Record how the connection is doing, as the Salesforce client last derived it.

    "Needs attention" must name its problem and say what to do; "connected" keeps neither.
    `status_changed_at` moves only when the status or its problem changes, so it tells how long
    the current trouble has lasted.
    """
    if status == ConnectionStatus.NEEDS_ATTENTION:
        if not problem or not reason:
            raise InvalidValue(
                f"connection {connection.name!r} needs attention: give the problem and "
                "what to do about it, so an admin can act"
            )
    else:
        problem = reason = None
    if (status, problem) != (connection.status, connection.status_problem):
        connection.status_changed_at = now or utcnow()
    connection.status = status
    connection.status_problem = problem
    connection.status_reason = reason
    session.flush()


def record_api_usage(session: Session, connection: Connection, used: int, limit: int) -> None:
    """Remember the org's daily API usage as the last response reported it."""
    connection.last_api_usage = used
    connection.last_api_limit = limit
    session.flush()
