"""Compressed bodies, which Salesforce's REST and Bulk APIs accept and send.

A client may send a body with `Content-Encoding: gzip` or `deflate`; Salesforce decompresses it
before processing. So does this middleware, before any route reads the body: routes see plain
bytes and no `Content-Encoding`. A body that does not decompress is a 400, as a body that does
not parse is. Answers are gzipped only when the client's `Accept-Encoding` finds gzip
acceptable, its q-values read as RFC 9110 reads them (`gzip;q=0` refuses gzip).
"""

from __future__ import annotations

import re
import zlib

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware, GZipResponder, IdentityResponder
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.http_api import error_response

ENCODINGS = ("gzip", "deflate")
_ANY_HEADER = zlib.MAX_WBITS | 32
"""zlib's window bits that read a gzip or a zlib (HTTP `deflate`) stream alike."""


_GZIP = frozenset({"gzip", "x-gzip"})
"""The names RFC 9110 §8.4.1.3 gives the gzip coding (`x-gzip` an alias)."""


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an `Accept-Encoding` header finds gzip acceptable (RFC 9110 §12.5.3): a coding
    named with a q-value of 0 is "not acceptable", gzip (or `x-gzip`) named with a higher one
    is, and `*` stands for gzip when gzip is not named. No header, or an unreadable q-value,
    asks for no compression."""
    named: float | None = None
    anything: float | None = None
    for item in (accept_encoding or "").split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        weight = _weight(params)
        if weight is None:
            continue
        if coding.lower() in _GZIP:
            named = weight if named is None else max(named, weight)
        elif coding == "*":
            anything = weight
    chosen = named if named is not None else anything
    return chosen is not None and chosen > 0


_QVALUE = re.compile(r"0(\.\d{0,3})?|1(\.0{0,3})?")
"""RFC 9110 §12.4.2's `qvalue`: 0 to 1 with at most three decimals (`q=0.0001` is none)."""


def _weight(params: list[str]) -> float | None:
    """A coding's q-value (1 when none is given), or None when it does not read as one."""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            value = value.strip()
            return float(value) if _QVALUE.fullmatch(value) else None
    return 1.0


class ResponseCompression(GZipMiddleware):
    """Starlette's gzip middleware, compressing exactly when `accepts_gzip` says the client
    accepts it (Starlette's own looks for the lower-case text `gzip` anywhere in the header:
    `gzip;q=0` yes, `*` or `GZIP` no), so it picks its responder here and never defers to
    that test."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        responder: ASGIApp
        if accepts_gzip(Headers(scope=scope).get("accept-encoding")):
            responder = GZipResponder(
                self.app,
                self.minimum_size,
                compresslevel=self.compresslevel,
                thread_minimum_size=self.thread_minimum_size,
                exclude_content_types=self.exclude_content_types,
            )
        else:
            responder = IdentityResponder(
                self.app, self.minimum_size, exclude_content_types=self.exclude_content_types
            )
        await responder(scope, receive, send)


class RequestDecompression:
    """Pure ASGI middleware: reads a compressed body whole and hands the app its plain bytes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        encoding = Headers(scope=scope).get("content-encoding", "").strip().lower()
        if encoding not in ENCODINGS:
            await self.app(scope, receive, send)
            return
        compressed = bytearray()
        while True:
            message = await receive()
            compressed += message.get("body", b"")
            if not message.get("more_body", False):
                break
        try:
            body = zlib.decompress(bytes(compressed), _ANY_HEADER)
        except zlib.error:
            unreadable = ApiError(
                400, "INVALID_REQUEST", f"Unable to decompress the {encoding} body"
            )
            await error_response(unreadable)(scope, receive, send)
            return
        delivered = False

        async def plain_body() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        headers = [
            (name, value)
            for name, value in scope["headers"]
            if name not in (b"content-encoding", b"content-length")
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        await self.app({**scope, "headers": headers}, plain_body, send)
