"""What the REST API answers a request whose body it could not read: only once it knows who is
calling, as for any other request.

FastAPI reads a body before it runs a route's dependencies, so a body it cannot parse is
refused before the caller is established; answered as such, a stranger would learn how bodies
are handled, and one request would meet its refusals in a different order by its body. So the
caller is judged first, by the same checks the routes depend on (`require_api_csrf_token`,
`api_caller`); then the body: a content coding (the API takes bodies as they are), a type
that is not JSON, text that is not UTF-8, or JSON of the wrong shape.

JSON between systems is UTF-8 (RFC 8259 §8.1), as the API says; Python's JSON reader would
also take UTF-16 and UTF-32 (by a byte order mark, or the zero bytes of their first
characters), so the API's routes read bodies with `Utf8JsonRoute`, which refuses them as not
UTF-8 rather than take what the documentation says is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import Response

from forcebridge.web.api_caller import api_caller
from forcebridge.web.api_errors import InvalidRequest, UnsupportedMediaType, unread_body
from forcebridge.web.csrf import require_api_csrf_token
from forcebridge.web.dependencies import runtime_of
from forcebridge.web.errors import WebError

NOT_UTF8 = InvalidRequest(
    "The request could not be taken: body: not UTF-8 text; send the JSON encoded as UTF-8."
)
TOO_DEEP = InvalidRequest("The request could not be taken: body: JSON nested too deep to read.")
UTF8 = ("utf-8", "utf-8-sig")
"""UTF-8, with or without the byte order mark RFC 8259 lets a reader ignore."""


class RequestBody(BaseModel):
    """A request's JSON body as the API documents it: the model's keys only (`extra`), and each
    value of its own JSON kind (`strict`): `"dry_run": "yes"` or `1` is refused, naming the
    field, rather than read as true, as a number in a string is not taken for a number."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Utf8Json(Request):
    """A request whose JSON body is read only if it is UTF-8 text; one in UTF-16 or UTF-32
    fails as undecodable, as a byte no UTF-8 has does (then `body_refusal` says so)."""

    async def json(self) -> Any:
        body = await self.body()
        encoding = json.detect_encoding(body)  # what `json.loads` would decode the bytes as
        if encoding not in UTF8:
            raise UnicodeDecodeError(encoding, body, 0, len(body), "JSON is exchanged as UTF-8")
        return await super().json()


class Utf8JsonRoute(APIRoute):
    """A route of the API, whose JSON body `Utf8Json` reads: FastAPI's way to read bodies
    otherwise is a route class that hands its handler a request of another class."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def read_as_utf8(request: Request) -> Response:
            return await handler(Utf8Json(request.scope, request.receive))

        return read_as_utf8


def body_refusal(request: Request, problems: Sequence[Any] | None, cause: object) -> WebError:
    """Why the API does not take the request: the caller's refusal if it has one, else the
    body's. `problems`: FastAPI's, for a body it read; None for one it could not parse at all,
    `cause` being why (a `UnicodeDecodeError`, or too deep a nesting)."""
    refused = caller_refusal(request)
    if refused is not None:
        return refused
    coding = _content_coding(request.headers.get("content-encoding"))
    if coding is not None:
        return UnsupportedMediaType.encoded(coding)
    if problems is None:
        return NOT_UTF8 if isinstance(cause, UnicodeDecodeError) else TOO_DEEP
    content_type = request.headers.get("content-type")
    if unread_body(problems, content_type):
        return UnsupportedMediaType.sent_as(content_type)
    return InvalidRequest.naming(problems)


def caller_refusal(request: Request) -> WebError | None:
    """What the route's dependencies would have refused the caller for, had they run: for
    what is refused before they run (a body, a method the path does not take)."""
    try:
        require_api_csrf_token(request)
        with runtime_of(request).sessions() as session:
            api_caller(request, session, None)
    except WebError as refused:
        return refused
    return None


def _content_coding(header: str | None) -> str | None:
    """The content coding a body came in (`gzip`), if any but `identity`."""
    codings = [coding.strip() for coding in (header or "").split(",")]
    return ", ".join(c for c in codings if c and c.lower() != "identity") or None
