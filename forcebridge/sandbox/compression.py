"""Compressed request bodies, which Salesforce's REST and Bulk APIs accept.

A client may send a body with `Content-Encoding: gzip` or `deflate`; Salesforce decompresses it
before processing. So does this middleware, before any route reads the body: routes see plain
bytes and no `Content-Encoding`. A body that does not decompress is a 400, as a body that does
not parse is.
"""

from __future__ import annotations

import zlib

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forcebridge.sandbox.errors import ApiError
from forcebridge.sandbox.http_api import error_response

ENCODINGS = ("gzip", "deflate")
_ANY_HEADER = zlib.MAX_WBITS | 32
"""zlib's window bits that read a gzip or a zlib (HTTP `deflate`) stream alike."""


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
