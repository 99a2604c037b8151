"""The admin's browser session: who is signed in, and the signed cookie that carries it.

The session lives in a cookie signed with a key derived from the product's secret key (so the
cookie key is never the key that seals tokens at rest). It holds ids and random tokens only:
anything secret that must cross a redirect (a pending Salesforce login) is sealed first, see
`pending.py`. Signing in starts a fresh session (and so a fresh form token, see `csrf.py`), so
nothing planted in a session before login survives it. The server keeps no copy of a session,
so logging out raises the admin's session epoch, which every cookie carries: a cookie saved
before the logout is no session any more.

A session lasts `MAX_AGE_SECONDS` from signing in, as the session itself says (`since`); the
cookie outlives it (`COOKIE_MAX_AGE_SECONDS`), so the login page can say that a session
expired rather than greet the admin as a stranger.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.requests import HTTPConnection

COOKIE_NAME = "forcebridge_session"
MAX_AGE_SECONDS = 8 * 60 * 60
"""A working day from signing in: after that the admin signs in again."""
COOKIE_MAX_AGE_SECONDS = 7 * 24 * 60 * 60
"""How long the browser keeps the cookie (and its signature is good): a week, in which an
expired session is told as such."""

_PURPOSE = b"forcebridge/web/session-cookie"
_ADMIN = "admin"


def cookie_signing_key(secret_key: str) -> str:
    """The key that signs session cookies, derived from (never equal to) the product's secret."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE)
    return hkdf.derive(secret_key.encode()).hex()


@dataclass(frozen=True)
class SignedIn:
    """The admin a session belongs to, the org every query of that session is scoped to, and
    the admin's session epoch when it began (a logout since ends it, see `AdminUser`)."""

    admin_id: int
    org_id: int
    epoch: int
    since: float
    """When the admin signed in (seconds since the epoch)."""

    def expired(self, now: float) -> bool:
        return now - self.since >= MAX_AGE_SECONDS


def sign_in(connection: HTTPConnection, admin_id: int, org_id: int, epoch: int) -> None:
    """Start a new session for the admin, dropping whatever the old one held."""
    connection.session.clear()
    connection.session[_ADMIN] = {
        "admin_id": admin_id,
        "org_id": org_id,
        "epoch": epoch,
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
            epoch=int(admin["epoch"]),
            since=float(admin.get("since", 0)),  # none: signed in before sessions said when
        )
    except (KeyError, TypeError, ValueError):
        return None
