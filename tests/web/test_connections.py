"""The connections page against the sandbox over real HTTPS: connect through the Salesforce
login (walked by an HTTP client here; by Chromium in `test_connections_browser.py`), refuse
forged or failed callbacks without storing anything, check, disconnect, and org scoping."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import requests
from typer.testing import CliRunner

from forcebridge.cli.main import app as cli
from forcebridge.sandbox.server import SandboxServer
from forcebridge.sandbox.tls import ensure_server_certificates
from forcebridge.store.models import (
    AdminRole,
    AuthMethod,
    ConnectionKind,
    ConnectionStatus,
)
from forcebridge.store.repositories.connections import Login, Tokens, create_connection
from forcebridge.store.repositories.orgs import create_org, get_org
from forcebridge.store.repositories.services import create_service
from forcebridge.web.connections import CALLBACK_PATH
from tests.oauth_browser import allow_access
from tests.web.conftest import AdminPages, AdminPagesFactory


@pytest.fixture
def pages(admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer) -> AdminPages:
    """The app trusting the sandbox, with ann logged in as an admin of acme."""
    app = admin_pages_factory(sandbox_ca_file=sandbox.ca_file)
    app.add_admin("acme", "ann@acme.example.com")
    app.log_in("acme", "ann@acme.example.com")
    return app


def start_connect(pages: AdminPages, sandbox: SandboxServer, **fields: str) -> str:
    """Submit the "Connect to Salesforce" form; the login URL the pop-up is sent to."""
    form = {
        "name": "main",
        "environment": "forcebridge-sandbox",
        "login_url": sandbox.base_url,
        "client_id": sandbox.config.client_id,
        "client_secret": sandbox.config.client_secret,
        **fields,
    }
    answer = pages.post_form("/connections/connect", form)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def callback(pages: AdminPages, **params: str) -> httpx.Response:
    return pages.client.get(f"{CALLBACK_PATH}?{urlencode(params)}")


def connect(pages: AdminPages, sandbox: SandboxServer) -> None:
    location = allow_access(sandbox, start_connect(pages, sandbox))
    parts = urlsplit(location)
    answer = pages.client.get(f"{parts.path}?{parts.query}")
    assert answer.status_code == 200, answer.text


def state_of(authorize_url: str) -> str:
    return parse_qs(urlsplit(authorize_url).query)["state"][0]


def test_connecting_stores_the_connection_and_the_page_shows_it_connected(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    authorize_url = start_connect(pages, sandbox)
    assert authorize_url.startswith(f"{sandbox.base_url}/services/oauth2/authorize?")
    location = allow_access(sandbox, authorize_url)
    assert location.startswith(f"http://testserver{CALLBACK_PATH}?")

    popup = pages.client.get(location.removeprefix("http://testserver"))

    assert popup.status_code == 200
    assert 'data-outcome="connected"' in popup.text
    [connection] = pages.connections()
    assert connection.name == "main"
    assert connection.kind is ConnectionKind.FORCEBRIDGE_SANDBOX
    assert connection.status is ConnectionStatus.CONNECTED
    page = pages.client.get("/connections").text
    assert "<h2>main</h2>" in page
    assert '<span class="badge ok">Connected</span>' in page
    listing = pages.client.get("/api/v1/connections").text
    for secret in (connection.access_token, connection.refresh_token, connection.client_secret):
        assert secret
        assert secret not in page
        assert secret not in listing
        assert secret not in popup.text


@pytest.mark.parametrize("stray", [{"state": "forged-by-someone-else"}, {}])
def test_a_stray_callback_is_ignored_and_the_login_in_progress_still_finishes(
    pages: AdminPages, sandbox: SandboxServer, stray: dict[str, str]
) -> None:
    location = allow_access(sandbox, start_connect(pages, sandbox))
    code = parse_qs(urlsplit(location).query)["code"][0]

    answer = callback(pages, code=code, **stray)  # another state, or none

    assert answer.status_code == 400
    assert 'data-outcome="ignored"' in answer.text
    assert "so it was ignored. The login in progress goes on" in answer.text
    assert "set-cookie" not in answer.headers  # the login in progress stays in the session
    assert pages.connections() == []
    own = pages.client.get(location.removeprefix("http://testserver"))
    assert 'data-outcome="connected"' in own.text, own.text
    assert [connection.name for connection in pages.connections()] == ["main"]


def test_a_callback_nobody_started_is_refused(pages: AdminPages) -> None:
    answer = callback(pages, code="some-code", state="some-state")

    assert answer.status_code == 400
    assert "No Salesforce login was started from this browser session" in answer.text


def test_a_callback_is_used_once(pages: AdminPages, sandbox: SandboxServer) -> None:
    location = allow_access(sandbox, start_connect(pages, sandbox))
    path = location.removeprefix("http://testserver")
    assert pages.client.get(path).status_code == 200

    again = pages.client.get(path)

    assert again.status_code == 400
    assert "No Salesforce login was started" in again.text
    assert len(pages.connections()) == 1


def test_a_denied_consent_says_so_and_stores_nothing(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    state = state_of(start_connect(pages, sandbox))

    answer = callback(
        pages, error="access_denied", error_description="end-user denied authorization", state=state
    )

    assert answer.status_code == 400
    assert "Access was not allowed in Salesforce" in answer.text
    assert pages.connections() == []


def test_a_failed_code_exchange_says_so_and_stores_nothing(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    state = state_of(start_connect(pages, sandbox))

    answer = callback(pages, code="a-code-salesforce-never-issued", state=state)

    assert answer.status_code == 400
    assert "Salesforce refused the login (invalid authorization code)" in answer.text
    assert "start connecting again" in answer.text  # the code, not the connected app
    assert "client id" not in answer.text
    assert pages.connections() == []


def test_a_wrong_client_secret_says_to_check_the_secret(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    location = allow_access(sandbox, start_connect(pages, sandbox, client_secret="not-it"))

    answer = pages.client.get(location.removeprefix("http://testserver"))

    assert answer.status_code == 400
    said = html.unescape(answer.text)
    assert "(invalid client credentials): check the connected app's client secret" in said
    assert pages.connections() == []


def test_a_login_url_that_is_not_salesforce_is_refused_in_the_popup(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    answer = pages.post_form(
        "/connections/connect",
        {
            "name": "main",
            "environment": "mydomain",
            "login_url": "https://login.example.com",
            "client_id": "some-app",
        },
    )

    assert answer.status_code == 400
    assert "https://login.example.com is not a Salesforce URL" in answer.text  # as typed
    assert "choose forcebridge sandbox URL" in answer.text  # what the admin can do
    assert "configured with its CA file" not in answer.text


def test_a_name_of_spaces_alone_is_refused_not_taken_for_the_default(pages: AdminPages) -> None:
    """The field is required, but spaces pass it: read as no name, it became the default
    (production's, replacing that connection's login) without a word."""
    answer = pages.post_form(
        "/connections/connect",
        {"name": "   ", "environment": "production", "client_id": "some-app"},
    )

    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert "Connection name '   ' must have 1 to 64 characters." in html.unescape(answer.text)


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        (
            {"name": "n" * 500, "environment": "production"},
            f"Connection name {'n' * 40!r}... (500 characters) must have 1 to 64 characters.",
        ),
        (
            {"name": "main", "environment": "mydomain", "login_url": "u" * 5000},
            f"{'u' * 40!r}... (5,000 characters) must use https",
        ),
        (
            {"name": "main", "environment": "mydomain", "login_url": f"https://{'u' * 5000}"},
            f"{'https://' + 'u' * 32!r}... (5,008 characters) is not a Salesforce URL",
        ),
        (
            {"name": "main", "environment": "mydomain", "login_url": "uuuu"},
            "uuuu must use https",  # as typed: not "Uuuu"
        ),
    ],
)
def test_the_popup_quotes_a_long_typed_value_by_its_start_and_its_length(
    pages: AdminPages, fields: dict[str, str], said: str
) -> None:
    answer = pages.post_form("/connections/connect", {"client_id": "some-app", **fields})

    assert answer.status_code == 400
    shown = html.unescape(answer.text)
    assert said in shown
    assert "u" * 41 not in shown and "n" * 41 not in shown


def test_a_sandbox_url_the_trusted_ca_did_not_sign_is_refused_before_the_admin_is_sent_there(
    admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """Any https site typed as the sandbox URL got the pop-up (and the admin's credentials);
    only the code exchange after the login checked its certificate."""
    pages = admin_pages_factory(
        sandbox_ca_file=ensure_server_certificates(tmp_path / "elsewhere").ca_file
    )
    pages.add_admin("acme", "ann@acme.example.com")
    pages.log_in("acme", "ann@acme.example.com")

    answer = pages.post_form(
        "/connections/connect",
        {
            "environment": "forcebridge-sandbox",
            "login_url": sandbox.base_url,
            "client_id": sandbox.config.client_id,
        },
    )

    assert answer.status_code == 400
    assert "location" not in answer.headers
    said = html.unescape(answer.text)
    assert (
        f"{sandbox.base_url} could not be confirmed as the forcebridge sandbox this server trusts"
        in said
    )
    assert "so you were not sent there" in said
    assert "the URL <code>forcebridge sandbox serve</code> printed" in said
    assert "vouches" not in said and "self-signed" not in said  # the why is for the log
    assert "No Salesforce login was started" in callback(pages, code="x", state="y").text


def test_the_servers_connected_app_is_used_when_the_form_names_none(
    admin_pages_factory: AdminPagesFactory,
) -> None:
    pages = admin_pages_factory(sf_client_id="3MVGdefault.app")
    pages.add_admin("acme", "ann@acme.example.com")
    pages.log_in("acme", "ann@acme.example.com")

    answer = pages.post_form("/connections/connect", {"environment": "production"})

    assert answer.status_code == 303
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert answer.headers["location"].startswith("https://login.salesforce.com/")
    assert query["client_id"] == ["3MVGdefault.app"]
    assert query["redirect_uri"] == [f"http://testserver{CALLBACK_PATH}"]


def test_without_a_default_app_the_form_needs_a_client_id(pages: AdminPages) -> None:
    answer = pages.post_form("/connections/connect", {"environment": "production"})

    assert answer.status_code == 400
    assert "Enter the client id" in answer.text


@pytest.mark.parametrize("revoked_in", ["the app", "setup"])
def test_check_now_shows_that_a_revoked_authorization_needs_attention(
    pages: AdminPages,
    sandbox: SandboxServer,
    https_for: Callable[..., requests.Session],
    revoked_in: str,
) -> None:
    """Revoked by the app (its revoke endpoint), or in Salesforce's Setup (Connected Apps OAuth
    Usage > Revoke), which the sandbox does with `forcebridge sandbox revoke`."""
    connect(pages, sandbox)
    [connection] = pages.connections()
    if revoked_in == "the app":
        revoked = https_for(sandbox).post(
            f"{sandbox.base_url}/services/oauth2/revoke", data={"token": connection.refresh_token}
        )
        assert revoked.status_code == 200
    else:
        data, user = str(sandbox.config.data_dir), sandbox.config.username
        revoking = CliRunner().invoke(
            cli, ["sandbox", "revoke", "--data", data, "--username", user]
        )
        assert revoking.exit_code == 0, revoking.output

    answer = pages.post_form(f"/connections/{connection.id}/check")

    assert answer.headers["location"] == f"/connections#connection-{connection.id}"
    page = pages.client.get("/connections").text
    card = page.split(f'id="connection-{connection.id}"')[1].split("</li>")[0]
    assert '<span class="badge warn">Needs Attention</span>' in card
    assert "Checking main with Salesforce just now failed. Salesforce no longer accepts" in card
    assert "Checked main" not in page  # never as if it had worked
    assert page.count("reconnect to Salesforce") == 1  # what to do, said once: on its card
    [checked] = pages.connections()
    assert checked.status_problem == "authentication_lost"


def test_check_now_of_a_working_connection_says_it_is_connected_on_its_card(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    connect(pages, sandbox)
    [connection] = pages.connections()

    answer = pages.post_form(f"/connections/{connection.id}/check")

    page = pages.client.get(answer.headers["location"]).text
    card = page.split(f'id="connection-{connection.id}"')[1].split("</li>")[0]
    assert "Checked main with Salesforce just now: it is connected." in card
    assert page.count("Checked main") == 1  # in the card, not again at the top


def test_disconnecting_revokes_the_tokens_and_keeps_the_row_needing_attention(
    pages: AdminPages, sandbox: SandboxServer, https_for: Callable[..., requests.Session]
) -> None:
    connect(pages, sandbox)
    [connection] = pages.connections()
    with pages.runtime.sessions() as session:
        shop = create_service(session, get_org(session, "acme"), "shop", connection=connection)
        session.commit()
        shop_id = shop.id

    answer = pages.post_form(f"/connections/{connection.id}/disconnect")

    assert answer.status_code == 303
    page = pages.client.get("/connections").text
    assert page.count("Disconnected on") == 1  # on its card, not again in a banner or notice
    assert "main needs attention: what to do is on its card below." in page
    service_page = pages.client.get(f"/services/{shop_id}").text
    assert "Needs Attention" in service_page  # its streams say so at once, not a run later
    [disconnected] = pages.connections()
    assert disconnected.access_token is None
    assert disconnected.refresh_token is None
    api = https_for(sandbox)
    api.headers["Authorization"] = f"Bearer {connection.access_token}"
    assert api.get(f"{sandbox.base_url}/services/data/v62.0/limits").status_code == 401


def test_a_disconnected_connection_offers_to_reconnect_with_its_name_and_environment(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    connect(pages, sandbox)
    [connection] = pages.connections()
    before = pages.client.get("/connections").text
    pages.post_form(f"/connections/{connection.id}/disconnect")

    page = pages.client.get("/connections").text
    form = pages.client.get(f"/connections?reconnect={connection.id}").text

    reconnect = f'href="/connections?reconnect={connection.id}">Reconnect</a>'
    assert reconnect not in before and reconnect in page
    assert 'id="name" name="name" value="main"' in form
    assert form.count("autofocus") == 1 and re.search(r'id="client_id"[^>]*autofocus', form)
    assert "autofocus" not in page  # a plain visit does not jump to the form
    assert '<option value="forcebridge-sandbox" data-needs-url="yes" selected>' in form
    assert f'name="login_url" class="for-url" value="{sandbox.base_url}"' in form
    assert "Log <strong>main</strong> in again" in form
    assert pages.client.get("/connections?reconnect=999").status_code == 404


def test_a_viewer_sees_the_connections_but_cannot_connect_or_disconnect(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    connect(pages, sandbox)
    [connection] = pages.connections()
    pages.add_admin("acme", "vic@acme.example.com", AdminRole.VIEWER)
    pages.client.cookies.clear()
    pages.log_in("acme", "vic@acme.example.com")

    page = pages.client.get("/connections").text
    assert "<h2>main</h2>" in page
    assert "Connect to Salesforce" not in page
    assert "Disconnect" not in page and "/remove" not in page
    assert "Your account is a viewer's: you can see acme's settings" in page
    refused = [
        pages.post_form(f"/connections/{connection.id}/disconnect"),
        pages.post_form(f"/connections/{connection.id}/remove"),
        pages.post_form("/connections/connect", {"environment": "production", "client_id": "x"}),
    ]
    assert [answer.status_code for answer in refused] == [403, 403, 403]
    assert len(pages.connections()) == 1
    assert pages.connections()[0].access_token == connection.access_token


def test_another_orgs_connection_is_not_found(pages: AdminPages) -> None:
    with pages.runtime.sessions() as session:
        globex = create_org(session, "globex")
        theirs = create_connection(
            session,
            globex,
            "their-org",
            Login(
                kind=ConnectionKind.PRODUCTION,
                login_url="https://login.salesforce.com",
                auth_method=AuthMethod.WEB,
                client_id="3MVGtheirs",
                api_version="62.0",
            ),
            Tokens(
                access_token="their-access-token", instance_url="https://globex.my.salesforce.com"
            ),
        )
        session.commit()

    for action in ("check", "disconnect", "remove"):
        answer = pages.post_form(f"/connections/{theirs.id}/{action}")
        assert answer.status_code == 404
        assert "No such connection in your organisation" in answer.text
    assert "their-org" not in pages.client.get("/connections").text
    assert pages.client.get("/api/v1/connections").json()["connections"] == []
    [untouched] = pages.connections()
    assert untouched.access_token == "their-access-token"


def test_remove_revokes_and_deletes_a_connection_no_service_uses(
    pages: AdminPages, sandbox: SandboxServer, https_for: Callable[..., requests.Session]
) -> None:
    connect(pages, sandbox)
    [connection] = pages.connections()
    before = pages.client.get("/connections").text

    answer = pages.post_form(f"/connections/{connection.id}/remove")

    assert f'action="/connections/{connection.id}/remove"' in before
    assert 'data-confirm="Remove main?' in before  # asked first
    # Its card is gone: the page opens at the notice, which takes the focus.
    assert answer.status_code == 303 and answer.headers["location"] == "/connections#notice"
    page = pages.client.get("/connections").text
    assert (
        '<p class="notice" role="status" id="notice" tabindex="-1">Connection main removed: '
        "forcebridge no longer knows it.</p>"
    ) in page
    assert "<h2>main</h2>" not in page
    assert pages.connections() == []
    api = https_for(sandbox)
    api.headers["Authorization"] = f"Bearer {connection.access_token}"
    assert api.get(f"{sandbox.base_url}/services/data/v62.0/limits").status_code == 401


def test_remove_is_refused_while_a_service_uses_the_connection_saying_which(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    connect(pages, sandbox)
    [connection] = pages.connections()
    with pages.runtime.sessions() as session:
        create_service(session, get_org(session, "acme"), "shop", connection=connection)
        session.commit()

    answer = pages.post_form(f"/connections/{connection.id}/remove")

    assert answer.headers["location"] == f"/connections#connection-{connection.id}"
    page = pages.client.get("/connections").text
    card = page.split(f'id="connection-{connection.id}"')[1].split("</li>")[0]
    assert "is used by acme/shop: it cannot be removed while a service syncs through it." in card
    [kept] = pages.connections()
    assert kept.access_token == connection.access_token
