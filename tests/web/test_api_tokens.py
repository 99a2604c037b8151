"""API tokens at the REST API: a token reaches its own org's data until it is revoked, never
another org's; it needs no form token, while a session cookie still does."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import update

from forcebridge.store.models import AdminRole, ApiToken
from forcebridge.store.repositories.api_tokens import (
    list_api_tokens,
    revoke_api_token,
)
from forcebridge.store.repositories.orgs import get_org
from forcebridge.web.csrf import HEADER
from tests.web.conftest import AdminPages, AdminPagesFactory, api_token, bearer, form_token
from tests.web.test_runs import record_run

MESSAGE = {
    "contact_id": 1,
    "direction": "inbound",
    "channel": "sms",
    "body": "Is the shop open?",
    "sent_at": "2024-03-12T10:00:00-04:00",
}


def last_used(pages: AdminPages, org: str = "acme") -> dt.datetime | None:
    with pages.runtime.sessions() as session:
        (token,) = list_api_tokens(session, get_org(session, org))
        return token.last_used_at


@pytest.fixture
def pages(admin_pages_factory: AdminPagesFactory, backend: str) -> AdminPages:
    """acme with its admin ann (not logged in), on SQLite and on PostgreSQL."""
    app = admin_pages_factory(backend=backend)
    app.add_admin("acme", "ann@acme.example.com")
    return app


def test_a_token_reaches_its_orgs_api_until_it_is_revoked(pages: AdminPages) -> None:
    token = api_token(pages)

    answer = pages.client.get("/api/v1/connections", headers=bearer(token))
    with pages.runtime.sessions() as session:
        revoke_api_token(session, get_org(session, "acme"), "product")
        session.commit()
    revoked = pages.client.get("/api/v1/connections", headers=bearer(token))

    assert token.startswith("fbt_") and len(token) >= 40
    assert answer.status_code == 200
    assert answer.json()["org"]["name"] == "acme"
    assert revoked.status_code == 401
    assert revoked.json()["error"] == "invalid_token"
    assert "revoked" in revoked.json()["message"]


def test_a_tokens_use_is_recorded_at_most_once_a_minute(pages: AdminPages) -> None:
    token = api_token(pages)
    assert last_used(pages) is None

    pages.client.get("/api/v1/services", headers=bearer(token))
    first = last_used(pages)
    pages.client.get("/api/v1/services", headers=bearer(token))
    unchanged = last_used(pages)
    with pages.runtime.sessions() as session:
        assert first is not None
        session.execute(update(ApiToken).values(last_used_at=first - dt.timedelta(minutes=2)))
        session.commit()
    pages.client.get("/api/v1/services", headers=bearer(token))

    assert first is not None and unchanged == first
    later = last_used(pages)
    assert later is not None and later >= first


@pytest.mark.parametrize(
    "authorization", ["Bearer fbt_not-a-token", "Bearer ", "Basic YW5uOnNlY3JldA==", "fbt_x"]
)
def test_a_wrong_authorization_is_refused_even_beside_a_valid_session(
    pages: AdminPages, authorization: str
) -> None:
    pages.log_in("acme", "ann@acme.example.com")

    answer = pages.client.get("/api/v1/connections", headers={"Authorization": authorization})

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_token"
    assert pages.client.get("/api/v1/connections").status_code == 200  # the cookie alone works


def test_without_token_or_session_the_answer_names_both_ways_in(pages: AdminPages) -> None:
    answer = pages.client.get("/api/v1/services")

    assert answer.status_code == 401
    assert answer.json() == {
        "error": "login_required",
        "message": "Send an API token as 'Authorization: Bearer <token>' (an admin makes one with "
        "'forcebridge api-token create --org ORG --name NAME'), or log in to the admin pages.",
    }


def test_a_token_never_reaches_another_orgs_services_contacts_or_runs(pages: AdminPages) -> None:
    pages.add_service("acme", "shop")
    acme_run = record_run(pages, "acme", "pull:Contact")
    globex = api_token(pages, "globex")
    pages.add_service("globex", "desk")
    headers = bearer(globex)

    services = pages.client.get("/api/v1/services", headers=headers)
    refused = [
        pages.client.get("/api/v1/services/shop/contacts", headers=headers),
        pages.client.post("/api/v1/services/shop/messages", json={"messages": []}, headers=headers),
        pages.client.post("/api/v1/services/shop/streams/pull/run-now", headers=headers),
        pages.client.get("/api/v1/runs?service=shop", headers=headers),
        pages.client.get(f"/api/v1/runs/{acme_run}", headers=headers),
        pages.client.get(f"/api/v1/runs?before={acme_run}", headers=headers),
    ]
    runs = pages.client.get("/api/v1/runs", headers=headers)

    assert [s["path"] for s in services.json()["services"]] == ["globex/desk"]
    for answer in refused:
        assert answer.status_code == 404, answer.request.url
        assert answer.json()["error"] == "not_found"
        assert "pull:Contact" not in answer.text
    assert "'shop'" in refused[0].json()["message"]
    assert runs.json()["runs"] == []


def test_a_token_posts_without_a_form_token_a_session_still_needs_one(pages: AdminPages) -> None:
    pages.add_service("acme", "shop")
    token = api_token(pages)
    body = {"messages": [MESSAGE]}

    with_token = pages.client.post(
        "/api/v1/services/shop/messages", json=body, headers=bearer(token)
    )
    pages.log_in("acme", "ann@acme.example.com")
    cookie_only = pages.client.post("/api/v1/services/shop/messages", json=body)
    form = form_token(pages.client.get("/connections").text)
    cookie_and_form = pages.client.post(
        "/api/v1/services/shop/messages", json=body, headers={HEADER: form}
    )

    assert with_token.status_code == 200
    assert cookie_only.status_code == 403
    assert cookie_only.json()["error"] == "csrf_rejected"
    assert cookie_and_form.status_code == 200


def test_a_viewers_session_reads_the_api_but_changes_nothing(pages: AdminPages) -> None:
    pages.add_service("acme", "shop")
    pages.add_admin("acme", "val@acme.example.com", AdminRole.VIEWER)
    pages.log_in("acme", "val@acme.example.com")
    form = {HEADER: form_token(pages.client.get("/connections").text)}

    listed = pages.client.get("/api/v1/services")
    posted = pages.client.post(
        "/api/v1/services/shop/messages", json={"messages": [MESSAGE]}, headers=form
    )

    assert listed.status_code == 200
    assert posted.status_code == 403
    assert posted.json()["error"] == "forbidden"


def test_the_token_appears_in_no_answer_and_no_log(
    pages: AdminPages, caplog: pytest.LogCaptureFixture
) -> None:
    pages.add_service("acme", "shop")
    token = api_token(pages)
    caplog.set_level(logging.DEBUG)

    answers = [
        pages.client.get(path, headers=bearer(token))
        for path in (
            "/api/v1/connections",
            "/api/v1/services",
            "/api/v1/services/shop/contacts",
            "/api/v1/runs",
            "/api/v1/openapi.json",
        )
    ]
    answers.append(
        pages.client.post(
            "/api/v1/services/shop/messages", json={"messages": [MESSAGE]}, headers=bearer(token)
        )
    )

    assert all(answer.status_code == 200 for answer in answers)
    assert not any(token in answer.text for answer in answers)
    assert token not in caplog.text
