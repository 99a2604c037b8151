"""SOSL over REST: `search?q=FIND {...}`, and `parameterizedSearch`, the same search given as
parameters. One API call however many objects it returns, counted with the queries (`query` in
the sandbox's usage by kind)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.http_api import (
    DATA_PREFIX,
    ApiCall,
    SalesforceJSON,
    api_call,
    json_body,
)
from forcebridge.sandbox.limits import ApiKind
from forcebridge.sandbox.parameterized_search import ParameterizedSearch

router = APIRouter(prefix=DATA_PREFIX)

Search = Annotated[ApiCall, Depends(api_call(ApiKind.QUERY))]


@router.get("/v{version}/search")
async def search(request: Request, call: Search) -> SalesforceJSON:
    sosl = request.query_params.get("q", "").strip()
    if not sosl:
        raise ApiError(400, "MALFORMED_SEARCH", "A search string is required: pass the SOSL in ?q=")
    return await _search(sosl, call)


@router.get("/v{version}/parameterizedSearch")
async def parameterized_search(request: Request, call: Search) -> SalesforceJSON:
    params = request.query_params
    searched = ParameterizedSearch.of_parameters(params, params.getlist("sobject"))
    return await _search(searched.sosl(), call)


@router.post("/v{version}/parameterizedSearch")
async def parameterized_search_posted(request: Request, call: Search) -> SalesforceJSON:
    searched = ParameterizedSearch.of_body(await json_body(request))
    return await _search(searched.sosl(), call)


async def _search(sosl: str, call: ApiCall) -> SalesforceJSON:
    result = await call.state.run(
        call.state.org.search, sosl, api_version=call.version, user_id=call.grant.user_id
    )
    return SalesforceJSON(result)
