"""Logging in and out: who gets in, what the cookie looks like, and the pause after guessing."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy import select

from forcebridge.store.models import AdminRole, LoginFailure
from forcebridge.store.repositories.admins import get_admin, remove_admin, set_password
from forcebridge.store.repositories.orgs import get_org
from forcebridge.web.auth import WRONG_CREDENTIALS
from forcebridge.web.sessions import COOKIE_NAME, MAX_AGE_SECONDS, cookie_signing_key
from forcebridge.web.throttle import LoginThrottle, StoredFailures, ThrottlePolicy
from tests.dbfixtures import backend_params
from tests.web.conftest import TEST_SECRET, AdminPages, AdminPagesFactory


def test_the_admin_pages_send_a_stranger_to_the_login(pages: AdminPages) -> None:
    answer = pages.client.get("/connections", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fconnections"


def test_an_admin_logs_in_and_sees_their_org(pages: AdminPages) -> None:
    answer = pages.log_in("acme", "Ann@Acme.example.com")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/connections"
    page = pages.client.get("/connections")
    assert page.status_code == 200
    assert "ann@acme.example.com" in page.text
    assert "<strong>acme</strong>" in page.text


def test_a_wrong_password_an_unknown_email_and_an_unknown_org_get_the_same_answer(
    pages: AdminPages,
) -> None:
    attempts = [
        ("acme", "ann@acme.example.com", "not the password"),
        ("acme", "bob@acme.example.com", "correct horse battery staple"),
        ("globex", "ann@acme.example.com", "correct horse battery staple"),
        ("acme", "not an address", "correct horse battery staple"),
    ]
    for org, email, password in attempts:
        answer = pages.log_in(org, email, password)

        assert answer.status_code == 401
        assert WRONG_CREDENTIALS in answer.text
    assert pages.client.get("/connections", follow_redirects=False).status_code == 303


def test_logging_out_ends_the_session(pages: AdminPages) -> None:
    pages.log_in("acme", "ann@acme.example.com")

    answer = pages.post_form("/logout")
    login = pages.client.get(answer.headers["location"])

    assert answer.headers["location"] == "/login?why=logged_out"
    assert '<p class="notice" role="status">You have logged out.</p>' in login.text
    assert pages.client.get("/connections", follow_redirects=False).status_code == 303
    assert "You have logged out." not in pages.client.get("/login").text  # a first visit


def test_a_cookie_saved_before_logging_out_is_no_session(pages: AdminPages) -> None:
    pages.log_in("acme", "ann@acme.example.com")
    saved = pages.client.cookies.get(COOKIE_NAME)
    form = pages.client.get("/connections")
    assert form.status_code == 200
    pages.post_form("/logout")

    pages.client.cookies.set(COOKIE_NAME, str(saved))
    replayed = pages.client.get("/connections", follow_redirects=False)
    api = pages.client.get("/api/v1/connections")
    login = pages.client.get("/login", follow_redirects=False)

    assert replayed.status_code == 303 and replayed.headers["location"].startswith("/login")
    assert api.status_code == 401
    assert login.status_code == 200  # the login page itself, not a loop back


def test_an_old_cookie_stops_working_once_the_admin_is_deleted(pages: AdminPages) -> None:
    pages.add_admin("acme", "bob@acme.example.com")
    pages.log_in("acme", "ann@acme.example.com")
    with pages.runtime.sessions() as session:
        remove_admin(session, get_admin(session, get_org(session, "acme"), "ann@acme.example.com"))
        session.commit()

    answer = pages.client.get("/connections", follow_redirects=False)
    told = pages.client.get(answer.headers["location"]).text
    api = pages.client.get("/api/v1/connections")

    assert answer.headers["location"] == "/login?next=%2Fconnections&why=ended"
    assert "or the account was removed or replaced): log in again" in told
    assert api.status_code == 401
    assert "or the account was removed or replaced)" in api.text


def _remove_admin(pages: AdminPages, email: str) -> None:
    with pages.runtime.sessions() as session:
        remove_admin(session, get_admin(session, get_org(session, "acme"), email))
        session.commit()


def _sees_the_login(pages: AdminPages, cookie: str) -> bool:
    """Whether a browser holding only `cookie` is sent to the login, by the pages and the API."""
    pages.client.cookies.clear()
    pages.client.cookies.set(COOKIE_NAME, cookie)
    page = pages.client.get("/connections", follow_redirects=False)
    api = pages.client.get("/api/v1/connections")
    return (
        page.status_code == 303
        and page.headers["location"].startswith("/login")
        and (api.status_code == 401)
    )


def test_a_removed_admins_cookie_is_no_session_of_the_admin_made_next(pages: AdminPages) -> None:
    """SQLite gave a removed admin's id, the highest, to the next admin made, at the same
    session epoch: the saved cookie of a removed viewer was an admin's session."""
    pages.add_admin("acme", "yara@acme.example.com", AdminRole.VIEWER)
    pages.log_in("acme", "yara@acme.example.com")
    saved = str(pages.client.cookies.get(COOKIE_NAME))
    _remove_admin(pages, "yara@acme.example.com")
    pages.add_admin("acme", "newboss@acme.example.com")

    assert _sees_the_login(pages, saved)
    assert pages.log_in("acme", "newboss@acme.example.com").status_code == 303


