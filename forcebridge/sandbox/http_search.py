"""SOSL over REST: `search?q=FIND {...}`, one API call however many objects it returns, counted
with the queries (`query` in the sandbox's usage by kind)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.http_api import DATA_PREFIX, ApiCall, SalesforceJSON, api_call
from forcebridge.sandbox.limits import ApiKind

router = APIRouter(prefix=DATA_PREFIX)

Search = Annotated[ApiCall, Depends(api_call(ApiKind.QUERY))]


@router.get("/v{version}/search")
async def search(request: Request, call: Search) -> SalesforceJSON:
    sosl = request.query_params.get("q", "").strip()
    if not sosl:
        raise ApiError(400, "MALFORMED_SEARCH", "A search string is required: pass the SOSL in ?q=")
    result = await call.state.run(
        call.state.org.search, sosl, api_version=call.version, user_id=call.grant.user_id
    )
    return SalesforceJSON(result)
