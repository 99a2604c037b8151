"""The web-server flow end to end: a browser walks the login and allow pages, PKCE, state."""

from __future__ import annotations

import base64
import hashlib
import secrets
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from forcebridge.sandbox.server import SandboxServer
from tests.sandbox.oauth_calls import Https, api_status, assert_oauth_error, token_call

CALLBACK = "http://localhost:8765/callback?app=demo"


class FormReader(HTMLParser):
    """The fields of the page's form, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = values.get("action", "")
        elif tag == "input" and values.get("type") == "hidden":
            self.fields[values["name"]] = values.get("value", "")


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def challenge_for(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class Browser:
    """Walks the authorize pages with one cookie jar, as a person in a browser would."""

    def __init__(self, sandbox: SandboxServer, https: Https) -> None:
        self.sandbox = sandbox
        self.session = https(sandbox)

    def authorize_url(self, **overrides: str | None) -> str:
        params = {
            "response_type": "code",
            "client_id": self.sandbox.config.client_id,
            "redirect_uri": CALLBACK,
            "state": "xyz-123",
        } | overrides
        query = urlencode({k: v for k, v in params.items() if v is not None})
        return f"{self.sandbox.base_url}/services/oauth2/authorize?{query}"

    def open(self, url: str) -> requests.Response:
        return self.session.get(url, allow_redirects=False)

    def submit(self, page: requests.Response, **inputs: str) -> requests.Response:
        form = read_form(page.text)
        return self.session.post(
            self.sandbox.base_url + form.action,
            data=form.fields | inputs,
            allow_redirects=False,
        )

    def log_in(self, page: requests.Response, password: str | None = None) -> requests.Response:
        config = self.sandbox.config
        answer = self.submit(page, username=config.username, password=password or config.password)
        if answer.status_code == 303:
            return self.open(self.sandbox.base_url + answer.headers["location"])
        return answer

    def authorize(self, decision: str = "allow", **overrides: str | None) -> dict[str, list[str]]:
        """The callback's query after logging in and answering the allow page."""
        allow_page = self.log_in(self.open(self.authorize_url(**overrides)))
        callback = self.submit(allow_page, action=decision)
        assert callback.status_code == 302
        location = callback.headers["location"]
        assert location.startswith("http://localhost:8765/callback?")
        return parse_qs(urlsplit(location).query)


def web_server_login(sandbox: SandboxServer, https: Https) -> dict[str, Any]:
    """The tokens the web-server flow gives (a refresh token with them), as a forcebridge
    connection made through the pop-up holds."""
    code = Browser(sandbox, https).authorize()["code"][0]
    config = sandbox.config
    answer = token_call(sandbox, https, grant_type="authorization_code", code=code,
                        client_id=config.client_id, client_secret=config.client_secret,
                        redirect_uri=CALLBACK)  # fmt: skip
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_web_server_flow_with_pkce_gives_working_access_and_refresh_tokens(
    sandbox: SandboxServer, https_for: Https
) -> None:
    verifier = secrets.token_urlsafe(48)
    callback = Browser(sandbox, https_for).authorize(
        code_challenge=challenge_for(verifier), code_challenge_method="S256"
    )
    assert callback["state"] == ["xyz-123"]
    assert callback["app"] == ["demo"]
    form = {
        "grant_type": "authorization_code",
        "code": callback["code"][0],
        "client_id": sandbox.config.client_id,
        "client_secret": sandbox.config.client_secret,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    answer = token_call(sandbox, https_for, **form)
    assert answer.status_code == 200
    tokens = answer.json()
    assert tokens["refresh_token"]
    assert "expires_in" not in tokens
    assert api_status(sandbox, https_for, tokens["access_token"]).status_code == 200
    replay = token_call(sandbox, https_for, **form)
    assert_oauth_error(replay, "invalid_grant", "invalid authorization code")

    refresh_form = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": sandbox.config.client_id,
    }
    refreshed = token_call(sandbox, https_for, **refresh_form)
    assert refreshed.status_code == 200
    assert "refresh_token" not in refreshed.json()
    new_token = refreshed.json()["access_token"]
    assert api_status(sandbox, https_for, new_token).status_code == 200

    revoke = https_for(sandbox).post(
        sandbox.base_url + "/services/oauth2/revoke", data={"token": tokens["refresh_token"]}
    )
    assert revoke.status_code == 200
    for token in (tokens["access_token"], new_token):
        gone = api_status(sandbox, https_for, token)
        assert gone.status_code == 401
        assert gone.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    again = token_call(sandbox, https_for, **refresh_form)
    assert_oauth_error(again, "invalid_grant", "expired access/refresh token")


