"""Every state-changing request must carry its session's form token, or nothing happens."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from forcebridge.web import api, auth, connections
from forcebridge.web.csrf import HEADER
from forcebridge.web.sessions import COOKIE_NAME
from tests.web.conftest import AdminPages, form_token

REFUSAL = "did not come from these admin pages"


def _posting_routes() -> list[str]:
    return [
        route.path.replace("{connection_id}", "1")
        for router in (auth.router, connections.router, api.router)
        for route in router.routes
        if isinstance(route, APIRoute) and (route.methods or set()) - {"GET", "HEAD"}
    ]


def test_every_state_changing_route_refuses_a_request_without_the_token(
    pages: AdminPages,
) -> None:
    pages.log_in("acme", "ann@acme.example.com")
    paths = _posting_routes()
    assert {"/login", "/logout", "/connections/connect", "/connections/1/check"} <= set(paths)

    for path in paths:
        answer = pages.client.post(path, data={"environment": "production"})

        assert answer.status_code == 403, path
        assert REFUSAL in answer.text


@pytest.mark.parametrize("token", ["", "not-the-token"])
def test_a_wrong_token_is_refused_and_the_admin_stays_logged_in(
    pages: AdminPages, token: str
) -> None:
    pages.log_in("acme", "ann@acme.example.com")

    answer = pages.client.post("/logout", data={"csrf_token": token})

    assert answer.status_code == 403
    assert pages.client.get("/connections", follow_redirects=False).status_code == 200


def test_a_token_from_another_browser_session_is_refused(pages: AdminPages) -> None:
    pages.log_in("acme", "ann@acme.example.com")
    own_token = form_token(pages.client.get("/connections").text)
    pages.client.cookies.clear()
    pages.log_in("acme", "ann@acme.example.com")

    answer = pages.client.post("/logout", data={"csrf_token": own_token})

    assert answer.status_code == 403


def test_scripts_send_the_token_as_a_header(pages: AdminPages) -> None:
    pages.log_in("acme", "ann@acme.example.com")
    token = form_token(pages.client.get("/connections").text)

    answer = pages.client.post("/logout", headers={HEADER: token}, follow_redirects=False)

    assert answer.status_code == 303
    assert pages.client.get("/connections", follow_redirects=False).status_code == 303


def test_the_login_form_needs_its_token_too(pages: AdminPages) -> None:
    answer = pages.client.post(
        "/login",
        data={"org": "acme", "email": "ann@acme.example.com", "password": "x" * 20},
    )

    assert answer.status_code == 403


def test_a_cross_site_post_without_the_cookie_is_refused_and_sets_no_cookie(
    pages: AdminPages,
) -> None:
    """Another site's auto-submitted form reaches us without the SameSite=Lax cookie: the
    refusal must not start a session, whose cookie would replace the admin's and log them out."""
    pages.log_in("acme", "ann@acme.example.com")
    admins_cookie = pages.client.cookies.get(COOKIE_NAME)
    elsewhere = TestClient(pages.client.app)  # the same browser, its cookie not sent

    answers = [
        elsewhere.post("/logout", data={"csrf_token": "guessed"}, follow_redirects=False),
        elsewhere.post("/connections/1/disconnect", data={}, follow_redirects=False),
        elsewhere.post("/login", data={"org": "acme"}, follow_redirects=False),
        elsewhere.get("/no-such-page"),
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403, 404]
    assert [answer.headers.get("set-cookie") for answer in answers] == [None] * 4
    assert pages.client.cookies.get(COOKIE_NAME) == admins_cookie
    assert pages.client.get("/connections", follow_redirects=False).status_code == 200
