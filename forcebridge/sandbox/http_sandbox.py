"""Routes only the sandbox has: API usage for tests and benchmarks, and converting a Lead.

They need a session like any call, but are not API calls, so reading the usage never changes it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from forcebridge.sandbox.conversion import wire_options
from forcebridge.sandbox.http_api import (
    SalesforceJSON,
    authenticate,
    json_body,
    json_object,
    sandbox_of,
)

router = APIRouter(prefix="/sandbox")


@router.get("/usage")
async def usage(request: Request) -> SalesforceJSON:
    """`{"used", "limit", "byKind": {"query": n, ...}}` for today."""
    authenticate(request)
    return SalesforceJSON(sandbox_of(request).usage.snapshot().to_json())


@router.post("/usage/reset")
async def reset_usage(request: Request) -> Response:
    authenticate(request)
    sandbox_of(request).usage.reset()
    return Response(status_code=204)


@router.post("/leads/{lead_id}/convert")
async def convert_lead(lead_id: str, request: Request) -> SalesforceJSON:
    """Body (optional): SOAP's `leadConverts` fields as JSON, `{"accountId", "contactId",
    "convertedStatus", "doNotCreateOpportunity", "opportunityName", "overwriteLeadSource",
    "ownerId"}`; unlike SOAP, no Opportunity is created unless `doNotCreateOpportunity` is
    false."""
    authenticate(request)
    state = sandbox_of(request)
    body: dict[str, Any] = {}
    if (await request.body()).strip():
        body = json_object(await json_body(request), "the conversion request")
    options = wire_options(body, create_opportunity=False)
    return SalesforceJSON(await state.run(state.org.convert_lead, lead_id, **options))
