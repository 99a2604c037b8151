"""Bulk API 1.0, as simple-salesforce's `sf.bulk` (JSON) and jsforce's `bulk` (CSV) speak it.

Under `/services/async/{version}/`, with the session in `X-SFDC-Session` rather than an
`Authorization` header, and errors shaped `{"exceptionCode", "exceptionMessage"}` as that API
shapes them. A job (`POST job`) takes batches (`POST job/{id}/batch`): records for a DML
operation (a JSON array, or CSV with a header of field names), or the SOQL text for `query` /
`queryAll`. The job's content type sets the format of everything else (`bulk_v1_wire`).

Each batch is carried out when it is added, so its first status already reads `Completed` or
`Failed` (Salesforce queues it; a client polls either way). DML results come in the batch's
order, written through the sObject Collections checks (`bulk_writes.write_all`); a query's result is
a list of result ids, each the query's records: JSON with dates and datetimes as epoch
milliseconds, as Bulk API 1.0's JSON gives them, or CSV as Bulk API 2.0 writes it. A CSV batch
naming a field the object lacks fails as a whole with `InvalidBatch`, and so does a query
batch that does not parse, names another object than the job's or is one Bulk cannot run
(`InvalidBatch : Failed to process query: CODE: ...`, `bulk_queries.failed_query`). Jobs live
in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from forcebridge.sandbox import bulk_v1_wire as wire
from forcebridge.sandbox.bulk import Jobs
from forcebridge.sandbox.bulk_csv import (
    RefusedUpload,
    csv_record,
    header_fields,
    upload_text,
)
from forcebridge.sandbox.bulk_ingest import OPERATIONS, upsert_key
from forcebridge.sandbox.bulk_queries import bulk_query_problem, failed_query, root_mismatch
from forcebridge.sandbox.bulk_writes import write_all
from forcebridge.sandbox.composite import Operation
from forcebridge.sandbox.csv_rows import read_table
from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.fieldtypes import Kind
from forcebridge.sandbox.http_api import RELEASES, SandboxState, sandbox_of
from forcebridge.sandbox.json_values import shown
from forcebridge.sandbox.limits import ApiKind
from forcebridge.sandbox.org import Org
from forcebridge.soql.ast import Query
from forcebridge.soql.errors import SoqlError
from forcebridge.soql.parser import parse

router = APIRouter(prefix="/services/async")

BATCH_PREFIX, RESULT_PREFIX = "751", "752"
MAX_BATCH_RECORDS = 10_000
QUERY_OPERATIONS = ("query", "queryAll")
CONTENT_TYPES = ("JSON", "CSV")


class BulkError(Exception):
    """An answer of Bulk API 1.0: HTTP status, `exceptionCode`, `exceptionMessage`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message

    def response(self, fmt: wire.Format) -> Response:
        body = {"exceptionCode": self.code, "exceptionMessage": self.message}
        return wire.answer(body, "error", fmt, self.status)


@dataclass(frozen=True)
class BulkCall:
    version: str
    state: SandboxState
    user_id: str


async def bulk_call(request: Request) -> BulkCall:
    """Admit one Bulk API 1.0 call: a known version, a live session, the daily allowance. A
    version not served, retired ones included, is 400 InvalidVersion, as Salesforce's help on
    retired versions gives Bulk API's answer (REST's is 410, SOAP's 500)."""
    version = request.path_params.get("version", "")
    if version not in RELEASES:
        raise BulkError(400, "InvalidVersion", f"Invalid api version specified on URL: {version}")
    state = sandbox_of(request)
    token = request.headers.get("x-sfdc-session", "").strip()
    grant = state.auth.session(token) if token else None
    if grant is None:
        raise BulkError(400, "InvalidSessionId", "Invalid session id")
    if not state.usage.admit(ApiKind.BULK):
        raise BulkError(400, "ExceededQuota", "TotalRequests Limit exceeded.")
    return BulkCall(version, state, grant.user_id)


Call = Annotated[BulkCall, Depends(bulk_call)]


@dataclass
class Batch:
    id: str
    job_id: str
    created: dt.datetime
    request: Any
    """The batch as sent: a JSON array of records, or the CSV or SOQL text."""
    state: str = "Queued"
    state_message: str | None = None
    results: list[Any] = field(default_factory=list)
    """DML: one result per record; query: one list of records per result id."""
    query: Query | None = None
    processed: int = 0
    failed: int = 0

    def info(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "jobId": self.job_id,
            "state": self.state,
            "stateMessage": self.state_message,
            "createdDate": self.created,
            "systemModstamp": self.created,
            "numberRecordsProcessed": self.processed,
            "numberRecordsFailed": self.failed,
            "totalProcessingTime": 0,
            "apiActiveProcessingTime": 0,
            "apexProcessingTime": 0,
        }


