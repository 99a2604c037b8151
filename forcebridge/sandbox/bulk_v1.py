"""Bulk API 1.0 with JSON content, as simple-salesforce's `sf.bulk` speaks it.

Under `/services/async/{version}/`, with the session in `X-SFDC-Session` rather than an
`Authorization` header, and errors shaped `{"exceptionCode", "exceptionMessage"}` as that API
shapes them. A job (`POST job`) takes batches (`POST job/{id}/batch`): a JSON array of records
for a DML operation, or the SOQL text for `query` / `queryAll`. Each batch is carried out when
it is added, so its first status already reads `Completed` or `Failed` (Salesforce queues it;
a client polls either way). DML results are `[{"success", "created", "id", "errors"}]` in the
batch's order, written through the sObject Collections checks; a query's result is a list of
result ids, each a JSON array of records whose dates and datetimes are epoch milliseconds, as
Bulk API 1.0's JSON gives them. XML and CSV content, which jsforce's `bulk` uses, are refused.
Jobs live in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from forcebridge.sandbox.bulk import Jobs, salesforce_time, write_all
from forcebridge.sandbox.bulk_ingest import OPERATIONS
from forcebridge.sandbox.composite import Operation
from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.fieldtypes import Kind
from forcebridge.sandbox.http_api import RELEASES, SandboxState, sandbox_of
from forcebridge.sandbox.limits import ApiKind
from forcebridge.sandbox.org import Org

router = APIRouter(prefix="/services/async")

BATCH_PREFIX, RESULT_PREFIX = "751", "752"
MAX_BATCH_RECORDS = 10_000
QUERY_OPERATIONS = ("query", "queryAll")


class BulkError(Exception):
    """An answer of Bulk API 1.0: HTTP status, `exceptionCode`, `exceptionMessage`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message = status, code, message

    def response(self) -> Response:
        body = {"exceptionCode": self.code, "exceptionMessage": self.message}
        return Response(orjson.dumps(body), self.status, media_type="application/json")


@dataclass(frozen=True)
class BulkCall:
    version: str
    state: SandboxState
    user_id: str


async def bulk_call(request: Request) -> BulkCall:
    """Admit one Bulk API 1.0 call: a known version, a live session, the daily allowance."""
    version = request.path_params.get("version", "")
    if version not in RELEASES:
        raise BulkError(404, "InvalidVersion", f"Invalid api version specified on URL: {version}")
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
    state: str = "Queued"
    state_message: str | None = None
    results: list[Any] = field(default_factory=list)
    """DML: one result per record; query: one list of records per result id."""
    processed: int = 0
    failed: int = 0

    def info(self) -> dict[str, Any]:
        return {
            "apexProcessingTime": 0,
            "apiActiveProcessingTime": 0,
            "createdDate": salesforce_time(self.created),
            "id": self.id,
            "jobId": self.job_id,
            "numberRecordsFailed": self.failed,
            "numberRecordsProcessed": self.processed,
            "state": self.state,
            "stateMessage": self.state_message,
            "systemModstamp": salesforce_time(self.created),
            "totalProcessingTime": 0,
        }


@dataclass
class Job:
    id: str
    operation: str
    sobject: str
    external_field: str | None
    concurrency: str
    created_by: str
    created: dt.datetime
    api_version: str
    state: str = "Open"
    batches: dict[str, Batch] = field(default_factory=dict)

    def info(self, detailed: bool = False) -> dict[str, Any]:
        """Bulk API 1.0 always answers with the whole job info."""
        batches = list(self.batches.values())
        body: dict[str, Any] = {
            "apexProcessingTime": 0,
            "apiActiveProcessingTime": 0,
            "apiVersion": float(self.api_version),
            "concurrencyMode": self.concurrency,
            "contentType": "JSON",
            "createdById": self.created_by,
            "createdDate": salesforce_time(self.created),
            "id": self.id,
            "numberBatchesCompleted": sum(b.state == "Completed" for b in batches),
            "numberBatchesFailed": sum(b.state == "Failed" for b in batches),
            "numberBatchesInProgress": 0,
            "numberBatchesQueued": 0,
            "numberBatchesTotal": len(batches),
            "numberRecordsFailed": sum(b.failed for b in batches),
            "numberRecordsProcessed": sum(b.processed for b in batches),
            "numberRetries": 0,
            "object": self.sobject,
            "operation": self.operation,
            "state": self.state,
            "systemModstamp": salesforce_time(self.created),
            "totalProcessingTime": 0,
        }
        if self.external_field is not None:
            body["externalIdFieldName"] = self.external_field
        return body


def _missing_job(job_id: str) -> BulkError:
    return BulkError(400, "InvalidJob", f"Invalid job id: {job_id}")


def new_jobs() -> Jobs[Job]:
    return Jobs[Job](missing=_missing_job)


def jobs_of(request: Request) -> Jobs[Job]:
    jobs: Jobs[Job] = request.app.state.bulk_v1_jobs
    return jobs


def _json(body: Any) -> Response:
    return Response(orjson.dumps(body), media_type="application/json")


async def _body(request: Request) -> Any:
    raw = await request.body()
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BulkError(400, "InvalidBatch", "Failed to parse the JSON content") from None


