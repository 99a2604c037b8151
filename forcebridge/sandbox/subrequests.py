"""One REST call made inside a composite or batch request, answered as its own route answers it.

The composite resources (`http_composite_request`) carry calls to every sObject resource the
sandbox serves (describes, rows, rows by external id and friendly URL, getUpdated and
getDeleted), `query` / `queryAll` and their next pages, and sObject Collections (retrieve
included), as Salesforce's composite resource takes them. Each is run here straight against
the org, on the worker thread the whole request runs on, so an all-or-none composite request
can hold them in one transaction. The answer is what the route would send: status, body (an
error's body is Salesforce's error list) and the headers worth reporting (`Location` of a
created record, a record's validators).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from forcebridge.sandbox.errors import ApiError, method_not_allowed, not_found
from forcebridge.sandbox.fieldtypes import wire_flag
from forcebridge.sandbox.http_api import (
    DATA_PREFIX,
    METHOD_ORDER,
    RELEASES,
    comma_separated,
    json_object,
    soql_text,
)
from forcebridge.sandbox.http_composite import (
    collection_records,
    posted_retrieval,
    queried_retrieval,
)
from forcebridge.sandbox.http_rest import (
    UPSERT_KEY,
    ReplicationConvertor,
    replicated,
    sobject_entry,
    unserved_resource,
)
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.preconditions import (
    Preconditions,
    Validators,
    unchanged_since,
    validator_headers,
)
from forcebridge.sandbox.query import DEFAULT_BATCH
from forcebridge.sandbox.write_answers import location, update_only, upsert_answer, write_result
from forcebridge.sandbox.writes import KEYLESS_METHODS

_VERSIONED = re.compile(r"/v(\d+\.\d)(/[^?]*)?")


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status < 400

    @classmethod
    def of(cls, error: ApiError) -> Reply:
        return cls(error.status, error.to_json())


@dataclass(frozen=True)
class Caller:
    """Who makes the composite request, and how the sandbox is reached."""

    org: Org
    user_id: str
    instance_url: str


@dataclass(frozen=True)
class _Call:
    caller: Caller
    version: str
    path: dict[str, str]
    params: Mapping[str, str]
    body: Any
    headers: Mapping[str, str]

    @property
    def org(self) -> Org:
        return self.caller.org

    def values(self) -> dict[str, Any]:
        return json_object(self.body, self.path.get("sobject", "the body"))

    def fields(self) -> list[str] | None:
        return comma_separated(self.params.get("fields")) or None


Handler = Callable[[_Call], Reply]


def perform(
    caller: Caller, method: str, url: str, body: Any, headers: Mapping[str, str] | None = None
) -> Reply:
    """Run one subrequest (`url` from `/services/data/` on, or from the version on, as the
    batch resource writes it; `headers` its conditional ones); any error is its answer. The
    path is percent-decoded before it is routed, as the server decodes a plain request's (an
    external id `A-1%2FB` is `A-1/B`), and so is the query string."""
    raw_path, _, query = url.partition("?")
    path = unquote(raw_path).removeprefix(DATA_PREFIX)
    versioned = _VERSIONED.fullmatch(path if path.startswith("/") else f"/{path}")
    if versioned is None or versioned.group(1) not in RELEASES:
        return Reply.of(not_found())
    rest = (versioned.group(2) or "").rstrip("/")
    allowed: list[str] = []
    for verb, pattern, handler in _ROUTES:
        found = pattern.fullmatch(rest)
        if found is None:
            continue
        if verb != method:
            allowed.append(verb)
            continue
        call = _Call(
            caller,
            versioned.group(1),
            found.groupdict(),
            dict(parse_qsl(query, keep_blank_values=True)),
            body,
            headers or {},
        )
        try:
            return handler(call)
        except ApiError as error:
            return Reply.of(error)
    if allowed:
        return Reply.of(method_not_allowed(method, _allowed_as_routed(caller, rest, allowed)))
    unserved = _UNSERVED.match(rest.lstrip("/"))
    if unserved:
        message = (
            f"the sandbox does not serve {unserved.group(1)} as a subrequest (Salesforce "
            "does): call it on its own"
        )
        return Reply.of(ApiError(404, "NOT_FOUND", message))
    return Reply.of(not_found())


def _allowed_as_routed(caller: Caller, rest: str, served: list[str]) -> list[str]:
    """The methods a 405 names, as the plain route names them: HEAD with GET, in Salesforce's
    order, and at an upsert key given no value its own (`KEYLESS_METHODS`)."""
    row = _ROW_PATTERN.fullmatch(rest)
    if row is not None and caller.org.writes.names_key(row["sobject"], row["record_id"]):
        return list(KEYLESS_METHODS)
    allowed = served + (["HEAD"] if "GET" in served else [])
    return sorted(allowed, key=METHOD_ORDER.index)


_UNSERVED = re.compile(r"(limits|search|parameterizedSearch)(/|$)")
"""Resources Salesforce's Batch resource runs that the sandbox answers only on their own."""


