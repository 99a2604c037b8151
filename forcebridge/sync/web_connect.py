"""The OAuth web-server flow: an admin logs in to Salesforce in a browser and allows access.

Two requests apart: `start_web_connect` gives the URL to send the admin to and what the
callback will need (`PendingWebConnect`, kept by the caller, sealed, between the requests);
`finish_web_connect` redeems the callback's code and keeps the connection as the other flows
do (`forcebridge.sync.connections.keep_login`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from forcebridge.salesforce.oauth import AuthorizationRequest
from forcebridge.store.models import AuthMethod, Connection
from forcebridge.store.names import check_name
from forcebridge.store.repositories.orgs import get_org
from forcebridge.sync.connection_errors import UnreadablePendingConnect, WebConnectExpired
from forcebridge.sync.connections import keep_login
from forcebridge.sync.login_targets import login_target

#: How long an admin has to log in and allow access once the web flow has started.
PENDING_LIFETIME = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class PendingWebConnect:
    """A web login in progress: what the callback needs, kept between the two requests.

    `to_dict` gives plain JSON; it holds the client secret and the PKCE verifier, so whoever
    keeps it outside the process (a cookie) must seal it first.
    """

    org: str
    name: str
    login_url: str
    ca_file: str | None
    client_id: str
    client_secret: str | None = field(repr=False)
    redirect_uri: str
    authorize_url: str
    state: str
    code_verifier: str = field(repr=False)
    started_at: str
    """ISO 8601, UTC."""

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> PendingWebConnect:
        """Read back what `to_dict` gave; anything else is refused, naming what is wrong."""
        values: dict[str, Any] = {key: data.get(key) for key in cls.__dataclass_fields__}
        wrong = [
            key
            for key, value in values.items()
            if not isinstance(value, str) and not (key in _OPTIONAL and value is None)
        ]
        if wrong:
            raise UnreadablePendingConnect(
                f"the started login has no valid {', '.join(wrong)}: start connecting again"
            )
        return cls(**values)


_OPTIONAL = frozenset({"ca_file", "client_secret"})


def start_web_connect(
    org: str,
    name: str | None,
    login_url: str,
    redirect_uri: str,
    client_id: str,
    client_secret: str | None,
    ca_file: Path | None = None,
    *,
    now: dt.datetime | None = None,
) -> PendingWebConnect:
    """Begin the OAuth web-server flow: send the admin to `authorize_url` (a pop-up, a browser),
    keep the result, and hand both to `finish_web_connect` when the callback arrives."""
    target = login_target(login_url, ca_file)
    name = check_name("connection", name or target.default_name)
    request = target.oauth(client_id, client_secret).authorization_request(redirect_uri)
    return PendingWebConnect(
        org=org,
        name=name,
        login_url=target.endpoint.url,
        ca_file=target.ca_file,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        authorize_url=request.url,
        state=request.state,
        code_verifier=request.code_verifier,
        started_at=(now or dt.datetime.now(dt.UTC)).isoformat(),
    )


def finish_web_connect(
    session: Session,
    pending: PendingWebConnect,
    callback_params: Mapping[str, str],
    *,
    now: dt.datetime | None = None,
) -> Connection:
    """Redeem the callback's code and keep the connection. A callback whose `state` is not the
    pending one is refused as forged (`LoginFailed`, "state_mismatch") before anything is sent."""
    started = dt.datetime.fromisoformat(pending.started_at)
    if (now or dt.datetime.now(dt.UTC)) - started > PENDING_LIFETIME:
        raise WebConnectExpired(
            f"the Salesforce login was started more than {PENDING_LIFETIME.seconds // 60} "
            "minutes ago: start connecting again"
        )
    target = login_target(pending.login_url, Path(pending.ca_file) if pending.ca_file else None)
    found = get_org(session, pending.org)
    oauth = target.oauth(pending.client_id, pending.client_secret)
    request = AuthorizationRequest(
        pending.authorize_url, pending.redirect_uri, pending.state, pending.code_verifier
    )
    tokens = oauth.exchange_code(request, callback_params)
    login = target.login(AuthMethod.WEB, pending.client_id, client_secret=pending.client_secret)
    return keep_login(session, found, pending.name, login, tokens, oauth)
