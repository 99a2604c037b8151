"""Logging in and out of the admin pages.

An admin belongs to one org, and the same e-mail may be an admin of several orgs, so the login
names the org too. A wrong org, e-mail or password all get the same answer after the same work
(an unknown account is checked against a decoy hash), so the form does not reveal who exists.
"""

from __future__ import annotations

import functools
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.store.errors import InvalidValue
from forcebridge.store.models import AdminUser, Org
from forcebridge.store.passwords import hash_password, verify_password
from forcebridge.store.repositories.admins import normalize_email
from forcebridge.store.types import utcnow
from forcebridge.web.dependencies import Database, session_admin
from forcebridge.web.errors import LOGGED_OUT, LOGIN_REASONS, TooManyLogins
from forcebridge.web.pages import render
from forcebridge.web.sessions import sign_in, sign_out
from forcebridge.web.throttle import LoginThrottle

PAGE = "/login"
HOME = "/connections"
WRONG_CREDENTIALS = "Wrong organisation, e-mail or password."

router = APIRouter()


@functools.cache
def _decoy_hash() -> str:
    return hash_password("a password no admin has")


def safe_next(target: str) -> str:
    """Where to go after logging in: a path of this site only, never another host."""
    if target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return HOME


def _login_address(email: str) -> str:
    """The address a login names, as accounts are kept (`normalize_email`); what is no address
    is kept as typed, case-folded, to count its failures all the same."""
    try:
        return normalize_email(email)
    except InvalidValue:
        return email.strip().casefold()


def find_admin(session: Session, org_name: str, email: str, password: str) -> AdminUser | None:
    """The admin these credentials belong to, or None (after the same work either way)."""
    admin = session.scalars(
        select(AdminUser)
        .join(Org, Org.id == AdminUser.org_id)
        .where(Org.name == org_name.strip(), AdminUser.email == _login_address(email))
    ).one_or_none()
    if admin is None:
        verify_password(password, _decoy_hash())
        return None
    return admin if verify_password(password, admin.password_hash) else None


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


def _throttle_key(request: Request, org: str, email: str) -> str:
    """Failures count against the account a login names, however its address is spelled
    (`Acme.example`, a full-width letter): as the account is looked up."""
    client = request.client.host if request.client else "unknown"
    return f"{client}|{org.strip()}|{_login_address(email)}"


@router.get(PAGE, response_class=HTMLResponse)
def login_page(request: Request, session: Database, next: str = HOME, why: str = "") -> Response:
    """`why`: why the admin is asked to log in again (their session expired or ended)."""
    if session_admin(request, session) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(
        request,
        "login.html",
        next=safe_next(next),
        org="",
        email="",
        error=None,
        reason=LOGIN_REASONS.get(why),
    )


@router.post(PAGE, response_class=HTMLResponse)
def log_in(
    request: Request,
    session: Database,
    org: Annotated[str, Form()],
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = HOME,
) -> Response:
    throttle = _throttle(request)
    key = _throttle_key(request, org, email)
    wait = throttle.retry_after(key)
    if wait:
        raise TooManyLogins(wait)
    admin = find_admin(session, org, email, password)
    if admin is None:
        throttle.failed(key)
        return render(
            request,
            "login.html",
            status_code=401,
            next=safe_next(next),
            org=org,
            email=email,
            error=WRONG_CREDENTIALS,
        )
    throttle.succeeded(key)
    admin.last_login_at = utcnow()
    session.commit()
    sign_in(request, admin)
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def log_out(request: Request, session: Database) -> RedirectResponse:
    """End the session, and every other of the admin's: a copy of its cookie is no session.
    The login page then says so, rather than greet the admin as on a first visit."""
    admin = session_admin(request, session)
    if admin is not None:
        admin.session_epoch += 1
        session.commit()
    sign_out(request)
    return RedirectResponse(f"{PAGE}?why={LOGGED_OUT}", status_code=303)
