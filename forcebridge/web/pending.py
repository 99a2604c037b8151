"""The Salesforce login in progress, kept in the admin's session between the pop-up's two requests.

It holds the PKCE verifier and possibly the connected app's client secret, and the session
cookie is only signed, not encrypted, so it goes in sealed with the product's keyring (the same
AES-GCM that protects tokens at rest). One login at a time per session: starting another one
replaces it, and the callback takes it out whatever the outcome, so a code is redeemed once.
"""

from __future__ import annotations

import json

from starlette.requests import HTTPConnection

from forcebridge.store.crypto import Keyring
from forcebridge.store.errors import EncryptionError
from forcebridge.sync.connection_errors import UnreadablePendingConnect
from forcebridge.sync.web_connect import PendingWebConnect

_KEY = "pending_connect"


def keep_pending(connection: HTTPConnection, keyring: Keyring, pending: PendingWebConnect) -> None:
    connection.session[_KEY] = keyring.encrypt(json.dumps(pending.to_dict()))


def take_pending(connection: HTTPConnection, keyring: Keyring) -> PendingWebConnect | None:
    """The login this session started (removed from the session), or None if it started none."""
    sealed = connection.session.pop(_KEY, None)
    if not isinstance(sealed, str):
        return None
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
