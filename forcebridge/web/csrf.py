"""Form tokens: every state-changing request must carry the token of the session it acts for.

The check is a dependency of the whole application (`app.py`), not of each route, so a route
added later is protected without anyone remembering to. A form sends the token as the
`csrf_token` field; a script (the pages' own JavaScript) as the `X-CSRF-Token` header. The
session cookie being SameSite=Lax already stops most cross-site posts; the token stops the rest
(an older browser, a sibling subdomain). A REST API request needs one only when its session
cookie is what authenticates it (`api_caller.by_session`), and then as the header: one with an
API token is authenticated by the token, which no browser adds on its own, and one with neither
token nor session is refused as such (401), so no forgery can act through it. The pages' forms
need one whether or not a session came with them (the login form too: a forged login).
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import HTTPConnection, Request

from forcebridge.web.api_caller import by_session, is_api
from forcebridge.web.errors import CsrfRejected

FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_KEY = "csrf"


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
    """Refuse unless `submitted` is this session's form token."""
    expected = connection.session.get(_KEY)
    if not isinstance(expected, str) or not expected or not submitted:
        raise CsrfRejected()
    if not hmac.compare_digest(submitted.encode(), expected.encode()):
        raise CsrfRejected()


async def require_csrf_token(request: Request) -> None:
    """The application-wide check: safe methods pass, the API's as `require_api_csrf_token`
    says, a page's request shows its token."""
    if is_api(request):
        require_api_csrf_token(request)
        return
    if request.method in SAFE_METHODS:
        return
    submitted = request.headers.get(HEADER)
    if submitted is None and _is_form(request):
        value = (await request.form()).get(FORM_FIELD)
        submitted = value if isinstance(value, str) else None
    check_csrf_token(request, submitted)


def require_api_csrf_token(request: Request) -> None:
    """An API request its session authenticates shows the session's token as the header;
    the others are authenticated otherwise (`by_session`)."""
    if request.method not in SAFE_METHODS and by_session(request):
        check_csrf_token(request, request.headers.get(HEADER))


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
