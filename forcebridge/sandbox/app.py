"""The sandbox's ASGI app: every route, and the edge that makes answers look like Salesforce's.

The edge strips a trailing slash before routing (simple-salesforce adds one, jsforce does not;
neither gets a redirect), routes a POST with `?_HttpMethod=PATCH` as a PATCH, puts
`Sforce-Limit-Info` on every response but those that tell no org's usage (`shows_usage`),
turns anything unexpected into a 500 UNKNOWN_EXCEPTION in Salesforce's shape, and writes an
access log line with the path only, never the query string, where tokens and codes travel.
Inside it, a HEAD is answered as its GET without the body (`head_requests`), compressed
request bodies are decompressed and responses are gzipped for a client that accepts it, as
Salesforce does all three.
"""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forcebridge.private_files import make_private_folders
from forcebridge.sandbox import (
    authorize,
    bulk,
    bulk_ingest,
    bulk_listing,
    bulk_v1,
    http_composite,
    http_composite_request,
    http_query,
    http_rest,
    http_sandbox,
    http_search,
    http_tooling,
    oauth,
    soap,
)
from forcebridge.sandbox.auth import AUTH_DB_FILE, AuthStore
from forcebridge.sandbox.compression import RequestDecompression, ResponseCompression
from forcebridge.sandbox.config import SandboxConfig
from forcebridge.sandbox.errors import ApiError, method_not_allowed, not_found
from forcebridge.sandbox.head_requests import HeadAsGet
from forcebridge.sandbox.http_api import (
    DATA_PREFIX,
    METHOD_ORDER,
    SandboxState,
    authenticate,
    error_response,
)
from forcebridge.sandbox.limits import ApiUsage, Faults, FaultSettings
from forcebridge.sandbox.oauth_formats import OAuthError
from forcebridge.sandbox.org import Org
from forcebridge.sandbox.tls import ensure_jwt_certificate
from forcebridge.sandbox.writes import KEYLESS_METHODS

access_log = logging.getLogger("forcebridge.sandbox.access")
error_log = logging.getLogger("forcebridge.sandbox")


def _patch_override(query_string: bytes) -> bool:
    """Whether a POST asks to be taken as a PATCH (`?_HttpMethod=PATCH`), as Salesforce's REST
    guide offers clients whose HTTP library cannot send PATCH."""
    return any(
        name == "_HttpMethod" and value.upper() == "PATCH"
        for name, value in parse_qsl(query_string.decode("latin-1"))
    )


MAX_URI = 16_384
"""Salesforce's limit on a request's URI (its help documents 16,384 bytes with the headers)."""


def shows_usage(path: str, status: int) -> bool:
    """Whether an answer carries the org's `Sforce-Limit-Info`: not the versions list, which
    the REST guide's "Limit Info Header" leaves out as no call against the org, nor a 401,
    whose caller is no org's (a live org's 401 INVALID_SESSION_ID carries none, as
    restforce issue 284 records one)."""
    return status != 401 and path != DATA_PREFIX


