"""A fault of the server's own, as an operator reads it in the log of a real server: once,
with the request it failed on."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from forcebridge.web import api_services, services
from forcebridge.web.app import create_app
from forcebridge.web.faults import UNEXPECTED, AnswersFaults
from forcebridge.web.local_server import served_locally
from forcebridge.web.sessions import COOKIE_NAME
from tests.web.conftest import AdminPages, Api

TRACEBACK = "Traceback (most recent call last)"


def _fails(*_args: Any) -> Any:
    raise RuntimeError("the database went away")


def test_under_uvicorn_a_fault_is_logged_once_with_its_request(
    pages: AdminPages, api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Starlette answers an exception, then raises it again for the server, which logged it
    a second time ("Exception in ASGI application", without the request): the app keeps it."""
    pages.log_in("acme", "ann@acme.example.com")
    session = {"Cookie": f"{COOKIE_NAME}={pages.client.cookies[COOKIE_NAME]}"}
    monkeypatch.setattr(api_services, "import_records", _fails)
    monkeypatch.setattr(services, "list_services", _fails)
    with caplog.at_level(logging.INFO), served_locally(create_app(pages.runtime)) as url:
        answer = httpx.post(
            f"{url}/api/v1/services/shop/messages", json={"messages": []}, headers=api.headers
        )
        page = httpx.get(f"{url}/services", headers=session)

    assert answer.status_code == 500
    assert answer.json() == {"error": "internal_error", "message": UNEXPECTED}
    assert page.status_code == 500 and "Server error" in page.text
    assert page.headers["content-security-policy"] and page.headers["cache-control"] == "no-store"
    assert [record.getMessage() for record in caplog.records if record.exc_info] == [
        "POST /api/v1/services/shop/messages failed",
        "GET /services failed",
    ]
    assert caplog.text.count(TRACEBACK) == 2
    assert "Exception in ASGI application" not in caplog.text
    assert "went away" not in answer.text + page.text


def test_a_head_whose_get_fails_is_answered_500_without_a_body(
    pages: AdminPages, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages.log_in("acme", "ann@acme.example.com")
    monkeypatch.setattr(services, "list_services", _fails)
    server = TestClient(pages.client.app)
    server.cookies = pages.client.cookies

    answer = server.head("/services")

    assert answer.status_code == 500 and answer.content == b""
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["cache-control"] == "no-store"


def _streaming_app() -> FastAPI:
    """An answer that fails after its first part has been sent (its status already gone)."""
    app = FastAPI()

    def parts() -> Iterator[bytes]:
        yield b"first part\n"
        raise RuntimeError("the database went away")

    @app.get("/export")
    def export() -> StreamingResponse:
        return StreamingResponse(parts(), media_type="text/csv")

    app.add_middleware(AnswersFaults)
    return app


def test_a_fault_after_the_answer_started_is_logged_once_and_leaves_it_cut_short(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Too late for a 500: the connection is closed, so the client sees the answer incomplete,
    never a whole one (uvicorn says in one line, without a traceback, that it was cut)."""
    with (
        caplog.at_level(logging.INFO),
        served_locally(_streaming_app()) as url,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        httpx.get(f"{url}/export")

    assert [record.getMessage() for record in caplog.records if record.exc_info] == [
        "GET /export failed"
    ]
    assert caplog.text.count(TRACEBACK) == 1
    assert "ASGI callable returned without completing response" in caplog.text


def test_a_fault_after_the_answer_started_sends_nothing_more() -> None:
    sent: list[Message] = []

    async def started_then_fails(_scope: Scope, _receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("the database went away")

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {"type": "http", "method": "GET", "path": "/export", "query_string": b"",
                    "headers": [], "root_path": ""}  # fmt: skip
    asyncio.run(AnswersFaults(started_then_fails)(scope, receive, send))

    assert [message["type"] for message in sent] == ["http.response.start"]
