"""Each Salesforce request the client makes, as a function of a simple-salesforce `Salesforce`.

Building a request is separate from sending it: the client passes these to its one door, which
may run them more than once (a retry, a replay after renewing the session) against whichever
`Salesforce` object holds the current session. Each makes exactly one HTTP request, so counting
attempts counts calls. Names and Ids are checked here, before they are put into a URL.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from requests import RequestException, Session
from simple_salesforce import Salesforce, SFType
from simple_salesforce.exceptions import SalesforceError as LibraryError
from simple_salesforce.util import exception_handler

from forcebridge.salesforce.bulk import ResultPage
from forcebridge.salesforce.errors import BadRequest, Failure, SalesforceError, failure_from_body
from forcebridge.salesforce.sobject_collections import CollectionWrite, json_ready, write_body
from forcebridge.salesforce.transport import failure_from_exception

T = TypeVar("T")
Request = Callable[[Salesforce], T]

CALL_ERRORS = (LibraryError, RequestException)
"""What a request may raise and `failure_of` understands, for `except` clauses."""


def failure_of(exc: LibraryError | RequestException) -> Failure:
    """What a simple-salesforce or requests exception says went wrong."""
    if isinstance(exc, LibraryError):
        return failure_from_body(exc.status, exc.content)
    return failure_from_exception(exc)


MIN_BATCH, MAX_BATCH = 200, 2000

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*")
_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")


def connect(instance_url: str, access_token: str, session: Session, version: str) -> Salesforce:
    """simple-salesforce on our session, reading JSON objects as plain dicts and numbers as
    Decimals. No `object_pairs_hook` at all: simple-salesforce's default builds OrderedDicts,
    and any hook, even `dict`, takes the json module's slower path (a fifth more per record)."""
    return Salesforce(
        instance_url=instance_url,
        session_id=access_token,
        session=session,
        version=version,
        parse_float=Decimal,
        object_pairs_hook=None,
    )


def sobject_api(sf: Salesforce, name: str) -> SFType:
    """The REST resource of one object type.

    Built directly rather than as `getattr(sf, name)`, which would hand back the Salesforce
    object's own attribute for a name such as `session` or `query`.
    """
    return SFType(
        name,
        sf.session_id,
        sf.sf_instance,
        sf_version=sf.sf_version,
        session=sf.session,
        salesforce=sf,
        parse_float=Decimal,
        object_pairs_hook=dict,
    )


def api_name(name: str) -> str:
    """An object or field API name (`Contact`, `Region__c`), refused if it is anything else."""
    if not _NAME.fullmatch(name):
        raise BadRequest(f"{name!r} is not a Salesforce API name", error_code="INVALID_TYPE")
    return name


def field_path(name: str) -> str:
    """A field, possibly through relationships (`Account.Owner.Name`)."""
    if not _FIELD.fullmatch(name):
        raise BadRequest(f"{name!r} is not a Salesforce field name", error_code="INVALID_FIELD")
    return name


def record_id(value: str) -> str:
    if not _ID.fullmatch(value):
        raise BadRequest(f"{value!r} is not a Salesforce record Id", error_code="MALFORMED_ID")
    return value


# --- describe -----------------------------------------------------------------------------------


def describe(sobject: str, known_since: dt.datetime | None) -> Request[dict[str, Any] | None]:
    """A describe (global when `sobject` is empty); None when unchanged since `known_since`."""
    headers = (
        {"If-Modified-Since": email.utils.format_datetime(known_since, usegmt=True)}
        if known_since
        else {}
    )

    def send(sf: Salesforce) -> dict[str, Any] | None:
        try:
            if not sobject:
                return sf.describe(headers=headers)
            return sobject_api(sf, sobject).describe(headers=headers)
        except LibraryError as exc:
            if exc.status == 304 and known_since is not None:
                return None
            raise

    return send


# --- queries ------------------------------------------------------------------------------------


def query_options(batch_size: int | None) -> dict[str, str]:
    if batch_size is None:
        return {}
    if not MIN_BATCH <= batch_size <= MAX_BATCH:
        raise ValueError(f"batch_size must be between {MIN_BATCH} and {MAX_BATCH}")
    return {"Sforce-Query-Options": f"batchSize={batch_size}"}


def query(soql: str, *, include_deleted: bool, headers: Mapping[str, str]) -> Request[Any]:
    return lambda sf: sf.query(soql, include_deleted=include_deleted, headers=dict(headers))


