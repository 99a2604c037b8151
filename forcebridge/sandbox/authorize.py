"""The web-server flow's pages: log in, allow access, then back to the app with a code.

As on Salesforce, a bad `client_id` or `redirect_uri` is shown on the page (the app cannot be
trusted with a redirect); every other refusal goes back to `redirect_uri` with `error`,
`error_description` and the caller's `state`, untouched. Logging in sets a `sid` cookie, so a
second authorization in the same browser goes straight to the allow page.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from forcebridge.sandbox.auth import Grant, SessionKind
from forcebridge.sandbox.http_api import SandboxState, sandbox_of
from forcebridge.sandbox.oauth import granted_scope

COOKIE = "sid"
AUTHORIZE_PATH = "/services/oauth2/authorize"

router = APIRouter()
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


@dataclass(frozen=True)
class AuthorizeParams:
    """The authorization request, carried through the login and allow forms as hidden fields."""

    response_type: str = ""
    client_id: str = ""
    redirect_uri: str = ""
    state: str = ""
    scope: str = ""
    code_challenge: str = ""
    code_challenge_method: str = ""
    prompt: str = ""

    @classmethod
    def from_mapping(cls, values: dict[str, str]) -> AuthorizeParams:
        return cls(**{name: values.get(name, "") for name in cls.__dataclass_fields__})

    def fields(self) -> dict[str, str]:
        return {name: value for name, value in asdict(self).items() if value}

    def confirmation(self, session_token: str) -> str:
        """Binds the allow form to this login session and these parameters (against CSRF)."""
        message = urlencode(sorted(self.fields().items())).encode()
        return hmac.new(session_token.encode(), message, hashlib.sha256).hexdigest()


def callback_url(redirect_uri: str, params: dict[str, str]) -> str:
    """`redirect_uri` with `params` added to whatever query it already had."""
    parts = urlsplit(redirect_uri)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def untrusted_redirect(params: AuthorizeParams, config_client_id: str) -> tuple[str, str] | None:
    """Problems that must be shown on the page rather than sent to `redirect_uri`."""
    if params.client_id != config_client_id:
        return "invalid_client_id", "client identifier invalid"
    parts = urlsplit(params.redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return "redirect_uri_mismatch", "redirect_uri must match configuration"
    return None


def redirectable_error(params: AuthorizeParams) -> tuple[str, str] | None:
    if params.response_type != "code":
        return "unsupported_response_type", "response type not supported"
    if params.code_challenge_method not in ("", "S256"):
        return "invalid_request", "code challenge method not supported: use S256"
    return None


def _error_redirect(params: AuthorizeParams, error: str, description: str) -> Response:
    fields = {"error": error, "error_description": description}
    if params.state:
        fields["state"] = params.state
    return RedirectResponse(callback_url(params.redirect_uri, fields), status_code=302)


def _page(request: Request, name: str, status: int = 200, **context: object) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status)


def _login_page(request: Request, params: AuthorizeParams, error: str | None = None) -> Response:
    return _page(request, "login.html", params=params.fields(), error=error)


def _checked(request: Request, values: dict[str, str]) -> tuple[AuthorizeParams, Response | None]:
    """The parameters, and the response to give instead of a page when they are wrong."""
    params = AuthorizeParams.from_mapping(values)
    state = sandbox_of(request)
    untrusted = untrusted_redirect(params, state.config.client_id)
    if untrusted:
        error, description = untrusted
        return params, _page(request, "error.html", 400, error=error, description=description)
    problem = redirectable_error(params)
    return params, _error_redirect(params, *problem) if problem else None


def _ui_session(request: Request, state: SandboxState) -> tuple[str, Grant] | None:
    token = request.cookies.get(COOKIE)
    grant = state.auth.session(token, SessionKind.UI) if token else None
    return (token, grant) if token and grant else None


def _allow_page(request: Request, params: AuthorizeParams, token: str, user: Grant) -> Response:
    return _page(
        request,
        "allow.html",
        params=params.fields(),
        confirmation=params.confirmation(token),
        username=sandbox_of(request).auth.username(user.user_id),
        scopes=granted_scope(params.scope).split(),
    )


@router.get(AUTHORIZE_PATH)
async def authorize(request: Request) -> Response:
    params, refusal = _checked(request, dict(request.query_params))
    if refusal:
        return refusal
    session = _ui_session(request, sandbox_of(request))
    if session is None or "login" in params.prompt.split():
        return _login_page(request, params)
    return _allow_page(request, params, *session)


@router.post(AUTHORIZE_PATH + "/login")
async def login(request: Request) -> Response:
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    params, refusal = _checked(request, form)
    if refusal:
        return refusal
    state = sandbox_of(request)
    username, password = form.get("username", ""), form.get("password", "")
    user_id = await state.run(state.auth.check_password, username, password)
    if user_id is None:
        return _login_page(request, params, "Please check your username and password.")
    token = state.auth.open_session(Grant(user_id, params.client_id, "web"), SessionKind.UI)
    after = RedirectResponse(f"{AUTHORIZE_PATH}?{urlencode(params.fields())}", status_code=303)
    after.set_cookie(COOKIE, token, secure=True, httponly=True, samesite="lax")
    return after


@router.post(AUTHORIZE_PATH + "/decision")
async def decision(request: Request) -> Response:
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    params, refusal = _checked(request, form)
    if refusal:
        return refusal
    state = sandbox_of(request)
    session = _ui_session(request, state)
    if session is None:
        return _login_page(request, params)
    token, ui_grant = session
    if not hmac.compare_digest(form.get("confirmation", ""), params.confirmation(token)):
        description = "the allow form does not belong to this login session"
        return _page(request, "error.html", 400, error="invalid_request", description=description)
    if form.get("action") != "allow":
        return _error_redirect(params, "access_denied", "end-user denied authorization")
    grant = Grant(ui_grant.user_id, params.client_id, granted_scope(params.scope))
    code = state.auth.issue_code(grant, params.redirect_uri, params.code_challenge or None)
    fields = {"code": code} | ({"state": params.state} if params.state else {})
    return RedirectResponse(callback_url(params.redirect_uri, fields), status_code=302)