def test_an_admin_made_again_with_the_same_address_does_not_revive_the_old_cookie(
    pages: AdminPages,
) -> None:
    pages.add_admin("acme", "yara@acme.example.com", AdminRole.VIEWER)
    pages.log_in("acme", "yara@acme.example.com")
    saved = str(pages.client.cookies.get(COOKIE_NAME))
    _remove_admin(pages, "yara@acme.example.com")
    pages.add_admin("acme", "yara@acme.example.com")

    assert _sees_the_login(pages, saved)


@pytest.mark.parametrize("backend", backend_params())
def test_a_cookie_of_another_database_under_the_same_secret_key_is_no_session(
    admin_pages_factory: AdminPagesFactory, backend: str
) -> None:
    """A database made again (or restored) under the same secret key gives its first admin the
    id, org and epoch of the old one's: the cookie names the account by its key too."""
    before, after = admin_pages_factory(backend=backend), admin_pages_factory(backend=backend)
    before.add_admin("acme", "ann@acme.example.com")
    after.add_admin("acme", "ann@acme.example.com")
    before.log_in("acme", "ann@acme.example.com")

    assert _sees_the_login(after, str(before.client.cookies.get(COOKIE_NAME)))


def test_a_cookie_made_before_sessions_carried_the_accounts_key_is_no_session(
    pages: AdminPages,
) -> None:
    pages.log_in("acme", "ann@acme.example.com")
    changed_session(pages, lambda admin: admin.pop("key"))

    assert _sees_the_login(pages, pages.client.cookies[COOKIE_NAME])


def test_a_new_password_ends_the_admins_sessions_and_the_old_one_no_longer_logs_in(
    pages: AdminPages,
) -> None:
    pages.log_in("acme", "ann@acme.example.com")
    with pages.runtime.sessions() as session:
        ann = get_admin(session, get_org(session, "acme"), "Ann@acme.example.com")
        set_password(session, ann, "a brand new passphrase")
        session.commit()

    answer = pages.client.get("/connections", follow_redirects=False)
    told = pages.client.get(answer.headers["location"]).text
    old = pages.log_in("acme", "ann@acme.example.com")
    new = pages.log_in("acme", "ann@acme.example.com", "a brand new passphrase")

    assert answer.headers["location"] == "/login?next=%2Fconnections&why=ended"
    assert "Your session has ended (logged out, the password was changed, or the" in told
    assert old.status_code == 401
    assert new.status_code == 303


def changed_session(pages: AdminPages, change: Callable[[dict[str, Any]], object]) -> None:
    """Make the browser's session cookie one whose admin `change` altered, signed as the server
    signs."""
    [cookie] = [cookie for cookie in pages.client.cookies.jar if cookie.name == COOKIE_NAME]
    session = json.loads(base64.b64decode(str(cookie.value).split(".")[0]))
    change(session["admin"])
    signer = TimestampSigner(cookie_signing_key(TEST_SECRET))
    value = signer.sign(base64.b64encode(json.dumps(session).encode())).decode()
    pages.client.cookies.clear()
    pages.client.cookies.set(COOKIE_NAME, value, domain=cookie.domain, path=cookie.path)


def signed_in_hours_ago(pages: AdminPages, hours: float) -> None:
    """Make the browser's session cookie one that began `hours` ago."""
    changed_session(pages, lambda admin: admin.update(since=int(time.time() - hours * 3600)))


def test_a_session_expires_after_eight_hours_and_the_login_page_says_so(pages: AdminPages) -> None:
    pages.log_in("acme", "ann@acme.example.com")
    signed_in_hours_ago(pages, MAX_AGE_SECONDS / 3600 - 0.1)
    assert pages.client.get("/export", follow_redirects=False).status_code == 200
    signed_in_hours_ago(pages, MAX_AGE_SECONDS / 3600 + 0.1)

    answer = pages.client.get("/export", follow_redirects=False)
    login = pages.client.get(answer.headers["location"], follow_redirects=False)
    api = pages.client.get("/api/v1/connections")

    assert answer.headers["location"] == "/login?next=%2Fexport&why=expired"
    assert login.status_code == 200  # the login page, not back to the expired session
    assert "Your session expired (a session lasts 8 hours): log in again" in login.text
    assert api.status_code == 401 and "Your session expired" in api.json()["message"]
    assert pages.log_in("acme", "ann@acme.example.com").headers["location"] == "/connections"
    assert pages.client.get("/export", follow_redirects=False).status_code == 200


