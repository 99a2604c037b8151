"""What holds for every answer: security headers, and refusals shaped for pages or the API."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from forcebridge.web import api_services, services
from forcebridge.web.faults import UNEXPECTED
from tests.web.conftest import AdminPages, Api


def test_pages_forbid_framing_foreign_scripts_referrers_and_caching(pages: AdminPages) -> None:
    answer = pages.client.get("/login")

    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-store"


def test_the_stylesheet_and_scripts_are_served_by_the_app_itself(pages: AdminPages) -> None:
    for path in ("/static/admin.css", "/static/connections.js", "/static/callback.js"):
        answer = pages.client.get(path)

        assert answer.status_code == 200, path
        assert "no-store" not in answer.headers.get("cache-control", "")


def test_an_unknown_page_is_a_page_and_an_unknown_api_path_is_json(pages: AdminPages) -> None:
    page = pages.client.get("/no-such-page")
    api = pages.client.get("/api/v1/no-such-thing")

    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text
    assert api.status_code == 404
    assert api.json()["error"] == "http_error"


def test_the_home_page_leads_to_the_connections(pages: AdminPages) -> None:
    assert pages.client.get("/", follow_redirects=False).headers["location"] == "/connections"


def test_no_interactive_docs_that_would_load_scripts_from_a_cdn(pages: AdminPages) -> None:
    assert pages.client.get("/docs").status_code == 404
    paths = pages.client.get("/api/v1/openapi.json").json()["paths"].keys()
    assert "/api/v1/connections" in paths
    assert all(path.startswith("/api/v1/") for path in paths)  # the API's, not the pages


def test_the_openapi_description_says_how_to_authenticate_and_how_refusals_read(
    pages: AdminPages,
) -> None:
    described = pages.client.get("/api/v1/openapi.json").json()
    schemes = described["components"]["securitySchemes"]
    refusals = described["paths"]["/api/v1/services/{service}/contacts"]["get"]["responses"]

    assert [s["scheme"].lower() for s in schemes.values()] == ["bearer"]
    assert {"401", "404", "422", "500"} <= set(refusals)
    assert refusals["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorDocument"
    )


def test_an_error_page_has_the_navigation_and_leads_back_where_the_admin_was(
    pages: AdminPages,
) -> None:
    pages.log_in("acme", "ann@acme.example.com")

    missing = pages.client.get("/services/99999")
    refused = pages.post_form("/export/objects", {"objects": "Opportunity"})
    bad_link = pages.client.get("/runs?before=abc")
    stranger = TestClient(pages.client.app).get("/no-such-page")  # no session

    assert missing.status_code == 404 and refused.status_code == 400
    for answer in (missing, refused, bad_link):
        assert "<nav>" in answer.text and "Log out" in answer.text  # the pages' usual bar
    assert '<a href="/services">Back to the services</a>' in missing.text
    assert "Not possible" in refused.text
    assert '<a href="/export">Back to the export settings</a>' in refused.text
    assert '<a href="/runs">Open the newest runs</a>' in bad_link.text
    assert stranger.status_code == 404 and "<nav>" not in stranger.text  # nobody's pages


def test_a_fault_of_the_server_is_answered_as_json_or_a_plain_page_and_only_logged(
    pages: AdminPages, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing of what failed reaches the caller (an error's text may hold a message's body);
    the traceback goes to the server's log."""
    pages.log_in("acme", "ann@acme.example.com")
    api = Api(pages)
    pages.add_service("acme", "shop")

    def fails(*_args: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(api_services, "import_records", fails)
    monkeypatch.setattr(services, "list_services", fails)
    with caplog.at_level(logging.ERROR, logger="forcebridge.web"):
        answer = api.post("/services/shop/messages", {"messages": []})
        page = pages.client.get("/services")

    assert answer.status_code == 500
    assert answer.json() == {"error": "internal_error", "message": UNEXPECTED}
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert "Server error" in page.text and "went away" not in page.text
    assert page.headers["content-security-policy"] and page.headers["cache-control"] == "no-store"
    logged = [record for record in caplog.records if record.exc_info]
    assert [record.getMessage() for record in logged] == [
        "POST /api/v1/services/shop/messages failed",
        "GET /services failed",
    ]
