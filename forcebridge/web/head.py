"""HEAD, which HTTP servers must answer wherever they answer GET (RFC 9110 §9.1): the GET's
answer, headers and status alike, without its body.

FastAPI's routes take only the methods they name, so HEAD would be 405 on every page and
every API path. Rather than name HEAD beside GET on each route (and describe each twice in the
OpenAPI document), a HEAD request is handled as the GET it stands for and its body dropped; a
405's `Allow` names HEAD wherever it names GET.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def allowed(methods: str) -> str:
    """An `Allow` header's methods with HEAD beside GET: `GET, HEAD` for `GET`."""
    named = [method.strip() for method in methods.split(",") if method.strip()]
    if "GET" in named and "HEAD" not in named:
        named.insert(named.index("GET") + 1, "HEAD")
    return ", ".join(named)


class HeadAsGet:
    """ASGI middleware answering HEAD as GET, without the body; and naming HEAD in `Allow`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"

        async def answered(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                headers = MutableHeaders(scope=message)
                if "allow" in headers:
                    headers["Allow"] = allowed(headers["allow"])
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"} if head else scope, receive, answered)
