"""`GET /api/v1/connections`: the org's connections and status as JSON, for a signed-in admin."""

from __future__ import annotations

from forcebridge.store.models import AuthMethod, ConnectionKind, ConnectionStatus
from forcebridge.store.repositories.connections import (
    Login,
    Tokens,
    create_connection,
    set_status,
)
from forcebridge.store.repositories.orgs import get_org
from tests.web.conftest import AdminPages

LIMIT_REASON = "The org's daily API limit is reached: wait."


def add_connection(pages: AdminPages, name: str, *, limit_reached: bool = False) -> None:
    with pages.runtime.sessions() as session:
        connection = create_connection(
            session,
            get_org(session, "acme"),
            name,
            Login(
                kind=ConnectionKind.MY_DOMAIN,
                login_url="https://acme.my.salesforce.com",
                auth_method=AuthMethod.WEB,
                client_id="3MVGacme",
                api_version="62.0",
                client_secret="the-client-secret",
            ),
            Tokens(
                access_token="00Dxx!the-access-token",
                refresh_token="the-refresh-token",
                instance_url="https://acme.my.salesforce.com",
                salesforce_org_id="00D000000000001AAA",
            ),
        )
        if limit_reached:
            set_status(
                session,
                connection,
                ConnectionStatus.NEEDS_ATTENTION,
                problem="limit_reached",
                reason=LIMIT_REASON,
            )
        session.commit()


def test_the_api_needs_a_signed_in_admin(pages: AdminPages) -> None:
    answer = pages.client.get("/api/v1/connections")

    assert answer.status_code == 401
    assert answer.json()["error"] == "login_required"


def test_the_api_lists_the_orgs_connections_with_status_and_no_secret(pages: AdminPages) -> None:
    add_connection(pages, "emea")
    add_connection(pages, "us", limit_reached=True)
    pages.log_in("acme", "ann@acme.example.com")

    answer = pages.client.get("/api/v1/connections")

    assert answer.status_code == 200
    body = answer.json()
    assert body["org"]["name"] == "acme"
    assert body["org"]["status"] == "Needs Attention"
    assert body["org"]["message"].startswith("Connection 'us': ")
    emea, us = body["connections"]
    assert (emea["name"], emea["status"], emea["reason"]) == ("emea", "Connected", None)
    assert emea["environment"] == "mydomain"
    assert emea["instance_url"] == "https://acme.my.salesforce.com"
    assert (us["status"], us["problem"], us["reason"]) == (
        "Needs Attention",
        "limit_reached",
        LIMIT_REASON,
    )
    for secret in ("the-access-token", "the-refresh-token", "the-client-secret"):
        assert secret not in answer.text
