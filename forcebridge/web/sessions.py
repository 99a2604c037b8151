"""The admin's browser session: who is signed in, and the signed cookie that carries it.

The session lives in a cookie signed with a key derived from the product's secret key (so the
cookie key is never the key that seals tokens at rest). It holds ids and random tokens only:
anything secret that must cross a redirect (a pending Salesforce login) is sealed first, see
`pending.py`. Signing in starts a fresh session (and so a fresh form token, see `csrf.py`), so
nothing planted in a session before login survives it. The server keeps no copy of a session,
so logging out raises the admin's session epoch, which every cookie carries: a cookie saved
before the logout is no session any more. A cookie names its admin by id and by the account's
session key too (random, made with the account): an id may name another account later (an
admin removed and another made, a database re-created under the same secret key), a key never.

A session lasts `MAX_AGE_SECONDS` from signing in, as the session itself says (`since`); the
cookie outlives it (`COOKIE_MAX_AGE_SECONDS`), so the login page can say that a session
expired rather than greet the admin as a stranger.

The cookie is Secure whenever the request came over https as the pages see it: its own scheme,
which uvicorn has already set from a trusted proxy's `X-Forwarded-Proto`
(`FORCEBRIDGE_TRUSTED_PROXIES`); and always under an `https://` public URL.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass

from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from forcebridge.store.crypto import derived_key
from forcebridge.store.models import AdminUser

COOKIE_NAME = "forcebridge_session"
MAX_AGE_SECONDS = 8 * 60 * 60
"""A working day from signing in: after that the admin signs in again."""
COOKIE_MAX_AGE_SECONDS = 7 * 24 * 60 * 60
"""How long the browser keeps the cookie (and its signature is good): a week, in which an
expired session is told as such."""

_PURPOSE = b"forcebridge/web/session-cookie"
_ADMIN = "admin"
_SECURE_SCHEMES = frozenset({"https", "wss"})


def cookie_signing_key(secret_key: str) -> str:
    """The key that signs session cookies, derived from (never equal to) the product's secret."""
    return derived_key(secret_key, _PURPOSE).hex()


class SessionCookies:
    """Starlette's signed-cookie sessions, the cookie Secure when the request came over https
    (or always, `always_secure`: the public URL is https)."""

    def __init__(self, app: ASGIApp, *, signing_key: str, always_secure: bool) -> None:
        def cookies(secure: bool) -> SessionMiddleware:
            return SessionMiddleware(
                app,
                secret_key=signing_key,
                session_cookie=COOKIE_NAME,
                max_age=COOKIE_MAX_AGE_SECONDS,
                same_site="lax",
                https_only=secure,
            )

        self._secure = cookies(True)
        self._plain = self._secure if always_secure else cookies(False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        secure = scope.get("scheme") in _SECURE_SCHEMES
        await (self._secure if secure else self._plain)(scope, receive, send)


@dataclass(frozen=True)
class SignedIn:
    """The admin a session belongs to (id and account's session key), the org every query of
    that session is scoped to, and the admin's session epoch when it began (a logout since
    ends it, see `AdminUser`)."""

    admin_id: int
    org_id: int
    key: str
    epoch: int
    since: float
    """When the admin signed in (seconds since the epoch)."""

    def expired(self, now: float) -> bool:
        return now - self.since >= MAX_AGE_SECONDS

    def is_session_of(self, admin: AdminUser) -> bool:
        """Whether this is a live session of `admin`, the account its id names now: the same
        account (org and key) and no logout since."""
        return (
            admin.id == self.admin_id
            and admin.org_id == self.org_id
            and hmac.compare_digest(admin.session_key.encode(), self.key.encode())
            and admin.session_epoch == self.epoch
        )


def sign_in(connection: HTTPConnection, admin: AdminUser) -> None:
    """Start a new session for the admin, dropping whatever the old one held."""
    connection.session.clear()
    connection.session[_ADMIN] = {
        "admin_id": admin.id,
        "org_id": admin.org_id,
        "key": admin.session_key,
        "epoch": admin.session_epoch,
        "since": int(time.time()),
    }


def sign_out(connection: HTTPConnection) -> None:
    connection.session.clear()


def signed_in(connection: HTTPConnection) -> SignedIn | None:
    admin = connection.session.get(_ADMIN)
    if not isinstance(admin, dict):
        return None
    try:
        return SignedIn(
            admin_id=int(admin["admin_id"]),
            org_id=int(admin["org_id"]),
            key=str(admin["key"]),  # none: begun before keys, so no session (migration 0019)
            epoch=int(admin["epoch"]),
            since=float(admin.get("since", 0)),  # none: signed in before sessions said when
        )
    except (KeyError, TypeError, ValueError):
        return None
