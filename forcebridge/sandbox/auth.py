"""Who may call the sandbox: its users, their sessions, refresh tokens and authorization codes.

These live in their own SQLite file (`DIR/auth.sqlite3`) next to the org's data, so the org
engine never sees a credential. Every secret (password, token, code) is stored only as a hash.
Sessions behave as Salesforce's do: they end `lifetime` seconds after the last use, and a use in
the second half of that window starts it afresh.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import sqlite3
import string
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from forcebridge.private_files import create_private_database

AUTH_DB_FILE = "auth.sqlite3"
CODE_LIFETIME = 15 * 60
TOKEN_ALPHABET = string.ascii_letters + string.digits + "._"

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY COLLATE NOCASE,
    user_id TEXT NOT NULL,
    password_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    refresh_hash TEXT,
    last_active REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_refresh ON sessions (refresh_hash);
CREATE TABLE IF NOT EXISTS auth_codes (
    code_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    code_challenge TEXT,
    expires_at REAL NOT NULL
);
"""


class SessionKind(enum.StrEnum):
    """API sessions are bearer tokens; UI sessions are the login cookie of the authorize pages."""

    API = "api"
    UI = "ui"


class Freshness(enum.Enum):
    FRESH = "fresh"
    RENEW = "renew"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Grant:
    """What a token or code stands for: a user, the connected app, and the scopes granted."""

    user_id: str
    client_id: str
    scope: str


@dataclass(frozen=True)
class Introspection:
    """A live token as `/services/oauth2/introspect` describes it: an access token's session
    began its current lifetime at `active_since` (each renewal starts another) and ends at
    `expires` unless used; a refresh token lives until revoked."""

    grant: Grant
    token_type: str
    active_since: float | None = None
    expires: float | None = None


@dataclass(frozen=True)
class Revoked:
    """How many of a user's credentials a revoke ended."""

    refresh_tokens: int
    sessions: int


@dataclass(frozen=True)
class CodeGrant:
    grant: Grant
    redirect_uri: str
    code_challenge: str | None


def session_freshness(last_active: float, now: float, lifetime: float) -> Freshness:
    """Salesforce ends idle sessions and renews busy ones only past half of their lifetime."""
    idle = now - last_active
    if idle >= lifetime:
        return Freshness.EXPIRED
    return Freshness.RENEW if idle > lifetime / 2 else Freshness.FRESH


def new_access_token(org_id: str) -> str:
    """Shaped like Salesforce's: the 15-character org id, `!`, then an opaque `AQ...` part."""
    return f"{org_id[:15]}!AQ{_random(94)}"


def new_refresh_token() -> str:
    return f"5Aep861{_random(80)}"


def new_authorization_code() -> str:
    return f"aPrx{_random(80)}=="


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    _, salt_hex, _ = stored.split("$")
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt_hex)), stored)


def _random(length: int) -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(length))


