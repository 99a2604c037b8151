"""What a run spent of the org's daily API allowance, written with the run.

A run counts its own calls; the org's usage as Salesforce last reported it (the
`Sforce-Limit-Info` header of the run's last response) goes onto the run's connection in the
same transaction, so the figure admins read is as fresh as the last run, at no extra call and
with no second writer for SQLite to wait on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from forcebridge.salesforce.usage import UsageSnapshot
from forcebridge.store.models import Connection, Run
from forcebridge.store.repositories.connections import record_api_usage

if TYPE_CHECKING:
    from forcebridge.salesforce.client import SalesforceClient


def settle_spending(
    session: Session, run: Run, client: SalesforceClient, before: UsageSnapshot
) -> None:
    """`run`'s calls since `before`, and the connection's usage as last reported."""
    now = client.usage.snapshot()
    run.api_calls = now.minus(before).api_calls
    usage, key = now.api_usage, client.settings.connection_id
    connection = session.get(Connection, int(key)) if key.isdigit() else None
    if usage is not None and connection is not None:
        record_api_usage(session, connection, usage.used, usage.max)


def spent_since(client: SalesforceClient, before: UsageSnapshot) -> Callable[[], int]:
    """The calls `client` has made since `before`, asked as often as wanted: a run writes them
    with each commit, so one whose process dies mid-way still shows what it cost."""
    return lambda: client.usage.snapshot().minus(before).api_calls
