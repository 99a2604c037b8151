"""What the connections page and `GET /api/v1/connections` show of a connection: never a secret.

The view is built field by field from the row, so a column added to `connections` later (a new
token, a key) stays out of the pages and the API until someone adds it here on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from forcebridge.jobs.policy import LOGIN_PROBLEMS
from forcebridge.salesforce.status import Problem, State
from forcebridge.store.models import Connection, ConnectionStatus
from forcebridge.web.environments import name_of


@dataclass(frozen=True)
class ConnectionView:
    id: int
    name: str
    kind: str
    environment: str
    instance_url: str
    salesforce_org_id: str | None
    username: str | None
    state: str
    """"Connected" or "Needs Attention", as the admin reads it."""
    problem: str | None
    reason: str | None
    """What to do about the problem, in words."""
    since: datetime
    api_calls_used: int | None
    api_calls_limit: int | None

    @property
    def connected(self) -> bool:
        return self.state == State.CONNECTED

    @property
    def disconnected(self) -> bool:
        """Disconnected on purpose: no credentials left, so nothing to check or revoke."""
        return self.problem == Problem.NOT_CONNECTED

    @property
    def reconnectable(self) -> bool:
        """What is wrong is mended by logging in again (as another user, perhaps): the problems
        a new login answers; a limit reached or an unstable org is not."""
        return self.problem in LOGIN_PROBLEMS

    @property
    def api_usage(self) -> str | None:
        if self.api_calls_used is None or self.api_calls_limit is None:
            return None
        return f"{self.api_calls_used:,} of {self.api_calls_limit:,}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "environment": self.kind,
            "instance_url": self.instance_url,
            "salesforce_org_id": self.salesforce_org_id,
            "username": self.username,
            "status": self.state,
            "problem": self.problem,
            "reason": self.reason,
            "since": self.since.isoformat(),
            "api_usage": {"used": self.api_calls_used, "limit": self.api_calls_limit},
        }


def connection_view(connection: Connection) -> ConnectionView:
    connected = connection.status == ConnectionStatus.CONNECTED
    return ConnectionView(
        id=connection.id,
        name=connection.name,
        kind=connection.kind.value,
        environment=name_of(connection.kind),
        instance_url=connection.instance_url,
        salesforce_org_id=connection.salesforce_org_id,
        username=connection.username,
        state=State.CONNECTED if connected else State.NEEDS_ATTENTION,
        problem=None if connected else connection.status_problem,
        reason=None if connected else connection.status_reason,
        since=connection.status_changed_at,
        api_calls_used=connection.last_api_usage,
        api_calls_limit=connection.last_api_limit,
    )
