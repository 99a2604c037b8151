"""Fixtures of the web tests: the app on a fresh SQLite database, with orgs and admins in it.

`admin_pages_factory(**settings)` builds the app (settings such as `public_url` or
`sandbox_ca_file` can be given; `backend="postgres"` for PostgreSQL) and returns an
`AdminPages`: a TestClient plus helpers that log in, post forms the way a browser does (form
token included), and connect an org to a sandbox. A real browser (`browser`: Debian's Chromium,
`FORCEBRIDGE_CHROMIUM`, default /usr/bin/chromium, driven by Playwright; without it the browser
tests are skipped, except under CI, where they must run and so fail) drives an app that
`forcebridge.web.local_server.served_locally` serves.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import undefer_group

from forcebridge.jobs.runtime import Runtime
from forcebridge.mapping.model import Mapping as MappingRows
from forcebridge.sandbox.server import SandboxServer
from forcebridge.settings import Settings
from forcebridge.store.engine import keyring_from_settings, make_engine, make_sessionmaker
from forcebridge.store.errors import NotFound
from forcebridge.store.models import AdminRole, Connection
from forcebridge.store.repositories.admins import create_admin
from forcebridge.store.repositories.api_tokens import create_api_token
from forcebridge.store.repositories.orgs import create_org, get_org
from forcebridge.store.repositories.services import create_service
from forcebridge.sync.connections import connect_with_password
from forcebridge.web.app import create_app
from forcebridge.web.throttle import LoginThrottle
from tests.dbfixtures import MigratedDatabases
from tests.store.conftest import (  # noqa: F401 - the store's databases, both backends
    backend,
    engine,
    keyring,
    migrated_databases,
    migrated_url,
)

CHROMIUM = Path(os.environ.get("FORCEBRIDGE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000
TEST_SECRET = "web-test-secret-key-long-enough-for-the-keyring"
PASSWORD = "correct horse battery staple"
TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        reason = f"Chromium not found at {CHROMIUM}: install it or set FORCEBRIDGE_CHROMIUM"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def web_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedDatabases]:
    databases = MigratedDatabases(tmp_path_factory.mktemp("web-databases"))
    yield databases
    databases.close()


def log_in_through_the_form(page: Page) -> None:
    """Log in as acme's admin on the login page the browser shows, as a person would; the
    first page after it is the connections'."""
    page.fill("#org", "acme")
    page.fill("#email", "ann@acme.example.com")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page.locator("h1")).to_have_text("Salesforce connections")


def form_token(html: str) -> str:
    found = TOKEN_FIELD.search(html)
    assert found, f"no form token on the page:\n{html}"
    return found.group(1)


@dataclass
class AdminPages:
    """The app as one browser sees it."""

    client: TestClient
    runtime: Runtime

    def log_in(self, org: str, email: str, password: str = PASSWORD) -> httpx.Response:
        token = form_token(self.client.get("/login").text)
        return self.client.post(
            "/login",
            data={"csrf_token": token, "org": org, "email": email, "password": password},
            follow_redirects=False,
        )

    def post_form(
        self, path: str, data: Mapping[str, str | list[str]] | None = None
    ) -> httpx.Response:
        """Post as the connections page's forms do: with the token the page carries."""
        token = form_token(self.client.get("/connections").text)
        return self.client.post(
            path, data={"csrf_token": token, **(data or {})}, follow_redirects=False
        )

    def add_admin(
        self, org: str, email: str, role: AdminRole = AdminRole.ADMIN, password: str = PASSWORD
    ) -> None:
        """The admin, and the org if it is new."""
        with self.runtime.sessions() as session:
            try:
                found = get_org(session, org)
            except NotFound:
                found = create_org(session, org)
            create_admin(session, found, email, password, role)
            session.commit()

    def connect_to(self, org: str, sandbox: SandboxServer, name: str = "sandbox") -> int:
        """Connect `org` to the sandbox (username-password) as connection `name`, as
        `forcebridge connect` does; the connection's id."""
        with self.runtime.sessions() as session:
            connection = connect_with_password(
                session,
                org,
                name,
                login_url=sandbox.base_url,
                client_id=sandbox.config.client_id,
                client_secret=sandbox.config.client_secret,
                username=sandbox.config.username,
                password=sandbox.config.password,
                ca_file=sandbox.ca_file,
            )
            session.commit()
            return connection.id

    def add_service(self, org: str, name: str) -> None:
        with self.runtime.sessions() as session:
            create_service(session, get_org(session, org), name)
            session.commit()

    def connections(self) -> list[Connection]:
        """Every connection, its sealed credentials loaded (they are read after the session)."""
        with self.runtime.sessions() as session:
            query = select(Connection).options(undefer_group("sealed")).order_by(Connection.id)
            return list(session.scalars(query))


AdminPagesFactory = Callable[..., AdminPages]


def api_token(pages: AdminPages, org: str = "acme", name: str = "product") -> str:
    """A new token of `org` (made if need be), as `forcebridge api-token create` prints it."""
    with pages.runtime.sessions() as session:
        try:
            found = get_org(session, org)
        except NotFound:
            found = create_org(session, org)
        _, token = create_api_token(session, found, name)
        session.commit()
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Api:
    """The REST API as the product calls it: with acme's token."""

    def __init__(self, pages: AdminPages) -> None:
        self.pages = pages
        self.headers = bearer(api_token(pages))

    def get(self, path: str, **params: Any) -> Any:
        return self.pages.client.get(f"/api/v1{path}", params=params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.pages.client.post(f"/api/v1{path}", json=body, headers=self.headers)


def mapping_form(mapping: MappingRows, action: str = "save") -> dict[str, str | list[str]]:
    """What the mapping editor posts for `mapping` when `action`'s button is pressed."""
    return {
        "action": action,
        "source": [row.source for row in mapping.rows],
        "target": [row.target for row in mapping.rows],
        "update": [row.update.value for row in mapping.rows],
    }


def _runtime(settings: Settings) -> Runtime:
    """What `open_runtime` builds, on a database already migrated, leaving logging alone."""
    keys = keyring_from_settings(settings)
    database = make_engine(settings.database_url, keys)
    return Runtime(settings, database, make_sessionmaker(database), keys)


@pytest.fixture
def admin_pages_factory(
    tmp_path: Path, web_databases: MigratedDatabases
) -> Iterator[AdminPagesFactory]:
    with ExitStack() as stack:

        def make(
            throttle: LoginThrottle | None = None, backend: str = "sqlite", **settings: Any
        ) -> AdminPages:
            url = stack.enter_context(web_databases.copy(backend))
            values: dict[str, Any] = {
                "data_dir": tmp_path / "data",
                "database_url": url,
                "secret_key": SecretStr(TEST_SECRET),
                "public_url": None,
                "sf_client_id": None,
                "sf_client_secret": None,
                "sandbox_ca_file": None,
                **settings,
            }
            runtime = stack.enter_context(_runtime(Settings(**values)))
            client = stack.enter_context(TestClient(create_app(runtime, login_throttle=throttle)))
            return AdminPages(client, runtime)

        yield make


@pytest.fixture
def pages(admin_pages_factory: AdminPagesFactory) -> AdminPages:
    """The app with one org, `acme`, and its admin ann@acme.example.com (not logged in)."""
    app = admin_pages_factory()
    app.add_admin("acme", "ann@acme.example.com")
    return app


@pytest.fixture
def api(pages: AdminPages) -> Api:
    """acme's API, with its service `shop`, as its product calls it."""
    pages.add_service("acme", "shop")
    return Api(pages)
