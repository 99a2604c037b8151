"""The login in progress rides in the session cookie sealed: its secrets never show there."""

from __future__ import annotations

import base64

from forcebridge.sandbox.server import SandboxServer
from forcebridge.web.sessions import COOKIE_NAME
from tests.web.conftest import AdminPagesFactory


def test_the_cookie_does_not_show_the_client_secret_or_the_pkce_verifier(
    admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer
) -> None:
    pages = admin_pages_factory(sandbox_ca_file=sandbox.ca_file)
    pages.add_admin("acme", "ann@acme.example.com")
    pages.log_in("acme", "ann@acme.example.com")

    started = pages.post_form(
        "/connections/connect",
        {
            "environment": "forcebridge-sandbox",
            "login_url": sandbox.base_url,
            "client_id": sandbox.config.client_id,
            "client_secret": sandbox.config.client_secret,
        },
    )

    assert started.status_code == 303
    payload = pages.client.cookies[COOKIE_NAME].split(".")[0]
    session = base64.b64decode(payload + "==").decode()
    assert "pending_connect" in session
    for secret in (sandbox.config.client_secret, "code_verifier", "state"):
        assert secret not in session
