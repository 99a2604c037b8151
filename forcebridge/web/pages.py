"""Rendering the admin pages: one template folder, the context every page shares, notices."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from forcebridge.web.csrf import csrf_token
from forcebridge.web.dependencies import Admin
from forcebridge.wording import plural

PACKAGE_DIR = Path(__file__).parent
templates = Jinja2Templates(directory=PACKAGE_DIR / "templates")
templates.env.filters["plural"] = plural
_NOTICE = "notice"


def render(
    request: Request,
    template: str,
    admin: Admin | None = None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """`template` with the signed-in admin (for the header) and the session's form token."""
    return templates.TemplateResponse(
        request,
        template,
        {"admin": admin, "csrf_token": csrf_token(request), **context},
        status_code=status_code,
    )


def flash(request: Request, notice: str) -> None:
    """A one-line notice for the next page this session shows (after a redirect)."""
    request.session[_NOTICE] = notice


def take_notice(request: Request) -> str | None:
    notice = request.session.pop(_NOTICE, None)
    return notice if isinstance(notice, str) else None
