"""Bulk API 2.0 ingest jobs: CSV records inserted, updated, upserted or deleted in the background.

As in Salesforce: a job is created `Open`, takes one upload of CSV data (`PUT .../batches`), and
is processed once it is set to `UploadComplete`; then its successful, failed and unprocessed
records are read back as CSV, each result row beginning with `sf__Id` and `sf__Created` or
`sf__Error` before the uploaded columns. The records are written 200 at a time through the
same code as sObject Collections (`composite.collection`, never all-or-none), so each record
succeeds or fails alone with the error Salesforce gives, and the field checks are the same as
for any other write. The upload is read as `bulk_csv` reads either API's CSV; a header naming a
field the object lacks, or one field twice, fails the whole job, as an unknown field does in
Salesforce, and a row holding more values than the header has columns fails alone. Every
results row is as wide as its header. Jobs live in memory, as
query jobs do.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, ClassVar

from fastapi import APIRouter, Request
from fastapi.responses import Response

from forcebridge.sandbox.bulk import (
    Bulk,
    BulkJob,
    Jobs,
    JobState,
    csv_format,
)
from forcebridge.sandbox.bulk_csv import (
    DELIMITERS,
    Column,
    RefusedUpload,
    csv_record,
    encode_row,
    error_text,
    header_fields,
    upload_text,
)
from forcebridge.sandbox.bulk_writes import write_all
from forcebridge.sandbox.composite import MAX_RECORDS, Operation
from forcebridge.sandbox.csv_rows import read_table
from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.fieldtypes import Kind
from forcebridge.sandbox.http_api import DATA_PREFIX, SalesforceJSON, json_body, json_object
from forcebridge.sandbox.json_values import shown
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.schema import FieldSpec, ObjectSpec, Schema

router = APIRouter(prefix=DATA_PREFIX)
log = logging.getLogger(__name__)

OPERATIONS: dict[str, Operation] = {
    "insert": "create",
    "update": "update",
    "upsert": "upsert",
    "delete": "delete",
    "hardDelete": "delete",
}
"""Each ingest operation and the collection operation that writes it (the sandbox keeps no
recycle bin apart from its deleted rows, so a hard delete deletes as a delete does)."""


@dataclass(kw_only=True)
class IngestJob(BulkJob):
    job_type: ClassVar[str] = "V2Ingest"
    sobject: ObjectSpec
    external_field: str | None
    state: JobState = JobState.OPEN
    header: list[str] | None = None
    """The uploaded CSV's header; None until the data is uploaded."""
    rows: list[list[str]] = field(default_factory=list)
    processed: int = 0
    """How many of `rows` have been written (or failed); the rest are unprocessed."""
    successes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    unreadable: RefusedUpload | None = None
    """Why the upload could not be read (it fails the job when processed), if it could not."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def info(self, detailed: bool = False) -> dict[str, Any]:
        body = self.summary()
        if self.external_field is not None:
            body["externalIdFieldName"] = self.external_field
        if self.state is JobState.OPEN:
            body["contentUrl"] = f"services/data/v{self.api_version}/jobs/ingest/{self.id}/batches"
        if detailed:
            body |= {
                "jobType": self.job_type,
                "numberRecordsProcessed": self.processed,
                "numberRecordsFailed": len(self.failures),
                "retries": 0,
                "totalProcessingTime": 0,
                "apiActiveProcessingTime": 0,
                "apexProcessingTime": 0,
            }
        return body

    def upload(self, data: str) -> None:
        """Keep the uploaded CSV, read into its header and rows; CSV that cannot be read is
        taken (201, as Salesforce takes it) and fails the job once it is processed."""
        delimiter = DELIMITERS[self.delimiter]
        try:
            self.header, self.rows = read_table(data, delimiter, self.line_ending)
        except RefusedUpload as refused:
            self.header, self.rows = _as_far_as_readable(data, delimiter)
            self.unreadable = refused

    def process(self, org: Org) -> None:
        """Write the uploaded records, 200 at a time; stops early when the job is aborted."""
        try:
            self._process(org)
        except ApiError as error:
            self._finish(JobState.FAILED, error.message)
        except Exception:
            log.exception("bulk ingest job %s failed", self.id)
            self._finish(JobState.FAILED, "An unexpected error occurred.")
        else:
            self._finish(JobState.JOB_COMPLETE)

    def _process(self, org: Org) -> None:
        specs = self._header_fields(org.schema)
        operation = OPERATIONS[self.operation]
        while self.processed < len(self.rows) and self.state is JobState.IN_PROGRESS:
            chunk = self.rows[self.processed : self.processed + MAX_RECORDS]
            records = [csv_record(specs, row) for row in chunk]
            written = write_all(
                org, operation, self.sobject.name, records, self.external_field, self.api_version
            )
            for row, result in zip(chunk, written, strict=True):
                self._keep_result(row, result)
            self.processed += len(chunk)

    def _header_fields(self, schema: Schema) -> list[Column]:
        """Each column's field; a column the object does not have fails the whole job."""
        deleting = OPERATIONS[self.operation] == "delete"
        try:
            if self.unreadable is not None:
                raise self.unreadable
            return header_fields(schema, self.sobject, self.header or (), deleting)
        except RefusedUpload as refused:
            raise ApiError(400, "INVALIDJOB", refused.state_message) from None

    def _keep_result(self, row: list[str], result: dict[str, Any]) -> None:
        cells = self._cells(row)
        if result["success"]:
            created = result.get("created", self.operation == "insert")
            self.successes.append(
                self._line([result.get("id") or "", "true" if created else "false", *cells])
            )
            return
        errors = error_text(result["errors"])
        self.failures.append(self._line([result.get("id") or "", errors, *cells]))

    def _cells(self, row: list[str]) -> list[str]:
        """A row's values under the uploaded header, so every results row is as wide as its
        header: a row holding more values than that failed, and its extra ones are not
        written back."""
        return row[: len(self.header or ())]

    def _line(self, values: list[str]) -> str:
        return encode_row(values, self.delimiter, self.line_ending)

    def _finish(self, state: JobState, message: str | None = None) -> None:
        with self.lock:
            if self.state is JobState.IN_PROGRESS:
                self.state, self.error_message = state, message
            self.finished = dt.datetime.now(dt.UTC)

    def results(self, kind: str) -> str:
        """The CSV of `successfulResults`, `failedResults` or `unprocessedrecords`."""
        columns = self.header or []
        if kind == "successfulResults":
            return self._line(["sf__Id", "sf__Created", *columns]) + "".join(self.successes)
        if kind == "failedResults":
            return self._line(["sf__Id", "sf__Error", *columns]) + "".join(self.failures)
        if not columns:
            return ""
        left = self.rows[self.processed :]
        return self._line(columns) + "".join(self._line(self._cells(row)) for row in left)


