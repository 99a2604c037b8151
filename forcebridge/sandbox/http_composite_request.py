"""The composite resources: `composite`, `composite/graph`, `composite/batch` and
`composite/tree/{type}`.

Each counts as one API call, however many subrequests it carries (`subrequests` runs them).

- `composite`: up to 25 subrequests (at most five queries or collections), in order, each
  named by a `referenceId` that later ones may use (`@{refAccount.id}`, `references`). With
  `allOrNone`, they share one transaction: the first failure rolls every one back, keeps its
  own error and turns every other answer into `PROCESSING_HALTED`. Without it, each stands
  alone, and one that refers to a failed subrequest is not run. `collateSubrequests` only
  says how Salesforce may batch the work, so it changes nothing here, but like every flag
  (`json_values.request_flag`) one that is no boolean refuses the request.
- `composite/graph`: graphs of subrequests ("nodes"), each run as a composite request with
  `allOrNone`, whatever an `allOrNone` of the request or of a graph says (it is read, and
  refused if no boolean, as every flag is); the rest are halted once more than 14 have failed.
- `composite/batch`: up to 25 independent subrequests (`url` from the version on, `richInput`
  as the body), answered `{"hasErrors", "results": [{"statusCode", "result"}]}`; with
  `haltOnError`, those after a failure answer 412 `BATCH_PROCESSING_HALTED`.
- `composite/tree/{type}`: see `record_trees`.

A `GET` of `composite` lists them, as Salesforce's does; like the resources index, that counts
as a describe call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.http_api import (
    DATA_PREFIX,
    ApiCall,
    SalesforceJSON,
    api_call,
    instance_url,
    json_body,
    json_object,
)
from forcebridge.sandbox.json_values import request_flag
from forcebridge.sandbox.limits import ApiKind
from forcebridge.sandbox.record_trees import RefusedTree, create_tree, read_tree
from forcebridge.sandbox.references import REFERENCE_ID, MissingReference, substitute
from forcebridge.sandbox.subrequests import Caller, Reply, is_query_or_collection, perform

router = APIRouter(prefix=DATA_PREFIX)

Composite = Annotated[ApiCall, Depends(api_call(ApiKind.COMPOSITE))]
Listing = Annotated[ApiCall, Depends(api_call(ApiKind.DESCRIBE))]

COMPOSITE_RESOURCES = ("tree", "batch", "sobjects", "graph")

MAX_SUBREQUESTS = 25
MAX_QUERIES = 5
MAX_GRAPHS, MAX_NODES, MAX_GRAPH_FAILURES = 75, 500, 14
METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")
HALTED = "PROCESSING_HALTED"
ROLLED_BACK = Reply(
    400,
    [
        {
            "errorCode": HALTED,
            "message": "The transaction was rolled back since another operation in the same "
            "transaction failed.",
        }
    ],
)
HALTED_GRAPH = Reply(
    400,
    [
        {
            "errorCode": HALTED,
            "message": f"More than {MAX_GRAPH_FAILURES} graphs failed; this one was not run.",
        }
    ],
)
BATCH_HALTED = Reply(
    412,
    [{"errorCode": "BATCH_PROCESSING_HALTED", "message": "Batch processing halted per request"}],
)


@dataclass(frozen=True)
class Subrequest:
    method: str
    url: str
    reference_id: str
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    """`httpHeaders`: the conditional ones (`If-Match`, `If-Modified-Since`, ...) are honoured."""


def _required(item: dict[str, Any], name: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise ApiError(400, "JSON_PARSER_ERROR", f"'{name}' is a required field.")
    return value


def _method(item: dict[str, Any]) -> str:
    method = _required(item, "method")
    if method not in METHODS:
        raise ApiError(
            400, "JSON_PARSER_ERROR", f"'{method}' is not a valid method: use {', '.join(METHODS)}"
        )
    return method


def _headers(item: dict[str, Any]) -> dict[str, str]:
    headers = item.get("httpHeaders") or {}
    if not isinstance(headers, dict) or not all(
        isinstance(value, str) for value in headers.values()
    ):
        raise ApiError(400, "JSON_PARSER_ERROR", "'httpHeaders' must map header names to text")
    return headers


def _listed(envelope: dict[str, Any], key: str, what: str, most: int) -> list[Any]:
    items = envelope.get(key)
    if not isinstance(items, list) or not items:
        raise ApiError(400, "JSON_PARSER_ERROR", f"'{key}' must be a list of {what}s")
    if len(items) > most:
        raise ApiError(
            400, "LIMIT_EXCEEDED", f"'{key}' holds {len(items)} {what}s: at most {most} are allowed"
        )
    return items


def _subrequests(items: list[Any]) -> list[Subrequest]:
    """The subrequests of one composite request or graph, each with its own `referenceId`."""
    subrequests: list[Subrequest] = []
    for item in items:
        item = json_object(item, "a subrequest")
        reference_id = _required(item, "referenceId")
        if not REFERENCE_ID.fullmatch(reference_id):
            raise ApiError(
                400,
                "JSON_PARSER_ERROR",
                f"Invalid referenceId '{reference_id}': use letters, digits and underscores",
            )
        if any(s.reference_id == reference_id for s in subrequests):
            raise ApiError(
                400, "JSON_PARSER_ERROR", f"Duplicate referenceId provided: {reference_id}"
            )
        subrequests.append(
            Subrequest(
                _method(item),
                _required(item, "url"),
                reference_id,
                item.get("body"),
                _headers(item),
            )
        )
    return subrequests


def read_composite(body: Any) -> tuple[list[Subrequest], bool]:
    """The subrequests and `allOrNone`, checked whole before any runs."""
    envelope = json_object(body, "composite request")
    subrequests = _subrequests(_listed(envelope, "compositeRequest", "subrequest", MAX_SUBREQUESTS))
    if sum(is_query_or_collection(s.url) for s in subrequests) > MAX_QUERIES:
        raise ApiError(
            400,
            "LIMIT_EXCEEDED",
            f"A composite request holds at most {MAX_QUERIES} query or collection subrequests",
        )
    request_flag(envelope, "collateSubrequests")  # only how Salesforce batches the work
    return subrequests, request_flag(envelope, "allOrNone")


@dataclass(frozen=True)
class Graph:
    graph_id: str
    nodes: list[Subrequest]


def read_graphs(body: Any) -> list[Graph]:
    """A composite graph request's graphs, checked whole before any runs."""
    envelope = json_object(body, "composite graph request")
    request_flag(envelope, "allOrNone")  # a graph is all or none whatever it says
    graphs: list[Graph] = []
    for raw in _listed(envelope, "graphs", "graph", MAX_GRAPHS):
        item = json_object(raw, "a graph")
        request_flag(item, "allOrNone")
        graph_id = _required(item, "graphId")
        if any(g.graph_id == graph_id for g in graphs):
            raise ApiError(400, "JSON_PARSER_ERROR", f"Duplicate graphId provided: {graph_id}")
        nodes = _subrequests(_listed(item, "compositeRequest", "node", MAX_NODES))
        graphs.append(Graph(graph_id, nodes))
    total = sum(len(g.nodes) for g in graphs)
    if total > MAX_NODES:
        raise ApiError(
            400, "LIMIT_EXCEEDED", f"The graphs hold {total} nodes: at most {MAX_NODES} are allowed"
        )
    return graphs


