"""One authorised Salesforce org: where it lives, how forcebridge logs in, and how it is doing.

Every credential (client secret, tokens, the password of the username-password flow, the JWT
signing key) is an `EncryptedText` column: sealed before it reaches the database.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forcebridge.store.models.base import NAME_LENGTH, SALESFORCE_ID_LENGTH, Base, Timestamped
from forcebridge.store.types import EncryptedText, utcnow

if TYPE_CHECKING:
    from forcebridge.store.models.org import Org
    from forcebridge.store.models.service import Service


class ConnectionKind(enum.StrEnum):
    PRODUCTION = "production"
    SANDBOX = "sandbox"
    MY_DOMAIN = "mydomain"
    FORCEBRIDGE_SANDBOX = "forcebridge-sandbox"


class AuthMethod(enum.StrEnum):
    WEB = "web"
    """OAuth web-server flow with PKCE; yields a refresh token."""
    JWT = "jwt"
    """JWT bearer flow; a new token is minted with the signing key when one expires."""
    PASSWORD = "password"  # noqa: S105 - the flow's name, not a password
    """Username-password flow (sandboxes, CI); logs in again when the session expires."""


class ConnectionStatus(enum.StrEnum):
    CONNECTED = "connected"
    NEEDS_ATTENTION = "needs_attention"


_SEALED: dict[str, Any] = {"deferred": True, "deferred_group": "sealed"}
"""Sealed credentials are loaded only when read, the five in one query: listing orgs or
connections never opens a secret, so a value damaged in the database breaks only what uses
its connection (`forcebridge secrets reseal` names it), not every listing of every org."""


class Connection(Timestamped, Base):
    __tablename__ = "connections"
    __table_args__ = (
        UniqueConstraint("org_id", "name"),
        # A form of a removed connection (`/connections/3/remove`) never acts on another one
        # made later (migration 0019).
        {"sqlite_autoincrement": True},
    )
    # Server defaults (`temporary_failures`) are read when used, not returned by each INSERT.
    __mapper_args__ = {"eager_defaults": False}

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    kind: Mapped[ConnectionKind]
    login_url: Mapped[str]
    instance_url: Mapped[str]
    api_version: Mapped[str] = mapped_column(String(8))
    """Like "61.0"."""
    auth_method: Mapped[AuthMethod]
    client_id: Mapped[str]
    client_secret: Mapped[str | None] = mapped_column(EncryptedText, **_SEALED)
    access_token: Mapped[str | None] = mapped_column(EncryptedText, **_SEALED)
    refresh_token: Mapped[str | None] = mapped_column(EncryptedText, **_SEALED)
    username: Mapped[str | None]
    password: Mapped[str | None] = mapped_column(EncryptedText, **_SEALED)
    jwt_private_key: Mapped[str | None] = mapped_column(EncryptedText, **_SEALED)
    salesforce_org_id: Mapped[str | None] = mapped_column(String(SALESFORCE_ID_LENGTH))
    salesforce_user_id: Mapped[str | None] = mapped_column(String(SALESFORCE_ID_LENGTH))
    ca_file: Mapped[str | None] = mapped_column(Text)
    """The CA bundle that verifies the forcebridge sandbox's certificate."""
    user_time_zone: Mapped[str | None] = mapped_column(String(64))
    """The logged-in user's time zone (IANA name), in which Salesforce reads date literals
    such as TODAY; None for a connection made before it was recorded (read as UTC)."""
    user_locale: Mapped[str | None] = mapped_column(String(32))
    """The logged-in user's locale (`LocaleSidKey`, `en_GB`), whose first day of the week
    starts date literals such as THIS_WEEK; None for a connection made before it was recorded
    (weeks start on Sunday)."""

    status: Mapped[ConnectionStatus] = mapped_column(default=ConnectionStatus.CONNECTED)
    status_problem: Mapped[str | None] = mapped_column(String(32))
    """What is wrong, as a stable code ("authentication_lost", "limit_reached", ...)."""
    status_reason: Mapped[str | None] = mapped_column(Text)
    """What the admin should do about it, in words."""
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    temporary_failures: Mapped[int] = mapped_column(server_default="0")
    """Requests that failed with temporary errors in a row, by any run of any process
    (`salesforce.status.FailureCount`): runs that each fail after a try or two still add up to
    "unstable"."""
    last_api_usage: Mapped[int | None]
    last_api_limit: Mapped[int | None]

    org: Mapped[Org] = relationship(back_populates="connections")
    services: Mapped[list[Service]] = relationship(back_populates="connection")
