"""Bulk API 2.0 query jobs: a SOQL query run in the background, read back as CSV pages.

The first page runs while the job is created, so a bad query is refused there and then, as
Salesforce does; the rest are fetched on a worker thread and kept as encoded CSV lines. Results
pages are cut by `maxRecords` (a positive number), and the `Sforce-Locator` is the base64 of
the next row offset (Salesforce's locators have the same look), the string `null` on the last
page. Jobs live in memory: they are gone when the sandbox restarts.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import itertools
import logging
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Generic, Protocol, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from forcebridge.sandbox.bulk_csv import (
    DELIMITERS,
    LINE_ENDINGS,
    csv_columns,
    encode_row,
    record_row,
)
from forcebridge.sandbox.bulk_queries import bulk_query_problem
from forcebridge.sandbox.errors import ApiError, from_soql, not_found
from forcebridge.sandbox.http_api import (
    DATA_PREFIX,
    ApiCall,
    SalesforceJSON,
    api_call,
    json_body,
    json_object,
)
from forcebridge.sandbox.ids import make_id
from forcebridge.sandbox.json_values import shown
from forcebridge.sandbox.limits import ApiKind
from forcebridge.sandbox.org import Org
from forcebridge.soql.ast import Query
from forcebridge.soql.errors import SoqlError
from forcebridge.soql.parser import parse

router = APIRouter(prefix=DATA_PREFIX)
log = logging.getLogger(__name__)

Bulk = Annotated[ApiCall, Depends(api_call(ApiKind.BULK))]


class _Job(Protocol):
    @property
    def id(self) -> str: ...

    def info(self, detailed: bool = False) -> dict[str, Any]: ...


J = TypeVar("J", bound=_Job)

JOB_PREFIX = "750"
PAGE_SIZE = 2000
DEFAULT_MAX_RECORDS = 50_000
PARALLEL_PAGES = 5
"""How many results URLs one `resultPages` answer gives."""


class JobState(enum.StrEnum):
    OPEN = "Open"
    """An ingest job waiting for its data; query jobs start at UploadComplete."""
    UPLOAD_COMPLETE = "UploadComplete"
    IN_PROGRESS = "InProgress"
    JOB_COMPLETE = "JobComplete"
    ABORTED = "Aborted"
    FAILED = "Failed"


def salesforce_time(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def encode_locator(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def decode_locator(locator: str) -> int:
    try:
        offset = int(base64.b64decode(locator + "=" * (-len(locator) % 4), validate=True).decode())
    except (binascii.Error, ValueError) as error:
        raise ApiError(400, "INVALID_LOCATOR", f"Invalid locator: {locator}") from error
    if offset < 0:
        raise ApiError(400, "INVALID_LOCATOR", f"Invalid locator: {locator}")
    return offset


def max_records(raw: str | None) -> int:
    """A results page's size: `maxRecords` when given, a positive whole number (0, a
    negative or a non-number is refused, 400 INVALIDREQUEST), else every record up to the
    default page."""
    if raw is None:
        return DEFAULT_MAX_RECORDS
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise ApiError(400, "INVALIDREQUEST", f"maxRecords must be a positive integer, not '{raw}'")
    return int(raw)


@dataclass(kw_only=True)
class BulkJob:
    """What query and ingest jobs have alike, and the job info they both report."""

    job_type: ClassVar[str]
    """Its `jobType`, as job infos and the job listings name it."""
    id: str
    operation: str
    object_name: str
    created_by: str
    created: dt.datetime
    api_version: str
    delimiter: str
    line_ending: str
    state: JobState
    error_message: str | None = None
    finished: dt.datetime | None = None

    def summary(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.object_name,
            "createdById": self.created_by,
            "createdDate": salesforce_time(self.created),
            "systemModstamp": salesforce_time(self.finished or self.created),
            "state": self.state.value,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.api_version),
            "lineEnding": self.line_ending,
            "columnDelimiter": self.delimiter,
        }
        if self.error_message:
            body["errorMessage"] = self.error_message
        return body


@dataclass(kw_only=True)
class QueryJob(BulkJob):
    """One query job; `rows` grows on a worker thread while the job is in progress."""

    job_type: ClassVar[str] = "V2Query"
    query: Query
    state: JobState = JobState.UPLOAD_COMPLETE
    columns: list[tuple[str, ...]] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)

    def encode(self, values: list[str]) -> str:
        return encode_row(values, self.delimiter, self.line_ending)

    def add_page(self, records: list[dict[str, Any]]) -> None:
        if not self.columns:
            self.columns = csv_columns(self.query, records[0] if records else None)
        self.rows.extend(self.encode(record_row(record, self.columns)) for record in records)

    def header(self) -> str:
        return self.encode([".".join(path) for path in self.columns])

    def info(self, detailed: bool = False) -> dict[str, Any]:
        body = self.summary()
        if detailed:
            body |= {
                "jobType": self.job_type,
                "numberRecordsProcessed": len(self.rows),
                "retries": 0,
                "totalProcessingTime": 0,
                "isPkChunkingSupported": True,
            }
        return body

    def fetch_rest(self, org: Org, locator: str | None) -> None:
        """Read the remaining pages; stops early when the job is aborted meanwhile."""
        try:
            while locator and self.state is JobState.IN_PROGRESS:
                page = org.query_more(locator, batch_size=PAGE_SIZE, api_version=self.api_version)
                self.add_page(page["records"])
                locator = _locator_of(page)
        except ApiError as error:
            self.state, self.error_message = JobState.FAILED, error.message
        except Exception:
            log.exception("bulk query job %s failed", self.id)
            self.state, self.error_message = JobState.FAILED, "An unexpected error occurred."
        else:
            if self.state is JobState.IN_PROGRESS:
                self.state = JobState.JOB_COMPLETE
        self.finished = dt.datetime.now(dt.UTC)


def _locator_of(page: dict[str, Any]) -> str | None:
    if page.get("done", True):
        return None
    return str(page["nextRecordsUrl"]).rsplit("/", 1)[-1]


class Jobs(Generic[J]):
    """The app's jobs of one kind (Bulk 2.0 query or ingest, Bulk 1.0), by id; ids are unique
    across all kinds. `missing` is the error for an id it does not hold (REST's 404 by
    default)."""

    def __init__(self, missing: Callable[[str], Exception] = lambda _: not_found()) -> None:
        self._jobs: dict[str, J] = {}
        self._lock = threading.Lock()
        self._missing = missing

    def new_id(self, prefix: str = JOB_PREFIX) -> str:
        """A new id with `prefix` (a job's by default; Bulk 1.0's batches and results too)."""
        with _NUMBERS_LOCK:
            return make_id(prefix, next(_NUMBERS))

    def add(self, job: J) -> None:
        with self._lock:
            self._jobs[job.id] = job

    def get(self, job_id: str) -> J:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise self._missing(job_id)
        return job

    def remove(self, job_id: str) -> None:
        with self._lock:
            if self._jobs.pop(job_id, None) is None:
                raise self._missing(job_id)

    def all(self) -> list[J]:
        with self._lock:
            return list(self._jobs.values())


_NUMBERS = itertools.count(1)
_NUMBERS_LOCK = threading.Lock()


def jobs_of(request: Request) -> Jobs[QueryJob]:
    jobs: Jobs[QueryJob] = request.app.state.bulk_jobs
    return jobs


def _choice(body: dict[str, Any], key: str, allowed: Collection[str], default: str) -> str:
    value = body.get(key, default)
    if value not in allowed:
        use = next(iter(allowed)) if len(allowed) == 1 else f"one of {', '.join(allowed)}"
        raise ApiError(400, "INVALIDJOB", f"Invalid {key}: {shown(value)}. Use {use}")
    return str(value)


def csv_format(body: dict[str, Any]) -> tuple[str, str]:
    """A new job's data format, its `columnDelimiter` and `lineEnding`: Bulk API 2.0's "Create
    a Job" and "Create a Query Job" take CSV as the only `contentType`, and the delimiters and
    line endings they list; anything else is refused (400 INVALIDJOB), never answered in CSV
    as if it had been asked for."""
    _choice(body, "contentType", ("CSV",), "CSV")
    return (
        _choice(body, "columnDelimiter", DELIMITERS, "COMMA"),
        _choice(body, "lineEnding", LINE_ENDINGS, "LF"),
    )


@router.post("/v{version}/jobs/query")
async def create_job(request: Request, call: Bulk) -> SalesforceJSON:
    body = json_object(await json_body(request), "the job")
    operation = body.get("operation")
    if operation not in ("query", "queryAll"):
        raise ApiError(400, "INVALIDJOB", "Invalid operation: use query or queryAll")
    soql = shown(body.get("query") or "")
    try:
        query = parse(soql)
    except SoqlError as error:
        raise from_soql(error) from error
    problem = bulk_query_problem(query, call.state.org.schema)
    if problem is not None:
        raise ApiError(400, "INVALIDJOB", problem)
    delimiter, line_ending = csv_format(body)
    org = call.state.org
    first = await call.state.run(
        org.query,
        soql,
        include_deleted=operation == "queryAll",
        batch_size=PAGE_SIZE,
        api_version=call.version,
        user_id=call.grant.user_id,
    )
    jobs = jobs_of(request)
    job = QueryJob(
        id=jobs.new_id(),
        operation=operation,
        object_name=query.sobject,
        query=query,
        created_by=call.grant.user_id,
        created=dt.datetime.now(dt.UTC),
        api_version=call.version,
        delimiter=delimiter,
        line_ending=line_ending,
    )
    response = job.info()
    job.add_page(first["records"])
    job.state = JobState.IN_PROGRESS
    jobs.add(job)
    call.state.executor.submit(job.fetch_rest, org, _locator_of(first))
    return SalesforceJSON(response)


@router.get("/v{version}/jobs/query/{job_id}")
async def job_info(job_id: str, request: Request, call: Bulk) -> SalesforceJSON:
    return SalesforceJSON(jobs_of(request).get(job_id).info(detailed=True))


@router.patch("/v{version}/jobs/query/{job_id}")
async def abort_job(job_id: str, request: Request, call: Bulk) -> SalesforceJSON:
    job = jobs_of(request).get(job_id)
    body = json_object(await json_body(request), "the job state")
    if body.get("state") != JobState.ABORTED.value:
        raise ApiError(400, "INVALIDJOBSTATE", "A query job can only be set to Aborted")
    if job.state not in (JobState.UPLOAD_COMPLETE, JobState.IN_PROGRESS):
        raise ApiError(400, "INVALIDJOBSTATE", f"Job is already {job.state.value}")
    job.state = JobState.ABORTED
    return SalesforceJSON(job.info())


@router.delete("/v{version}/jobs/query/{job_id}")
async def delete_job(job_id: str, request: Request, call: Bulk) -> Response:
    jobs_of(request).remove(job_id)
    return Response(status_code=204)


def _finished_job(job_id: str, request: Request, call: ApiCall) -> QueryJob:
    """A job whose results may be read: complete, and asked for with the API version that
    created it (Salesforce answers 409 to another version)."""
    job = jobs_of(request).get(job_id)
    if call.version != job.api_version:
        raise ApiError(
            409,
            "INVALIDJOB",
            f"Job {job.id} was created in API version {job.api_version}: get its results in "
            "that version",
        )
    if job.state is not JobState.JOB_COMPLETE:
        raise ApiError(400, "INVALIDJOBSTATE", f"Job is {job.state.value}, not JobComplete")
    return job


@router.get("/v{version}/jobs/query/{job_id}/resultPages")
async def result_pages(job_id: str, request: Request, call: Bulk) -> SalesforceJSON:
    """Up to five `results` URLs to fetch in parallel, each a page of the default size, and
    the URL of the next five (API 58.0+, "Get Parallel Results for a Query Job")."""
    job = _finished_job(job_id, request, call)
    raw_locator = request.query_params.get("locator")
    start = decode_locator(raw_locator) if raw_locator and raw_locator != "null" else 0
    base = f"/services/data/v{job.api_version}/jobs/query/{job.id}"
    offsets = range(start, len(job.rows), DEFAULT_MAX_RECORDS)[:PARALLEL_PAGES]
    following = start + PARALLEL_PAGES * DEFAULT_MAX_RECORDS
    done = following >= len(job.rows)
    pages = [
        {
            "resultUrl": f"{base}/results?locator={encode_locator(offset)}"
            if offset
            else f"{base}/results"
        }
        for offset in offsets
    ]
    return SalesforceJSON(
        {
            "resultPages": pages,
            "nextRecordsUrl": None
            if done
            else f"{base}/resultPages?locator={encode_locator(following)}",
            "done": done,
        }
    )


@router.get("/v{version}/jobs/query/{job_id}/results")
async def job_results(job_id: str, request: Request, call: Bulk) -> Response:
    job = _finished_job(job_id, request, call)
    size = max_records(request.query_params.get("maxRecords"))
    raw_locator = request.query_params.get("locator")
    start = decode_locator(raw_locator) if raw_locator and raw_locator != "null" else 0
    rows = job.rows[start : start + size]
    following = start + len(rows)
    headers = {
        "Sforce-Locator": encode_locator(following) if following < len(job.rows) else "null",
        "Sforce-NumberOfRecords": str(len(rows)),
    }
    body = job.header() + "".join(rows)
    return Response(body, media_type="text/csv", headers=headers)
