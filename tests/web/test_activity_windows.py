"""The service page's Streams section says which activity windows are parked or held, and its
Try them again button gives the parked ones their attempts back, as `activities windows
--retry` does."""

from __future__ import annotations

import html

import pytest
from simple_salesforce import Salesforce

from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import AdminRole
from forcebridge.store.repositories.activity_windows import count_parked_windows
from forcebridge.store.repositories.services import get_service
from forcebridge.sync.connections import open_client
from forcebridge.web.activity_windows import WindowsNotice
from tests.sync.activity_world import parked_and_held
from tests.web.conftest import AdminPages, AdminPagesFactory
from tests.web.test_services import acme_support, service_id

RETRY = 'action="/services/{}/activity-windows/retry"'


def unwritten(pages: AdminPages, sf: Salesforce, *, parked: int = 1, held: int = 0) -> int:
    """acme/support with windows parked and held by a push; the service's id."""
    with pages.runtime.sessions() as session:
        support = get_service(session, "acme/support")
        assert support.connection is not None
        with open_client(session, support.connection) as client:
            parked_and_held(session, support, client, sf, parked=parked, held=held)
        return support.id


def parked_count(pages: AdminPages) -> int:
    with pages.runtime.sessions() as session:
        return count_parked_windows(session, service_id(pages, "acme/support"))


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_parked_and_held_windows_are_listed_and_the_parked_ones_tried_again(
    admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer, sf: Salesforce, backend: str
) -> None:
    pages = acme_support(admin_pages_factory(backend=backend), sandbox)
    support = unwritten(pages, sf, parked=1, held=2)

    page = html.unescape(pages.client.get(f"/services/{support}").text)
    retried = pages.post_form(f"/services/{support}/activity-windows/retry")
    after = html.unescape(pages.client.get(retried.headers["location"]).text)

    assert (
        "1 activity window is parked (its conversations are not in Salesforce): its write "
        "failed too many times in a row, so no push tries it again until someone does."
    ) in page
    row = page.split('id="parked-windows"')[1].split("</tbody>")[0]
    assert "<td>Jane Gone (" in row and ">2024-03-12</time></td><td>1</td>" in row
    assert "ENTITY_IS_DELETED" in row
    assert "2 activity windows are held (their contact has no Salesforce record" in page
    assert RETRY.format(support) in page and "Try them again</button>" in page
    assert (
        page.index('id="streams"') < page.index('id="parked-windows"') < page.index('id="fields"')
    )
    assert retried.status_code == 303
    assert retried.headers["location"] == f"/services/{support}#streams"
    assert (
        "1 parked activity window was given its attempts back: the next activities push tries "
        "it again"
    ) in after
    assert 'id="parked-windows"' not in after and "2 activity windows are held" in after
    assert parked_count(pages) == 0


def test_the_list_stops_at_twenty_and_counts_the_rest(
    admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer, sf: Salesforce
) -> None:
    pages = acme_support(admin_pages_factory(), sandbox)
    support = unwritten(pages, sf, parked=23)

    page = pages.client.get(f"/services/{support}").text
    retried = pages.post_form(f"/services/{support}/activity-windows/retry")

    rows = page.split('id="parked-windows"')[1].split("<tbody>")[1].split("</tbody>")[0]
    assert "23 activity windows are parked" in page
    assert rows.count("<tr>") == 20
    assert ">2024-03-12</time>" in rows and ">2024-03-31</time>" in rows  # oldest first
    assert "<td>2024-04-01</td>" not in rows
    assert "And 3 more: <code>forcebridge activities windows --service acme/support</code>" in page
    notice = html.unescape(pages.client.get(retried.headers["location"]).text)
    assert "23 parked activity windows were given their attempts back" in notice


def test_a_viewer_sees_the_windows_but_cannot_try_them_again(
    admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer, sf: Salesforce
) -> None:
    pages = acme_support(admin_pages_factory(), sandbox)
    support = unwritten(pages, sf)
    pages.add_admin("acme", "vic@acme.example.com", AdminRole.VIEWER)
    pages.log_in("acme", "vic@acme.example.com")

    page = pages.client.get(f"/services/{support}").text
    refused = pages.post_form(f"/services/{support}/activity-windows/retry")

    assert "1 activity window is parked" in page
    assert RETRY.format(support) not in page and "Try them again" not in page
    assert refused.status_code == 403
    assert parked_count(pages) == 1


def test_trying_them_again_needs_the_form_token(
    admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer, sf: Salesforce
) -> None:
    pages = acme_support(admin_pages_factory(), sandbox)
    support = unwritten(pages, sf)

    forged = pages.client.post(f"/services/{support}/activity-windows/retry")

    assert forged.status_code == 403
    assert parked_count(pages) == 1


def test_a_service_with_nothing_parked_or_held_shows_no_notice_and_a_late_retry_says_so(
    admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer
) -> None:
    pages = acme_support(admin_pages_factory(), sandbox)
    support = service_id(pages, "acme/support")

    page = pages.client.get(f"/services/{support}").text
    retried = pages.post_form(f"/services/{support}/activity-windows/retry")

    assert 'id="activity-windows"' not in page
    notice = pages.client.get(retried.headers["location"]).text
    assert "No activity window is parked, so nothing changed." in notice


def test_one_held_or_parked_window_is_said_as_its_and_several_as_their() -> None:
    one, two = WindowsNotice(1, 1, ()), WindowsNotice(2, 2, ())

    assert one.held_text.startswith("1 activity window is held (its contact has no Salesforce")
    assert two.held_text.startswith("2 activity windows are held (their contact has no")
    assert two.parked_text.startswith("2 activity windows are parked (their conversations")