def _halted(missing: MissingReference) -> Reply:
    return Reply(400, [{"errorCode": HALTED, "message": str(missing)}])


def run_composite(caller: Caller, subrequests: list[Subrequest], all_or_none: bool) -> list[Reply]:
    """Each subrequest's answer, in order (see the module docstring)."""
    if not all_or_none:
        return _run(caller, subrequests, stop_at_failure=False)
    replies, kept = caller.org.storage.all_or_none(
        lambda _: _run(caller, subrequests, stop_at_failure=True),
        lambda replies: all(reply.ok for reply in replies),
    )
    if kept:
        return replies
    replies += [ROLLED_BACK] * (len(subrequests) - len(replies))
    return [reply if not reply.ok else ROLLED_BACK for reply in replies]


def _run(caller: Caller, subrequests: list[Subrequest], stop_at_failure: bool) -> list[Reply]:
    answers: dict[str, Any] = {}
    failed: set[str] = set()
    replies: list[Reply] = []
    for sub in subrequests:
        try:
            url = substitute(sub.url, answers, frozenset(failed))
            body = substitute(sub.body, answers, frozenset(failed))
        except MissingReference as missing:
            reply = _halted(missing)
        else:
            reply = perform(caller, sub.method, str(url), body, sub.headers)
        replies.append(reply)
        if reply.ok:
            answers[sub.reference_id] = reply.body
        else:
            failed.add(sub.reference_id)
            if stop_at_failure:
                break
    return replies


