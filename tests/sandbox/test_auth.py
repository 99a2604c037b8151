"""The credential tables: sessions that expire and renew, single-use codes, revocation."""

from __future__ import annotations

from pathlib import Path

import pytest

from forcebridge.sandbox.auth import (
    AuthStore,
    Freshness,
    Grant,
    SessionKind,
    session_freshness,
)

ORG_ID = "00D000000000001AAA"
USER_ID = "005000000000001AAA"
GRANT = Grant(USER_ID, "client", "api refresh_token")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> AuthStore:
    auth = AuthStore(tmp_path / "auth.sqlite3", org_id=ORG_ID, session_lifetime=100, clock=clock)
    auth.set_user("admin@example.com", "s3cret", USER_ID)
    return auth


def test_freshness_renews_only_in_the_second_half_of_the_lifetime() -> None:
    assert session_freshness(0, 40, 100) is Freshness.FRESH
    assert session_freshness(0, 60, 100) is Freshness.RENEW
    assert session_freshness(0, 100, 100) is Freshness.EXPIRED


def test_password_check_is_exact_and_username_case_insensitive(store: AuthStore) -> None:
    assert store.check_password("ADMIN@example.com", "s3cret") == USER_ID
    assert store.check_password("admin@example.com", "S3cret") is None
    assert store.check_password("nobody@example.com", "s3cret") is None


def test_changing_the_configured_password_replaces_the_old_one(store: AuthStore) -> None:
    store.set_user("admin@example.com", "new-password", USER_ID)
    assert store.check_password("admin@example.com", "s3cret") is None
    assert store.check_password("admin@example.com", "new-password") == USER_ID


def test_changing_the_configured_username_retires_the_old_one(store: AuthStore) -> None:
    store.set_user("ops@example.com", "s3cret", USER_ID)
    assert store.check_password("admin@example.com", "s3cret") is None
    assert store.check_password("ops@example.com", "s3cret") == USER_ID
    assert store.username(USER_ID) == "ops@example.com"


def test_access_tokens_look_like_salesforce_and_are_stored_hashed(
    store: AuthStore, tmp_path: Path
) -> None:
    token = store.open_session(GRANT)
    assert token.startswith(ORG_ID[:15] + "!AQ")
    assert token.encode() not in (tmp_path / "auth.sqlite3").read_bytes()
    assert store.session(token) == GRANT


def test_idle_session_expires_and_used_session_is_renewed(store: AuthStore, clock: Clock) -> None:
    idle, busy = store.open_session(GRANT), store.open_session(GRANT)
    clock.now += 60
    assert store.session(busy) == GRANT  # past half its life: renewed from now
    clock.now += 60
    assert store.session(idle) is None
    assert store.session(busy) == GRANT


def test_ui_sessions_are_not_bearer_tokens(store: AuthStore) -> None:
    cookie = store.open_session(GRANT, SessionKind.UI)
    assert store.session(cookie) is None
    assert store.session(cookie, SessionKind.UI) == GRANT


def test_revoking_a_refresh_token_ends_its_sessions_but_not_others(store: AuthStore) -> None:
    refresh = store.issue_refresh_token(GRANT)
    linked = store.open_session(GRANT, refresh_token=refresh)
    other = store.open_session(GRANT)
    assert store.revoke(refresh)
    assert store.refresh_grant(refresh) is None
    assert store.session(linked) is None
    assert store.session(other) == GRANT
    assert not store.revoke(refresh)


def test_revoking_a_users_access_ends_their_refresh_tokens_and_api_sessions_only(
    store: AuthStore,
) -> None:
    other = Grant("005000000000002AAA", "client", "api refresh_token")
    refresh, other_refresh = store.issue_refresh_token(GRANT), store.issue_refresh_token(other)
    linked, alone = store.open_session(GRANT, refresh_token=refresh), store.open_session(GRANT)
    login_page = store.open_session(GRANT, SessionKind.UI)
    others = store.open_session(other)

    revoked = store.revoke_access(USER_ID)

    assert (revoked.refresh_tokens, revoked.sessions) == (1, 2)
    assert store.refresh_grant(refresh) is None
    assert store.session(linked) is None and store.session(alone) is None
    assert store.session(login_page, SessionKind.UI) == GRANT  # their own login stays
    assert store.refresh_grant(other_refresh) == other and store.session(others) == other
    everyone = store.revoke_access()
    assert (everyone.refresh_tokens, everyone.sessions) == (1, 1)
    assert store.refresh_grant(other_refresh) is None and store.session(others) is None


def test_authorization_code_works_once_and_expires(store: AuthStore, clock: Clock) -> None:
    code = store.issue_code(GRANT, "https://app.example/callback", "challenge")
    redeemed = store.redeem_code(code)
    assert redeemed is not None
    assert (redeemed.grant, redeemed.redirect_uri, redeemed.code_challenge) == (
        GRANT,
        "https://app.example/callback",
        "challenge",
    )
    assert store.redeem_code(code) is None
    late = store.issue_code(GRANT, "https://app.example/callback", None)
    clock.now += 16 * 60
    assert store.redeem_code(late) is None


def test_introspection_reads_a_token_without_renewing_it(store: AuthStore, clock: Clock) -> None:
    refresh = store.issue_refresh_token(GRANT)
    token = store.open_session(GRANT)
    cookie = store.open_session(GRANT, SessionKind.UI)
    clock.now += 90  # past half the lifetime: a use would renew it, a look must not

    seen = store.introspect(token)
    assert seen is not None
    assert (seen.grant, seen.token_type) == (GRANT, "access_token")
    assert (seen.active_since, seen.expires) == (1_000_000.0, 1_000_100.0)
    kept = store.introspect(refresh)
    assert kept is not None
    assert (kept.token_type, kept.expires) == ("refresh_token", None)
    assert store.introspect(cookie) is None  # a login cookie is no API token

    clock.now += 10
    assert store.introspect(token) is None
    assert store.introspect(refresh) is not None
