"""The REST resources about objects and records: versions, describe, CRUD, upsert, replication.

Routes are declared without a trailing slash; the app strips one from every request path, so
simple-salesforce (`sobjects/Contact/`) and jsforce (`sobjects/Contact`) both land here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.convertors import Convertor, register_url_convertor

from forcebridge.sandbox.errors import ApiError, not_found
from forcebridge.sandbox.http_api import (
    DATA_PREFIX,
    RELEASES,
    ApiCall,
    SalesforceJSON,
    api_call,
    comma_separated,
    instance_url,
    json_body,
    json_object,
)
from forcebridge.sandbox.limits import ApiKind, limits_payload, row_lock_error
from forcebridge.sandbox.oauth import identity_url
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.preconditions import (
    Preconditions,
    Validators,
    unchanged_since,
    validator_headers,
)
from forcebridge.sandbox.write_answers import location, update_only, upsert_answer, write_result

UPSERT_KEY = (
    r"(?![0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$)"
    r"(?!(?:describe|updated|deleted|listviews|quickActions)$)"
    r"[A-Za-z][A-Za-z0-9_]*"
)
"""A path segment that may name an upsert key field (`Id`, `Ext__c`): never a record id (15 or
18 letters and digits) nor one of the object's own resources, so routes on those keep their
methods (and a 405 lists them)."""


class _Segment(Convertor[str]):
    """A path segment matching `regex`, taken as it is."""

    regex = ""

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


class UpsertKeyConvertor(_Segment):
    regex = UPSERT_KEY


class ReplicationConvertor(_Segment):
    regex = "updated|deleted"
    """getUpdated and getDeleted, after `sobjects/T/`."""


register_url_convertor("upsert_key", UpsertKeyConvertor())
register_url_convertor("replication", ReplicationConvertor())

router = APIRouter(prefix=DATA_PREFIX)

Describe = Annotated[ApiCall, Depends(api_call(ApiKind.DESCRIBE))]
Sobject = Annotated[ApiCall, Depends(api_call(ApiKind.SOBJECT))]
Limits = Annotated[ApiCall, Depends(api_call(ApiKind.LIMITS))]

RESOURCES = (
    "sobjects",
    "query",
    "queryAll",
    "search",
    "parameterizedSearch",
    "recent",
    "composite",
    "limits",
    "jobs",
    "tooling",
)
"""What the resources index lists: the resources the sandbox serves under a version, by the
names a real org's index gives them."""

#: A `+00:00` offset sent unencoded arrives as ` 00:00`; put its sign back.
_SPACED_OFFSET = re.compile(r" (\d\d:?\d\d)$")


def replication_date(raw: str | None, name: str) -> dt.datetime:
    """Parse getUpdated/getDeleted's `start`/`end`, however the client encoded its `+`."""
    if not raw:
        raise ApiError(400, "MISSING_ARGUMENT", f"Required parameter '{name}' is missing")
    text = _SPACED_OFFSET.sub(r"+\1", raw.strip())
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise ApiError(
            400,
            "INVALID_REPLICATION_DATE",
            f"'{name}' must be an ISO 8601 date and time such as 2024-11-07T07:00:00+00:00",
        ) from error
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@router.get("")
async def versions(request: Request) -> SalesforceJSON:
    """Like Salesforce, the versions list needs no session and is not an API call."""
    return SalesforceJSON(
        [
            {"label": label, "url": f"{DATA_PREFIX}/v{version}", "version": version}
            for version, label in RELEASES.items()
        ]
    )


@router.get("/v{version}")
async def resources(request: Request, call: Describe) -> SalesforceJSON:
    """The version's resources, and (as an absolute URL) the caller's identity, which jsforce's
    `identity()` reads from here when it logged in with a bare access token."""
    base = f"{DATA_PREFIX}/v{call.version}"
    listed = {name: f"{base}/{name}" for name in RESOURCES}
    identity = identity_url(instance_url(request), call.grant, call.state.org.org_id)
    return SalesforceJSON(listed | {"identity": identity})


@router.get("/v{version}/recent")
async def recent(call: Sobject) -> SalesforceJSON:
    """Recently viewed records: the sandbox keeps no views, so there are none."""
    return SalesforceJSON([])


@router.get("/v{version}/sobjects")
async def describe_global(request: Request, call: Describe) -> Response:
    org = call.state.org
    return revalidated(request, org, await call.state.run(org.describe_global, call.version))


def sobject_entry(catalogue: dict[str, Any], sobject: str) -> dict[str, Any]:
    """`GET sobjects/{T}`: the object's entry in the describe-global catalogue."""
    for entry in catalogue["sobjects"]:
        if entry["name"].lower() == sobject.lower():
            return {"objectDescribe": entry, "recentItems": []}
    raise not_found()


