"""Records read by id: one (`GET sobjects/T/id`), several (sObject Collections' retrieve), and
one checked against a conditional request's `If-` headers before it is read or written.

A module of its own because a condition is answered from the record as a read gives it (its
`LastModifiedDate`; an Account's ETag, a hash of the whole record), so these reads and checks go
together, apart from the org's writes; `preconditions` holds the rules themselves. Reads only:
each uses its thread's connection (`Storage.connection`) and never takes the write lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from forcebridge.sandbox.errors import ApiError, from_soql, not_found
from forcebridge.sandbox.fieldtypes import parse_datetime
from forcebridge.sandbox.preconditions import (
    ETAG_OBJECTS,
    Preconditions,
    Validators,
    etag,
    precondition_failed,
)
from forcebridge.sandbox.query import QueryEngine, select_fields, select_where
from forcebridge.sandbox.writes import Writes
from forcebridge.soql.errors import SoqlError


class Retrieval:
    """The org's reads by id, through its writes' lookups (`Writes.addressed_id`) and its
    query engine."""

    def __init__(self, writes: Writes, queries: QueryEngine) -> None:
        self.writes = writes
        self.queries = queries

    def retrieve(
        self, sobject: str, record_id: str, fields: Sequence[str] | None, *, api_version: str
    ) -> dict[str, Any]:
        """One record with `fields` (all of them when None), as `GET sobjects/T/id` returns it."""
        obj = self.writes.sobject(sobject)
        record_id = self.writes.addressed_id(obj, record_id)
        self.writes.live_row(self.writes.storage.connection(), obj, record_id)
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
        self, sobject: str, record_ids: Sequence[str], fields: Sequence[str], *, api_version: str
    ) -> list[dict[str, Any] | None]:
        """One record per id, in order. As Salesforce's docs say, an id that is invalid, of
        another object or of no live record gives null, while a field that cannot be read fails
        the call; the fields are checked first, so a call with no usable id is checked too."""
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
        self, sobject: str, record_id: str, whole: dict[str, Any] | None, *, api_version: str
    ) -> Validators | None:
        """What a conditional request on the record is checked against (`preconditions`);
        None for an object without modification dates (one a schema folder added). `whole`:
        the record as GET returns it whole, when it is read already; else it is read here, in
        `api_version`, which shows only in the record's `attributes` (no validator reads them)."""
        obj = self.writes.sobject(sobject)
        if obj.field("LastModifiedDate") is None:
            return None
        tagged = obj.name in ETAG_OBJECTS
        record = whole or self.retrieve(
            obj.name, record_id, None if tagged else ["LastModifiedDate"], api_version=api_version
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
        api_version: str,
    ) -> tuple[dict[str, Any] | None, Validators | None]:
        """`GET sobjects/T/id` under its conditions: the record (None when the client holds it
        already: 304) and its validators, for the answer's headers; PRECONDITION_FAILED (412)
        when a condition fails. A record asked for whole is read once."""
        whole = None if fields else self.retrieve(sobject, record_id, None, api_version=api_version)
        current = self.validators(sobject, record_id, whole, api_version=api_version)
        now = self.writes.clock()
        status = preconditions.failure(current, read=True, now=now) if current is not None else None
        if status == 412:
            raise precondition_failed()
        if status == 304:
            return None, current
        record = whole or self.retrieve(sobject, record_id, fields, api_version=api_version)
        return record, current

    def check_preconditions(
        self, sobject: str, record_id: str, preconditions: Preconditions, *, api_version: str
    ) -> None:
        """Refuse a write (PRECONDITION_FAILED, 412) whose conditions the record fails."""
        if not preconditions.any:
            return
        current = self.validators(sobject, record_id, None, api_version=api_version)
        if current is None:
            return
        if preconditions.failure(current, read=False, now=self.writes.clock()) is not None:
            raise precondition_failed()
