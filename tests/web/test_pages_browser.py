"""The admin pages in a real Chromium (see `conftest.py`): what only a browser decides, such as
which button Enter presses in a form, and how the pages fit a phone's screen."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, ViewportSize, expect

from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import Connection
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.services import create_service
from forcebridge.web.app import create_app
from forcebridge.web.local_server import served_locally
from tests.web.conftest import TIMEOUT_MS, AdminPagesFactory, log_in_through_the_form
from tests.web.test_runs import record_run

pytestmark = pytest.mark.browser

PHONE = ViewportSize(width=375, height=740)
DESK = ViewportSize(width=1100, height=900)
SCREENSHOTS = Path("/tmp")


@dataclass(frozen=True)
class Site:
    """acme connected to the sandbox, with a service and a run, served at `base_url`."""

    base_url: str
    service_id: int
    run_id: int


@pytest.fixture
def site(admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer) -> Iterator[Site]:
    pages = admin_pages_factory(sandbox_ca_file=sandbox.ca_file)
    pages.add_admin("acme", "ann@acme.example.com")
    connection_id = pages.connect_to("acme", sandbox)
    with pages.runtime.sessions() as session:
        connection = session.get(Connection, connection_id)
        service = create_service(
            session, get_org(session, "acme"), "support", connection=connection
        )
        session.commit()
        service_id = service.id
    run_id = record_run(pages, "acme", "pull:Contact")
    with served_locally(create_app(pages.runtime)) as base_url:
        yield Site(base_url, service_id, run_id)


def logged_in(browser: Browser, site: Site, viewport: ViewportSize) -> Page:
    page = browser.new_page(viewport=viewport)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{site.base_url}/login")
    log_in_through_the_form(page)
    return page


def test_enter_in_the_new_rows_source_adds_the_row_and_removes_none(
    browser: Browser, site: Site
) -> None:
    page = logged_in(browser, site, DESK)
    page.goto(f"{site.base_url}/services/{site.service_id}")
    editor = page.locator("#mapping-Contact")
    rows = editor.locator("tr[data-row]")
    count = rows.count()
    first_source = editor.locator("select[name=source]").first.input_value()

    editor.locator("input[name=new_source]").fill("Account.Industry")
    editor.locator("input[name=new_source]").press("Enter")

    expect(rows).to_have_count(count + 1)
    expect(editor.locator("select[name=source]").first).to_have_value(first_source)
    expect(editor.locator("select[name=source]").last).to_have_value("Account.Industry")
    page.close()


def in_view(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"] if page.viewport_size else 0
    return box is not None and 0 <= box["y"] <= height - box["height"]


def test_the_editors_buttons_come_back_at_the_row_with_its_control_focused(
    browser: Browser, site: Site
) -> None:
    page = logged_in(browser, site, DESK)
    page.goto(f"{site.base_url}/services/{site.service_id}")
    editor = page.locator("#mapping-Contact")
    count = editor.locator("tr[data-row]").count()
    second = page.locator("#mapping-Contact-source-2").input_value()

    page.focus("#mapping-Contact-down-2")
    page.keyboard.press("Enter")
    expect(page.locator("#mapping-Contact-down-3")).to_be_focused()  # the moved row's arrow
    expect(page.locator("#mapping-Contact-source-3")).to_have_value(second)
    assert page.url.endswith("#mapping-Contact-down-3") and in_view(page, "#mapping-Contact-down-3")
    page.keyboard.press("Enter")  # again: the row moves on
    expect(page.locator("#mapping-Contact-down-4")).to_be_focused()
    expect(page.locator("#mapping-Contact-source-4")).to_have_value(second)

    page.click("#mapping-Contact-remove-4")
    expect(page.locator("#mapping-Contact-source-4")).to_be_focused()  # the row in its place
    page.click("#mapping-Contact-add")
    expect(page.locator(f"#mapping-Contact-source-{count}")).to_be_focused()  # the new row
    expect(page.locator(f"#mapping-Contact-source-{count}")).to_have_value("")
    page.close()


def test_a_saved_mapping_says_so_in_its_section_in_view(browser: Browser, site: Site) -> None:
    page = logged_in(browser, site, DESK)
    page.goto(f"{site.base_url}/services/{site.service_id}")

    page.click("#mapping-Contact button.primary")

    notice = page.locator("#mapping-Contact .notice")
    expect(notice).to_contain_text("Contact pull mapping saved")
    assert in_view(page, "#mapping-Contact .notice")
    expect(page.locator("main > .notice")).to_have_count(0)  # not also at the top
    page.close()


def test_reconnect_puts_the_cursor_in_the_first_empty_field_and_remove_asks_first(
    browser: Browser, site: Site
) -> None:
    page = logged_in(browser, site, DESK)
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.click("button:has-text('Disconnect')")
    page.click("a:has-text('Reconnect')")
    expect(page.locator("#client_id")).to_be_focused()
    expect(page.locator("#name")).to_have_value("sandbox")
    page.click("button:has-text('Remove')")

    card = page.locator("li.connection", has_text="sandbox")
    expect(card.locator(".notice")).to_contain_text("is used by acme/support")
    assert [message.split("?")[0] for message in asked] == ["Disconnect sandbox", "Remove sandbox"]
    page.close()


OUT_OF_VIEW = """() => {
  const outside = [];
  for (const element of document.querySelectorAll("a, button, input, select")) {
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // not shown (or only to screen readers)
    if (element.closest(".table-scroll")) continue;  // such tables scroll in place
    if (box.left < 0 || box.right > window.innerWidth + 0.5) {
      outside.push(`${element.tagName} ${element.textContent.trim() || element.name} ${box.right}`);
    }
  }
  return outside;
}"""


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/connections", ["#connect-button"]),
        ("/export", ["#mapping-Lead button.primary"]),
        ("/services", []),
        ("/services/{service}", ["#settings button.primary", "#mapping-Contact button.primary"]),
        ("/runs", ["a[href='/runs/{run}']"]),
        ("/runs/{run}", []),
    ],
)
def test_every_page_fits_a_phones_width(
    browser: Browser, site: Site, path: str, shown: list[str]
) -> None:
    page = logged_in(browser, site, PHONE)
    address = path.format(service=site.service_id, run=site.run_id)

    page.goto(site.base_url + address)

    page.screenshot(path=str(SCREENSHOTS / f"forcebridge-375{address.replace('/', '-')}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(OUT_OF_VIEW) == []
    for selector in [".topbar nav a", ".topbar button", *shown]:
        located = page.locator(selector.format(run=site.run_id))
        expect(located.first).to_be_visible()
        for element in located.all():
            box = element.bounding_box()
            assert box is not None and 0 <= box["x"] <= box["x"] + box["width"] <= PHONE["width"]
    for select in page.locator("table.rows select").all():
        assert (select.bounding_box() or {"width": 0})["width"] > PHONE["width"] / 2
    page.close()
