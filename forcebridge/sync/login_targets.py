"""Where a connection logs in, and what kind of Salesforce org that makes it.

The kind follows from the login URL alone: production at login.salesforce.com, a Salesforce
sandbox at test.salesforce.com (or a `*.sandbox.my.salesforce.com` My Domain), any other My
Domain, or a forcebridge sandbox, which is the only kind trusted through a CA file of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forcebridge.salesforce.endpoints import (
    DEFAULT_API_VERSION,
    PRODUCTION_LOGIN,
    SANDBOX_LOGIN,
    LoginEndpoint,
    check_url,
    is_salesforce_host,
    trusted_sandbox,
)
from forcebridge.salesforce.errors import UntrustedUrl
from forcebridge.salesforce.oauth import ConnectedApp, OAuthClient
from forcebridge.salesforce.usage import UsageMeter
from forcebridge.store.models import AuthMethod, ConnectionKind
from forcebridge.store.repositories.connections import Login

_SANDBOX_MY_DOMAIN = ".sandbox.my.salesforce.com"


@dataclass(frozen=True)
class LoginTarget:
    endpoint: LoginEndpoint
    kind: ConnectionKind

    @property
    def default_name(self) -> str:
        """The connection's name when the admin gives none: the My Domain's name, or the kind."""
        if self.kind is ConnectionKind.MY_DOMAIN:
            return self.endpoint.origin[0].split(".")[0]
        return self.kind.value

    @property
    def ca_file(self) -> str | None:
        """The CA file trusted for a forcebridge sandbox, as the store keeps it."""
        ca_file = self.endpoint.ca_file
        return str(ca_file) if ca_file is not None else None

    def oauth(
        self, client_id: str, client_secret: str | None, usage: UsageMeter | None = None
    ) -> OAuthClient:
        """An OAuth client of the connected app `client_id` at this endpoint."""
        return OAuthClient(self.endpoint, ConnectedApp(client_id, client_secret), usage=usage)

    def login(
        self,
        method: AuthMethod,
        client_id: str,
        *,
        client_secret: str | None = None,
        username: str | None = None,
        password: str | None = None,
        jwt_private_key: str | None = None,
    ) -> Login:
        """What the store keeps to log in here again by `method`."""
        return Login(
            kind=self.kind,
            login_url=self.endpoint.url,
            auth_method=method,
            client_id=client_id,
            api_version=DEFAULT_API_VERSION,
            client_secret=client_secret,
            username=username,
            password=password,
            jwt_private_key=jwt_private_key,
            ca_file=self.ca_file,
        )


def login_target(login_url: str, ca_file: Path | None = None) -> LoginTarget:
    """The checked endpoint and kind of `login_url`; `UntrustedUrl` says why one is refused."""
    if ca_file is not None:
        endpoint = trusted_sandbox(login_url, ca_file.resolve())
        if is_salesforce_host(endpoint.origin[0]):
            raise UntrustedUrl(
                f"{login_url} is Salesforce, whose certificates are trusted already: a CA file "
                "is only for a forcebridge sandbox, so leave it out"
            )
        return LoginTarget(endpoint, ConnectionKind.FORCEBRIDGE_SANDBOX)
    endpoint = check_url(login_url)
    host = endpoint.origin[0]
    if endpoint.url == PRODUCTION_LOGIN:
        kind = ConnectionKind.PRODUCTION
    elif endpoint.url == SANDBOX_LOGIN or host.endswith(_SANDBOX_MY_DOMAIN):
        kind = ConnectionKind.SANDBOX
    else:
        kind = ConnectionKind.MY_DOMAIN
    return LoginTarget(endpoint, kind)