def query_more(next_records_url: str, headers: Mapping[str, str]) -> Request[Any]:
    """The next page; Salesforce hands its address as a path under the instance, and only such
    a path is followed, so the bearer token cannot be led to another host."""
    if not next_records_url.startswith("/services/data/"):
        raise SalesforceError(f"unexpected nextRecordsUrl {next_records_url!r}")
    return lambda sf: sf.query_more(next_records_url, identifier_is_url=True, headers=dict(headers))


# --- single records -----------------------------------------------------------------------------


def get(sobject: str, rid: str, fields: Sequence[str] | None) -> Request[Any]:
    params = {"fields": ",".join(field_path(f) for f in fields)} if fields else None
    name, rid = api_name(sobject), record_id(rid)
    return lambda sf: sobject_api(sf, name).get(rid, params=params)


def create(sobject: str, record: Mapping[str, Any]) -> Request[Any]:
    name, body = api_name(sobject), json_ready(record)
    return lambda sf: sobject_api(sf, name).create(body)


def update(sobject: str, rid: str, changes: Mapping[str, Any]) -> Request[Any]:
    name, rid, body = api_name(sobject), record_id(rid), json_ready(changes)
    return lambda sf: sobject_api(sf, name).update(rid, body)


def delete(sobject: str, rid: str) -> Request[Any]:
    name, rid = api_name(sobject), record_id(rid)
    return lambda sf: sobject_api(sf, name).delete(rid)


def updated(sobject: str, start: dt.datetime, end: dt.datetime) -> Request[Any]:
    name = api_name(sobject)
    return lambda sf: sobject_api(sf, name).updated(start, end)


def deleted(sobject: str, start: dt.datetime, end: dt.datetime) -> Request[Any]:
    name = api_name(sobject)
    return lambda sf: sobject_api(sf, name).deleted(start, end)


def limits() -> Request[Any]:
    return lambda sf: sf.limits()


# --- sObject Collections ------------------------------------------------------------------------


def collection_write(
    write: CollectionWrite,
    sobject: str,
    items: Sequence[Any],
    *,
    all_or_none: bool,
    external_id_field: str | None = None,
) -> Request[Any]:
    """Create/update/upsert send records in a body; delete sends Ids in the query string."""
    if write is CollectionWrite.DELETE:
        params = {
            "ids": ",".join(record_id(i) for i in items),
            "allOrNone": str(all_or_none).lower(),
        }
        return lambda sf: sf.restful("composite/sobjects", method="DELETE", params=params)
    body = write_body(api_name(sobject), items, all_or_none)
    path = "composite/sobjects"
    if write is CollectionWrite.UPSERT:
        path += f"/{sobject}/{api_name(external_id_field or '')}"
    method = "POST" if write is CollectionWrite.CREATE else "PATCH"
    return lambda sf: sf.restful(path, method=method, json=body)


def retrieve(sobject: str, ids: Sequence[str], fields: Sequence[str]) -> Request[Any]:
    body = {"ids": [record_id(i) for i in ids], "fields": [field_path(f) for f in fields]}
    path = f"composite/sobjects/{api_name(sobject)}"
    return lambda sf: sf.restful(path, method="POST", json=body)


# --- Bulk API 2.0 query -------------------------------------------------------------------------


def create_query_job(soql: str, *, include_deleted: bool) -> Request[Any]:
    body = {"operation": "queryAll" if include_deleted else "query", "query": soql}
    return lambda sf: sf.restful("jobs/query", method="POST", json=body)


def query_job(job_id: str) -> Request[Any]:
    path = f"jobs/query/{record_id(job_id)}"
    return lambda sf: sf.restful(path)


def abort_query_job(job_id: str) -> Request[Any]:
    """Salesforce's "Abort a Query Job": the job stops, its results are never made."""
    path = f"jobs/query/{record_id(job_id)}"
    return lambda sf: sf.restful(path, method="PATCH", json={"state": "Aborted"})


def query_job_results(job_id: str, locator: str | None, max_records: int) -> Request[ResultPage]:
    """One CSV page of results; read through the session since it is CSV, not JSON."""
    job_id = record_id(job_id)
    params = {"maxRecords": str(max_records)}
    if locator:
        params["locator"] = locator

    def send(sf: Salesforce) -> ResultPage:
        url = f"{sf.bulk2_url}query/{job_id}/results"
        headers = {**sf.headers, "Accept": "text/csv"}
        response = sf.session.get(url, headers=headers, params=params)
        if response.status_code >= 300:
            exception_handler(response, name="bulk results")
        return ResultPage.from_response(response.text, response.headers.get("Sforce-Locator"))

    return send
