"""Fixtures that connect this package's clients to a real sandbox over HTTPS.

`connect(server, ...)` logs in with the password grant and returns a `SalesforceClient` whose
retries never sleep (the waits it would have made are kept in `client.waits`), so fault tests are
fast and can assert how often the client retried. `walk_web_flow` is the admin's browser: it
follows the authorize URL, fills in the sandbox's login page, and presses Allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from forcebridge.salesforce.client import ClientSettings, SalesforceClient
from forcebridge.salesforce.endpoints import LoginEndpoint, trusted_sandbox
from forcebridge.salesforce.oauth import ConnectedApp, OAuthClient, PasswordGrant
from forcebridge.salesforce.retry import Retrier, RetryPolicy
from forcebridge.salesforce.tokens import TokenSet
from forcebridge.salesforce.transport import DEFAULT_TIMEOUT
from forcebridge.sandbox.clients import API_VERSION
from forcebridge.sandbox.server import SandboxServer
from tests.oauth_browser import answer_consent, callback_params

REDIRECT_URI = "http://localhost:1717/OauthRedirect"


@dataclass
class Waits:
    """The sleeps a client asked for, in order, without sleeping."""

    seconds: list[float] = field(default_factory=list)

    def __call__(self, delay: float) -> None:
        self.seconds.append(delay)


def endpoint_of(server: SandboxServer) -> LoginEndpoint:
    return trusted_sandbox(server.base_url, server.ca_file)


def oauth_for(server: SandboxServer, waits: Waits | None = None) -> OAuthClient:
    app = ConnectedApp(server.config.client_id, server.config.client_secret)
    return OAuthClient(endpoint_of(server), app, retrier=fast_retrier(waits or Waits()))


def fast_retrier(waits: Waits, max_attempts: int = 4) -> Retrier:
    return Retrier(RetryPolicy(max_attempts=max_attempts), sleep=waits, draw=lambda: 0.5)


def password_tokens(server: SandboxServer) -> TokenSet:
    return oauth_for(server).password_grant(server.config.username, server.config.password)


@dataclass
class Connected:
    """A client, the OAuth client it renews with, and the waits its retries asked for."""

    client: SalesforceClient
    oauth: OAuthClient
    waits: Waits


def client_for(
    server: SandboxServer,
    *,
    tokens: TokenSet | None = None,
    max_attempts: int = 4,
    api_version: str = API_VERSION,
    bulk_page_size: int = 10_000,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    ca_file: Path | None = None,
    **options: Any,
) -> Connected:
    """A client logged in to `server` (by the password grant unless given `tokens`), trusting
    `server`'s CA unless given another `ca_file`."""
    waits = Waits()
    oauth = oauth_for(server, waits)
    tokens = tokens or oauth.password_grant(server.config.username, server.config.password)
    renewal = (
        None
        if tokens.refresh_token
        else PasswordGrant(server.config.username, server.config.password)
    )
    settings = ClientSettings(
        connection_id="test-connection",
        api_version=api_version,
        ca_file=ca_file or server.ca_file,
        bulk_page_size=bulk_page_size,
        timeout=timeout,
    )
    client = SalesforceClient(
        tokens,
        settings,
        oauth=options.pop("oauth", oauth),
        renewal=options.pop("renewal", renewal),
        usage=oauth.usage,
        retrier=options.pop("retrier", fast_retrier(waits, max_attempts)),
        **options,
    )
    return Connected(client, oauth, waits)


@pytest.fixture
def connect() -> Callable[..., Connected]:
    return client_for


def walk_web_flow(
    server: SandboxServer, authorize_url: str, *, password: str | None = None, allow: bool = True
) -> dict[str, str]:
    """Log in and answer the allow page as an admin would; the callback's query parameters."""
    location = answer_consent(server, authorize_url, password=password, allow=allow)
    assert location.startswith(REDIRECT_URI), location
    return callback_params(location)