def is_query_or_collection(url: str) -> bool:
    """Salesforce allows at most five of these in one composite request."""
    path = url.partition("?")[0]
    return bool(re.search(r"/(query|queryAll)(/|$)|/composite/sobjects", path))


def _create(call: _Call) -> Reply:
    sobject = call.path["sobject"]
    record_id = call.org.create(sobject, call.values())
    return Reply(201, write_result(record_id), location(call.version, sobject, record_id))


def _create_by_key(call: _Call) -> Reply:
    """`POST sobjects/T/Id` (or another key field given no value), a create answered as an
    upsert that created its record, as the plain route answers it."""
    call.org.writes.external_key(call.org.writes.sobject(call.path["sobject"]), call.path["key"])
    reply = _create(call)
    status, result = upsert_answer(call.version, str(reply.body["id"]), created=True)
    return Reply(status, result, reply.headers)


def _retrieve(call: _Call) -> Reply:
    record, current = call.org.conditional_retrieve(
        call.path["sobject"],
        call.path["record_id"],
        call.fields(),
        Preconditions.of(call.headers, write=False),
        api_version=call.version,
    )
    return _conditional(record, current)


def _conditional(record: dict[str, Any] | None, current: Validators | None) -> Reply:
    """A record read under the subrequest's conditions, or 304 (`None`: the client holds it)."""
    return Reply(200 if record is not None else 304, record, validator_headers(current))


def _update(call: _Call) -> Reply:
    sobject, record_id = call.path["sobject"], call.path["record_id"]
    call.org.writes.refuse_keyless_write(sobject, record_id, "PATCH")
    preconditions = Preconditions.of(call.headers, write=True)
    call.org.check_preconditions(sobject, record_id, preconditions)
    call.org.update(sobject, record_id, call.values())
    return Reply(204)


def _delete(call: _Call) -> Reply:
    call.org.writes.refuse_keyless_write(call.path["sobject"], call.path["record_id"], "DELETE")
    call.org.delete(call.path["sobject"], call.path["record_id"])
    return Reply(204)


def _by_path(call: _Call) -> Reply:
    """A record by external id, or by relationships from a record (see `traversal.RecordPaths`)."""
    sobject, first, rest = call.path["sobject"], call.path["first"], call.path["rest"]
    preconditions = Preconditions.of(call.headers, write=False)
    record, current = call.org.paths.read(
        sobject, first, rest, call.fields(), preconditions, api_version=call.version
    )
    return _conditional(record, current)


def _write_by_path(call: _Call) -> Reply:
    sobject, first, rest = call.path["sobject"], call.path["first"], call.path["rest"]
    upserted = call.org.paths.write(
        sobject,
        first,
        rest,
        call.values(),
        api_version=call.version,
        update_only=update_only(call.version, call.params.get("updateOnly")),
    )
    if upserted is None:
        return Reply(204)
    record_id, created = upserted
    status, result = upsert_answer(call.version, record_id, created)
    return Reply(status, result, location(call.version, sobject, record_id) if result else {})


def _delete_by_path(call: _Call) -> Reply:
    sobject, first, rest = call.path["sobject"], call.path["first"], call.path["rest"]
    call.org.paths.delete(sobject, first, rest, api_version=call.version)
    return Reply(204)


def _describe_global(call: _Call) -> Reply:
    return _revalidated(call, call.org.describe_global(call.version))


def _sobject_info(call: _Call) -> Reply:
    catalogue = call.org.describe_global(call.version)
    return Reply(200, sobject_entry(catalogue, call.path["sobject"]))


def _describe(call: _Call) -> Reply:
    payload = call.org.describe(call.path["sobject"], call.version, call.caller.instance_url)
    return _revalidated(call, payload)


def _revalidated(call: _Call, payload: Any) -> Reply:
    """A describe, or 304 while the client's copy is current (`If-Modified-Since`)."""
    modified = call.org.schema_modified_at
    headers = validator_headers(Validators(modified, None))
    if unchanged_since(call.headers, modified, call.org.clock()):
        return Reply(304, None, headers)
    return Reply(200, payload, headers)


def _replication(call: _Call) -> Reply:
    sobject, changes = call.path["sobject"], call.path["changes"]
    return Reply(200, replicated(call.org, sobject, changes, call.params))


