"""The Tooling API's custom fields over REST: `tooling/sobjects/CustomField` and `tooling/query`,
the Tooling API's resources index, `tooling/`, and its describeGlobal, `tooling/sobjects`.

What an admin's script (or a test) calls to add, change or delete a field of the org while
integrations run (see `forcebridge.sandbox.tooling`): simple-salesforce's `toolingexecute`,
jsforce's `conn.tooling`. Each call counts as one API call.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from forcebridge.sandbox.errors import not_found
from forcebridge.sandbox.http_api import (
    DATA_PREFIX,
    ApiCall,
    SalesforceJSON,
    api_call,
    json_body,
    soql_text,
)
from forcebridge.sandbox.http_query import batch_size
from forcebridge.sandbox.http_rest import revalidated, sobject_entry
from forcebridge.sandbox.limits import ApiKind
from forcebridge.sandbox.query import DEFAULT_BATCH
from forcebridge.sandbox.tooling import tooling_describe_global
from forcebridge.sandbox.write_answers import write_result

router = APIRouter(prefix=f"{DATA_PREFIX}/v{{version}}/tooling")

Describe = Annotated[ApiCall, Depends(api_call(ApiKind.DESCRIBE))]
Sobject = Annotated[ApiCall, Depends(api_call(ApiKind.SOBJECT))]
Query = Annotated[ApiCall, Depends(api_call(ApiKind.QUERY))]
QueryMore = Annotated[ApiCall, Depends(api_call(ApiKind.QUERY_MORE))]

CUSTOM_FIELD = "CustomField"
RESOURCES = ("query", "sobjects")
"""What the Tooling index lists: the Tooling resources the sandbox serves (`sobjects`: the
describeGlobal and the CustomField rows), by the names the Tooling API's guide gives them."""


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


@router.get("/sobjects")
async def describe_global(request: Request, call: Describe) -> Response:
    """The Tooling describeGlobal, revalidated by `If-Modified-Since` against the org's
    metadata as the data API's is."""
    return revalidated(request, call.state.org, tooling_describe_global(call.version))


@router.get("/sobjects/{sobject}")
async def sobject_info(sobject: str, call: Describe) -> SalesforceJSON:
    """A Tooling object's entry in the Tooling describeGlobal, as `sobjects/{T}` gives the
    data API's."""
    return SalesforceJSON(sobject_entry(tooling_describe_global(call.version), sobject))


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
    soql = soql_text(request.query_params.get("q"))
    page = await call.state.run(fields.query, soql, call.version, size)
    return SalesforceJSON(page)


@router.get("/query/{locator}")
async def query_more(locator: str, call: QueryMore) -> SalesforceJSON:
    fields = call.state.org.custom_fields
    return SalesforceJSON(await call.state.run(fields.query_more, locator, call.version))
