"""The org: everything the sandbox's HTTP layer calls, as plain Python with no HTTP in it.

A new data folder is an empty org holding only its Organization record, its admin User and
that user's System Administrator Profile (written by `new_org`). Reads by id, plain or under a
conditional request's headers, are `retrieval`'s.
Every method either does all it was asked or raises an `ApiError` (Salesforce's status, code
and wording) having changed nothing. Safe to call from many threads: reads use a connection
per thread, writes are serialised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from forcebridge.sandbox import activities, composite, conversion, new_org, replication
from forcebridge.sandbox.composite import Operation
from forcebridge.sandbox.describe import describe_global, describe_object
from forcebridge.sandbox.errors import ApiError, from_soql, not_found
from forcebridge.sandbox.explain import explain
from forcebridge.sandbox.fieldtypes import Kind, format_datetime, parse_datetime
from forcebridge.sandbox.preconditions import Preconditions, Validators, next_modified
from forcebridge.sandbox.query import DEFAULT_BATCH, QueryEngine
from forcebridge.sandbox.retrieval import Retrieval
from forcebridge.sandbox.schema import Schema, load_schema
from forcebridge.sandbox.search import run_search
from forcebridge.sandbox.storage import Storage
from forcebridge.sandbox.tooling import CustomFields
from forcebridge.sandbox.traversal import RecordPaths
from forcebridge.sandbox.writes import Writes
from forcebridge.soql.dates import known_zone
from forcebridge.soql.errors import SoqlError
from forcebridge.soql.parser import parse
from forcebridge.soql.search import parse_search
from forcebridge.soql.weeks import DEFAULT_LOCALE, first_day_of_week

DEFAULT_API_VERSION = "62.0"
DEFAULT_TIME_ZONE = "UTC"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Org:
    def __init__(
        self,
        data_dir: Path,
        extra_schema_dir: Path | None = None,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        time_zone: str = DEFAULT_TIME_ZONE,
    ) -> None:
        """Open (or create) the org in `data_dir`; `time_zone` applies only to a new org."""
        self.schema = load_schema(extra_schema_dir)
        self.storage = Storage(data_dir, self.schema)
        self.clock = clock or _utc_now
        self.writes = Writes(self.schema, self.storage, self.clock, lambda: self.admin_user_id)
        new_org.bootstrap(self.storage, self.schema, self.clock, time_zone)
        self.org_id = self.storage.meta("org_id") or ""
        self.admin_user_id = self.storage.meta("admin_user_id") or ""
        self.time_zone = ZoneInfo(self.storage.meta("time_zone") or DEFAULT_TIME_ZONE)
        self.queries = QueryEngine(self.schema, self.storage, self.clock, self.time_zone)
        self.retrieval = Retrieval(self.writes, self.queries)
        self.paths = RecordPaths(self)
        self.custom_fields = CustomFields(
            self.storage, self.schema, self.clock, lambda: self.admin_user_id, self._use_schema
        )
        with self.storage.write() as conn:
            self._use_schema(conn, self.custom_fields.schema(conn))

    def _use_schema(self, conn: sqlite3.Connection, schema: Schema) -> None:
        """Put `schema` in force everywhere (see `tooling`), and note when it last changed,
        kept across restarts so that describe's `If-Modified-Since` answers 304 until an
        object or field really changes (each change dated a second past the one before,
        `next_modified`, so none is missed)."""
        self.schema = schema
        self.storage.use_schema(conn, schema)
        self.storage.ensure_views(conn, activities.view_selects(schema))
        self.writes.schema = self.queries.schema = schema
        digest = hashlib.sha256(repr(schema.objects).encode()).hexdigest()
        stamp = self.storage.meta("schema_modified_at")
        if self.storage.meta("schema_digest") != digest:
            previous = parse_datetime(stamp) if stamp else None
            stamp = format_datetime(next_modified(previous, self.clock()))
            self.storage.set_meta(conn, "schema_digest", digest)
            self.storage.set_meta(conn, "schema_modified_at", stamp)
        self.schema_modified_at = parse_datetime(stamp or "")

    def name_admin(self, username: str) -> None:
        """Give the admin User the username it logs in with; see `new_org.name_admin`."""
        new_org.name_admin(self.writes, self.admin_user_id, username)

    def close(self) -> None:
        self.storage.close()

    # --- describe ----------------------------------------------------------------------------

    def describe_global(self, api_version: str = DEFAULT_API_VERSION) -> dict[str, Any]:
        return describe_global(self.schema, api_version)

    def describe(
        self, sobject: str, api_version: str = DEFAULT_API_VERSION, instance_url: str = ""
    ) -> dict[str, Any]:
        obj = self.writes.sobject(sobject)
        return describe_object(self.schema, obj, api_version, instance_url)

    # --- records -------------------------------------------------------------------------------

    def create(self, sobject: str, values: dict[str, Any]) -> str:
        obj = self.writes.sobject(sobject)
        with self.storage.write() as conn:
            return self.writes.create(conn, obj, values)

    def retrieve(
        self,
        sobject: str,
        record_id: str,
        fields: Sequence[str] | None = None,
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> dict[str, Any]:
        """`GET sobjects/T/id`; see `retrieval`."""
        return self.retrieval.retrieve(sobject, record_id, fields, api_version=api_version)

    def retrieve_many(
        self,
        sobject: str,
        record_ids: Sequence[str],
        fields: Sequence[str],
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> list[dict[str, Any] | None]:
        """sObject Collections' retrieve; see `retrieval`."""
        return self.retrieval.retrieve_many(sobject, record_ids, fields, api_version=api_version)

    def validators(
        self, sobject: str, record_id: str, whole: dict[str, Any] | None = None
    ) -> Validators | None:
        """What a conditional request on the record is checked against; see `retrieval`."""
        return self.retrieval.validators(sobject, record_id, whole, api_version=DEFAULT_API_VERSION)

    def conditional_retrieve(
        self,
        sobject: str,
        record_id: str,
        fields: Sequence[str] | None,
        preconditions: Preconditions,
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> tuple[dict[str, Any] | None, Validators | None]:
        """`GET sobjects/T/id` under its conditions; see `retrieval`."""
        return self.retrieval.conditional_retrieve(
            sobject, record_id, fields, preconditions, api_version=api_version
        )

    def check_preconditions(
        self, sobject: str, record_id: str, preconditions: Preconditions
    ) -> None:
        """Refuse a write (PRECONDITION_FAILED, 412) whose conditions the record fails."""
        self.retrieval.check_preconditions(
            sobject, record_id, preconditions, api_version=DEFAULT_API_VERSION
        )

    def update(self, sobject: str, record_id: str, values: dict[str, Any]) -> None:
        obj = self.writes.sobject(sobject)
        record_id = self.writes.addressed_id(obj, record_id)
        with self.storage.write() as conn:
            self.writes.update(conn, obj, record_id, values)

    def delete(self, sobject: str, record_id: str) -> None:
        obj = self.writes.sobject(sobject)
        record_id = self.writes.addressed_id(obj, record_id)
        with self.storage.write() as conn:
            self.writes.delete(conn, obj, record_id)

    def delete_by_external_id(
        self,
        sobject: str,
        external_field: str,
        external_value: str,
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> None:
        """`DELETE sobjects/T/field/value`: delete the one record with that external id."""
        record_id = self.by_external_id(sobject, external_field, external_value, api_version)
        self.delete(sobject, record_id)

    def by_external_id(
        self, sobject: str, external_field: str, external_value: str, api_version: str
    ) -> str:
        """The Id of the one record with that external id: 404 when none has it, 300 when
        several do (`sobjects/T/field/value`)."""
        obj = self.writes.sobject(sobject)
        key = self.writes.external_key(obj, external_field)
        conn = self.storage.connection()
        record_id = (
            self.writes.record_id(obj, external_value)
            if key.kind is Kind.ID
            else self.writes.find_one(conn, obj, key, external_value, api_version)
        )
        if record_id is None:
            raise not_found()
        return record_id

    def upsert(
        self,
        sobject: str,
        external_field: str,
        external_value: Any,
        values: dict[str, Any],
        *,
        api_version: str = DEFAULT_API_VERSION,
        update_only: bool = False,
    ) -> tuple[str, bool]:
        """(id, created); several matching records raise `MultipleMatches` (HTTP 300), and
        none a 404 when `update_only`. The URL names the record, so a body naming its key or
        Id is refused, as Salesforce's REST guide says it is."""
        obj = self.writes.sobject(sobject)
        key = self.writes.external_key(obj, external_field)
        named = next((k for k in values if k.lower() in ("id", key.name.lower())), None)
        if named is not None:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"{named} cannot be given in the request body: the URL names the record by "
                f"{key.name}",
                [named],
            )
        with self.storage.write() as conn:
            return self.writes.upsert(
                conn, obj, external_field, external_value, values, api_version, update_only
            )

    def collection(
        self,
        op: Operation,
        sobject_or_none: str | None,
        records_or_ids: Sequence[Any],
        all_or_none: bool,
        external_field: str | None = None,
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> list[dict[str, Any]]:
        """sObject Collections; see `composite.collection`."""
        return composite.collection(
            self.writes, op, sobject_or_none, records_or_ids, all_or_none, external_field,
            api_version,
        )  # fmt: skip

    def convert_lead(self, lead_id: str, **options: Any) -> dict[str, Any]:
        """Convert a Lead, `options` as `conversion.LeadConvert` names them; its
        LeadConvertResult. All of it or, on an error, none."""
        request = conversion.LeadConvert(lead_id, **options)
        today = self.clock().astimezone(self.time_zone).date()
        with self.storage.write() as conn:
            return conversion.convert_lead(self.writes, conn, request, today)

    # --- queries ---------------------------------------------------------------------------------

    def query(
        self,
        soql: str,
        *,
        include_deleted: bool = False,
        batch_size: int = DEFAULT_BATCH,
        api_version: str = DEFAULT_API_VERSION,
        user_id: str | None = None,
    ) -> dict[str, Any]:
        """The first page: `{"totalSize", "done", "nextRecordsUrl"?, "records"}`. Date literals
        (`TODAY`, `THIS_WEEK`) are read as the user the query runs as reads them (`_calendar_of`),
        as Salesforce reads them."""
        try:
            zone, week_start = self._calendar_of(user_id)
            return self.queries.run(
                parse(soql),
                include_deleted=include_deleted,
                batch_size=batch_size,
                api_version=api_version,
                tz=zone,
                week_start=week_start,
            )
        except SoqlError as error:
            raise from_soql(error) from None

    def explain(
        self, soql: str, user_id: str | None = None, api_version: str = DEFAULT_API_VERSION
    ) -> dict[str, Any]:
        """`query?explain=`: the plans for `soql`, checked as a query is, but not run."""
        try:
            query = parse(soql)
            zone, week_start = self._calendar_of(user_id)
            self.queries.plan(
                query,
                include_deleted=False,
                tz=zone,
                week_start=week_start,
                api_version=api_version,
            )
        except SoqlError as error:
            raise from_soql(error) from None
        obj = self.writes.sobject(query.sobject)
        return explain(query, obj, self.queries.count(obj))

    def _calendar_of(self, user_id: str | None) -> tuple[ZoneInfo, int]:
        """The time zone and first day of the week (`weeks.first_day_of_week`) in which the
        user's date literals are read: the user's `TimeZoneSidKey` and `LocaleSidKey`, as the
        SOQL guide reads a literal in "the locale of the user sending the query", else the
        org's zone and `DefaultLocaleSidKey` (no user named, or none known)."""
        fields = ["TimeZoneSidKey", "LocaleSidKey"]
        try:
            user = self.retrieve("User", user_id, fields) if user_id else {}
        except ApiError:
            user = {}
        locale = user.get("LocaleSidKey") or self._default_locale()
        zone = known_zone(user.get("TimeZoneSidKey")) or self.time_zone
        return zone, first_day_of_week(locale)

    def _default_locale(self) -> str:
        """The org's locale (`Organization.DefaultLocaleSidKey`), for a query no user makes."""
        try:
            org = self.retrieve("Organization", self.org_id, ["DefaultLocaleSidKey"])
        except ApiError:
            return DEFAULT_LOCALE
        return str(org.get("DefaultLocaleSidKey") or DEFAULT_LOCALE)

    def record_counts(self, names: Sequence[str] | None = None) -> list[tuple[str, int]]:
        """(object, live records) for each of `names` the org has, or every queryable object
        (a view's records being other objects', it has no count of its own)."""
        wanted = [self.schema.get(name) for name in names] if names else list(self.schema.objects)
        return [
            (obj.name, self.queries.count(obj))
            for obj in wanted
            if obj is not None and obj.allows("queryable") and not obj.view
        ]

    def search(
        self, sosl: str, *, api_version: str = DEFAULT_API_VERSION, user_id: str | None = None
    ) -> dict[str, Any]:
        """A SOSL search's `{"searchRecords": [...]}`; see `forcebridge.sandbox.search`."""
        try:
            zone, week_start = self._calendar_of(user_id)
            search = parse_search(sosl)
            return run_search(self.queries, self.schema, search, api_version, zone, week_start)
        except SoqlError as error:
            raise from_soql(error) from None

    def query_more(
        self, locator: str, *, batch_size: int | None = None, api_version: str = DEFAULT_API_VERSION
    ) -> dict[str, Any]:
        """The page a `nextRecordsUrl` (or its locator) points at; by default in the batch size
        the query was started with."""
        return self.queries.more(locator, batch_size=batch_size, api_version=api_version)

    def get_updated(self, sobject: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        obj = self.writes.sobject(sobject)
        return replication.get_updated(self.storage, obj, start, end, self.clock())

    def get_deleted(self, sobject: str, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
        obj = self.writes.sobject(sobject)
        return replication.get_deleted(self.storage, obj, start, end, self.clock())
