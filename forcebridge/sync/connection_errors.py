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
