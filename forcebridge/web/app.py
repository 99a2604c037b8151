"""The admin web UI and the REST API as one FastAPI application, built from a `Runtime`.

What holds for every route is set up here, once: the signed session cookie, the form-token
check on every state-changing request, the security headers, and how refusals are answered
(a page, a redirect to the login, or JSON under `/api/`).
"""

from __future__ import annotations

import logging
from functools import partial
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException
from starlette.routing import Match

from forcebridge.jobs.runtime import Runtime
from forcebridge.settings import resolve_secret_key
from forcebridge.web import (
    api,
    auth,
    connections,
    exports,
    runs,
    service_fields,
    service_mappings,
    service_streams,
    services,
)
from forcebridge.web.api_bodies import body_refusal, caller_refusal
from forcebridge.web.api_caller import is_api
from forcebridge.web.api_errors import ApiNotFound, InvalidRequest, NoSuchPath
from forcebridge.web.body_limit import BodyLimit
from forcebridge.web.csrf import require_csrf_token
from forcebridge.web.dependencies import signed_in_admin
from forcebridge.web.errors import LoginRequired, TooManyLogins, WebError
from forcebridge.web.faults import AnswersFaults
from forcebridge.web.head import HeadAsGet
from forcebridge.web.headers import SecurityHeaders
from forcebridge.web.mapping_editor import TOO_MANY_ROWS
from forcebridge.web.openapi import api_description
from forcebridge.web.pages import PACKAGE_DIR, render
from forcebridge.web.sessions import SessionCookies, cookie_signing_key
from forcebridge.web.throttle import LoginThrottle, StoredFailures
from forcebridge.web.unrouted import service_with_its_org, without_slash
from forcebridge.wording import listed

logger = logging.getLogger(__name__)

_HEADINGS = {401: "Log in first", 403: "Not allowed", 404: "Not found", 429: "Slow down"}
_SECTIONS = {
    connections.PAGE: "the connections",
    exports.PAGE: "the export settings",
    services.PAGE: "the services",
    runs.PAGE: "the runs",
}
"""The pages of the navigation bar, where an error page leads back to."""
_FRESH = {runs.PAGE: "Open the newest runs"}
"""How the link to a page without its query reads, where that is more than the page afresh."""


def create_app(runtime: Runtime, *, login_throttle: LoginThrottle | None = None) -> FastAPI:
    """The application; `login_throttle` lets a test choose the clock and limits (by default,
    failed logins are kept in the store, for every web process alike)."""
    settings = runtime.settings
    app = FastAPI(
        title="forcebridge",
        docs_url=None,  # the interactive docs load scripts from a CDN, which the pages forbid
        redoc_url=None,
        openapi_url=f"{api.PREFIX}/openapi.json",
        dependencies=[Depends(require_csrf_token)],
        redirect_slashes=False,  # its Location came from the Host header: `_unrouted` instead
    )
    app.openapi = partial(api_description, app)  # type: ignore[method-assign]
    app.state.runtime = runtime
    app.state.login_throttle = login_throttle or LoginThrottle(
        failures=StoredFailures(runtime.engine, resolve_secret_key(settings).get_secret_value())
    )

    app.add_middleware(
        SessionCookies,
        signing_key=cookie_signing_key(resolve_secret_key(settings).get_secret_value()),
        always_secure=(settings.public_url or "").startswith("https://"),
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit)
    app.add_middleware(AnswersFaults)  # a fault logged once: kept from Starlette and uvicorn
    app.add_middleware(HeadAsGet)  # outermost: every layer sees the GET a HEAD stands for
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")

    app.include_router(auth.router, include_in_schema=False)
    app.include_router(connections.router, include_in_schema=False)
    app.include_router(exports.router, include_in_schema=False)
    app.include_router(services.router, include_in_schema=False)
    app.include_router(service_fields.router, include_in_schema=False)
    app.include_router(service_mappings.router, include_in_schema=False)
    app.include_router(service_streams.router, include_in_schema=False)
    app.include_router(runs.router, include_in_schema=False)
    app.include_router(api.router)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse(connections.PAGE, status_code=303)

    app.add_exception_handler(WebError, _refused)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _unreadable)  # type: ignore[arg-type]
    app.add_exception_handler(DataError, _beyond_the_database)  # type: ignore[arg-type]
    return app


