"""The "Connect to Salesforce" pop-up in a real Chromium (see `conftest.py`): log in, connect
through the sandbox's login and allow pages, and see the pop-up close and the page say
"Connected"."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from forcebridge.sandbox.server import SandboxServer
from forcebridge.web.app import create_app
from forcebridge.web.local_server import served_locally
from tests.web.conftest import TIMEOUT_MS, AdminPagesFactory, log_in_through_the_form

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/forcebridge-connections.png")


def test_connecting_in_the_popup_shows_the_connection_connected(
    browser: Browser, admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer
) -> None:
    pages = admin_pages_factory(sandbox_ca_file=sandbox.ca_file)
    pages.add_admin("acme", "ann@acme.example.com")
    # The sandbox's certificate comes from its own CA, which this browser profile does not know.
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1100, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()

    with served_locally(create_app(pages.runtime)) as base_url:
        page.goto(f"{base_url}/connections")
        log_in_through_the_form(page)

        page.fill("#name", "main")
        page.select_option("#environment", "forcebridge-sandbox")
        page.fill("#login_url", sandbox.base_url)
        page.fill("#client_id", sandbox.config.client_id)
        page.fill("#client_secret", sandbox.config.client_secret)
        with page.expect_popup() as opened:
            page.click("#connect-button")
        popup = opened.value

        popup.fill("#username", sandbox.config.username)
        popup.fill("#password", sandbox.config.password)
        popup.click("button:has-text('Log In')")
        popup.click("button:has-text('Allow')")
        popup.wait_for_event("close")

        card = page.locator("li.connection", has_text="main")
        expect(card.locator(".badge")).to_have_text("Connected")
        expect(page.locator("#org-status")).to_contain_text("Connected")
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    context.close()

    [connection] = pages.connections()
    assert connection.name == "main"
    assert connection.salesforce_org_id is not None
