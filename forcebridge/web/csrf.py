"""Form tokens: every state-changing request must carry the token of the session it acts for.

The check is a dependency of the whole application (`app.py`), not of each route, so a route
added later is protected without anyone remembering to. A form sends the token as the
`csrf_token` field; a script (the pages' own JavaScript) as the `X-CSRF-Token` header. The
session cookie being SameSite=Lax already stops most cross-site posts; the token stops the rest
(an older browser, a sibling subdomain). A REST API request needs one only when its session
cookie is what authenticates it, and then as the header: one with an API token is authenticated
by the token, which no browser adds on its own, and one with neither token nor a live session
(none, or one ended by a logout or expired) is refused as such (401) before any form token is
looked at, so no forgery can act through it. The pages' forms need one whether or not a session
came with them (the login form too: a forged login).
"""

from __future__ import annotations

import hmac
import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection, Request

from forcebridge.web.api_caller import AUTHORIZATION, is_api
from forcebridge.web.dependencies import current_admin, runtime_of
from forcebridge.web.errors import CsrfRejected

FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_KEY = "csrf"
API_REFUSAL = (
    "A request authenticated by an admin session's cookie must send the session's form token "
    f"in the '{HEADER}' header; this one came without it (or with another), so nothing was "
    "changed. A product calling the API sends an API token as 'Authorization: Bearer <token>' "
    "instead, which needs no form token."
)
"""What an API client is told of a missing form token: there is no form to reload."""


def csrf_token(connection: HTTPConnection) -> str:
    """This session's form token, created on first use (the login form needs one too)."""
    session = connection.session
    token = session.get(_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[_KEY] = token
    return token


class FormToken:
    """The session's form token as a page shows it: made when first shown, so a page with no
    form (a refusal of a request that came without a session, such as a cross-site post)
    starts no session, and sets no cookie that would replace the admin's."""

    def __init__(self, connection: HTTPConnection) -> None:
        self._connection = connection

    def __str__(self) -> str:
        return csrf_token(self._connection)


def check_csrf_token(connection: HTTPConnection, submitted: str | None) -> None:
    """Refuse unless `submitted` is this session's form token, in the words of a page or, to
    an API request, of an API client."""
    expected = connection.session.get(_KEY)
    if (
        not isinstance(expected, str)
        or not expected
        or not submitted
        or not hmac.compare_digest(submitted.encode(), expected.encode())
    ):
        raise CsrfRejected(API_REFUSAL if is_api(connection) else "")


async def require_csrf_token(request: Request) -> None:
    """The application-wide check: safe methods pass, the API's as `require_api_csrf_token`
    says, a page's request shows its token."""
    if is_api(request):
        await run_in_threadpool(require_api_csrf_token, request)  # it reads the database
        return
    if request.method in SAFE_METHODS:
        return
    submitted = request.headers.get(HEADER)
    if submitted is None and _is_form(request):
        value = (await request.form()).get(FORM_FIELD)
        submitted = value if isinstance(value, str) else None
    check_csrf_token(request, submitted)


def require_api_csrf_token(request: Request) -> None:
    """An API request without an `Authorization` header is its session's: it shows the
    session's token as the header once the session is known to be one, so an ended, expired
    or missing session is refused as no session (401 `login_required`), never as a forgery.
    One with the header is judged by it alone (`api_caller`)."""
    if request.method in SAFE_METHODS or AUTHORIZATION in request.headers:
        return
    with runtime_of(request).sessions() as session:
        current_admin(request, session)
    check_csrf_token(request, request.headers.get(HEADER))


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