def _beyond_the_database(request: Request, error: DataError) -> Response:
    """A value the database cannot hold (a number beyond its integers, a NUL in text) that
    got past the checks: refused as such, and logged without the statement's values, which
    may be a person's messages."""
    logger.warning("%s %s: the database refused a value (%s)", request.method,
                   request.url.path, type(error.orig).__name__)  # fmt: skip
    refusal = InvalidRequest("A value is beyond what can be stored (too large a number, or a NUL).")
    if is_api(request):
        return _refused(request, refusal)
    return _http_error(request, HTTPException(400, refusal.message))


def _refused(request: Request, error: WebError) -> Response:
    if is_api(request):
        answer = JSONResponse(
            {"error": error.code, "message": error.message}, status_code=error.status
        )
        if error.status == 401:  # RFC 6750: how to authenticate
            answer.headers["WWW-Authenticate"] = 'Bearer realm="forcebridge"'
        return answer
    if isinstance(error, LoginRequired):
        back = request.url.path if request.method == "GET" else connections.PAGE
        query = {"next": back, **({"why": error.why} if error.why else {})}
        return RedirectResponse(f"{auth.PAGE}?{urlencode(query)}", status_code=303)
    response = _error_page(request, error.status, error.message)
    if isinstance(error, TooManyLogins):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _error_page(
    request: Request,
    status: int,
    message: str,
    *,
    heading: str = "",
    back: str = "",
    label: str = "",
) -> Response:
    """The page saying why, with the navigation bar when an admin is signed in, and a link
    back: to `back` (by default `_way_back`'s)."""
    way_back, way_back_label = _way_back(request, status)
    return render(
        request,
        "error.html",
        signed_in_admin(request),
        status_code=status,
        heading=heading or _HEADINGS.get(status, "Not possible"),
        message=message,
        back_url=back or way_back,
        back_label=label if back else way_back_label,
    )


def _way_back(request: Request, status: int) -> tuple[str, str]:
    """Where the admin came from, as the address tells it (the pages send no referrer): the
    login page for its own refusals; the page of a refused form (`/services/7` for
    `/services/7/settings`); else, and for what is not found, the page of the navigation bar it
    is under (`/services` for `/services/99`)."""
    path = request.url.path
    if path == auth.PAGE:  # its pause (429), its form token: no other page opens unsigned
        return auth.PAGE, "Back to the login page"
    section = "/" + path.strip("/").split("/")[0]
    if section not in _SECTIONS:
        return connections.PAGE, "Back to the admin pages"
    if request.method != "GET" and status != 404:
        page = _form_page(path)
        if page != section:
            return page, "Back to the page of the form"
    return section, f"Back to {_SECTIONS[section]}"


def _form_page(path: str) -> str:
    """`/services/7` for `/services/7/mappings/Lead`; `/export` for `/export/mappings/Lead`."""
    parts = path.strip("/").split("/")
    kept = 2 if parts[0] == services.PAGE.strip("/") and len(parts) > 1 else 1
    page = "/" + "/".join(parts[:kept])
    return "/" if page == path.rstrip("/") else page  # `/logout` is a form of no page


