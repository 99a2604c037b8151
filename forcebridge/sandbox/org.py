"""The org: everything the sandbox's HTTP layer calls, as plain Python with no HTTP in it.

A new data folder is an empty org holding only its Organization record, its admin User and
that user's System Administrator Profile.
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

from forcebridge.sandbox import activities, composite, conversion, replication
from forcebridge.sandbox.composite import Operation
from forcebridge.sandbox.config import DEFAULT_USERNAME
from forcebridge.sandbox.describe import describe_global, describe_object
from forcebridge.sandbox.errors import ApiError, from_soql, not_found
from forcebridge.sandbox.explain import explain
from forcebridge.sandbox.fieldtypes import Kind, format_datetime, parse_datetime
from forcebridge.sandbox.ids import random_id
from forcebridge.sandbox.preconditions import (
    ETAG_OBJECTS,
    Preconditions,
    Validators,
    etag,
    next_modified,
    precondition_failed,
)
from forcebridge.sandbox.query import DEFAULT_BATCH, QueryEngine, select_fields, select_where
from forcebridge.sandbox.records import derived
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

DEFAULT_API_VERSION = "62.0"
DEFAULT_TIME_ZONE = "UTC"
ADMIN = {
    "Username": DEFAULT_USERNAME,
    "FirstName": "Sandbox",
    "LastName": "Admin",
    "Email": "admin@sandbox.forcebridge.test",
    "Alias": "sadmin",
    "CommunityNickname": "sandbox.admin",
    "LocaleSidKey": "en_US",
    "LanguageLocaleKey": "en_US",
    "EmailEncodingKey": "UTF-8",
}


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
        self._bootstrap(time_zone)
        self.org_id = self.storage.meta("org_id") or ""
        self.admin_user_id = self.storage.meta("admin_user_id") or ""
        self.time_zone = ZoneInfo(self.storage.meta("time_zone") or DEFAULT_TIME_ZONE)
        self.queries = QueryEngine(self.schema, self.storage, self.clock, self.time_zone)
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

    def _bootstrap(self, time_zone: str) -> None:
        """Give a new org its Organization record (a fiscal year starting in January, as the
        Opportunity's fiscal fields count it) and its admin User, a System Administrator (the
        admin creates itself)."""
        ZoneInfo(time_zone)  # refuse an unknown zone before anything is written
        user = self.schema.get("User")
        organization = self.schema.get("Organization")
        profile = self.schema.get("Profile")
        assert user is not None and organization is not None and profile is not None
        with self.storage.write() as conn:
            if self.storage.meta("org_id"):
                return
            # An org of its own for each data folder, as two Salesforce orgs differ: a client
            # that tells orgs apart by Id (forcebridge's reconnect guard) tells sandboxes apart.
            org_id = random_id(organization.key_prefix)
            (user_id,) = self.storage.new_ids(conn, user.key_prefix)
            (profile_id,) = self.storage.new_ids(conn, profile.key_prefix)
            self.admin_user_id = user_id
            for key, value in (
                ("org_id", org_id),
                ("admin_user_id", user_id),
                ("time_zone", time_zone),
            ):
                self.storage.set_meta(conn, key, value)
            stamp = format_datetime(self.clock())
            audit = {
                "CreatedDate": stamp,
                "CreatedById": user_id,
                "LastModifiedDate": stamp,
                "LastModifiedById": user_id,
                "SystemModstamp": stamp,
            }
            self.storage.insert(
                conn,
                profile,
                {"Id": profile_id, "Name": "System Administrator", "UserType": "Standard", **audit},
            )
            admin = {"Id": user_id, "IsActive": 1, "TimeZoneSidKey": time_zone}
            admin |= {"UserType": "Standard", "ProfileId": profile_id, **ADMIN, **audit}
            self.storage.insert(conn, user, admin | derived(user, admin))
            self.storage.insert(
                conn,
                organization,
                {"Id": org_id, "Name": "forcebridge sandbox", "TimeZoneSidKey": time_zone,
                 "DefaultLocaleSidKey": "en_US", "LanguageLocaleKey": "en_US",
                 "OrganizationType": "Developer Edition", "IsSandbox": 0,
                 "FiscalYearStartMonth": 1, "UsesStartDateAsFiscalYearName": 0, **audit},
            )  # fmt: skip

    def name_admin(self, username: str) -> None:
        """Give the admin User the username it logs in with, as every Salesforce user has: a
        query for the running user's `Username` then answers what the identity service says."""
        user = self.writes.sobject("User")
        with self.storage.write() as conn:
            row = self.storage.fetch(conn, user, self.admin_user_id)
            if row is not None and row.get("Username") != username:
                self.writes.update(conn, user, self.admin_user_id, {"Username": username})

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
        """One record with `fields` (all of them by default), as `GET sobjects/T/id` returns it."""
        obj = self.writes.sobject(sobject)
        record_id = self.writes.addressed_id(obj, record_id)
        self.writes.live_row(self.storage.connection(), obj, record_id)
        try:
            record = self.queries.first_record(
                select_where(obj, fields, "Id", record_id), api_version
            )
        except SoqlError as error:
            raise from_soql(error) from None
        if record is None:
            raise not_found()
        return record

    def retrieve_many(
        self,
        sobject: str,
        record_ids: Sequence[str],
        fields: Sequence[str],
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> list[dict[str, Any] | None]:
        """sObject Collections' retrieve: one record per id, in order. As Salesforce's docs say,
        an id that is invalid, of another object or of no live record gives null, while a field
        that cannot be read fails the call; the fields are checked first, so a call with no
        usable id is checked too."""
        obj = self.writes.sobject(sobject)
        try:
            self.queries.plan(select_fields(obj, fields), include_deleted=False)
        except SoqlError as error:
            raise from_soql(error) from None
        records: list[dict[str, Any] | None] = []
        for record_id in record_ids:
            try:
                records.append(self.retrieve(sobject, record_id, fields, api_version=api_version))
            except ApiError as error:
                if error.status != 404 and error.error_code != "MALFORMED_ID":
                    raise
                records.append(None)
        return records

    def validators(
        self, sobject: str, record_id: str, whole: dict[str, Any] | None = None
    ) -> Validators | None:
        """What a conditional request on the record is checked against (`preconditions`);
        None for an object without modification dates (one a schema folder added). `whole`:
        the record as GET returns it whole, when it is read already."""
        obj = self.writes.sobject(sobject)
        if obj.field("LastModifiedDate") is None:
            return None
        tagged = obj.name in ETAG_OBJECTS
        record = whole or self.retrieve(
            obj.name, record_id, None if tagged else ["LastModifiedDate"]
        )
        return Validators(
            parse_datetime(record["LastModifiedDate"]), etag(record) if tagged else None
        )

    def conditional_retrieve(
        self,
        sobject: str,
        record_id: str,
        fields: Sequence[str] | None,
        preconditions: Preconditions,
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> tuple[dict[str, Any] | None, Validators | None]:
        """`GET sobjects/T/id` under its conditions: the record (None when the client holds it
        already: 304) and its validators, for the answer's headers; PRECONDITION_FAILED (412)
        when a condition fails. A record asked for whole is read once."""
        whole = None if fields else self.retrieve(sobject, record_id, api_version=api_version)
        current = self.validators(sobject, record_id, whole)
        status = preconditions.failure(current, read=True) if current is not None else None
        if status == 412:
            raise precondition_failed()
        if status == 304:
            return None, current
        record = whole or self.retrieve(sobject, record_id, fields, api_version=api_version)
        return record, current

    def check_preconditions(
        self, sobject: str, record_id: str, preconditions: Preconditions
    ) -> None:
        """Refuse a write (PRECONDITION_FAILED, 412) whose conditions the record fails."""
        if not preconditions.any:
            return
        current = self.validators(sobject, record_id)
        if current is not None and preconditions.failure(current, read=False) is not None:
            raise precondition_failed()

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

    def retrieve_by_external_id(
        self,
        sobject: str,
        external_field: str,
        external_value: str,
        fields: Sequence[str] | None = None,
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> dict[str, Any]:
        """`GET sobjects/T/field/value`: the one record with that external id (300 when several)."""
        record_id = self._by_external_id(sobject, external_field, external_value, api_version)
        return self.retrieve(sobject, record_id, fields, api_version=api_version)

    def delete_by_external_id(
        self,
        sobject: str,
        external_field: str,
        external_value: str,
        *,
        api_version: str = DEFAULT_API_VERSION,
    ) -> None:
        """`DELETE sobjects/T/field/value`: delete the one record with that external id."""
        record_id = self._by_external_id(sobject, external_field, external_value, api_version)
        self.delete(sobject, record_id)

    def _by_external_id(
        self, sobject: str, external_field: str, external_value: str, api_version: str
    ) -> str:
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
        (`TODAY`) are read in the time zone of the user the query runs as, as Salesforce reads
        them (the org's zone when no user is named, or the user's is unknown)."""
        try:
            return self.queries.run(
                parse(soql),
                include_deleted=include_deleted,
                batch_size=batch_size,
                api_version=api_version,
                tz=self._zone_of(user_id),
            )
        except SoqlError as error:
            raise from_soql(error) from None

    def explain(
        self, soql: str, user_id: str | None = None, api_version: str = DEFAULT_API_VERSION
    ) -> dict[str, Any]:
        """`query?explain=`: the plans for `soql`, checked as a query is, but not run."""
        try:
            query = parse(soql)
            zone = self._zone_of(user_id)
            self.queries.plan(query, include_deleted=False, tz=zone, api_version=api_version)
        except SoqlError as error:
            raise from_soql(error) from None
        obj = self.writes.sobject(query.sobject)
        return explain(query, obj, self.queries.count(obj))

    def _zone_of(self, user_id: str | None) -> ZoneInfo:
        try:
            user = self.retrieve("User", user_id, ["TimeZoneSidKey"]) if user_id else {}
        except ApiError:
            user = {}
        return known_zone(user.get("TimeZoneSidKey")) or self.time_zone

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
            return run_search(
                self.queries, self.schema, parse_search(sosl), api_version, self._zone_of(user_id)
            )
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
