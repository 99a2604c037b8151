"""The admin pages in a real Chromium (see `conftest.py`): what only a browser decides, such as
which button Enter presses in a form, and how the pages fit a phone's screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Dialog, Page, ViewportSize, expect
from simple_salesforce import Salesforce

from forcebridge.jobs.schedules import reconcile_schedules
from forcebridge.mapping.defaults import default_export_mapping
from forcebridge.mapping.prospect_fields import PROSPECT_FIELDS
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import Connection, UpdateOption
from forcebridge.store.repositories.mappings import save_mapping
from forcebridge.store.repositories.orgs import get_org
from forcebridge.store.repositories.services import create_service, get_service
from forcebridge.store.types import utcnow
from forcebridge.sync.connections import open_client
from forcebridge.web.app import create_app
from forcebridge.web.local_server import served_locally
from tests.sync.activity_world import parked_and_held
from tests.web.conftest import TIMEOUT_MS, AdminPages, AdminPagesFactory, log_in_through_the_form
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
    pages: AdminPages


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
        session.flush()
        reconcile_schedules(session.connection(), utcnow(), [service.id])  # its Streams table
        session.commit()
        service_id = service.id
    run_id = record_run(pages, "acme", "pull:Contact")
    with served_locally(create_app(pages.runtime)) as base_url:
        yield Site(base_url, service_id, run_id, pages)


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
    return box is not None and -1 < box["y"] <= height - box["height"]  # scrolled to: y ~ 0


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
        (
            "/services/{service}",
            [
                "#settings button.primary",
                "#streams .table-scroll",
                "#mapping-Contact button.primary",
            ],
        ),
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
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
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


def test_the_parked_windows_table_keeps_whole_words_and_scrolls_in_its_box_on_a_phone(
    browser: Browser, site: Site, sf: Salesforce
) -> None:
    """In the alert (whose words break anywhere) the table was squeezed to the screen, its
    words broken ("Conta|ct", "202|6-|11-|05"), and its box never scrolled."""
    with site.pages.runtime.sessions() as session:
        support = get_service(session, "acme/support")
        assert support.connection is not None
        with open_client(session, support.connection) as client:
            parked_and_held(session, support, client, sf, parked=2)
    page = logged_in(browser, site, PHONE)

    page.goto(f"{site.base_url}/services/{site.service_id}")

    box = page.locator("#parked-windows .table-scroll")
    expect(box).to_be_visible()
    assert box.evaluate("box => box.scrollWidth > box.clientWidth")  # it scrolls, in place
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
    lines = "cell => { const r = document.createRange(); r.selectNodeContents(cell); "
    lines += "return new Set([...r.getClientRects()].map(rect => rect.top)).size; }"
    for cell in box.locator("th, time").all():  # each on one line, not broken mid-word
        assert cell.evaluate(lines) == 1, cell.inner_text()
    page.close()


def test_a_refused_verify_and_save_focuses_what_was_refused_which_leads_to_the_field(
    browser: Browser, site: Site
) -> None:
    page = logged_in(browser, site, DESK)
    page.goto(f"{site.base_url}/export")
    page.select_option("#mapping-Lead-target-2", "")  # a row left without a target

    page.click("#mapping-Lead button.primary")

    summary = page.locator("#mapping-Lead-outcome")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Not saved")
    assert in_view(page, "#mapping-Lead-outcome")
    field = page.locator("#mapping-Lead-target-2")
    expect(field).to_have_attribute("aria-invalid", "true")
    described = (field.get_attribute("aria-describedby") or "").split()
    expect(page.locator(f"#{described[0]}")).to_contain_text("Row 2: the target is blank")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "go to the first field at fault"
    expect(field).to_be_focused()
    page.close()


def test_check_now_and_saving_the_objects_focus_the_part_the_page_comes_back_at(
    browser: Browser, site: Site
) -> None:
    page = logged_in(browser, site, DESK)
    card = page.locator("li.connection").first

    card.locator("button:has-text('Check now')").click()

    expect(card.locator(".notice")).to_contain_text("it is connected")
    expect(card).to_be_focused()
    page.goto(f"{site.base_url}/export")
    page.click("#objects button:has-text('Save')")
    expect(page.locator("#objects .notice")).to_contain_text("Users may export to")
    expect(page.locator("#objects")).to_be_focused()
    page.keyboard.press("Tab")  # the keyboard carries on inside the section
    expect(page.locator("#objects input[type=checkbox]").first).to_be_focused()
    page.close()


def test_a_wrong_password_focuses_the_password(browser: Browser, site: Site) -> None:
    page = browser.new_page(viewport=DESK)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{site.base_url}/login")
    page.fill("#org", "acme")
    page.fill("#email", "ann@acme.example.com")
    page.fill("#password", "not the password")

    page.click("button:has-text('Log in')")

    expect(page.locator(".alert")).to_contain_text("Wrong organisation, e-mail or password")
    password = page.locator("#password")
    expect(password).to_be_focused()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_accessible_description("Wrong organisation, e-mail or password.")
    expect(page.locator("#org")).to_have_value("acme")
    page.close()


def test_the_skip_link_is_the_first_stop_and_leads_to_the_main_content(
    browser: Browser, site: Site
) -> None:
    page = logged_in(browser, site, DESK)
    page.goto(f"{site.base_url}/runs")

    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to main content")
    assert (skip.bounding_box() or {"width": 0})["width"] > 50  # shown once focused
    page.keyboard.press("Enter")

    expect(page.locator("main#main")).to_be_focused()
    page.close()


def test_a_long_mapping_is_typed_with_suggestions_fits_a_phone_and_saves(
    browser: Browser, site: Site
) -> None:
    page = logged_in(browser, site, PHONE)
    page.goto(f"{site.base_url}/export")
    token = page.locator("#mapping-Lead input[name=csrf_token]").input_value()
    pairs = [(row.source, row.target) for row in default_export_mapping("Lead").rows]
    for target in ("Description", "Title", "City"):
        pairs += [(source, target) for source in PROSPECT_FIELDS.names]
    rows = list(dict.fromkeys(pairs))[:60]
    form = [("csrf_token", token), ("action", "save")]
    for source, target in rows:
        form += [("source", source), ("target", target), ("update", "fill_empty")]
    saved = page.request.post(
        f"{site.base_url}/export/mappings/Lead",
        data=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert saved.ok, saved.text()

    page.goto(f"{site.base_url}/export")
    last = page.locator("#mapping-Lead-target-60")
    expect(last).to_have_value(rows[-1][1])
    assert page.locator("#mapping-Lead select[name=target]").count() == 0  # typed, not picked
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert (last.bounding_box() or {"width": 0})["width"] > PHONE["width"] / 2
    last.fill("NoSuchField__c")
    page.click("#mapping-Lead button.primary")
    expect(page.locator("#mapping-Lead-outcome")).to_be_focused()
    expect(page.locator("#mapping-Lead-target-60")).to_have_attribute("aria-invalid", "true")
    page.locator("#mapping-Lead-target-60").fill("State")
    page.click("#mapping-Lead button.primary")
    expect(page.locator("#mapping-Lead .notice")).to_contain_text("Lead export mapping saved")
    expect(page.locator("#mapping-Lead-target-60")).to_have_value("State")
    page.close()


def test_removing_a_connection_focuses_the_notice_that_says_so(
    browser: Browser, site: Site, sandbox: SandboxServer
) -> None:
    site.pages.connect_to("acme", sandbox, "spare")
    page = logged_in(browser, site, DESK)
    page.on("dialog", lambda dialog: dialog.accept())

    page.locator("li.connection", has_text="spare").locator("button:has-text('Remove')").click()

    notice = page.locator("#notice")
    expect(notice).to_contain_text("Connection spare removed")
    expect(notice).to_be_focused()  # not the page's body: the keyboard carries on from there
    page.close()


def test_enter_in_a_long_mappings_row_adds_nothing_and_in_the_new_rows_source_adds_one(
    browser: Browser, site: Site, sf: Salesforce
) -> None:
    fields = sf.Contact.describe()["fields"]
    sources = [f["name"] for f in fields if f["type"] in ("string", "phone", "email", "url")]
    targets = ["title", "company", "city", "state", "country", "street"]
    rows = [(s, t, UpdateOption.OVERWRITE) for t in targets for s in sources][:55]
    with site.pages.runtime.sessions() as session:
        save_mapping(session, get_service(session, "acme/support"), "Contact", rows)
        session.commit()
    page = logged_in(browser, site, DESK)
    page.goto(f"{site.base_url}/services/{site.service_id}")
    editor = page.locator("#mapping-Contact")
    assert editor.locator("select[name=source]").count() == 0  # typed, past 50 rows
    third = page.locator("#mapping-Contact-source-3")

    third.fill("Department")
    third.press("Enter")  # presses no button: no row added, no page sent
    expect(third).to_be_focused()
    editor.locator("input[name=new_source]").fill("Account.Industry")
    editor.locator("input[name=new_source]").press("Enter")

    expect(page.locator("#mapping-Contact-source-56")).to_be_focused()  # the row it added
    expect(editor.locator("tr[data-row]")).to_have_count(56)  # and only that one
    expect(page.locator("#mapping-Contact-source-56")).to_have_value("Account.Industry")
    expect(page.locator("#mapping-Contact-source-3")).to_have_value("Department")  # kept
    page.close()


def test_the_first_field_at_fault_comes_into_view_below_its_row_number_on_a_phone(
    browser: Browser, site: Site
) -> None:
    page = logged_in(browser, site, PHONE)
    page.goto(f"{site.base_url}/export")
    page.select_option("#mapping-Lead-target-2", "")
    page.click("#mapping-Lead button.primary")

    page.click("#mapping-Lead-outcome a")

    field = page.locator("#mapping-Lead-target-2")
    expect(field).to_be_focused()
    number = page.locator("#mapping-Lead-row-2 td.number").bounding_box()
    box = field.bounding_box()
    assert number is not None and box is not None
    assert 0 <= number["y"] < box["y"]  # the row's number and labels in view above the field
    page.close()


def test_a_settings_field_at_fault_is_described_by_its_problem(
    browser: Browser, site: Site
) -> None:
    page = logged_in(browser, site, DESK)
    page.goto(f"{site.base_url}/services/{site.service_id}")
    page.fill("#timezone", "Mars/Olympus")

    page.click("#settings button.primary")

    zone = page.locator("#timezone")
    expect(zone).to_have_attribute("aria-invalid", "true")
    expect(zone).to_have_accessible_description(re.compile("Unknown time zone 'Mars/Olympus'"))
    expect(page.locator("#pull_every")).not_to_have_attribute("aria-invalid", "true")
    page.close()


def test_a_refused_long_field_name_is_quoted_short_and_no_alert_widens_the_page(
    browser: Browser, site: Site
) -> None:
    page = logged_in(browser, site, PHONE)
    page.goto(f"{site.base_url}/services/{site.service_id}")
    page.fill("#field_name", "x" * 5000)

    page.click("#fields button:has-text('Add field')")

    alert = page.locator("#fields .alert")
    expect(alert).to_contain_text(f"'{'x' * 40}'... (5,000 characters) is not a field name")
    assert "x" * 41 not in alert.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
    alert.locator("li").first.evaluate("item => { item.textContent = 'y'.repeat(5000); }")
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
    page.close()


def test_the_login_page_opens_in_its_first_field_with_the_skip_link_just_before(
    browser: Browser, site: Site
) -> None:
    page = browser.new_page(viewport=DESK)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{site.base_url}/login")

    expect(page.locator("#org")).to_be_focused()  # logging in is all the page is for
    page.keyboard.press("Shift+Tab")
    expect(page.locator("a.skip-link")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#org")).to_be_focused()
    page.close()