def _as_far_as_readable(data: str, delimiter: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of an upload that fails its job, so its results files carry the
    columns and its unprocessed records, as a job failed for any other reason does: all of
    it when only its line endings were wrong, the header alone when its CSV cannot be read
    past it, nothing when not even the header can be read."""
    for text in (data, data.splitlines()[0] if data else ""):
        try:
            header, rows = read_table(text, delimiter)
        except RefusedUpload:
            continue
        return header, rows
    return [], []


def ingest_jobs_of(request: Request) -> Jobs[IngestJob]:
    jobs: Jobs[IngestJob] = request.app.state.ingest_jobs
    return jobs


def upsert_key(sobject: ObjectSpec, name: object) -> FieldSpec | str:
    """The field an upsert job matches records on, or why the job is refused: Salesforce takes
    only an external id, the Id, or an indexed (idLookup) field, and says so when the job is
    created, before any record is read."""
    if not name:
        return "External ID was blank for upsert"
    key = sobject.field(shown(name))
    if key is None:
        return f"The external ID field {shown(name)} was not found"
    if not (key.external_id or key.id_lookup or key.kind is Kind.ID):
        return (
            f"Field name provided, {key.name} does not match an External ID, Salesforce Id, "
            f"or indexed field for {sobject.name}"
        )
    return key


@router.post("/v{version}/jobs/ingest")
async def create_job(request: Request, call: Bulk) -> SalesforceJSON:
    body = json_object(await json_body(request), "the job")
    operation = body.get("operation")
    if operation not in OPERATIONS:
        raise ApiError(
            400,
            "INVALIDJOB",
            f"Invalid operation: {shown(operation)}. Use one of {', '.join(OPERATIONS)}",
        )
    delimiter, line_ending = csv_format(body)
    name = shown(body.get("object") or "")
    sobject = call.state.org.schema.get(name)
    if sobject is None:
        raise ApiError(400, "INVALIDJOB", f"Unable to find object: {name}")
    external_field = body.get("externalIdFieldName")
    if operation == "upsert":
        key = upsert_key(sobject, external_field)
        if isinstance(key, str):
            raise ApiError(400, "INVALIDJOB", key)
        external_field = key.name
    jobs = ingest_jobs_of(request)
    job = IngestJob(
        id=jobs.new_id(),
        operation=str(operation),
        object_name=sobject.name,
        sobject=sobject,
        external_field=str(external_field) if operation == "upsert" else None,
        created_by=call.grant.user_id,
        created=dt.datetime.now(dt.UTC),
        api_version=call.version,
        delimiter=delimiter,
        line_ending=line_ending,
    )
    jobs.add(job)
    return SalesforceJSON(job.info())


@router.put("/v{version}/jobs/ingest/{job_id}/batches", status_code=201)
async def upload(job_id: str, request: Request, call: Bulk) -> Response:
    job = ingest_jobs_of(request).get(job_id)
    try:
        data = upload_text(await request.body())
    except RefusedUpload as refused:
        raise ApiError(400, "BULK_API_ERROR", str(refused)) from None
    with job.lock:
        if job.state is not JobState.OPEN:
            raise ApiError(409, "INVALIDJOBSTATE", f"Job {job.id} is {job.state.value}, not Open")
        if job.header is not None:
            raise ApiError(
                400,
                "BULK_API_ERROR",
                f"Found multiple contents for job: <{job.id}>, please 'Close' / 'Abort' / "
                "'Delete' the current Job then create a new Job and make sure you only do 'PUT' "
                "once on a given Job.",
            )
        job.upload(data)
    return Response(status_code=201)


@router.get("/v{version}/jobs/ingest/{job_id}")
async def job_info(job_id: str, request: Request, call: Bulk) -> SalesforceJSON:
    return SalesforceJSON(ingest_jobs_of(request).get(job_id).info(detailed=True))


@router.patch("/v{version}/jobs/ingest/{job_id}")
async def set_state(job_id: str, request: Request, call: Bulk) -> SalesforceJSON:
    """Close the upload (`UploadComplete`, which starts the processing) or abort the job."""
    job = ingest_jobs_of(request).get(job_id)
    wanted = json_object(await json_body(request), "the job state").get("state")
    with job.lock:
        if wanted == JobState.UPLOAD_COMPLETE.value and job.state is JobState.OPEN:
            if job.header is None:
                raise ApiError(400, "INVALIDJOBSTATE", "No data was uploaded for this job")
            job.state = JobState.IN_PROGRESS
            call.state.executor.submit(job.process, call.state.org)
        elif wanted == JobState.ABORTED.value and job.state in (
            JobState.OPEN,
            JobState.UPLOAD_COMPLETE,
            JobState.IN_PROGRESS,
        ):
            job.state = JobState.ABORTED
        else:
            raise ApiError(
                400,
                "INVALIDJOBSTATE",
                f"Job {job.id} is {job.state.value}: it cannot be set to {shown(wanted)}",
            )
        body = job.info()
    if wanted == JobState.UPLOAD_COMPLETE.value:
        body["state"] = JobState.UPLOAD_COMPLETE.value
    return SalesforceJSON(body)


@router.delete("/v{version}/jobs/ingest/{job_id}")
async def delete_job(job_id: str, request: Request, call: Bulk) -> Response:
    jobs = ingest_jobs_of(request)
    job = jobs.get(job_id)
    if job.state in (JobState.OPEN, JobState.IN_PROGRESS):
        raise ApiError(
            400, "INVALIDJOBSTATE", f"Job {job.id} is {job.state.value}: close or abort it first"
        )
    jobs.remove(job_id)
    return Response(status_code=204)


@router.get("/v{version}/jobs/ingest/{job_id}/{kind}")
async def job_results(job_id: str, kind: str, request: Request, call: Bulk) -> Response:
    """`successfulResults`, `failedResults` or `unprocessedrecords` (a trailing slash too)."""
    job = ingest_jobs_of(request).get(job_id)
    normal = {"successfulresults": "successfulResults", "failedresults": "failedResults"}
    name = normal.get(kind.lower(), kind.lower())
    if name not in ("successfulResults", "failedResults", "unprocessedrecords"):
        raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
    finished = (JobState.JOB_COMPLETE, JobState.FAILED, JobState.ABORTED)
    if name != "unprocessedrecords" and job.state not in finished:
        raise ApiError(
            400, "INVALIDJOBSTATE", f"Job {job.id} is {job.state.value}, not JobComplete"
        )
    return Response(job.results(name), media_type="text/csv")
