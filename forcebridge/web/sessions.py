"""The admin's browser session: who is signed in, and the signed cookie that carries it.

The session lives in a cookie signed with a key derived from the product's secret key (so the
cookie key is never the key that seals tokens at rest). It holds ids and random tokens only:
anything secret that must cross a redirect (a pending Salesforce login) is sealed first, see
`pending.py`. Signing in starts a fresh session (and so a fresh form token, see `csrf.py`), so
nothing planted in a session before login survives it. The server keeps no copy of a session,
so logging out raises the admin's session epoch, which every cookie carries: a cookie saved
before the logout is no session any more.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from starlette.requests import HTTPConnection

COOKIE_NAME = "forcebridge_session"
MAX_AGE_SECONDS = 8 * 60 * 60
"""A working day: after that the admin signs in again."""

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


def sign_in(connection: HTTPConnection, admin_id: int, org_id: int, epoch: int) -> None:
    """Start a new session for the admin, dropping whatever the old one held."""
    connection.session.clear()
    connection.session[_ADMIN] = {"admin_id": admin_id, "org_id": org_id, "epoch": epoch}


def sign_out(connection: HTTPConnection) -> None:
    connection.session.clear()


def signed_in(connection: HTTPConnection) -> SignedIn | None:
    admin = connection.session.get(_ADMIN)
    if not isinstance(admin, dict):
        return None
    try:
        return SignedIn(
            admin_id=int(admin["admin_id"]), org_id=int(admin["org_id"]), epoch=int(admin["epoch"])
        )
    except (KeyError, TypeError, ValueError):
        return None