@router.get("/v{version}/sobjects/{sobject}")
async def sobject_info(sobject: str, call: Describe) -> SalesforceJSON:
    catalogue = await call.state.run(call.state.org.describe_global, call.version)
    return SalesforceJSON(sobject_entry(catalogue, sobject))


@router.get("/v{version}/sobjects/{sobject}/describe")
async def describe(sobject: str, request: Request, call: Describe) -> Response:
    org = call.state.org
    payload = await call.state.run(org.describe, sobject, call.version, instance_url(request))
    return revalidated(request, org, payload)


def revalidated(request: Request, org: Org, payload: Any) -> Response:
    """A describe, honouring `If-Modified-Since` as Salesforce does: 304 with no body while
    the org's metadata is unchanged, so clients can revalidate a cached describe cheaply."""
    headers = validator_headers(Validators(org.schema_modified_at, None))
    if unchanged_since(request.headers, org.schema_modified_at, org.clock()):
        return Response(status_code=304, headers=headers)
    return SalesforceJSON(payload, headers=headers)


async def _create(sobject: str, request: Request, call: ApiCall) -> str:
    values = json_object(await json_body(request), sobject)
    if call.state.faults.row_locked():
        raise row_lock_error()
    record_id: str = await call.state.run(call.state.org.create, sobject, values)
    return record_id


@router.post("/v{version}/sobjects/{sobject}")
async def create(sobject: str, request: Request, call: Sobject) -> SalesforceJSON:
    """201 with the new record's result, and its URL in `Location` (`write_answers.location`)."""
    record_id = await _create(sobject, request, call)
    headers = location(call.version, sobject, record_id)
    return SalesforceJSON(write_result(record_id), status_code=201, headers=headers)


@router.post("/v{version}/sobjects/{sobject}/{key:upsert_key}")
async def create_by_key_path(
    sobject: str, key: str, request: Request, call: Sobject
) -> SalesforceJSON:
    """`POST sobjects/T/Id`: a create through the external id URL (Salesforce's since 37.0),
    answered as an upsert that created its record; so with any other key field of T given no
    value (`sobjects/T/Ext__c/`, as Salesforce's Mobile SDK posts it), and a name that is no
    key field is 404 as the external id resource answers it."""
    org = call.state.org
    org.writes.external_key(org.writes.sobject(sobject), key)
    record_id = await _create(sobject, request, call)
    status, result = upsert_answer(call.version, record_id, created=True)
    headers = location(call.version, sobject, record_id)
    return SalesforceJSON(result, status_code=status, headers=headers)


@router.get("/v{version}/sobjects/{sobject}/describe/{resource:path}")
@router.get("/v{version}/sobjects/{sobject}/listviews")
@router.get("/v{version}/sobjects/{sobject}/listviews/{resource:path}")
@router.get("/v{version}/sobjects/{sobject}/quickActions")
@router.get("/v{version}/sobjects/{sobject}/quickActions/{resource:path}")
async def unserved(sobject: str, call: Describe) -> SalesforceJSON:
    raise await call.state.run(unserved_resource, call.state.org, sobject)


def unserved_resource(org: Org, sobject: str) -> ApiError:
    """What a describe's `urls` list beyond the describe itself (layouts, compact layouts,
    list views, quick actions) answers: not served, so a plain NOT_FOUND (the object's own
    error when there is no such object), not an id misread."""
    org.writes.sobject(sobject)
    return not_found()


def replicated(org: Org, sobject: str, changes: str, params: Mapping[str, str]) -> dict[str, Any]:
    """getUpdated (`changes` "updated") or getDeleted ("deleted") over the window `params`
    name (`start`, `end`), for the plain route and a composite subrequest alike."""
    start = replication_date(params.get("start"), "start")
    end = replication_date(params.get("end"), "end")
    read = org.get_updated if changes == "updated" else org.get_deleted
    return read(sobject, start, end)


@router.get("/v{version}/sobjects/{sobject}/{changes:replication}")
async def replication(
    sobject: str, changes: str, request: Request, call: Sobject
) -> SalesforceJSON:
    """`sobjects/T/updated` and `sobjects/T/deleted` (getUpdated, getDeleted)."""
    org, params = call.state.org, request.query_params
    return SalesforceJSON(await call.state.run(replicated, org, sobject, changes, params))


@router.get("/v{version}/sobjects/{sobject}/{record_id}")
async def retrieve(sobject: str, record_id: str, request: Request, call: Sobject) -> Response:
    """A record; with `If-Modified-Since` or (Account) `If-None-Match`, 304 and no body while
    it is unchanged (see `preconditions`). The answer names its validators."""
    record, current = await call.state.run(
        call.state.org.conditional_retrieve,
        sobject,
        record_id,
        _fields_param(request),
        Preconditions.of(request.headers, write=False),
        api_version=call.version,
    )
    return _conditional_answer(record, current)