def _unreadable(request: Request, error: RequestValidationError) -> Response:
    """A request the routes cannot read: a path with no such page (`/services/abc`), or a
    form or query lacking a value or holding one of the wrong kind, each named."""
    problems = error.errors()
    if any(problem["loc"][:1] == ("path",) for problem in problems):
        if is_api(request):  # an id no record can have (0, 01, past the database's integers)
            return _refused(request, ApiNotFound(f"Nothing at '{request.url.path}'."))
        return _http_error(request, HTTPException(404, "No such page."))
    if is_api(request):
        return _refused(request, body_refusal(request, problems, error.__cause__))
    if request.method == "GET" and all(problem["loc"][:1] == ("query",) for problem in problems):
        return _invalid_link(request, [str(problem["loc"][-1]) for problem in problems])
    named = ", ".join(
        f"{problem['loc'][-1]} ({str(problem['msg']).lower()})" for problem in problems
    )
    return _http_error(
        request,
        HTTPException(400, f"The request could not be read: {named}. Reload the page and retry."),
    )


def _invalid_link(request: Request, names: list[str]) -> Response:
    """A page's address whose query the page cannot take (`/runs?before=abc`): a link cut short
    or edited by hand, said so, with the page as it starts."""
    path = request.url.path
    fresh = _FRESH.get(path, "Open this page afresh")
    parts = [f"{name}={request.query_params.get(name, '')[:40]}" for name in names]
    return _error_page(
        request,
        400,
        f"This link is not valid: the page cannot read its {listed(parts)} (the link may "
        f"have been cut short or edited). {fresh} instead.",
        heading="Not a valid link",
        back=path,
        label=fresh,
    )


def _too_many_rows(request: Request, error: HTTPException) -> bool:
    """A mapping editor's form of more fields than its route reads (`MAX_FIELDS`), refused
    by the form parser before any route runs: said in rows, with what to do instead."""
    return (
        error.status_code == 400
        and "/mappings/" in request.url.path
        and str(error.detail).startswith("Too many fields")
    )


def _http_error(request: Request, error: HTTPException) -> Response:
    """Unknown pages and methods: JSON under the API, a page elsewhere. A form's address
    opened as a page (reloaded or bookmarked after a refused save) leads to the page the form
    is on."""
    if error.status_code == 404 and (meant := _unrouted(request)) is not None:
        return meant
    if error.status_code == 405 and request.method == "GET" and not is_api(request):
        return RedirectResponse(_form_page(request.url.path), status_code=303)
    if is_api(request) and error.status_code == 400:  # a body FastAPI could not parse at all
        return _refused(request, body_refusal(request, None, error.__cause__))
    if is_api(request) and error.status_code == 405:  # the caller is judged first, as for a body
        refused = caller_refusal(request)
        if refused is not None:
            return _refused(request, refused)
    if is_api(request):
        return JSONResponse(
            {"error": "http_error", "message": error.detail},
            status_code=error.status_code,
            headers=error.headers,
        )
    if _too_many_rows(request, error):
        error = HTTPException(400, TOO_MANY_ROWS)
    page = _error_page(request, error.status_code, str(error.detail))
    page.headers.update(error.headers or {})  # a 405's `Allow`
    return page


def _unrouted(request: Request) -> Response | None:
    """An address no route takes, but would as meant (`unrouted`): a page's leads to the page,
    by a relative address; the API's says what it meant, since a client should mend its
    address (a redirect is followed with the token to wherever it leads, or drops a POST's
    body)."""
    path = request.scope["path"]
    routed = partial(_routed, request)
    bare = without_slash(path, routed)
    query = f"?{request.url.query}" if request.url.query else ""
    if not is_api(request):
        if bare is None or request.method not in ("GET", "HEAD"):
            return None
        return RedirectResponse(quote(bare) + query, status_code=307)
    if (named := service_with_its_org(path, routed)) is not None:
        return _refused(
            request,
            ApiNotFound(
                f"No service {named.named!r}: services are named without their org, as in "
                f"{named.meant}."
            ),
        )
    if bare is not None:
        return _refused(
            request,
            NoSuchPath(f"No such path: the API's paths end without a slash ({bare}{query})."),
        )
    return None


def _routed(request: Request, path: str) -> bool:
    """Whether a route of the app takes `path`, whatever the method."""
    scope = {**request.scope, "path": path}
    return any(route.matches(scope)[0] is not Match.NONE for route in request.app.router.routes)