@dataclass
class Job:
    id: str
    operation: str
    sobject: str
    external_field: str | None
    concurrency: str
    content_type: str
    created_by: str
    created: dt.datetime
    api_version: str
    state: str = "Open"
    batches: dict[str, Batch] = field(default_factory=dict)

    @property
    def fmt(self) -> wire.Format:
        """What the job's infos and DML results are written in (CSV jobs report in XML)."""
        return wire.Format.JSON if self.content_type == "JSON" else wire.Format.XML

    def info(self, detailed: bool = False) -> dict[str, Any]:
        """Bulk API 1.0 always answers with the whole job info, in its schema's order."""
        batches = list(self.batches.values())
        return {
            "id": self.id,
            "operation": self.operation,
            "object": self.sobject,
            "createdById": self.created_by,
            "createdDate": self.created,
            "systemModstamp": self.created,
            "state": self.state,
            "externalIdFieldName": self.external_field,
            "concurrencyMode": self.concurrency,
            "contentType": self.content_type,
            "numberBatchesQueued": 0,
            "numberBatchesInProgress": 0,
            "numberBatchesCompleted": sum(b.state == "Completed" for b in batches),
            "numberBatchesFailed": sum(b.state == "Failed" for b in batches),
            "numberBatchesTotal": len(batches),
            "numberRecordsProcessed": sum(b.processed for b in batches),
            "numberRetries": 0,
            "apiVersion": float(self.api_version),
            "numberRecordsFailed": sum(b.failed for b in batches),
            "totalProcessingTime": 0,
            "apiActiveProcessingTime": 0,
            "apexProcessingTime": 0,
        }

    def answer(self, body: dict[str, Any], root: str) -> Response:
        return wire.answer(body, root, self.fmt)


def _missing_job(job_id: str) -> BulkError:
    return BulkError(400, "InvalidJob", f"Invalid job id: {job_id}")


def new_jobs() -> Jobs[Job]:
    return Jobs[Job](missing=_missing_job)


def jobs_of(request: Request) -> Jobs[Job]:
    jobs: Jobs[Job] = request.app.state.bulk_v1_jobs
    return jobs


def request_format(request: Request) -> wire.Format:
    return wire.Format.of_request(request.headers.get("content-type"))


async def _job_request(request: Request) -> dict[str, Any]:
    """A `jobInfo` sent as JSON or XML, as the request's Content-Type says."""
    try:
        return wire.read_object(await request.body(), request_format(request), "jobInfo")
    except wire.Unreadable as unreadable:
        raise BulkError(400, "InvalidJob", str(unreadable)) from None


@router.post("/{version}/job")
async def create_job(request: Request, call: Call) -> Response:
    body = await _job_request(request)
    fmt = request_format(request)
    content_type = shown(body.get("contentType") or ("JSON" if fmt is wire.Format.JSON else "CSV"))
    if content_type not in CONTENT_TYPES:
        raise BulkError(
            400, "InvalidJob", f"Content type {content_type} is not supported by this sandbox"
        )
    operation = shown(body.get("operation") or "")
    if operation not in (*OPERATIONS, *QUERY_OPERATIONS):
        raise BulkError(400, "InvalidJob", f"Invalid operation: {operation}")
    sobject = call.state.org.schema.get(shown(body.get("object") or ""))
    if sobject is None:
        raise BulkError(
            400, "InvalidEntity", f"Unable to find object: {shown(body.get('object') or '')}"
        )
    external_field = None
    if operation == "upsert":
        key = upsert_key(sobject, body.get("externalIdFieldName"))
        if isinstance(key, str):
            raise BulkError(400, "InvalidJob", key)
        external_field = key.name
    jobs = jobs_of(request)
    job = Job(
        id=jobs.new_id(),
        operation=operation,
        sobject=sobject.name,
        external_field=external_field,
        concurrency="Serial" if body.get("concurrencyMode") in (1, "Serial") else "Parallel",
        content_type=content_type,
        created_by=call.user_id,
        created=dt.datetime.now(dt.UTC),
        api_version=call.version,
    )
    jobs.add(job)
    return wire.answer(job.info(), "jobInfo", fmt)


