"""The Salesforce client's ports, kept in the store: renewed tokens, describe results, status.

Each port writes in a short transaction of its own, committed at once, so what it records
outlives a run that fails and rolls back: a renewed (possibly rotated) refresh token must never
be lost, and a "Needs Attention" status must survive the failure that caused it. The rule that
follows for callers: never hold uncommitted writes while calling Salesforce (SQLite has one
writer at a time, so a port's write would wait on the caller's), which is good practice anyway:
no database transaction stays open across a network call.
"""

from __future__ import annotations

from sqlalchemy import Engine, Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from forcebridge.salesforce.describe_cache import CachedDescribe, DescribeKey
from forcebridge.salesforce.status import ConnectionStatus, Problem, State
from forcebridge.salesforce.tokens import TokenSet
from forcebridge.store.models import Connection, DescribeCacheEntry
from forcebridge.store.models import ConnectionStatus as StoredStatus
from forcebridge.store.repositories.connections import Tokens, set_status, update_tokens
from forcebridge.store.repositories.uniqueness import is_unique_violation


def stored_tokens(tokens: TokenSet) -> Tokens:
    """What the store keeps of a token response."""
    return Tokens(
        access_token=tokens.access_token,
        instance_url=tokens.instance_url,
        refresh_token=tokens.refresh_token,
        salesforce_org_id=tokens.org_id,
        salesforce_user_id=tokens.user_id,
    )


def stored_status(connection: Connection) -> ConnectionStatus:
    """The status a connection row records, as the Salesforce layer's value (for roll-ups)."""
    if connection.status == StoredStatus.CONNECTED:
        return ConnectionStatus(
            State.CONNECTED, message="Connected to Salesforce.", since=connection.status_changed_at
        )
    return ConnectionStatus(
        State.NEEDS_ATTENTION,
        Problem(str(connection.status_problem)),
        connection.status_reason or "",
        since=connection.status_changed_at,
    )


def record_status(session: Session, connection: Connection, status: ConnectionStatus) -> None:
    """Write `status` into the connection's status columns (in `session`; the caller commits)."""
    if status.needs_attention and status.problem is not None:
        set_status(
            session,
            connection,
            StoredStatus.NEEDS_ATTENTION,
            problem=status.problem.value,
            reason=status.message,
            now=status.since,
        )
    else:
        set_status(session, connection, StoredStatus.CONNECTED, now=status.since)


class _ConnectionWriter:
    """Loads the connection afresh in a transaction of its own for each write."""

    def __init__(self, engine: Engine, connection_id: int) -> None:
        self._engine = engine
        self._connection_id = connection_id

    def _load(self, session: Session) -> Connection:
        connection = session.get(Connection, self._connection_id)
        if connection is None:
            raise LookupError(
                f"connection {self._connection_id} was deleted while a client was using it"
            )
        return connection


class StoreTokenSink(_ConnectionWriter):
    """Keeps renewed tokens in the connection's encrypted columns."""

    def tokens_renewed(self, tokens: TokenSet) -> None:
        with Session(self._engine) as session, session.begin():
            update_tokens(session, self._load(session), stored_tokens(tokens))


class StoreStatusObserver(_ConnectionWriter):
    """Keeps the client's derived status in the connection's status columns."""

    def status_changed(self, status: ConnectionStatus) -> None:
        with Session(self._engine) as session, session.begin():
            record_status(session, self._load(session), status)


class StoreFailureCount(_ConnectionWriter):
    """The connection's temporary failures in a row, in its `temporary_failures` column: each
    run adds its own with one UPDATE, so runs failing at once in several processes add up.
    `count` is the column as the client's connection was read; clearing writes only when the
    count is known not to be 0, so a run that works writes nothing more."""

    def __init__(self, engine: Engine, connection_id: int, count: int) -> None:
        super().__init__(engine, connection_id)
        self._count = count

    def add(self, failures: int) -> int:
        column = Connection.temporary_failures
        with Session(self._engine) as session, session.begin():
            session.execute(
                update(Connection)
                .where(Connection.id == self._connection_id)
                .values(temporary_failures=column + failures)
            )
            self._count = self._load(session).temporary_failures
        return self._count

    def clear(self) -> None:
        if self._count:
            with Session(self._engine) as session, session.begin():
                self._load(session).temporary_failures = 0
            self._count = 0


class StoreDescribeCache:
    """Describe results in the `describe_cache` table, one row per (connection, version, object)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, key: DescribeKey) -> CachedDescribe | None:
        with Session(self._engine) as session:
            entry = session.scalars(_entry_query(key)).one_or_none()
            if entry is None:
                return None
            return CachedDescribe(entry.payload, entry.fetched_at, entry.checked_at)

    def put(self, key: DescribeKey, entry: CachedDescribe) -> None:
        try:
            with Session(self._engine) as session, session.begin():
                row = session.scalars(_entry_query(key)).one_or_none()
                if row is None:
                    row = DescribeCacheEntry(
                        connection_id=int(key.connection_id),
                        sobject=key.sobject,
                        api_version=key.api_version,
                    )
                    session.add(row)
                row.payload = entry.payload
                row.fetched_at = entry.fetched_at
                row.checked_at = entry.checked_at
        except IntegrityError as error:
            # Another process cached the same describe first; theirs is as good as ours.
            if not is_unique_violation(error):
                raise


def _entry_query(key: DescribeKey) -> Select[DescribeCacheEntry]:
    return select(DescribeCacheEntry).where(
        DescribeCacheEntry.connection_id == int(key.connection_id),
        DescribeCacheEntry.sobject == key.sobject,
        DescribeCacheEntry.api_version == key.api_version,
    )
