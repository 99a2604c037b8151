"""What the connection service refuses on its own account (Salesforce's refusals are
`forcebridge.salesforce.errors`, the store's `forcebridge.store.errors`)."""

from __future__ import annotations


class ConnectError(Exception):
    """Base of what the connection service refuses on its own account."""


class NotConnected(ConnectError):
    """The connection holds no credentials (it was disconnected): reconnect it first."""


class OtherSalesforceOrg(ConnectError):
    """A reconnect logged in to a different Salesforce org than the connection's."""


class WebConnectExpired(ConnectError):
    """The admin took longer than `PENDING_LIFETIME` between starting and finishing the login."""


class UnreadablePendingConnect(ConnectError):
    """What was kept of a started web login (a cookie, say) cannot be read back."""


class ConnectionInUse(ConnectError):
    """A connection a service still syncs through cannot be removed."""


class UnknownConnection(ConnectError):
    """The org has no connection of the name asked for; `names` are the ones it has."""

    def __init__(self, org: str, name: str, names: list[str]) -> None:
        near = next((other for other in names if other.casefold() == name.casefold()), None)
        hint = f" (names are case-sensitive: did you mean {near!r}?)" if near else ""
        super().__init__(f"connection '{org}/{name}' does not exist{hint}")
        self.name = name
        self.names = names


class SeveralConnections(ConnectError):
    """The org has several connections and none was named: the admin must say which."""

    def __init__(self, org: str, names: list[str]) -> None:
        super().__init__(
            f"org {org!r} has {len(names)} Salesforce connections ({', '.join(names)}): "
            "name one with --connection NAME"
        )
        self.names = names


class NoConnection(ConnectError):
    """The org has no Salesforce connection yet: an admin connects one first."""

    def __init__(self, org: str) -> None:
        super().__init__(f"org {org!r} has no Salesforce connection: connect it first")
