"""What the REST API refuses, besides what the pages refuse too (`errors.py`); each answered
as JSON `{"error", "message"}` by `app.py`."""

from __future__ import annotations

import email.message
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from forcebridge.web.errors import WebError


class ErrorDocument(BaseModel):
    """Every refusal of the API, whatever its status: a stable code and what to do."""

    error: str
    message: str


_REFUSALS: dict[int, str] = {
    401: "No API token or session (`login_required`), or a token revoked or mistyped "
    "(`invalid_token`)",
    403: "A session's request without its `X-CSRF-Token` (`csrf_rejected`), or a viewer's "
    "(`forbidden`)",
    405: "A method the path does not take (`http_error`), to a caller the path takes (a "
    "stranger's is 401); a path that takes GET takes HEAD too",
    409: "The service runs no such stream (`stream_off`): it has no Salesforce connection",
    413: "A request body over 16 MB (`too_large`)",
    415: "A body sent as anything but `application/json`, or in a content coding such as gzip "
    "(`unsupported_media_type`)",
    422: "A body, query parameter or value the API cannot take, each field named "
    "(`invalid_request`); a body not encoded as UTF-8 too",
    500: "A fault of the server (`internal_error`): logged there, safe to send again",
}
_HEADERS: dict[int, dict[str, str]] = {
    401: {"WWW-Authenticate": 'How to authenticate: `Bearer realm="forcebridge"`'},
    405: {"Allow": "The methods the path takes: `GET, HEAD`, or `POST`"},
}


def refusals(
    *statuses: int, not_found: str | None = None, own: Mapping[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """How the OpenAPI description documents an operation's refusals, each an `ErrorDocument`:
    those any operation may answer (401, 405, 500), `statuses`, and a 404 for what is
    `not_found`; `own` words a status as the operation answers it (its 409's codes)."""
    described = {status: _REFUSALS[status] for status in {401, 405, 500, *statuses}}
    described |= own or {}
    if not_found is not None:
        described[404] = f"{not_found} (`not_found`)"
    return {
        status: {"model": ErrorDocument, "description": described[status]} | _headers(status)
        for status in sorted(described)
    }


def _headers(status: int) -> dict[str, Any]:
    """The headers a refusal of `status` carries, as OpenAPI describes them."""
    if status not in _HEADERS:
        return {}
    described = {
        name: {"description": text, "schema": {"type": "string"}}
        for name, text in _HEADERS[status].items()
    }
    return {"headers": described}


class InvalidToken(WebError):
    """An `Authorization` header that carries no API token of any org (revoked, mistyped)."""

    status = 401
    code = "invalid_token"

    def __init__(self) -> None:
        super().__init__(
            "The API token is not valid (revoked, or mistyped): send one `forcebridge api-token "
            "create` made, as the header 'Authorization: Bearer fbt_...'."
        )


class ApiNotFound(WebError):
    """Absent, or another org's: the two are indistinguishable on purpose."""

    status = 404
    code = "not_found"


class InvalidRequest(WebError):
    """A body, query or value the API cannot take; the message names each field at fault."""

    status = 422
    code = "invalid_request"

    @classmethod
    def naming(cls, problems: Sequence[Any]) -> InvalidRequest:
        """From FastAPI's validation problems: `messages.2: Input should be a valid dictionary`."""
        named = "; ".join(f"{_field(problem)}: {problem['msg']}" for problem in problems)
        return cls(f"The request could not be taken: {named}.")


_COUNTED_FROM_1 = ("messages", "prospects")
"""Lists whose entries the answers name by their position from 1 (`line`, `row`)."""


def _field(problem: Any) -> str:
    """`limit`, `messages.3`; `body` for a body that is not JSON (whose place is a position).
    A message is counted from 1, as the report of the messages taken names it by `line`, and
    a prospect as the export's results name it by `row`."""
    where, *path = problem["loc"]
    if problem.get("type") == "json_invalid" or not path:
        return str(where)
    if path[0] in _COUNTED_FROM_1 and len(path) > 1 and isinstance(path[1], int):
        path[1] += 1
    return ".".join(str(part) for part in path)


class UnsupportedMediaType(WebError):
    """A body sent as anything but JSON, which FastAPI leaves unread as text, or compressed;
    said so, rather than as a body of the wrong shape."""

    status = 415
    code = "unsupported_media_type"

    @classmethod
    def sent_as(cls, content_type: str | None) -> UnsupportedMediaType:
        came = f"as {content_type!r}" if content_type else "with no Content-Type"
        return cls(
            "The body must be JSON sent with the header 'Content-Type: application/json' "
            f"(it came {came})."
        )

    @classmethod
    def encoded(cls, coding: str) -> UnsupportedMediaType:
        """A body in a content coding (`gzip`), which the API does not decode (RFC 9110
        §15.5.16: 415 for a coding the server does not take)."""
        return cls(
            f"The body must be sent without a content coding (it came as {coding!r}): leave "
            "out the 'Content-Encoding' header and send the JSON as it is."
        )


def _is_json(content_type: str | None) -> bool:
    """Whether FastAPI reads a body of this type as JSON: `application/json`, or
    `application/*+json`, whatever its parameters (`; charset=utf-8`)."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def unread_body(problems: Sequence[Any], content_type: str | None) -> bool:
    """Whether the body was refused whole for not having been read as JSON: sent as text, a
    form, or with no type (an absent body is `missing`, said as such)."""
    return not _is_json(content_type) and any(
        tuple(problem["loc"]) == ("body",) and problem.get("type") != "missing"
        for problem in problems
    )


class NoSuchPath(WebError):
    """A path the API does not have; `http_error`, as FastAPI's own answer for any other."""

    status = 404
    code = "http_error"


class StreamOff(WebError):
    """The service runs no such stream now (it has no Salesforce connection)."""

    status = 409
    code = "stream_off"


class ExportNotAllowed(WebError):
    """The org's export preferences do not allow the object (`export allow` would)."""

    status = 403
    code = "export_not_allowed"


class ExportConflict(WebError):
    """An export the org's state refuses as a whole: another export holds the org's lease
    (`export_running`), or a mapping no longer verifies (`mapping_invalid`)."""

    status = 409

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
