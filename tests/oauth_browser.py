"""The admin's browser in the web-server flow: log in on the sandbox's page, press Allow, and
read where Salesforce sends the browser back (the callback URL, with `code` and `state`)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from forcebridge.sandbox.clients import trusting_session
from forcebridge.sandbox.server import SandboxServer


class _FirstForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
        elif tag == "input" and values.get("name"):
            self.fields[values["name"]] = values.get("value", "")


def _form(html: str) -> tuple[str, dict[str, str]]:
    reader = _FirstForm()
    reader.feed(html)
    assert reader.action is not None, f"no form on the page:\n{html}"
    return reader.action, reader.fields


class LoginRefused(AssertionError):
    """The login page came back instead of the allow page."""


def answer_consent(
    server: SandboxServer, authorize_url: str, *, password: str | None = None, allow: bool = True
) -> str:
    """Log in on the sandbox's page and press Allow (or Deny); the callback URL the browser is
    sent to."""
    browser = trusting_session(server.ca_file)
    page = browser.get(authorize_url)
    action, fields = _form(page.text)
    fields |= {"username": server.config.username, "password": password or server.config.password}
    page = browser.post(urljoin(page.url, action), data=fields)
    action, fields = _form(page.text)
    if "confirmation" not in fields:
        raise LoginRefused(page.text)
    fields["action"] = "allow" if allow else "deny"
    answer = browser.post(urljoin(page.url, action), data=fields, allow_redirects=False)
    return answer.headers["Location"]


def allow_access(server: SandboxServer, authorize_url: str) -> str:
    """Log in as the sandbox's admin and allow access; the callback URL the browser is sent to."""
    return answer_consent(server, authorize_url)


def callback_params(callback_url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(callback_url).query))
