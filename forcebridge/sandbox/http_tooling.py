"""The Tooling API's custom fields over REST: `tooling/sobjects/CustomField` and `tooling/query`,
and the Tooling API's resources index, `tooling/`.

What an admin's script (or a test) calls to add, change or delete a field of the org while
integrations run (see `forcebridge.sandbox.tooling`): simple-salesforce's `toolingexecute`,
jsforce's `conn.tooling`. Each call counts as one API call.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from forcebridge.sandbox.errors import not_found
from forcebridge.sandbox.http_api import DATA_PREFIX, ApiCall, SalesforceJSON, api_call, json_body
from forcebridge.sandbox.http_query import batch_size, soql_param
from forcebridge.sandbox.limits import ApiKind
from forcebridge.sandbox.query import DEFAULT_BATCH
from forcebridge.sandbox.write_answers import write_result

router = APIRouter(prefix=f"{DATA_PREFIX}/v{{version}}/tooling")

Describe = Annotated[ApiCall, Depends(api_call(ApiKind.DESCRIBE))]
Sobject = Annotated[ApiCall, Depends(api_call(ApiKind.SOBJECT))]
Query = Annotated[ApiCall, Depends(api_call(ApiKind.QUERY))]
QueryMore = Annotated[ApiCall, Depends(api_call(ApiKind.QUERY_MORE))]

CUSTOM_FIELD = "CustomField"
RESOURCES = ("query", "sobjects")
"""What the Tooling index lists: the Tooling resources the sandbox serves (of `sobjects`, the
CustomField rows), by the names the Tooling API's guide gives them."""


def _custom_field_only(sobject: str) -> None:
    """The Tooling API's other objects (ApexClass, ...) are not served."""
    if sobject.lower() != CUSTOM_FIELD.lower():
        raise not_found()


@router.get("")
async def resources(call: Describe) -> SalesforceJSON:
    """The Tooling API's resources under the version, as the data API's index lists its own:
    each name with its URL."""
    base = f"{DATA_PREFIX}/v{call.version}/tooling"
    return SalesforceJSON({name: f"{base}/{name}" for name in RESOURCES})


@router.post("/sobjects/{sobject}")
async def create(sobject: str, request: Request, call: Sobject) -> SalesforceJSON:
    _custom_field_only(sobject)
    body = await json_body(request)
    record_id = await call.state.run(call.state.org.custom_fields.create, body)
    return SalesforceJSON(write_result(record_id), status_code=201)


@router.get("/sobjects/{sobject}/{record_id}")
async def retrieve(sobject: str, record_id: str, call: Sobject) -> SalesforceJSON:
    _custom_field_only(sobject)
    fields = call.state.org.custom_fields
    return SalesforceJSON(await call.state.run(fields.retrieve, record_id, call.version))


@router.patch("/sobjects/{sobject}/{record_id}")
async def update(sobject: str, record_id: str, request: Request, call: Sobject) -> Response:
    _custom_field_only(sobject)
    body = await json_body(request)
    await call.state.run(call.state.org.custom_fields.update, record_id, body)
    return Response(status_code=204)


@router.delete("/sobjects/{sobject}/{record_id}")
async def delete(sobject: str, record_id: str, call: Sobject) -> Response:
    _custom_field_only(sobject)
    await call.state.run(call.state.org.custom_fields.delete, record_id)
    return Response(status_code=204)


@router.get("/query")
async def query(request: Request, call: Query) -> SalesforceJSON:
    """Pages as the data API's: 2,000 records, or `Sforce-Query-Options: batchSize=N`."""
    fields = call.state.org.custom_fields
    size = batch_size(request.headers.get("sforce-query-options")) or DEFAULT_BATCH
    page = await call.state.run(fields.query, soql_param(request), call.version, size)
    return SalesforceJSON(page)


@router.get("/query/{locator}")
async def query_more(locator: str, call: QueryMore) -> SalesforceJSON:
    fields = call.state.org.custom_fields
    return SalesforceJSON(await call.state.run(fields.query_more, locator, call.version))