@router.get("/{version}/job/{job_id}")
async def job_info(job_id: str, request: Request, call: Call) -> Response:
    job = jobs_of(request).get(job_id)
    return job.answer(job.info(), "jobInfo")


@router.post("/{version}/job/{job_id}")
async def set_job_state(job_id: str, request: Request, call: Call) -> Response:
    """Close a job (no more batches) or abort it."""
    job = jobs_of(request).get(job_id)
    wanted = (await _job_request(request)).get("state")
    if wanted not in ("Closed", "Aborted") or job.state != "Open":
        raise BulkError(400, "InvalidJobState", f"Job is {job.state}: cannot set it to {wanted}")
    job.state = str(wanted)
    return job.answer(job.info(), "jobInfo")


@router.post("/{version}/job/{job_id}/batch")
async def add_batch(job_id: str, request: Request, call: Call) -> Response:
    job = jobs_of(request).get(job_id)
    if job.state != "Open":
        raise BulkError(400, "InvalidJobState", f"Job is {job.state}: no more batches")
    raw = await request.body()
    content: Any
    if job.operation in QUERY_OPERATIONS or job.content_type == "CSV":
        try:
            content = upload_text(raw)
        except RefusedUpload as refused:
            raise BulkError(400, "InvalidBatch", str(refused)) from None
    else:
        try:
            content = wire.read_object_list(raw)
        except wire.Unreadable as unreadable:
            raise BulkError(400, "InvalidBatch", str(unreadable)) from None
    batch = Batch(jobs_of(request).new_id(BATCH_PREFIX), job.id, dt.datetime.now(dt.UTC), content)
    job.batches[batch.id] = batch
    queued = batch.info()
    await call.state.run(_carry_out, call.state.org, job, batch, jobs_of(request))
    return job.answer(queued, "batchInfo")


def _carry_out(org: Org, job: Job, batch: Batch, jobs: Jobs[Job]) -> None:
    try:
        if job.operation in QUERY_OPERATIONS:
            # The query keeps its tree for the CSV result's columns.
            batch.query, records = _run_query(org, job, str(batch.request))
            batch.results = [(jobs.new_id(RESULT_PREFIX), records)]
            batch.processed = len(records)
        else:
            batch.results = _write(org, job, _records(org, job, batch.request))
            batch.processed = len(batch.results)
            batch.failed = sum(not result["success"] for result in batch.results)
    except RefusedUpload as refused:
        batch.state, batch.state_message = "Failed", refused.state_message
    except ApiError as error:
        batch.state, batch.state_message = "Failed", f"{error.error_code} : {error.message}"
    else:
        batch.state = "Completed"


def _records(org: Org, job: Job, content: Any) -> list[Any]:
    """A DML batch's records: the JSON array as sent, or the CSV read by field type."""
    if job.content_type == "JSON":
        records: list[Any] = content
    else:
        header, rows = read_table(str(content))
        deleting = OPERATIONS[job.operation] == "delete"
        sobject = org.schema.get(job.sobject)
        if sobject is None:
            raise RefusedUpload(f"Unable to find object: {job.sobject}")
        specs = header_fields(org.schema, sobject, header, deleting)
        records = [csv_record(specs, row) for row in rows]
    if len(records) > MAX_BATCH_RECORDS:
        raise RefusedUpload(f"A batch holds at most {MAX_BATCH_RECORDS:,} records")
    return records


def _write(org: Org, job: Job, records: list[Any]) -> list[dict[str, Any]]:
    """Each record's result in Bulk API 1.0's shape."""
    operation: Operation = OPERATIONS[job.operation]
    written = write_all(org, operation, job.sobject, records, job.external_field, job.api_version)
    return [
        {
            "success": r["success"],
            "created": bool(r.get("created", operation == "create" and r["success"])),
            "id": r.get("id"),
            "errors": [e | {"extendedErrorDetails": None} for e in r.get("errors", [])],
        }
        for r in written
    ]


