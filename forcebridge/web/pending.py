"""The Salesforce login in progress, kept in the admin's session between the pop-up's two requests.

It holds the PKCE verifier and possibly the connected app's client secret, and the session
cookie is only signed, not encrypted, so it goes in sealed with the product's keyring (the same
AES-GCM that protects tokens at rest). One login at a time per session: starting another one
replaces it, and its callback takes it out whatever the outcome, so a code is redeemed once. A
callback that is not its own (another `state`) is ignored and leaves it waiting, as the command
line's listener does (`cli/callback_listener.py`): a stray link cannot cancel a login.
"""

from __future__ import annotations

import hmac
import json

from starlette.requests import HTTPConnection

from forcebridge.store.crypto import Keyring
from forcebridge.store.errors import EncryptionError
from forcebridge.sync.connection_errors import UnreadablePendingConnect
from forcebridge.sync.web_connect import PendingWebConnect
from forcebridge.web.errors import WebError

_KEY = "pending_connect"


class StrayCallback(WebError):
    """A callback whose `state` is not the waiting login's: ignored, nothing sent anywhere."""

    def __init__(self) -> None:
        super().__init__(
            "This is not the answer to the Salesforce login this browser is waiting for (its "
            "state does not match: an old window, or a link from elsewhere), so it was ignored. "
            "The login in progress goes on: finish it in its own window."
        )


def keep_pending(connection: HTTPConnection, keyring: Keyring, pending: PendingWebConnect) -> None:
    connection.session[_KEY] = keyring.encrypt(json.dumps(pending.to_dict()))


def take_pending(
    connection: HTTPConnection, keyring: Keyring, state: str
) -> PendingWebConnect | None:
    """The login this session started, taken out of the session when the callback's `state`
    is its own; None if it started none. A callback with another state (an old tab, a link from
    elsewhere) is `StrayCallback`, and the login stays, waiting for its own answer."""
    sealed = connection.session.get(_KEY)
    if not isinstance(sealed, str):
        return None
    try:
        pending = _unsealed(keyring, sealed)
    except UnreadablePendingConnect:
        connection.session.pop(_KEY)
        raise
    if not hmac.compare_digest(state.encode(), pending.state.encode()):
        raise StrayCallback()
    connection.session.pop(_KEY)
    return pending


def _unsealed(keyring: Keyring, sealed: str) -> PendingWebConnect:
    try:
        data = json.loads(keyring.decrypt(sealed))
    except (EncryptionError, ValueError) as error:
        raise UnreadablePendingConnect(
            "the Salesforce login this window started can no longer be read (the server's key "
            "changed?): start connecting again"
        ) from error
    if not isinstance(data, dict):
        raise UnreadablePendingConnect("the started Salesforce login is unreadable: start again")
    return PendingWebConnect.from_dict(data)