@router.post("/{version}/job")
async def create_job(request: Request, call: Call) -> Response:
    body = await _body(request)
    if not isinstance(body, dict):
        raise BulkError(400, "InvalidJob", "The job must be a JSON object")
    if body.get("contentType", "JSON") != "JSON":
        raise BulkError(400, "InvalidJob", "Only JSON content is supported by this sandbox")
    operation = str(body.get("operation") or "")
    if operation not in (*OPERATIONS, *QUERY_OPERATIONS):
        raise BulkError(400, "InvalidJob", f"Invalid operation: {operation}")
    sobject = call.state.org.schema.get(str(body.get("object") or ""))
    if sobject is None:
        raise BulkError(400, "InvalidEntity", f"Unable to find object: {body.get('object')}")
    external_field = body.get("externalIdFieldName") if operation == "upsert" else None
    if operation == "upsert" and (not external_field or sobject.field(external_field) is None):
        raise BulkError(400, "InvalidJob", f"Invalid external id field: {external_field}")
    jobs = jobs_of(request)
    job = Job(
        id=jobs.new_id(),
        operation=operation,
        sobject=sobject.name,
        external_field=external_field,
        concurrency="Serial" if body.get("concurrencyMode") in (1, "Serial") else "Parallel",
        created_by=call.user_id,
        created=dt.datetime.now(dt.UTC),
        api_version=call.version,
    )
    jobs.add(job)
    return _json(job.info())


@router.get("/{version}/job/{job_id}")
async def job_info(job_id: str, request: Request, call: Call) -> Response:
    return _json(jobs_of(request).get(job_id).info())


@router.post("/{version}/job/{job_id}")
async def set_job_state(job_id: str, request: Request, call: Call) -> Response:
    """Close a job (no more batches) or abort it."""
    job = jobs_of(request).get(job_id)
    body = await _body(request)
    wanted = body.get("state") if isinstance(body, dict) else None
    if wanted not in ("Closed", "Aborted") or job.state != "Open":
        raise BulkError(400, "InvalidJobState", f"Job is {job.state}: cannot set it to {wanted}")
    job.state = str(wanted)
    return _json(job.info())


@router.post("/{version}/job/{job_id}/batch")
async def add_batch(job_id: str, request: Request, call: Call) -> Response:
    job = jobs_of(request).get(job_id)
    if job.state != "Open":
        raise BulkError(400, "InvalidJobState", f"Job is {job.state}: no more batches")
    if job.operation in QUERY_OPERATIONS:
        content: Any = (await request.body()).decode("utf-8")
    else:
        content = await _body(request)
        if not isinstance(content, list) or len(content) > MAX_BATCH_RECORDS:
            raise BulkError(
                400,
                "InvalidBatch",
                f"A batch is a JSON array of at most {MAX_BATCH_RECORDS:,} records",
            )
    batch = Batch(jobs_of(request).new_id(BATCH_PREFIX), job.id, dt.datetime.now(dt.UTC), content)
    job.batches[batch.id] = batch
    queued = batch.info()
    await call.state.run(_carry_out, call.state.org, job, batch, jobs_of(request))
    return _json(queued)


def _carry_out(org: Org, job: Job, batch: Batch, jobs: Jobs[Job]) -> None:
    try:
        if job.operation in QUERY_OPERATIONS:
            records = _query(org, job, str(batch.request))
            batch.results = [(jobs.new_id(RESULT_PREFIX), records)]
            batch.processed = len(records)
        else:
            batch.results = _write(org, job, batch.request)
            batch.processed = len(batch.results)
            batch.failed = sum(not result["success"] for result in batch.results)
    except ApiError as error:
        batch.state, batch.state_message = "Failed", f"{error.error_code} : {error.message}"
    else:
        batch.state = "Completed"


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


def _query(org: Org, job: Job, soql: str) -> list[dict[str, Any]]:
    page = org.query(soql, include_deleted=job.operation == "queryAll", api_version=job.api_version)
    records = list(page["records"])
    while not page.get("done", True):
        page = org.query_more(page["nextRecordsUrl"], api_version=job.api_version)
        records.extend(page["records"])
    return [_with_epoch_times(org, record) for record in records]


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


def _batch(request: Request, job_id: str, batch_id: str) -> Batch:
    batch = jobs_of(request).get(job_id).batches.get(batch_id)
    if batch is None:
        raise BulkError(400, "InvalidBatch", f"Invalid batch id: {batch_id}")
    return batch


@router.get("/{version}/job/{job_id}/batch")
async def list_batches(job_id: str, request: Request, call: Call) -> Response:
    batches = jobs_of(request).get(job_id).batches.values()
    return _json({"batchInfo": [batch.info() for batch in batches]})


@router.get("/{version}/job/{job_id}/batch/{batch_id}")
async def batch_info(job_id: str, batch_id: str, request: Request, call: Call) -> Response:
    return _json(_batch(request, job_id, batch_id).info())


@router.get("/{version}/job/{job_id}/batch/{batch_id}/request")
async def batch_request(job_id: str, batch_id: str, request: Request, call: Call) -> Response:
    content = _batch(request, job_id, batch_id).request
    if isinstance(content, str):
        return Response(content, media_type="text/plain")
    return _json(content)


@router.get("/{version}/job/{job_id}/batch/{batch_id}/result")
async def batch_result(job_id: str, batch_id: str, request: Request, call: Call) -> Response:
    batch = _batch(request, job_id, batch_id)
    if batch.state != "Completed":
        raise BulkError(400, "InvalidBatch", f"Batch is {batch.state}: no results")
    if jobs_of(request).get(job_id).operation in QUERY_OPERATIONS:
        return _json([result_id for result_id, _ in batch.results])
    return _json(batch.results)


@router.get("/{version}/job/{job_id}/batch/{batch_id}/result/{result_id}")
async def query_result(
    job_id: str, batch_id: str, result_id: str, request: Request, call: Call
) -> Response:
    batch = _batch(request, job_id, batch_id)
    records = next((r for rid, r in batch.results if rid == result_id), None)
    if records is None:
        raise BulkError(400, "InvalidBatch", f"Invalid result id: {result_id}")
    return _json(records)
