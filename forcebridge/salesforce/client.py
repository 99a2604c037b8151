"""`SalesforceClient`: the one door through which forcebridge calls a Salesforce org's APIs.

Built on simple-salesforce. Every request goes through `_call`, which counts it, retries what is
transient, renews an expired session once (refresh token, or the JWT or password grant again) and
replays the request, and turns every other failure into a typed `SalesforceError`. Reads stay
lazy (query pages, Bulk result pages) so memory stays flat however many records a query matches.

Records stay Salesforce's JSON as plain dicts, with numbers read as `Decimal` so none loses
precision; converting them is the mapping layer's job. SOQL comes from callers, who build it with
`forcebridge.soql.builder`. A client is meant for one thread at a time.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

from simple_salesforce import Salesforce

from forcebridge.salesforce import operations as ops
from forcebridge.salesforce.bulk_reads import job_rows
from forcebridge.salesforce.describe_cache import (
    DESCRIBE_MAX_AGE,
    GLOBAL,
    CachedDescribe,
    DescribeCacheStore,
    DescribeKey,
    InMemoryDescribeCache,
    is_fresh,
    known_since,
)
from forcebridge.salesforce.endpoints import DEFAULT_API_VERSION
from forcebridge.salesforce.errors import (
    AuthenticationLost,
    LoginFailed,
    SalesforceError,
    TransientError,
)
from forcebridge.salesforce.oauth import (
    OAuthClient,
    OtherOrgSession,
    RefreshTokenGrant,
    RenewalGrant,
    other_org,
)
from forcebridge.salesforce.redaction import get_logger
from forcebridge.salesforce.retry import AttemptFailed, Retrier, records_to_retry
from forcebridge.salesforce.sobject_collections import (
    RETRIEVE_CHUNK,
    WRITE_CHUNK,
    CollectionWrite,
    RecordResult,
    chunks,
    parse_results,
)
from forcebridge.salesforce.status import (
    CONNECTED,
    CallOutcome,
    ConnectionStatus,
    FailureCount,
    InMemoryFailureCount,
    Problem,
    StatusObserver,
    connection_status,
    outcome_of,
)
from forcebridge.salesforce.tokens import TokenSet, TokenSink
from forcebridge.salesforce.transport import DEFAULT_TIMEOUT, http_session
from forcebridge.salesforce.usage import EndpointKind, UsageMeter

#: Calls remembered for deriving the connection status.
OUTCOMES_KEPT = 20

T = TypeVar("T")
log = get_logger(__name__)


@dataclass(frozen=True)
class ClientSettings:
    """How one connection is reached; `connection_id` keys its describe cache entries."""

    connection_id: str
    api_version: str = DEFAULT_API_VERSION
    ca_file: Path | None = None
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT
    describe_max_age: dt.timedelta = DESCRIBE_MAX_AGE
    bulk_page_size: int = 10_000


@dataclass(frozen=True)
class QueryPage:
    """One page of a query: its records, and how many the whole query matches."""

    records: list[dict[str, Any]]
    total_size: int


class SalesforceClient:
    """Counted, retried, typed access to one connection's org."""

    def __init__(
        self,
        tokens: TokenSet,
        settings: ClientSettings,
        *,
        oauth: OAuthClient | None = None,
        renewal: RenewalGrant | None = None,
        describe_cache: DescribeCacheStore | None = None,
        token_sink: TokenSink | None = None,
        status_observer: StatusObserver | None = None,
        status: ConnectionStatus = CONNECTED,
        failure_count: FailureCount | None = None,
        usage: UsageMeter | None = None,
        retrier: Retrier | None = None,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        """`renewal` defaults to the refresh token in `tokens`; without `oauth` or a way to
        renew, an expired session is reported as `AuthenticationLost` straight away. `status` is
        the connection's status as last stored, so the first call that changes it is reported
        (a success after "limit reached" reports "Connected"); `failure_count`, the
        connection's temporary failures in a row, shared with its other clients (by default
        this client's own)."""
        self.settings = settings
        self.usage = usage or UsageMeter()
        self._tokens = tokens
        self._oauth = oauth
        if renewal is None and tokens.refresh_token:
            renewal = RefreshTokenGrant(tokens.refresh_token)
        self._renewal = renewal
        self._describe_cache = describe_cache or InMemoryDescribeCache()
        self._token_sink = token_sink
        self._status_observer = status_observer
        self._retrier = retrier or Retrier()
        self._clock = clock
        self._outcomes: deque[CallOutcome] = deque(maxlen=OUTCOMES_KEPT)
        self._status = status
        self._failure_count = failure_count or InMemoryFailureCount()
        self._session = http_session(
            ca_file=settings.ca_file, usage=self.usage, timeout=settings.timeout
        )
        self._sf = self._connect(tokens)

    @property
    def tokens(self) -> TokenSet:
        """The current tokens (renewed ones included)."""
        return self._tokens

    @property
    def status(self) -> ConnectionStatus:
        return self._status

    @property
    def observed_status(self) -> ConnectionStatus | None:
        """The status this client's own calls have shown, None before its first call: a run
        that stopped before calling Salesforce is not blamed on the connection's older trouble."""
        return self._status if self._outcomes else None

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- describe -----------------------------------------------------------------------------

    def describe(self, sobject: str, *, refresh: bool = False) -> dict[str, Any]:
        """The object's describe: cached, revalidated once older than `describe_max_age` or when
        `refresh` asks (a 304 answer costs a call but keeps the cached payload). The payload is
        the cache's own copy: read it, do not change it."""
        return self._describe(ops.api_name(sobject), refresh=refresh)

    def describe_global(self, *, refresh: bool = False) -> dict[str, Any]:
        return self._describe(GLOBAL, refresh=refresh)

    def _describe(self, sobject: str, *, refresh: bool) -> dict[str, Any]:
        key = DescribeKey(self.settings.connection_id, self.settings.api_version, sobject)
        cached = self._describe_cache.get(key)
        now = self._clock()
        if cached and not refresh and is_fresh(cached, now, self.settings.describe_max_age):
            return cached.payload
        request = ops.describe(sobject, known_since(cached, refresh=refresh))
        payload = self._call(EndpointKind.DESCRIBE, request)
        if payload is None and cached is not None:
            self._describe_cache.put(key, cached.confirmed(now))
            return cached.payload
        if payload is None:
            raise SalesforceError(f"Salesforce sent an empty describe for {sobject or 'the org'}")
        self._describe_cache.put(key, CachedDescribe(payload, fetched_at=now, checked_at=now))
        return payload

    # --- reads --------------------------------------------------------------------------------

    def query_pages(
        self, soql: str, *, include_deleted: bool = False, batch_size: int | None = None
    ) -> Iterator[QueryPage]:
        """Pages as Salesforce serves them, each fetched only once the previous one is consumed.

        `include_deleted` reads through queryAll (deleted and archived records too);
        `batch_size` (200-2,000) asks for pages smaller than Salesforce's 2,000.
        """
        headers = ops.query_options(batch_size)
        answer = self._call(
            EndpointKind.QUERY, ops.query(soql, include_deleted=include_deleted, headers=headers)
        )
        while True:
            yield QueryPage(records=answer["records"], total_size=int(answer["totalSize"]))
            next_url = answer.get("nextRecordsUrl")
            if answer.get("done", True) or not next_url:
                return
            answer = self._call(EndpointKind.QUERY_MORE, ops.query_more(next_url, headers))

    def query_all_records(
        self, soql: str, *, include_deleted: bool = False, batch_size: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every matching record, one at a time, pages fetched as needed."""
        for page in self.query_pages(soql, include_deleted=include_deleted, batch_size=batch_size):
            yield from page.records

    def count(self, soql: str) -> int:
        """`totalSize` of a query, typically `SELECT COUNT() FROM ...`."""
        answer = self._call(EndpointKind.QUERY, ops.query(soql, include_deleted=False, headers={}))
        return int(answer["totalSize"])

    def bulk_query(
        self, soql: str, *, include_deleted: bool = False, stop: threading.Event | None = None
    ) -> Iterator[dict[str, str]]:
        """Rows of a Bulk API 2.0 query job as CSV dicts (empty string for null), read a page at
        a time; for reads too large to page through REST economically. Once `stop` is set, or
        Ctrl+C or SIGTERM lands in the reading thread, the job is aborted (`bulk_reads`); a
        stop also ends the wait before a failed call's retry."""

        def call(
            request: ops.Request[T],
            *,
            idempotent: bool = True,
            stop: threading.Event | None = None,
        ) -> T:
            return self._call(EndpointKind.BULK, request, idempotent=idempotent, stop=stop)

        page_size, stop = self.settings.bulk_page_size, stop or threading.Event()
        return job_rows(call, soql, include_deleted=include_deleted, page_size=page_size, stop=stop)

    def get(
        self, sobject: str, record_id: str, fields: Sequence[str] | None = None
    ) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            EndpointKind.SOBJECT, ops.get(sobject, record_id, fields)
        )
        return result

    def retrieve_many(
        self, sobject: str, ids: Sequence[str], fields: Sequence[str]
    ) -> list[dict[str, Any] | None]:
        """The records with these Ids, in order; None where no such record is visible."""
        found: list[dict[str, Any] | None] = []
        for chunk in chunks(ids, RETRIEVE_CHUNK):
            found.extend(self._call(EndpointKind.COMPOSITE, ops.retrieve(sobject, chunk, fields)))
        return found

    def get_updated(self, sobject: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        """`{"ids": [...], "latestDateCovered": ...}` for records changed in [start, end]."""
        result: dict[str, Any] = self._call(EndpointKind.SOBJECT, ops.updated(sobject, start, end))
        return result

    def get_deleted(self, sobject: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        """`{"deletedRecords": [{"id", "deletedDate"}], "earliestDateAvailable", ...}`."""
        result: dict[str, Any] = self._call(EndpointKind.SOBJECT, ops.deleted(sobject, start, end))
        return result

    def limits(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call(EndpointKind.LIMITS, ops.limits())
        return result

    # --- writes -------------------------------------------------------------------------------

    def create(self, sobject: str, record: Mapping[str, Any]) -> str:
        """The new record's Id. Not re-sent after a timeout, so it never creates twice."""
        answer = self._call(EndpointKind.SOBJECT, ops.create(sobject, record), idempotent=False)
        return str(answer["id"])

    def update(self, sobject: str, record_id: str, changes: Mapping[str, Any]) -> None:
        self._call(EndpointKind.SOBJECT, ops.update(sobject, record_id, changes))

    def delete(self, sobject: str, record_id: str) -> None:
        self._call(EndpointKind.SOBJECT, ops.delete(sobject, record_id))

    def collection_create(
        self, sobject: str, records: Sequence[Mapping[str, Any]], *, all_or_none: bool = False
    ) -> list[RecordResult]:
        """One `RecordResult` per record, in order, written 200 a call."""
        return self._write(CollectionWrite.CREATE, sobject, records, all_or_none)

    def collection_update(
        self, sobject: str, records: Sequence[Mapping[str, Any]], *, all_or_none: bool = False
    ) -> list[RecordResult]:
        """As `collection_create`; each record carries its `Id`."""
        return self._write(CollectionWrite.UPDATE, sobject, records, all_or_none)

    def collection_upsert(
        self,
        sobject: str,
        external_id_field: str,
        records: Sequence[Mapping[str, Any]],
        *,
        all_or_none: bool = False,
    ) -> list[RecordResult]:
        """As `collection_create`, matching on `external_id_field`; `created` tells inserts."""
        return self._write(CollectionWrite.UPSERT, sobject, records, all_or_none, external_id_field)

    def collection_delete(
        self, ids: Sequence[str], *, all_or_none: bool = False
    ) -> list[RecordResult]:
        return self._write(CollectionWrite.DELETE, "", ids, all_or_none)

    def _write(
        self,
        write: CollectionWrite,
        sobject: str,
        items: Sequence[Any],
        all_or_none: bool,
        external_id_field: str | None = None,
    ) -> list[RecordResult]:
        results: list[RecordResult] = []
        for chunk in chunks(items, WRITE_CHUNK):
            results.extend(self._write_chunk(write, sobject, chunk, all_or_none, external_id_field))
        return results

    def _write_chunk(
        self,
        write: CollectionWrite,
        sobject: str,
        chunk: Sequence[Any],
        all_or_none: bool,
        external_id_field: str | None,
    ) -> list[RecordResult]:
        """One call's worth of records, re-sending those a row lock stopped while attempts last.

        Once Salesforce has answered, what it saved is in the results whatever follows: when a
        re-send fails (an outage, a lost session), the records it carried keep their row-lock
        error, and the caller learns which were written, with their Ids, and which were not."""
        results: list[RecordResult] = []
        pending = list(range(len(chunk)))
        attempt = 0
        while True:
            attempt += 1
            request = ops.collection_write(
                write,
                sobject,
                [chunk[i] for i in pending],
                all_or_none=all_or_none,
                external_id_field=external_id_field,
            )
            try:
                answer = self._call(EndpointKind.COMPOSITE, request, idempotent=write.idempotent)
            except SalesforceError as error:
                if attempt == 1:
                    raise
                log.warning("sending %d locked records again failed: %s", len(pending), error)
                return results
            latest = parse_results(write, answer)
            if attempt == 1:
                results = latest
            else:
                for position, result in zip(pending, latest, strict=True):
                    results[position] = result
            again = records_to_retry([r.errors for r in latest], all_or_none=all_or_none)
            if not again or attempt >= self._retrier.policy.max_attempts:
                return results
            log.warning(
                "%d of %d records hit a row lock; sending them again", len(again), len(pending)
            )
            self._retrier.pause(attempt)
            pending = [pending[i] for i in again]

    # --- the door -----------------------------------------------------------------------------

    def _call(
        self,
        kind: EndpointKind,
        request: Callable[[Salesforce], T],
        *,
        idempotent: bool = True,
        stop: threading.Event | None = None,
    ) -> T:
        """Send `request`: counted, retried, replayed once after renewing the session, typed.
        A `stop` set while a retry's backoff is waited ends the call with `ReadStopped`."""
        try:
            try:
                result = self._attempts(kind, request, idempotent, stop)
            except AuthenticationLost:
                if self._oauth is None or self._renewal is None:
                    raise
                self._renew(self._oauth, self._renewal)
                result = self._attempts(kind, request, idempotent, stop)
        except SalesforceError as error:
            self._observe(error)
            raise
        self._observe(None)
        return result

    def _attempts(
        self,
        kind: EndpointKind,
        request: Callable[[Salesforce], T],
        idempotent: bool,
        stop: threading.Event | None,
    ) -> T:
        def attempt() -> T:
            try:
                result = request(self._sf)
            except ops.CALL_ERRORS as exc:
                failure = ops.failure_of(exc)
                if failure.reached_salesforce:
                    self.usage.count(kind)
                raise AttemptFailed(failure) from None
            self.usage.count(kind)
            return result

        return self._retrier.run(attempt, idempotent=idempotent, stop=stop)

    def _renew(self, oauth: OAuthClient, renewal: RenewalGrant) -> None:
        try:
            tokens = oauth.renew(renewal)
        except LoginFailed as exc:
            raise AuthenticationLost(
                f"the session expired and Salesforce refused to renew it ({exc.message});"
                " reconnect to Salesforce",
                error_code=exc.error_code,
                status=exc.status,
            ) from exc
        refusal = other_org(self._tokens.org_id, tokens)
        if refusal is not None:
            oauth.discard(tokens.access_token)
            raise OtherOrgSession(
                "The session expired, and the login that renews it now reaches another"
                f" Salesforce org: this connection is {refusal} (a refreshed sandbox is a new"
                " org). Nothing is synced with that org, and the connection keeps its tokens. To"
                " sync that org, connect it under a new name; to go on with org"
                f" {self._tokens.org_id}, make the login reach it again and reconnect."
            )
        if isinstance(renewal, RefreshTokenGrant) and tokens.refresh_token:
            self._renewal = RefreshTokenGrant(tokens.refresh_token)
        self._tokens = tokens
        self._sf = self._connect(tokens)
        log.info("renewed the Salesforce session of connection %s", self.settings.connection_id)
        if self._token_sink is not None:
            self._token_sink.tokens_renewed(tokens)

    def _observe(self, error: SalesforceError | None) -> None:
        """Note how a call ended. A call that failed after its retries counts each attempt: a
        run makes few calls, and an unreachable Salesforce must still show as such. The
        temporary failures in a row are counted with the connection's other clients: a run
        stops at its first failed call, so one Salesforce that does not answer fails runs of
        two tries each."""
        tries = error.attempts if isinstance(error, TransientError) else 1
        outcome = outcome_of(error, self._clock())
        self._outcomes.extend([outcome] * tries)
        if outcome.problem is Problem.UNSTABLE:
            in_a_row = self._failure_count.add(tries)
        else:
            self._failure_count.clear()
            in_a_row = 0
        status = connection_status(list(self._outcomes), self.usage.api_usage, in_a_row=in_a_row)
        if isinstance(error, OtherOrgSession):
            status = replace(status, message=error.message)  # the general advice is wrong here
        if (status.state, status.problem) == (self._status.state, self._status.problem):
            status = replace(status, since=self._status.since)  # the same trouble, still
        if status != self._status:
            self._status = status
            if self._status_observer is not None:
                self._status_observer.status_changed(status)

    def _connect(self, tokens: TokenSet) -> Salesforce:
        return ops.connect(
            tokens.instance_url, tokens.access_token, self._session, self.settings.api_version
        )
