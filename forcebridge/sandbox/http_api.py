"""What every REST call goes through before its route runs, and how its answer is written.

A call is checked in Salesforce's order: a supported API version, a live session, the API
enabled for the org, then the injected faults and the daily allowance; only then does it count.
The injected latency comes before the faults, so an injected 503 is as slow as any answer, and
after the request's body has arrived, so a client that hangs up meanwhile leaves its call made.
Org calls are blocking (SQLite), so they run on a small pool of worker threads (the org is safe
across threads): the event loop stays free, injected latency sleeps there without holding
anyone up, and a Bulk job reading in the background does not stall other calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, ParamSpec, TypeVar

import orjson
from fastapi import Request
from fastapi.responses import Response

from forcebridge.sandbox.auth import AuthStore, Grant
from forcebridge.sandbox.config import SandboxConfig
from forcebridge.sandbox.errors import ApiError, gone, not_found
from forcebridge.sandbox.json_values import encode_default, read_json
from forcebridge.sandbox.limits import ApiKind, ApiUsage, Faults
from forcebridge.sandbox.org import Org

JSON_MEDIA_TYPE = "application/json;charset=UTF-8"
DATA_PREFIX = "/services/data"
OLDEST_VERSION = 31
"""Salesforce retired versions 7.0 to 30.0 (the last of them in Summer '25); 31.0 came with
Summer '14, and a version has come with each release since, three a year."""
LATEST_VERSION = 68


def _release(major: int) -> str:
    since = major - OLDEST_VERSION
    season = ("Summer", "Winter", "Spring")[since % 3]
    return f"{season} '{14 + (since + 2) // 3}"


#: The API versions served, with the release that introduced each.
RELEASES = {f"{v}.0": _release(v) for v in range(OLDEST_VERSION, LATEST_VERSION + 1)}
METHOD_ORDER = ("HEAD", "GET", "POST", "PUT", "PATCH", "DELETE")
"""The order Salesforce lists a resource's methods in, in a 405's message."""


def retired(version: str) -> bool:
    """Whether `version` is one Salesforce served once and has retired (7.0 to 30.0)."""
    major, dot, minor = version.partition(".")
    return major.isdigit() and 7 <= int(major) < OLDEST_VERSION and (dot, minor) == (".", "0")


P = ParamSpec("P")
T = TypeVar("T")


class SalesforceJSON(Response):
    """JSON as Salesforce sends it: `application/json;charset=UTF-8`, encoded by orjson."""

    media_type = JSON_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, default=encode_default)


def error_response(error: ApiError) -> SalesforceJSON:
    return SalesforceJSON(error.to_json(), status_code=error.status, headers=error.headers)


def session_invalid() -> ApiError:
    return ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")


@dataclass
class SandboxState:
    """Everything the routes share, hung on `app.state.sandbox`."""

    config: SandboxConfig
    org: Org
    auth: AuthStore
    usage: ApiUsage
    faults: Faults
    jwt_cert_pem: bytes
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="org")
    )

    def close(self) -> None:
        """Finish the org call in flight, drop queued ones, close the credential tables."""
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.auth.close()

    async def run(self, func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a blocking org call on a worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, partial(func, *args, **kwargs))


def sandbox_of(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def instance_url(request: Request) -> str:
    """The sandbox as this client reaches it (localhost and 127.0.0.1 both work)."""
    return str(request.base_url).rstrip("/")


def bearer_token(request: Request) -> str | None:
    """Salesforce takes `Authorization: Bearer ...` and the older `OAuth ...` alike."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "oauth") and token.strip():
        return token.strip()
    return None


def authenticate(request: Request) -> Grant:
    token = bearer_token(request)
    grant = sandbox_of(request).auth.session(token) if token else None
    if grant is None:
        raise session_invalid()
    return grant


@dataclass(frozen=True)
class ApiCall:
    """An admitted REST call: who makes it and in which API version."""

    grant: Grant
    version: str
    state: SandboxState


def api_call(kind: ApiKind) -> Callable[[Request], Awaitable[ApiCall]]:
    """A route dependency admitting one call of `kind`, or raising the error Salesforce would."""

    async def admit(request: Request) -> ApiCall:
        version = request.path_params.get("version", "")
        if version not in RELEASES:
            raise gone() if retired(version) else not_found()
        grant = authenticate(request)
        state = sandbox_of(request)
        if state.config.api_disabled:
            raise ApiError(
                403, "API_DISABLED_FOR_ORG", "The REST API is not enabled for this Organization."
            )
        if state.faults.latency_seconds:
            # The body is taken in first, as Salesforce has it once the client has sent it:
            # a client that stops waiting during the latency leaves its write made, in doubt.
            await request.body()
            await asyncio.sleep(state.faults.latency_seconds)
        if state.faults.server_unavailable():
            raise ApiError(
                503, "SERVER_UNAVAILABLE", "Server temporarily unavailable. Please try again."
            )
        if not state.usage.admit(kind):
            raise ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        return ApiCall(grant=grant, version=version, state=state)

    return admit


async def json_body(request: Request) -> Any:
    """The request body as JSON, or JSON_PARSER_ERROR as Salesforce words it."""
    body = await request.body()
    if not body.strip():
        raise ApiError(400, "JSON_PARSER_ERROR", "No content to map due to end-of-input")
    try:
        return read_json(body)
    except orjson.JSONDecodeError as error:
        raise ApiError(
            400,
            "JSON_PARSER_ERROR",
            f"Unexpected character at [line:{error.lineno}, column:{error.colno}]: {error.msg}",
        ) from error


def soql_text(raw: str | None) -> str:
    """The SOQL in a query resource's `?q=`, or the 400 MALFORMED_QUERY real orgs answer (as
    clients record them): "A query string has to be specified" when there is no `q`, "SOQL
    statements cannot be empty or null" when it is blank."""
    if raw is None:
        raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
    if not raw.strip():
        raise ApiError(400, "MALFORMED_QUERY", "SOQL statements cannot be empty or null")
    return raw.strip()


def comma_separated(raw: str | None) -> list[str]:
    """The parts of a `A,B` parameter (`?fields=`, `?ids=`), trimmed, blanks left out."""
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def json_object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ApiError(
            400, "JSON_PARSER_ERROR", f"Cannot deserialize {what}: expected a JSON object"
        )
    return value