def _conditional_answer(record: dict[str, Any] | None, current: Validators | None) -> Response:
    """A record read under a conditional request, or 304 with no body when the client holds
    it already; either way naming its validators (`Last-Modified`, an Account's `ETag`)."""
    headers = validator_headers(current)
    if record is None:
        return Response(status_code=304, headers=headers)
    return SalesforceJSON(record, headers=headers)


def _fields_param(request: Request) -> list[str] | None:
    """`?fields=A,B`: the fields to return, or None for all of them."""
    return comma_separated(request.query_params.get("fields")) or None


@router.patch("/v{version}/sobjects/{sobject}/{record_id}")
async def update(sobject: str, record_id: str, request: Request, call: Sobject) -> Response:
    call.state.org.writes.refuse_keyless_write(sobject, record_id, "PATCH")
    values = json_object(await json_body(request), sobject)
    preconditions = Preconditions.of(request.headers, write=True)
    await call.state.run(call.state.org.check_preconditions, sobject, record_id, preconditions)
    if call.state.faults.row_locked():
        raise row_lock_error(record_id)
    await call.state.run(call.state.org.update, sobject, record_id, values)
    return Response(status_code=204)


@router.delete("/v{version}/sobjects/{sobject}/{record_id}")
async def delete(sobject: str, record_id: str, call: Sobject) -> Response:
    call.state.org.writes.refuse_keyless_write(sobject, record_id, "DELETE")
    if call.state.faults.row_locked():
        raise row_lock_error(record_id)
    await call.state.run(call.state.org.delete, sobject, record_id)
    return Response(status_code=204)


@router.get("/v{version}/sobjects/{sobject}/{first}/{rest:path}")
async def retrieve_by_path(
    sobject: str, first: str, rest: str, request: Request, call: Sobject
) -> Response:
    """A record by external id (`sobjects/T/field/value`), or by relationships from a record
    (`sobjects/T/id/Rel/...`; a children relationship answers as a query). A record is
    answered as `GET sobjects/T/id` answers it: its validators, and its conditions honoured."""
    record, current = await call.state.run(
        call.state.org.paths.read,
        sobject,
        first,
        rest,
        _fields_param(request),
        Preconditions.of(request.headers, write=False),
        api_version=call.version,
    )
    return _conditional_answer(record, current)


@router.patch("/v{version}/sobjects/{sobject}/{first}/{rest:path}")
async def write_by_path(
    sobject: str, first: str, rest: str, request: Request, call: Sobject
) -> Response:
    """Upsert by external id, answered as the API version answers it (`upsert_answer`), with
    `?updateOnly=true` (from 61.0) refusing to create: 404 when no record has the key.
    Through relationships: update the parent they lead to, 204."""
    values = json_object(await json_body(request), sobject)
    if call.state.faults.row_locked():
        raise row_lock_error()
    upserted = await call.state.run(
        call.state.org.paths.write,
        sobject,
        first,
        rest,
        values,
        api_version=call.version,
        update_only=update_only(call.version, request.query_params.get("updateOnly")),
    )
    if upserted is None:
        return Response(status_code=204)
    status, result = upsert_answer(call.version, *upserted)
    if result is None:
        return Response(status_code=status)
    headers = location(call.version, sobject, upserted[0])
    return SalesforceJSON(result, status_code=status, headers=headers)


@router.delete("/v{version}/sobjects/{sobject}/{first}/{rest:path}")
async def delete_by_path(sobject: str, first: str, rest: str, call: Sobject) -> Response:
    """Delete the record with an external id, or the parent relationships lead to."""
    if call.state.faults.row_locked():
        raise row_lock_error()
    await call.state.run(
        call.state.org.paths.delete, sobject, first, rest, api_version=call.version
    )
    return Response(status_code=204)


@router.get("/v{version}/limits")
async def limits(call: Limits) -> SalesforceJSON:
    return SalesforceJSON(limits_payload(call.state.usage.snapshot()))


@router.get("/v{version}/limits/recordCount")
async def record_counts(request: Request, call: Limits) -> SalesforceJSON:
    """`?sObjects=Account,Contact`: how many live records each named object holds (every
    queryable object when none is named); names the org lacks are left out, as Salesforce
    leaves them."""
    names = comma_separated(request.query_params.get("sObjects")) or None
    counts = await call.state.run(call.state.org.record_counts, names)
    return SalesforceJSON({"sObjects": [{"count": n, "name": name} for name, n in counts]})