def _run_query(org: Org, job: Job, soql: str) -> tuple[Query, list[dict[str, Any]]]:
    """`soql` parsed and run, or `RefusedUpload` failing the batch as Salesforce fails it: a
    query the org refuses, one naming another object than the job's, one Bulk cannot run (the
    last two refused before it runs)."""
    try:
        query = parse(soql)
        mismatch = root_mismatch(query, org.schema, job.sobject)
        if mismatch is not None:
            raise RefusedUpload(failed_query("INVALID_TYPE_FOR_OPERATION", mismatch))
        problem = bulk_query_problem(query, org.schema)
        if problem is not None:
            raise RefusedUpload(failed_query("FUNCTIONALITY_NOT_ENABLED", problem))
        return query, _query(org, job, soql)
    except (SoqlError, ApiError) as error:
        raise RefusedUpload(failed_query(error.error_code, error.message)) from None


def _query(org: Org, job: Job, soql: str) -> list[dict[str, Any]]:
    page = org.query(soql, include_deleted=job.operation == "queryAll", api_version=job.api_version)
    records = list(page["records"])
    while not page.get("done", True):
        page = org.query_more(page["nextRecordsUrl"], api_version=job.api_version)
        records.extend(page["records"])
    return records


def _with_epoch_times(org: Org, record: dict[str, Any]) -> dict[str, Any]:
    """A record as Bulk API 1.0's JSON gives it: dates and datetimes in epoch milliseconds."""
    sobject = org.schema.get(str(record.get("attributes", {}).get("type", "")))
    out: dict[str, Any] = {}
    for key, value in record.items():
        spec = sobject.field(key) if sobject is not None and key != "attributes" else None
        if isinstance(value, dict) and key != "attributes":
            out[key] = _with_epoch_times(org, value)
        elif spec is not None and isinstance(value, str) and spec.kind is Kind.DATETIME:
            moment = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
            out[key] = int(moment.timestamp() * 1000)
        elif spec is not None and isinstance(value, str) and spec.kind is Kind.DATE:
            day = dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), dt.UTC)
            out[key] = int(day.timestamp() * 1000)
        else:
            out[key] = value
    return out


def _batch(request: Request, job_id: str, batch_id: str) -> tuple[Job, Batch]:
    job = jobs_of(request).get(job_id)
    batch = job.batches.get(batch_id)
    if batch is None:
        raise BulkError(400, "InvalidBatch", f"Invalid batch id: {batch_id}")
    return job, batch


@router.get("/{version}/job/{job_id}/batch")
async def list_batches(job_id: str, request: Request, call: Call) -> Response:
    job = jobs_of(request).get(job_id)
    infos = [batch.info() for batch in job.batches.values()]
    return wire.answer_list(infos, "batchInfoList", "batchInfo", job.fmt)


@router.get("/{version}/job/{job_id}/batch/{batch_id}")
async def batch_info(job_id: str, batch_id: str, request: Request, call: Call) -> Response:
    job, batch = _batch(request, job_id, batch_id)
    return job.answer(batch.info(), "batchInfo")


@router.get("/{version}/job/{job_id}/batch/{batch_id}/request")
async def batch_request(job_id: str, batch_id: str, request: Request, call: Call) -> Response:
    job, batch = _batch(request, job_id, batch_id)
    if job.operation in QUERY_OPERATIONS:
        return Response(batch.request, media_type="text/plain")
    if job.content_type == "CSV":
        return Response(batch.request, media_type="text/csv; charset=UTF-8")
    return wire.answer_json(batch.request)


@router.get("/{version}/job/{job_id}/batch/{batch_id}/result")
async def batch_result(job_id: str, batch_id: str, request: Request, call: Call) -> Response:
    job, batch = _batch(request, job_id, batch_id)
    if batch.state != "Completed":
        raise BulkError(400, "InvalidBatch", f"Batch is {batch.state}: no results")
    if job.operation in QUERY_OPERATIONS:
        return wire.result_ids((result_id for result_id, _ in batch.results), job.fmt)
    if job.content_type == "CSV":
        return wire.dml_results_csv(batch.results)
    return wire.answer_json(batch.results)


@router.get("/{version}/job/{job_id}/batch/{batch_id}/result/{result_id}")
async def query_result(
    job_id: str, batch_id: str, result_id: str, request: Request, call: Call
) -> Response:
    job, batch = _batch(request, job_id, batch_id)
    records = next((r for rid, r in batch.results if rid == result_id), None)
    if records is None or batch.query is None:
        raise BulkError(400, "InvalidBatch", f"Invalid result id: {result_id}")
    if job.content_type == "CSV":
        return wire.records_csv(batch.query, records)
    return wire.answer_json([_with_epoch_times(call.state.org, record) for record in records])
