"""OAuth's answers: the forms a token endpoint's answer takes, as Salesforce's OAuth docs
offer them, and refusals in OAuth's own shape.

A token request may ask for its answer, a token or a refusal alike, as `json` (the default),
`urlencoded` or `xml`, by its `format` parameter or else by its `Accept` header
(`application/json`, `application/x-www-form-urlencoded`, `application/xml`). A `format` the
sandbox does not know is passed over, as is an `Accept` naming no form it knows (`*/*`): the
answer is JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from fastapi.responses import Response

from forcebridge.sandbox.http_api import SalesforceJSON

NO_STORE = {"Cache-Control": "no-store"}
"""Token answers are never cached, as RFC 6749 asks and Salesforce answers."""


class TokenFormat(StrEnum):
    """The forms a token answer can take, by the names of the `format` parameter."""

    JSON = "json"
    URLENCODED = "urlencoded"
    XML = "xml"


class OAuthError(Exception):
    """A refusal in OAuth's own shape (not the REST error array)."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def answer(self, form: TokenFormat = TokenFormat.JSON) -> Response:
        body = {"error": self.error, "error_description": self.description}
        return token_answer(body, form, self.status)


_ACCEPTED = {
    "application/json": TokenFormat.JSON,
    "application/x-www-form-urlencoded": TokenFormat.URLENCODED,
    "application/xml": TokenFormat.XML,
}


def token_format(format_param: str | None, accept: str | None) -> TokenFormat:
    """The form asked for: `format` first, else the first `Accept` media type known."""
    try:
        return TokenFormat((format_param or "").strip().lower())
    except ValueError:
        pass
    for media in (accept or "").split(","):
        known = _ACCEPTED.get(media.split(";", 1)[0].strip().lower())
        if known is not None:
            return known
    return TokenFormat.JSON


def token_answer(body: Mapping[str, Any], form: TokenFormat, status: int = 200) -> Response:
    """`body` (a token's keys, or `error` and `error_description`) in the form asked for."""
    if form is TokenFormat.URLENCODED:
        return Response(
            urlencode({key: str(value) for key, value in body.items()}),
            status,
            NO_STORE,
            media_type="application/x-www-form-urlencoded",
        )
    if form is TokenFormat.XML:
        elements = "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in body.items())
        document = f'<?xml version="1.0" encoding="UTF-8"?><OAuth>{elements}</OAuth>'
        return Response(document, status, NO_STORE, media_type="application/xml;charset=UTF-8")
    return SalesforceJSON(dict(body), status_code=status, headers=NO_STORE)