def run_graphs(caller: Caller, graphs: list[Graph]) -> list[list[Reply]]:
    """Each graph's answers: a graph is all or none, and once more than `MAX_GRAPH_FAILURES`
    graphs have failed, the rest are not run."""
    answers: list[list[Reply]] = []
    failures = 0
    for graph in graphs:
        if failures > MAX_GRAPH_FAILURES:
            answers.append([HALTED_GRAPH] * len(graph.nodes))
            continue
        replies = run_composite(caller, graph.nodes, all_or_none=True)
        failures += not all(reply.ok for reply in replies)
        answers.append(replies)
    return answers


def run_batch(caller: Caller, subrequests: list[Subrequest], halt_on_error: bool) -> list[Reply]:
    replies: list[Reply] = []
    for sub in subrequests:
        if halt_on_error and any(not reply.ok for reply in replies):
            replies.append(BATCH_HALTED)
        else:
            replies.append(perform(caller, sub.method, sub.url, sub.body))
    return replies


def _caller(request: Request, call: ApiCall) -> Caller:
    return Caller(call.state.org, call.grant.user_id, instance_url(request))


@router.get("/v{version}/composite")
async def composite_resources(call: Listing) -> SalesforceJSON:
    base = f"{DATA_PREFIX}/v{call.version}/composite"
    return SalesforceJSON({name: f"{base}/{name}" for name in COMPOSITE_RESOURCES})


@router.post("/v{version}/composite")
async def composite(request: Request, call: Composite) -> SalesforceJSON:
    subrequests, all_or_none = read_composite(await json_body(request))
    replies = await call.state.run(run_composite, _caller(request, call), subrequests, all_or_none)
    return SalesforceJSON({"compositeResponse": _composite_response(subrequests, replies)})


def _composite_response(subrequests: list[Subrequest], replies: list[Reply]) -> list[Any]:
    return [
        {
            "body": reply.body,
            "httpHeaders": reply.headers,
            "httpStatusCode": reply.status,
            "referenceId": sub.reference_id,
        }
        for sub, reply in zip(subrequests, replies, strict=True)
    ]


@router.post("/v{version}/composite/graph")
async def graph(request: Request, call: Composite) -> SalesforceJSON:
    graphs = read_graphs(await json_body(request))
    answers = await call.state.run(run_graphs, _caller(request, call), graphs)
    return SalesforceJSON(
        {
            "graphs": [
                {
                    "graphId": graph.graph_id,
                    "graphResponse": {
                        "compositeResponse": _composite_response(graph.nodes, replies)
                    },
                    "isSuccessful": all(reply.ok for reply in replies),
                }
                for graph, replies in zip(graphs, answers, strict=True)
            ]
        }
    )


@router.post("/v{version}/composite/batch")
async def batch(request: Request, call: Composite) -> SalesforceJSON:
    envelope = json_object(await json_body(request), "batch request")
    subrequests = [
        Subrequest(_method(item), _required(item, "url"), str(n), item.get("richInput"))
        for n, item in enumerate(
            json_object(raw, "a subrequest")
            for raw in _listed(envelope, "batchRequests", "subrequest", MAX_SUBREQUESTS)
        )
    ]
    halt = request_flag(envelope, "haltOnError")
    replies = await call.state.run(run_batch, _caller(request, call), subrequests, halt)
    return SalesforceJSON(
        {
            "hasErrors": not all(reply.ok for reply in replies),
            "results": [{"statusCode": reply.status, "result": reply.body} for reply in replies],
        }
    )


@router.post("/v{version}/composite/tree/{sobject}")
async def tree(sobject: str, request: Request, call: Composite) -> SalesforceJSON:
    try:
        records = read_tree(call.state.org.schema, sobject, await json_body(request))
    except RefusedTree as refused:
        return SalesforceJSON(refused.answer, status_code=400)
    status, body = await call.state.run(create_tree, call.state.org, records)
    return SalesforceJSON(body, status_code=status)