def _unserved(call: _Call) -> Reply:
    raise unserved_resource(call.org, call.path["sobject"])


def _query(include_deleted: bool) -> Handler:
    def run(call: _Call) -> Reply:
        page = call.org.query(
            soql_text(call.params.get("q")),
            include_deleted=include_deleted,
            batch_size=DEFAULT_BATCH,
            api_version=call.version,
            user_id=call.caller.user_id,
        )
        return Reply(200, page)

    return run


def _next_page(call: _Call) -> Reply:
    return Reply(200, call.org.query_more(call.path["locator"], api_version=call.version))


def _collection(op: str) -> Handler:
    def run(call: _Call) -> Reply:
        records, all_or_none = collection_records(call.body)
        written = call.org.collection(
            "create" if op == "POST" else "update",
            None,
            records,
            all_or_none,
            api_version=call.version,
        )
        return Reply(200, written)

    return run


def _collection_delete(call: _Call) -> Reply:
    ids = comma_separated(call.params.get("ids"))
    if not ids:
        raise ApiError(400, "MISSING_ARGUMENT", "Required parameter 'ids' is missing")
    all_or_none = wire_flag(call.params.get("allOrNone"))
    return Reply(200, call.org.collection("delete", None, ids, all_or_none))


def _retrieval(read: Callable[[_Call], tuple[list[str], list[str]]]) -> Handler:
    """sObject Collections' retrieve, its ids and fields as `read` finds them in the call."""

    def run(call: _Call) -> Reply:
        ids, fields = read(call)
        records = call.org.retrieve_many(
            call.path["sobject"], ids, fields, api_version=call.version
        )
        return Reply(200, records)

    return run


def _collection_upsert(call: _Call) -> Reply:
    records, all_or_none = collection_records(call.body)
    written = call.org.collection(
        "upsert",
        call.path["sobject"],
        records,
        all_or_none,
        call.path["field"],
        api_version=call.version,
    )
    return Reply(200, written)


_NAME = r"[A-Za-z0-9_]+"
_ROW = rf"/sobjects/(?P<sobject>{_NAME})/(?P<record_id>{_NAME})"
_KEYED_COLLECTION = rf"/composite/sobjects/(?P<sobject>{_NAME})/(?P<field>{_NAME})"
_BY_PATH = rf"/sobjects/(?P<sobject>{_NAME})/(?P<first>{_NAME})/(?P<rest>.+)"
_ROW_PATTERN = re.compile(_ROW)
_UNSERVED_RESOURCES = r"(?:describe/.+|listviews(?:/.+)?|quickActions(?:/.+)?)"
"""What a describe's `urls` list beyond the describe itself, as `http_rest.unserved` has them."""
_ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (verb, re.compile(pattern), handler)
    for verb, pattern, handler in (
        ("GET", "/sobjects", _describe_global),
        ("GET", rf"/sobjects/(?P<sobject>{_NAME})", _sobject_info),
        ("POST", rf"/sobjects/(?P<sobject>{_NAME})", _create),
        ("GET", rf"/sobjects/(?P<sobject>{_NAME})/describe", _describe),
        ("GET", rf"/sobjects/(?P<sobject>{_NAME})/{_UNSERVED_RESOURCES}", _unserved),
        (
            "GET",
            rf"/sobjects/(?P<sobject>{_NAME})/(?P<changes>{ReplicationConvertor.regex})",
            _replication,
        ),
        ("POST", rf"/sobjects/(?P<sobject>{_NAME})/(?P<key>{UPSERT_KEY})", _create_by_key),
        ("GET", _ROW, _retrieve),
        ("PATCH", _ROW, _update),
        ("DELETE", _ROW, _delete),
        ("GET", _BY_PATH, _by_path),
        ("PATCH", _BY_PATH, _write_by_path),
        ("DELETE", _BY_PATH, _delete_by_path),
        ("GET", "/query", _query(include_deleted=False)),
        ("GET", "/queryAll", _query(include_deleted=True)),
        ("GET", r"/(?:query|queryAll)/(?P<locator>[^/]+)", _next_page),
        ("POST", "/composite/sobjects", _collection("POST")),
        ("PATCH", "/composite/sobjects", _collection("PATCH")),
        ("DELETE", "/composite/sobjects", _collection_delete),
        (
            "GET",
            rf"/composite/sobjects/(?P<sobject>{_NAME})",
            _retrieval(lambda call: queried_retrieval(call.params)),
        ),
        (
            "POST",
            rf"/composite/sobjects/(?P<sobject>{_NAME})",
            _retrieval(lambda call: posted_retrieval(call.body)),
        ),
        ("PATCH", _KEYED_COLLECTION, _collection_upsert),
    )
]