def test_wrong_pkce_verifier_is_refused(sandbox: SandboxServer, https_for: Https) -> None:
    callback = Browser(sandbox, https_for).authorize(
        code_challenge=challenge_for("the-right-verifier-" + "x" * 30)
    )
    answer = token_call(
        sandbox,
        https_for,
        grant_type="authorization_code",
        code=callback["code"][0],
        client_id=sandbox.config.client_id,
        redirect_uri=CALLBACK,
        code_verifier="a-wrong-verifier-" + "y" * 30,
    )
    assert_oauth_error(answer, "invalid_grant", "invalid code verifier")


def test_code_must_be_redeemed_with_the_same_redirect_uri(
    sandbox: SandboxServer, https_for: Https
) -> None:
    callback = Browser(sandbox, https_for).authorize()
    answer = token_call(
        sandbox,
        https_for,
        grant_type="authorization_code",
        code=callback["code"][0],
        client_id=sandbox.config.client_id,
        client_secret=sandbox.config.client_secret,
        redirect_uri="http://localhost:9999/elsewhere",
    )
    assert_oauth_error(answer, "invalid_grant", "redirect_uri must match configuration")


def test_state_is_passed_through_untouched_or_left_out(
    sandbox: SandboxServer, https_for: Https
) -> None:
    forged = "<script>&state=other"
    assert Browser(sandbox, https_for).authorize(state=forged)["state"] == [forged]
    assert "state" not in Browser(sandbox, https_for).authorize(state=None)


def test_denying_access_redirects_with_access_denied(
    sandbox: SandboxServer, https_for: Https
) -> None:
    callback = Browser(sandbox, https_for).authorize(decision="deny")
    assert callback == {
        "app": ["demo"],
        "error": ["access_denied"],
        "error_description": ["end-user denied authorization"],
        "state": ["xyz-123"],
    }


def test_a_logged_in_browser_goes_straight_to_the_allow_page(
    sandbox: SandboxServer, https_for: Https
) -> None:
    browser = Browser(sandbox, https_for)
    browser.authorize()
    page = browser.open(browser.authorize_url(state="second"))
    assert "Allow Access?" in page.text


def test_wrong_password_shows_the_login_page_again(
    sandbox: SandboxServer, https_for: Https
) -> None:
    browser = Browser(sandbox, https_for)
    page = browser.log_in(browser.open(browser.authorize_url()), password="wrong")
    assert page.status_code == 200
    assert "Please check your username and password." in page.text
    assert "sid" not in browser.session.cookies


def test_unsupported_response_type_is_sent_back_to_the_app(
    sandbox: SandboxServer, https_for: Https
) -> None:
    browser = Browser(sandbox, https_for)
    answer = browser.open(browser.authorize_url(response_type="token"))
    assert answer.status_code == 302
    callback = parse_qs(urlsplit(answer.headers["location"]).query)
    assert callback["error"] == ["unsupported_response_type"]
    assert callback["state"] == ["xyz-123"]


def test_unknown_client_is_shown_on_the_page_not_redirected(
    sandbox: SandboxServer, https_for: Https
) -> None:
    browser = Browser(sandbox, https_for)
    answer = browser.open(browser.authorize_url(client_id="stranger"))
    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "invalid_client_id" in answer.text


def test_allow_form_from_another_session_is_refused(
    sandbox: SandboxServer, https_for: Https
) -> None:
    victim, attacker = Browser(sandbox, https_for), Browser(sandbox, https_for)
    attacker_page = attacker.log_in(attacker.open(attacker.authorize_url()))
    victim.log_in(victim.open(victim.authorize_url()))
    forged = victim.submit(attacker_page, action="allow")
    assert forged.status_code == 400
    assert "location" not in forged.headers
