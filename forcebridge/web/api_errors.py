"""What the REST API refuses, besides what the pages refuse too (`errors.py`); each answered
as JSON `{"error", "message"}` by `app.py`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from forcebridge.web.errors import WebError


class ErrorDocument(BaseModel):
    """Every refusal of the API, whatever its status: a stable code and what to do."""

    error: str
    message: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorDocument, "description": description}
    for status, description in (
        (401, "No API token or session, or a token revoked or mistyped (`WWW-Authenticate`)"),
        (403, "A session's POST without its CSRF token, or a viewer's"),
        (404, "No such service or run in the caller's org"),
        (413, "A request body over 16 MB"),
        (422, "A body, query parameter or value the API cannot take, each field named"),
    )
}
"""How the OpenAPI description documents the refusals every endpoint may answer."""


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


def _field(problem: Any) -> str:
    """`limit`, `messages.0`; `body` for a body that is not JSON (whose place is a position)."""
    where, *path = problem["loc"]
    if problem.get("type") == "json_invalid" or not path:
        return str(where)
    return ".".join(str(part) for part in path)


class StreamOff(WebError):
    """The service runs no such stream now (it has no Salesforce connection)."""

    status = 409
    code = "stream_off"
