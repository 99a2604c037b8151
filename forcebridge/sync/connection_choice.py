"""Which of an org's connections a command means: the one named, else the org's only one.

The command line, the admin pages and the REST API all choose this way; each words the
refusals for its own readers (`--connection` on the command line, a form's choice on a page, a
field of the request body in the API), so the refusals are typed and carry the names.
"""

from __future__ import annotations

from collections.abc import Sequence

from forcebridge.store.models import Connection
from forcebridge.sync.connection_errors import SeveralConnections, UnknownConnection


def choose_connection(
    org: str, connections: Sequence[Connection], name: str | None
) -> Connection | None:
    """The connection named `name` (exactly: names are case-sensitive), else the only one,
    else None while the org has none; with several and none named, the caller must say which."""
    names = [connection.name for connection in connections]
    if name:
        for connection in connections:
            if connection.name == name:
                return connection
        raise UnknownConnection(org, name, names)
    if len(connections) > 1:
        raise SeveralConnections(org, names)
    return connections[0] if connections else None