def test_a_strangers_login_page_explains_nothing(pages: AdminPages) -> None:
    page = pages.client.get("/login?next=%2Fexport").text

    assert "Your session" not in page


def test_the_login_only_sends_the_admin_on_within_this_site(pages: AdminPages) -> None:
    token_page = pages.client.get("/login?next=//evil.example.com/")
    assert "evil" not in token_page.text

    pages.log_in("acme", "ann@acme.example.com")

    assert pages.client.get("/login?next=//evil.example.com/", follow_redirects=False).headers[
        "location"
    ] == ("/connections")


def test_the_session_cookie_is_signed_http_only_and_same_site(pages: AdminPages) -> None:
    answer = pages.log_in("acme", "ann@acme.example.com")

    cookie = answer.headers["set-cookie"].lower()
    assert cookie.startswith(COOKIE_NAME + "=")
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # served over plain http here


def test_the_cookie_is_secure_when_the_pages_are_served_over_https(
    admin_pages_factory: AdminPagesFactory,
) -> None:
    pages = admin_pages_factory(public_url="https://forcebridge.example.com")

    answer = pages.client.get("/login")  # its form token starts the session

    assert "; secure" in answer.headers["set-cookie"].lower()


def test_the_cookie_is_secure_when_the_request_came_over_https(pages: AdminPages) -> None:
    """As behind a trusted proxy saying `X-Forwarded-Proto: https`, which uvicorn makes the
    request's scheme (`tests/cli/test_serve.py` runs that through `serve`)."""
    over_https = TestClient(pages.client.app, base_url="https://forcebridge.example.com")

    answer = over_https.get("/login")

    assert "; secure" in answer.headers["set-cookie"].lower()


def test_a_tampered_cookie_is_no_session(pages: AdminPages) -> None:
    pages.log_in("acme", "ann@acme.example.com")
    value = pages.client.cookies[COOKIE_NAME]
    forged = value.replace(value[-5:], "AAAAA")
    pages.client.cookies.clear()
    pages.client.cookies[COOKIE_NAME] = forged

    assert pages.client.get("/connections", follow_redirects=False).status_code == 303


def test_repeated_failures_pause_logins_for_that_account_even_with_the_right_password(
    admin_pages_factory: AdminPagesFactory,
) -> None:
    pages = admin_pages_factory(throttle=LoginThrottle(ThrottlePolicy(max_failures=3)))
    pages.add_admin("acme", "ann@acme.example.com")
    pages.add_admin("acme", "cy@acme.example.com")
    for _ in range(3):
        assert pages.log_in("acme", "ann@acme.example.com", "guess").status_code == 401

    paused = pages.log_in("acme", "ann@acme.example.com")

    assert paused.status_code == 429
    assert "Too many failed logins" in paused.text
    assert int(paused.headers["retry-after"]) > 0
    # Its one link leads to the login page, not to admin pages that need a login first.
    main = paused.text.split("<main", 1)[1].split("</main>", 1)[0]
    assert re.findall(r'<a href="([^"]*)">([^<]*)</a>', main) == [
        ("/login", "Back to the login page")
    ]
    assert pages.log_in("acme", "cy@acme.example.com").status_code == 303


def test_an_address_spelled_otherwise_counts_against_the_same_paused_account(
    admin_pages_factory: AdminPagesFactory,
) -> None:
    pages = admin_pages_factory(throttle=LoginThrottle(ThrottlePolicy(max_failures=3)))
    pages.add_admin("acme", "ann@acme.example.com")
    spellings = ["ann@acme.example.com", "ann@ACME.example.com", "ann@acm\uff45.example.com"]
    for spelling in spellings:
        assert pages.log_in("acme", spelling, "guess").status_code == 401

    paused = pages.log_in("acme", "ann@\uff41cme.example.com")  # the right password

    assert paused.status_code == 429


def test_failed_logins_are_kept_in_the_store_where_every_web_process_sees_them(
    pages: AdminPages,
) -> None:
    assert pages.log_in("acme", "Ann@Acme.example.com", "guess").status_code == 401

    another_process = StoredFailures(pages.runtime.engine, TEST_SECRET)
    assert len(another_process.since("testclient|acme|ann@acme.example.com", 0)) == 1
    assert pages.log_in("acme", "ann@acme.example.com").status_code == 303
    with pages.runtime.engine.connect() as connection:
        assert connection.scalars(select(LoginFailure.key)).all() == []


def test_a_wrong_password_marks_the_password_invalid_and_described_by_why(
    pages: AdminPages,
) -> None:
    answer = pages.log_in("acme", "ann@acme.example.com", "not the password")

    password = re.search(r'<input type="password" id="password"[^>]*>', answer.text)
    assert password is not None
    assert 'aria-invalid="true" aria-describedby="login-error"' in password.group(0)
    assert 'id="login-error"' in answer.text
    assert "aria-invalid" not in pages.client.get("/login").text