class AuthStore:
    """The sandbox's credential tables; safe to share between the server's threads."""

    def __init__(
        self,
        path: Path,
        *,
        org_id: str,
        session_lifetime: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._org_id = org_id
        self._lifetime = session_lifetime
        self._clock = clock
        self._lock = threading.Lock()
        create_private_database(path)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- users ------------------------------------------------------------------------------

    def set_user(self, username: str, password: str, user_id: str) -> None:
        """Make `username`, and no other login, reach `user_id` with `password`."""
        with self._lock:
            logins = self._db.execute(
                "SELECT username, password_hash FROM users WHERE user_id = ?", (user_id,)
            ).fetchall()
        if [name for name, _ in logins] == [username] and password_matches(password, logins[0][1]):
            return  # unchanged: skip hashing the password again
        with self._transaction() as db:
            db.execute("DELETE FROM users WHERE user_id = ? OR username = ?", (user_id, username))
            db.execute(
                "INSERT INTO users (username, user_id, password_hash) VALUES (?, ?, ?)",
                (username, user_id, hash_password(password)),
            )

    def user_id(self, username: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT user_id FROM users WHERE username = ?", (username,)
            ).fetchone()
        return row[0] if row else None

    def username(self, user_id: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT username FROM users WHERE user_id = ?", (user_id,)
            ).fetchone()
        return row[0] if row else None

    def check_password(self, username: str, password: str) -> str | None:
        """The user id when the password is right; None for a wrong password or unknown user."""
        with self._lock:
            row = self._db.execute(
                "SELECT user_id, password_hash FROM users WHERE username = ?", (username,)
            ).fetchone()
        if row is None:
            hash_password(password)  # same cost either way, so timing does not reveal usernames
            return None
        return row[0] if password_matches(password, row[1]) else None

    # --- sessions ---------------------------------------------------------------------------

    def open_session(
        self, grant: Grant, kind: SessionKind = SessionKind.API, refresh_token: str | None = None
    ) -> str:
        token = new_access_token(self._org_id)
        refresh_hash = token_hash(refresh_token) if refresh_token else None
        with self._transaction() as db:
            db.execute(
                "INSERT INTO sessions (token_hash, kind, user_id, client_id, scope, refresh_hash,"
                " last_active) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    token_hash(token),
                    kind.value,
                    grant.user_id,
                    grant.client_id,
                    grant.scope,
                    refresh_hash,
                    self._clock(),
                ),
            )
        return token

    def session(self, token: str, kind: SessionKind = SessionKind.API) -> Grant | None:
        """The grant behind a live session, renewing it as Salesforce would; None when invalid."""
        key = token_hash(token)
        with self._lock:
            row = self._db.execute(
                "SELECT user_id, client_id, scope, last_active FROM sessions"
                " WHERE token_hash = ? AND kind = ?",
                (key, kind.value),
            ).fetchone()
        if row is None:
            return None
        now = self._clock()
        freshness = session_freshness(row[3], now, self._lifetime)
        if freshness is Freshness.EXPIRED:
            with self._transaction() as db:
                db.execute("DELETE FROM sessions WHERE token_hash = ?", (key,))
            return None
        if freshness is Freshness.RENEW:
            with self._transaction() as db:
                db.execute("UPDATE sessions SET last_active = ? WHERE token_hash = ?", (now, key))
        return Grant(user_id=row[0], client_id=row[1], scope=row[2])

    def introspect(self, token: str) -> Introspection | None:
        """What a live access or refresh token stands for, without renewing it (None: not a
        token, or no longer live)."""
        key = token_hash(token)
        with self._lock:
            session = self._db.execute(
                "SELECT user_id, client_id, scope, last_active FROM sessions"
                " WHERE token_hash = ? AND kind = ?",
                (key, SessionKind.API.value),
            ).fetchone()
            refresh = self._db.execute(
                "SELECT user_id, client_id, scope FROM refresh_tokens WHERE token_hash = ?",
                (key,),
            ).fetchone()
        if refresh is not None:
            return Introspection(Grant(*refresh), "refresh_token")
        if session is None:
            return None
        last_active = float(session[3])
        if session_freshness(last_active, self._clock(), self._lifetime) is Freshness.EXPIRED:
            return None
        expires = last_active + self._lifetime
        return Introspection(Grant(*session[:3]), "access_token", last_active, expires)

    # --- refresh tokens ---------------------------------------------------------------------

    def issue_refresh_token(self, grant: Grant) -> str:
        token = new_refresh_token()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO refresh_tokens (token_hash, user_id, client_id, scope)"
                " VALUES (?, ?, ?, ?)",
                (token_hash(token), grant.user_id, grant.client_id, grant.scope),
            )
        return token

    def refresh_grant(self, token: str) -> Grant | None:
        with self._lock:
            row = self._db.execute(
                "SELECT user_id, client_id, scope FROM refresh_tokens WHERE token_hash = ?",
                (token_hash(token),),
            ).fetchone()
        return Grant(*row) if row else None

    def revoke(self, token: str) -> bool:
        """End an access token, or a refresh token and every session opened with it."""
        key = token_hash(token)
        with self._transaction() as db:
            gone = db.execute("DELETE FROM refresh_tokens WHERE token_hash = ?", (key,)).rowcount
            if gone:
                db.execute("DELETE FROM sessions WHERE refresh_hash = ?", (key,))
            gone += db.execute("DELETE FROM sessions WHERE token_hash = ?", (key,)).rowcount
        return gone > 0

    def revoke_access(self, user_id: str | None = None) -> Revoked:
        """End the OAuth access of `user_id` (None: of every user), as Salesforce's Revoke does
        (Setup > Connected Apps OAuth Usage, or the user's Connected Apps): every refresh
        token, so the next refresh fails `invalid_grant`, and every API session, so the next
        call fails `INVALID_SESSION_ID`. The authorize pages' login (a UI session) stays, as a
        user's own Salesforce login does."""
        whose = {"user": user_id, "kind": SessionKind.API.value}
        with self._transaction() as db:
            tokens = db.execute(
                "DELETE FROM refresh_tokens WHERE :user IS NULL OR user_id = :user", whose
            ).rowcount
            sessions = db.execute(
                "DELETE FROM sessions WHERE kind = :kind AND (:user IS NULL OR user_id = :user)",
                whose,
            ).rowcount
        return Revoked(tokens, sessions)

    # --- authorization codes ----------------------------------------------------------------

    def issue_code(self, grant: Grant, redirect_uri: str, code_challenge: str | None) -> str:
        code = new_authorization_code()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO auth_codes (code_hash, user_id, client_id, redirect_uri, scope,"
                " code_challenge, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    token_hash(code),
                    grant.user_id,
                    grant.client_id,
                    redirect_uri,
                    grant.scope,
                    code_challenge,
                    self._clock() + CODE_LIFETIME,
                ),
            )
        return code

    def redeem_code(self, code: str) -> CodeGrant | None:
        """A code works once: redeeming it deletes it, whether or not it had expired."""
        key = token_hash(code)
        with self._transaction() as db:
            row = db.execute(
                "SELECT user_id, client_id, scope, redirect_uri, code_challenge, expires_at"
                " FROM auth_codes WHERE code_hash = ?",
                (key,),
            ).fetchone()
            db.execute("DELETE FROM auth_codes WHERE code_hash = ?", (key,))
        if row is None or row[5] <= self._clock():
            return None
        return CodeGrant(grant=Grant(*row[:3]), redirect_uri=row[3], code_challenge=row[4])
