"""OAuth's answers: the forms a token endpoint's answer takes, as Salesforce's OAuth docs
offer them, and refusals in OAuth's own shape.

A token request may ask for its answer, a token or a refusal alike, as `json` (the default),
`urlencoded` or `xml`, by its `format` parameter or else by its `Accept` header
(`application/json`, `application/x-www-form-urlencoded`, `application/xml`), the one of
highest quality (`q`) as HTTP's content negotiation reads it. A `format` the sandbox does not
know is passed over, as is an `Accept` naming no form it knows (`text/html`): the answer is
JSON, as it is for `*/*`.
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


_MEDIA_TYPES = {
    TokenFormat.JSON: "application/json",
    TokenFormat.URLENCODED: "application/x-www-form-urlencoded",
    TokenFormat.XML: "application/xml",
}
_COVERING = {form: ("*/*", "application/*", media) for form, media in _MEDIA_TYPES.items()}
"""The ranges of `Accept` that name each form, least specific first."""


def token_format(format_param: str | None, accept: str | None) -> TokenFormat:
    """The form asked for: `format` first, else the form `Accept` prefers."""
    try:
        return TokenFormat((format_param or "").strip().lower())
    except ValueError:
        pass
    return preferred_format(accept or "")


def preferred_format(accept: str) -> TokenFormat:
    """The known form `accept` gives the highest quality, the one it names first among equals;
    JSON when it makes none acceptable. A form's quality is the `q` (1 when not given) of the
    most specific range naming it: its own type, then `application/*`, then `*/*`, so
    `application/json;q=0, */*` is anything but JSON; `q=0` is not acceptable."""
    ranges = [_media_range(position, text) for position, text in enumerate(accept.split(","))]
    best: tuple[float, int, int] | None = None
    for rank, form in enumerate(TokenFormat):
        matching = [r for r in ranges if r is not None and r[0] in _COVERING[form]]
        if not matching:
            continue
        _, quality, position = max(matching, key=lambda r: _COVERING[form].index(r[0]))
        if quality > 0 and (best is None or (-quality, position, rank) < best):
            best = (-quality, position, rank)
    return list(TokenFormat)[best[2]] if best is not None else TokenFormat.JSON


def _media_range(position: int, text: str) -> tuple[str, float, int] | None:
    """One range of `Accept` as (media type, quality, position); None when its `q` is no
    number from 0 to 1."""
    media, *params = (part.strip().lower() for part in text.split(";"))
    quality = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return None
    return (media, quality, position) if 0 <= quality <= 1 else None


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
