"""HEAD requests, answered as Salesforce answers them: the GET's status and headers, no body.

Salesforce's REST resources (the versions list, describes, sObject rows, rows by external id,
query, limits, ...) take HEAD wherever they take GET, and clients send it to learn whether a
record exists, or when it last changed, without reading it. A HEAD on a path some route serves
with GET is routed as that GET, so it is checked, counted and revalidated (`If-Modified-Since`,
`If-None-Match`) as the GET is, and the body is dropped on the way out; the headers, its
`Content-Length` included, stay the GET's. A HEAD where nothing serves GET goes on as it came,
for the 405 to name the methods that path takes.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Pure ASGI middleware: `serves_get(path)` says whether some route serves GET there."""

    def __init__(self, app: ASGIApp, serves_get: Callable[[str], bool]) -> None:
        self.app = app
        self.serves_get = serves_get

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "HEAD"
            or not self.serves_get(scope["path"])
        ):
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
