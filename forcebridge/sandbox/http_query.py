"""SOQL over REST: `query`, `queryAll`, and the `nextRecordsUrl` pages that follow them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from forcebridge.sandbox.http_api import (
    DATA_PREFIX,
    ApiCall,
    SalesforceJSON,
    api_call,
    soql_text,
)
from forcebridge.sandbox.limits import ApiKind
from forcebridge.sandbox.query import DEFAULT_BATCH, MAX_BATCH, MIN_BATCH

router = APIRouter(prefix=DATA_PREFIX)

Query = Annotated[ApiCall, Depends(api_call(ApiKind.QUERY))]
QueryMore = Annotated[ApiCall, Depends(api_call(ApiKind.QUERY_MORE))]


def batch_size(options: str | None) -> int | None:
    """`Sforce-Query-Options: batchSize=N` within Salesforce's 200..2,000 bounds, if asked."""
    for option in (options or "").split(","):
        name, _, value = option.partition("=")
        if name.strip() == "batchSize" and value.strip().isdigit():
            return min(max(int(value), MIN_BATCH), MAX_BATCH)
    return None


def soql_param(request: Request) -> str:
    return soql_text(request.query_params.get("q"))


async def _run_query(request: Request, call: ApiCall, include_deleted: bool) -> SalesforceJSON:
    page = await call.state.run(
        call.state.org.query,
        soql_param(request),
        include_deleted=include_deleted,
        batch_size=batch_size(request.headers.get("sforce-query-options")) or DEFAULT_BATCH,
        api_version=call.version,
        user_id=call.grant.user_id,
    )
    return SalesforceJSON(page)


async def _next_page(request: Request, locator: str, call: ApiCall) -> SalesforceJSON:
    """A page keeps its query's batch size unless the client asks for another one."""
    size = batch_size(request.headers.get("sforce-query-options"))
    options = {"batch_size": size} if size else {}
    page = await call.state.run(
        call.state.org.query_more, locator, api_version=call.version, **options
    )
    return SalesforceJSON(page)


@router.get("/v{version}/query")
async def query(request: Request, call: Query) -> SalesforceJSON:
    """A query's first page, or with `?explain=SOQL` the plans for it (`explain`)."""
    explained = request.query_params.get("explain", "").strip()
    if explained:
        org = call.state.org
        plans = await call.state.run(org.explain, explained, call.grant.user_id, call.version)
        return SalesforceJSON(plans)
    return await _run_query(request, call, include_deleted=False)


@router.get("/v{version}/queryAll")
async def query_all(request: Request, call: Query) -> SalesforceJSON:
    return await _run_query(request, call, include_deleted=True)


@router.get("/v{version}/query/{locator}")
async def query_more(locator: str, request: Request, call: QueryMore) -> SalesforceJSON:
    return await _next_page(request, locator, call)


@router.get("/v{version}/queryAll/{locator}")
async def query_all_more(locator: str, request: Request, call: QueryMore) -> SalesforceJSON:
    return await _next_page(request, locator, call)