class SalesforceEdge:
    """Pure ASGI middleware, so a 2,000-record page pays nothing for it."""

    def __init__(self, app: ASGIApp, usage: ApiUsage) -> None:
        self.app = app
        self.usage = usage

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        path = scope["path"]

        async def send_with_usage(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if shows_usage(path, status):
                    MutableHeaders(scope=message).append(
                        "Sforce-Limit-Info", self.usage.snapshot().header
                    )
            await send(message)

        if len(scope.get("raw_path") or path.encode()) + len(scope["query_string"]) > MAX_URI:
            refused = ApiError(
                414,
                "URI_TOO_LONG",
                f"The request URI is longer than {MAX_URI:,} bytes: send the query in a POST "
                "(composite) or in smaller parts",
            )
            await error_response(refused)(scope, receive, send_with_usage)
            return
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
            scope = {**scope, "path": path}
        if scope["method"] == "POST" and _patch_override(scope["query_string"]):
            scope = {**scope, "method": "PATCH"}

        try:
            await self.app(scope, receive, send_with_usage)
        except ClientDisconnect:
            # The client hung up (a worker killed mid-call): nobody to answer, nothing broken.
            access_log.info("%s %s: the client disconnected", scope["method"], scope["path"])
        except Exception:
            error_log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if status:
                raise
            unknown = ApiError(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred.")
            await error_response(unknown)(scope, receive, send_with_usage)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            access_log.info("%s %s %s %.1fms", scope["method"], scope["path"], status, elapsed)


ROUTERS = (
    http_rest,
    http_query,
    http_search,
    http_tooling,
    http_composite,
    http_composite_request,
    bulk,
    bulk_ingest,
    bulk_listing,
    bulk_v1,
    oauth,
    soap,
    authorize,
    http_sandbox,
)


#: The order Salesforce names methods in a 405 ("Allowed are HEAD,GET,PATCH,DELETE").


def allowed_methods(path: str) -> list[str]:
    """Every method some route serves at `path` (and HEAD where `serves_head`), in Salesforce's
    order, for a 405's message and `Allow` header."""
    methods: set[str] = set()
    for module in ROUTERS:
        for route in module.router.routes:
            if isinstance(route, APIRoute) and route.path_regex.match(path):
                methods |= route.methods or set()
    if "GET" in methods and path.startswith(DATA_PREFIX):
        methods.add("HEAD")
    return sorted(methods, key=METHOD_ORDER.index)


_ROW = re.compile(rf"{DATA_PREFIX}/v[^/]+/sobjects/([^/]+)/([^/]+)/?")
"""`sobjects/T/{segment}`: a record, or an upsert key given no value."""


def _allowed_at(request: Request) -> list[str]:
    """What a 405 names: the methods the path's routes serve, except at an upsert key given no
    value (`sobjects/Account/Ext__c/`), which takes `KEYLESS_METHODS` as a live org lists
    them, whichever method was refused."""
    path = request.url.path
    row = _ROW.fullmatch(path)
    if row is not None and sandbox_state(request.app).org.writes.names_key(*row.groups()):
        return list(KEYLESS_METHODS)
    return allowed_methods(path)


def serves_head(path: str) -> bool:
    """Whether a HEAD at `path` is answered as its GET: wherever the REST API (versions,
    resources, describes, rows, queries, limits, Bulk 2.0 and Tooling under it) serves a GET,
    as Salesforce's REST guide lists HEAD beside GET. Elsewhere (OAuth, whose GET revoke
    changes things, Bulk 1.0, SOAP) Salesforce lists no HEAD."""
    return "HEAD" in allowed_methods(path)


APEX_REST = "/services/apexrest"
"""Where an org's own Apex classes answer; the sandbox's org has none."""


def _missing(request: Request) -> ApiError:
    """Salesforce's 404 for a path nothing serves. Under Apex REST, once the session checks out,
    it names the URL no class is mapped to (clients match on that wording)."""
    path = request.url.path
    if not path.startswith(APEX_REST + "/"):
        return not_found()
    try:
        authenticate(request)
    except ApiError as refused:
        return refused
    url = path.removeprefix(APEX_REST)
    return ApiError(404, "NOT_FOUND", f"Could not find a match for URL {url}")


def create_app(config: SandboxConfig, org: Org) -> FastAPI:
    """The sandbox for `org`; its credentials and JWT certificate live in `config.data_dir`."""
    make_private_folders(config.data_dir)
    auth = AuthStore(
        config.data_dir / AUTH_DB_FILE, org_id=org.org_id, session_lifetime=config.session_lifetime
    )
    auth.set_user(config.username, config.password, org.admin_user_id)
    org.name_admin(config.username)
    jwt_files = ensure_jwt_certificate(config.data_dir, config.client_id)
    usage = ApiUsage(config.api_limit)
    state = SandboxState(
        config=config,
        org=org,
        auth=auth,
        usage=usage,
        faults=Faults(FaultSettings(config.fail_rate, config.lock_rate, config.latency_ms)),
        jwt_cert_pem=jwt_files.cert_file.read_bytes(),
    )

    app = FastAPI(
        title="forcebridge sandbox",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.router.redirect_slashes = False
    app.state.sandbox = state
    app.state.bulk_jobs = bulk.Jobs[bulk.QueryJob]()
    app.state.ingest_jobs = bulk.Jobs[bulk_ingest.IngestJob]()
    app.state.bulk_v1_jobs = bulk_v1.new_jobs()
    for module in ROUTERS:
        app.include_router(module.router)

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> Response:
        return error_response(error)

    @app.exception_handler(bulk_v1.BulkError)
    async def bulk_v1_error(request: Request, error: bulk_v1.BulkError) -> Response:
        return error.response(bulk_v1.request_format(request))

    @app.exception_handler(OAuthError)
    async def oauth_error(_: Request, error: OAuthError) -> Response:
        return error.answer()

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 405:
            return error_response(method_not_allowed(request.method, _allowed_at(request)))
        if error.status_code == 404:
            return error_response(_missing(request))
        return error_response(ApiError(error.status_code, "INVALID_REQUEST", str(error.detail)))

    app.add_middleware(RequestDecompression)
    app.add_middleware(ResponseCompression)
    app.add_middleware(HeadAsGet, serves_get=serves_head)
    app.add_middleware(SalesforceEdge, usage=usage)
    return app


def sandbox_state(app: FastAPI) -> SandboxState:
    """The live state behind an app; whoever serves the app closes it when done."""
    state: SandboxState = app.state.sandbox
    return state
