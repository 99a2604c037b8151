"""A fault of the server's own (a bug, a database gone), answered and logged once, here.

Starlette's outermost layer answers an exception with the app's handler, then raises it again
for the server, which logs it a second time ("Exception in ASGI application", without the
request): every fault would reach the log twice. This layer, just inside `HeadAsGet` (so a
HEAD's answer has no body), catches what escapes the app, logs it with the request's method
and path, answers, and keeps it: neither Starlette nor uvicorn sees it.
"""

from __future__ import annotations

import logging

from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forcebridge.web.api_caller import is_api
from forcebridge.web.headers import SECURITY_HEADERS

logger = logging.getLogger(__name__)

UNEXPECTED = (
    "The server failed on this request, which may not have been carried out; the reason is "
    "in the server's log. Send it again (sending messages again records none twice); if it "
    "fails again, tell the server's administrator."
)
_UNEXPECTED_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Server error</title>'
    f"</head><body><h1>Server error</h1><p>{UNEXPECTED}</p>"
    '<p><a href="/">Back to the admin pages</a></p></body></html>'
)
"""Plain, with no template: whatever failed (the database, the session) may fail again."""


def unexpected_answer(request: Request) -> Response:
    """What a fault is answered: nothing of it, since an error's text may hold data. It is
    answered outside the other middleware, so the page's headers are set here."""
    answer: Response
    if is_api(request):
        answer = JSONResponse({"error": "internal_error", "message": UNEXPECTED}, status_code=500)
    else:
        answer = HTMLResponse(_UNEXPECTED_PAGE, status_code=500)
    answer.headers.update({**SECURITY_HEADERS, "Cache-Control": "no-store"})
    return answer


class AnswersFaults:
    """ASGI middleware logging an exception that escapes the app, with its traceback (which
    shows no statement's values: `make_engine`), and answering it with `unexpected_answer`.
    Once the answer has started, its status is gone: the answer is left unfinished, and the
    server closes the connection, so the client sees it cut short rather than whole."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def answered(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, answered)
        except Exception as error:
            request = Request(scope)
            logger.error("%s %s failed", request.method, request.url.path, exc_info=error)
            if not started:
                await unexpected_answer(request)(scope, receive, send)
