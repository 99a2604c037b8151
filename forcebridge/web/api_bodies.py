"""What the REST API answers a request whose body it could not read: only once it knows who is
calling, as for any other request.

FastAPI reads a body before it runs a route's dependencies, so a body it cannot parse is
refused before the caller is established; answered as such, a stranger would learn how bodies
are handled, and one request would meet its refusals in a different order by its body. So the
caller is judged first, by the same checks the routes depend on (`require_api_csrf_token`,
`api_caller`); then the body: a content coding (the API takes bodies as they are), a type
that is not JSON, text that is not UTF-8, or JSON of the wrong shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request

from forcebridge.web.api_caller import api_caller
from forcebridge.web.api_errors import InvalidRequest, UnsupportedMediaType, unread_body
from forcebridge.web.csrf import require_api_csrf_token
from forcebridge.web.dependencies import runtime_of
from forcebridge.web.errors import WebError

NOT_UTF8 = InvalidRequest(
    "The request could not be taken: body: not UTF-8 text; send the JSON encoded as UTF-8."
)
TOO_DEEP = InvalidRequest("The request could not be taken: body: JSON nested too deep to read.")


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
