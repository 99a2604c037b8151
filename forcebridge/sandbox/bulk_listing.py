"""Bulk API's "Get All Jobs": `GET jobs/ingest` and `GET jobs/query`, the org's jobs a page at a
time, as Salesforce's Bulk API 2.0 guide describes both resources.

`jobs/ingest` lists Bulk API 2.0's ingest jobs (`V2Ingest`) and every Bulk API 1.0 job
(`Classic`); `jobs/query` lists Bulk API 2.0's query jobs (`V2Query`) and every Bulk API 1.0
job. The guide's parameters filter them: `jobType` lists that type alone (`BigObjectIngest`
lists none, the org having no big objects), `concurrencyMode` the jobs run in that mode, and
`isPkChunkingEnabled=true` the jobs chunked by primary key, none here, as the sandbox chunks
nothing. A value naming no job matches none. Each record is the job's info with its
`jobType`; a page holds 1,000, oldest first, and while more follow, `done` is false and
`nextRecordsUrl` repeats the filters with a `queryLocator` naming the last job listed, so a job
deleted meanwhile shifts nothing.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from forcebridge.sandbox import bulk_v1
from forcebridge.sandbox.bulk import JOB_PREFIX, Bulk, QueryJob, jobs_of, salesforce_time
from forcebridge.sandbox.bulk_ingest import IngestJob, ingest_jobs_of
from forcebridge.sandbox.fieldtypes import wire_flag
from forcebridge.sandbox.http_api import DATA_PREFIX, SalesforceJSON
from forcebridge.sandbox.query import invalid_locator

router = APIRouter(prefix=DATA_PREFIX)

PAGE_SIZE = 1000
"""Jobs one page lists: the guide's "up to 1000 result rows per request"."""
CLASSIC = "Classic"
"""A Bulk API 1.0 job's `jobType`."""
#: The job types each resource lists when `jobType` names none.
DEFAULT_TYPES: Mapping[str, tuple[str, ...]] = {
    "ingest": (IngestJob.job_type, CLASSIC),
    "query": (QueryJob.job_type, CLASSIC),
}
#: The parameters a `nextRecordsUrl` carries on, besides its locator.
FILTERS = ("isPkChunkingEnabled", "jobType", "concurrencyMode")


@router.get("/v{version}/jobs/ingest")
async def all_ingest_jobs(request: Request, call: Bulk) -> SalesforceJSON:
    return _listing(request, call.version, "ingest")


@router.get("/v{version}/jobs/query")
async def all_query_jobs(request: Request, call: Bulk) -> SalesforceJSON:
    return _listing(request, call.version, "query")


def _listing(request: Request, version: str, kind: str) -> SalesforceJSON:
    """One page of the jobs `kind`'s listing holds, as the request's parameters filter them."""
    params = request.query_params
    after = _decode_locator(params.get("queryLocator"))
    job_type = params.get("jobType")
    types = (job_type,) if job_type is not None else DEFAULT_TYPES[kind]
    mode = params.get("concurrencyMode")
    chunked_only = wire_flag(params.get("isPkChunkingEnabled", ""))
    listed = [
        entry
        for entry in _entries(request)
        if entry["jobType"] in types
        and (mode is None or str(entry["concurrencyMode"]).lower() == mode.lower())
        and not chunked_only
        and (after is None or entry["id"] > after)
    ]
    page = listed[:PAGE_SIZE]
    next_url = None
    if len(listed) > len(page):
        kept = {name: params[name] for name in FILTERS if name in params}
        query = urlencode(kept | {"queryLocator": _encode_locator(page[-1]["id"])})
        next_url = f"{DATA_PREFIX}/v{version}/jobs/{kind}?{query}"
    return SalesforceJSON({"done": next_url is None, "records": page, "nextRecordsUrl": next_url})


def _entries(request: Request) -> list[dict[str, Any]]:
    """Every job the sandbox holds, as a listing shows it, oldest first (job ids count up)."""
    v2_jobs: list[QueryJob | IngestJob] = [*jobs_of(request).all(), *ingest_jobs_of(request).all()]
    entries = [job.info() | {"jobType": job.job_type} for job in v2_jobs]
    entries += [_classic(job) for job in bulk_v1.jobs_of(request).all()]
    return sorted(entries, key=lambda entry: str(entry["id"]))


def _classic(job: bulk_v1.Job) -> dict[str, Any]:
    """A Bulk API 1.0 job as a Bulk API 2.0 listing shows it: the fields the two job infos
    share, in the listing's format."""
    entry: dict[str, Any] = {
        "id": job.id,
        "operation": job.operation,
        "object": job.sobject,
        "createdById": job.created_by,
        "createdDate": salesforce_time(job.created),
        "systemModstamp": salesforce_time(job.created),
        "state": job.state,
        "concurrencyMode": job.concurrency,
        "contentType": job.content_type,
        "apiVersion": float(job.api_version),
        "jobType": CLASSIC,
    }
    if job.external_field:
        entry["externalIdFieldName"] = job.external_field
    return entry


def _encode_locator(job_id: str) -> str:
    return base64.urlsafe_b64encode(job_id.encode()).decode().rstrip("=")


def _decode_locator(locator: str | None) -> str | None:
    """The id of the last job the page before listed; a locator that names no job id is
    refused as a query's is (400 INVALID_QUERY_LOCATOR)."""
    if locator is None:
        return None
    try:
        job_id = base64.urlsafe_b64decode(locator + "=" * (-len(locator) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid_locator() from None
    if len(job_id) != 18 or not job_id.startswith(JOB_PREFIX) or not job_id.isalnum():
        raise invalid_locator()
    return job_id
