"""The service page against the sandbox: settings verified and saved (with the projected API
calls), a wrong query refused by name, the pull mapping's "Verify and Save", and org scoping."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from simple_salesforce import Salesforce
from sqlalchemy import text

from forcebridge.jobs.distributed import ensure_procrastinate_schema
from forcebridge.jobs.policy import FailureKind, StreamFailure, after_failure
from forcebridge.jobs.schedules import load_state, reconcile_schedules, save_state
from forcebridge.jobs.workers import NO_WORKER
from forcebridge.mapping.defaults import default_pull_mapping
from forcebridge.mapping.model import Mapping, MappingRow
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import ActivityTarget, AdminRole, Connection, PullObjects, Service
from forcebridge.store.repositories.connections import forget_credentials
from forcebridge.store.repositories.leases import release_lease, take_lease
from forcebridge.store.repositories.mappings import get_mapping
from forcebridge.store.repositories.orgs import create_org, get_org
from forcebridge.store.repositories.services import create_service, get_service
from forcebridge.store.types import utcnow
from forcebridge.web import salesforce_access
from forcebridge.web.services import SETTINGS_CONTROLS
from tests.conftest import SandboxFactory
from tests.web.conftest import AdminPages, AdminPagesFactory, Api, mapping_form
from tests.web.test_exports import control


@pytest.fixture
def pages(admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer) -> AdminPages:
    return acme_support(admin_pages_factory(), sandbox)


def acme_support(app: AdminPages, sandbox: SandboxServer) -> AdminPages:
    """acme connected to the sandbox with a service `support`, ann logged in as its admin."""
    app.add_admin("acme", "ann@acme.example.com")
    connection_id = app.connect_to("acme", sandbox)
    with app.runtime.sessions() as session:
        connection = session.get(Connection, connection_id)
        create_service(session, get_org(session, "acme"), "support", connection=connection)
        session.commit()
    app.log_in("acme", "ann@acme.example.com")
    return app


def service(pages: AdminPages) -> Service:
    with pages.runtime.sessions() as session:
        found = get_service(session, "acme/support")
        session.expunge(found)
        return found


def service_id(pages: AdminPages, path: str) -> int:
    with pages.runtime.sessions() as session:
        return get_service(session, path).id


def disconnected(pages: AdminPages) -> None:
    """The service's connection, disconnected: its credentials forgotten."""
    with pages.runtime.sessions() as session:
        connection = get_service(session, "acme/support").connection
        assert connection is not None
        forget_credentials(session, connection)
        session.commit()


def post_settings(pages: AdminPages, service_id: int, **values: str) -> httpx.Response:
    """The settings form as the page posts it, with `values` typed in."""
    return pages.post_form(f"/services/{service_id}/settings", settings_form(**values))


def settings_form(**values: str) -> dict[str, str | list[str]]:
    return {
        "pull": "contacts",
        "pull_every": "15",
        "activities_to": "contacts",
        "activities_every": "60",
        **values,
    }


def test_the_page_shows_the_settings_and_the_contact_mapping(pages: AdminPages) -> None:
    page = pages.client.get(f"/services/{service(pages).id}")

    assert page.status_code == 200
    assert 'id="mapping-Contact"' in page.text
    assert ">Email (Email)</option>" in page.text
    assert ">Account Name (Account.Name)</option>" in page.text  # a parent's field, labelled
    assert 'name="pull_every" min="1" value="' in page.text
    assert 'aria-label="Remove row 1"' in page.text  # each Remove says what it removes
    assert 'id="timezone" name="timezone" value="UTC"' in page.text
    assert "Days are counted in UTC." in page.text


def test_pulling_contacts_and_leads_shows_the_contact_mapping_first_as_the_settings_say(
    pages: AdminPages,
) -> None:
    support = service(pages)
    assert post_settings(pages, support.id, pull="both").status_code == 303

    page = pages.client.get(f"/services/{support.id}").text

    assert ">Contacts and Leads</option>" in page
    assert page.index('id="mapping-Contact"') < page.index('id="mapping-Lead"')


def test_the_list_says_what_each_service_pulls_in_the_forms_words(pages: AdminPages) -> None:
    listed = pages.client.get("/services").text

    assert "pulls Contacts and Leads every 5 minutes" in listed


def test_the_list_says_a_service_without_a_connection_pulls_nothing(pages: AdminPages) -> None:
    pages.add_service("acme", "shop")  # no connection: nothing scheduled, run-now is stream_off
    entries = re.findall(r'<li class="card">(.*?)</li>', pages.client.get("/services").text, re.S)
    shop = next(entry for entry in entries if "<strong>shop</strong>" in entry)
    unconnected = pages.client.get(f"/services/{service_id(pages, 'acme/shop')}").text

    assert "not connected: no pulls until it has a Salesforce connection" in shop
    assert "(then Contacts and Leads every 5 minutes)" in shop
    assert "pulls Contacts" not in shop
    assert "the service needs a Salesforce connection" in unconnected


def test_a_field_just_added_in_salesforce_is_offered_on_the_next_page(
    pages: AdminPages, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(salesforce_access, "PAGE_DESCRIBE_AGE", dt.timedelta(0))
    support = service(pages)
    before = pages.client.get(f"/services/{support.id}")
    sandbox.org.custom_fields.create(
        {
            "FullName": "Contact.Region__c",
            "Metadata": {"type": "Text", "label": "Region", "length": 20},
        }
    )

    after = pages.client.get(f"/services/{support.id}")

    assert 'value="Region__c"' not in before.text
    assert 'value="Region__c"' in after.text


def test_a_saved_row_whose_field_was_deleted_in_salesforce_is_marked_on_the_page(
    pages: AdminPages, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(salesforce_access, "PAGE_DESCRIBE_AGE", dt.timedelta(0))
    support = service(pages)
    field_id = sandbox.org.custom_fields.create(
        {"FullName": "Contact.Tier__c", "Metadata": {"type": "Text", "label": "Tier", "length": 9}}
    )
    rows = Mapping((MappingRow("LastName", "last_name"), MappingRow("Tier__c", "title")))
    saved = pages.post_form(f"/services/{support.id}/mappings/Contact", mapping_form(rows))
    fine = pages.client.get(f"/services/{support.id}")
    sandbox.org.custom_fields.delete(field_id)

    page = pages.client.get(f"/services/{support.id}")

    assert saved.status_code == 303
    assert "no longer verifies" not in fine.text
    assert "This mapping no longer verifies against Salesforce" in page.text
    assert "Row 2: Contact has no field &#39;Tier__c&#39;" in page.text


def test_a_disconnected_service_still_shows_its_settings_and_streams_and_says_why_not_mappings(
    pages: AdminPages,
) -> None:
    disconnected(pages)

    page = pages.client.get(f"/services/{service(pages).id}")

    assert page.status_code == 200
    assert 'name="pull_every"' in page.text
    assert "so they cannot be shown now" in page.text and "is disconnected" in page.text
    assert 'id="mapping-Contact"' not in page.text


def test_settings_that_need_no_salesforce_are_saved_while_it_cannot_be_asked(
    pages: AdminPages,
) -> None:
    support = service(pages)
    disconnected(pages)

    answer = post_settings(
        pages,
        support.id,
        pull=support.pull_objects.value,  # as it stands: the form always sends it
        pull_every="30",
        task_subject="Chat with {name}",
        update_only="true",
    )

    assert answer.status_code == 303, answer.text
    page = pages.client.get(answer.headers["location"])
    saved = service(pages)
    assert (saved.pull_interval_minutes, saved.pull_update_only) == (30, True)
    assert saved.task_subject_template == "Chat with {name}"
    assert "Saved without verifying against Salesforce" in page.text
    assert "is disconnected" in page.text


def test_what_to_pull_is_refused_while_salesforce_cannot_be_asked_keeping_what_was_typed(
    pages: AdminPages,
) -> None:
    support = service(pages)
    disconnected(pages)

    answer = post_settings(pages, support.id, pull="leads", task_subject="Chat with {name}")

    assert answer.status_code == 409
    assert "verified against Salesforce, which could not be asked" in answer.text
    assert answer.text.count("Not saved") == 1
    assert 'value="Chat with {name}"' in answer.text
    unchanged = service(pages)
    assert (unchanged.pull_objects, unchanged.task_subject_template) == (
        support.pull_objects,
        None,
    )


def test_each_reason_the_settings_were_refused_is_a_sentence_of_its_own(pages: AdminPages) -> None:
    support = service(pages)
    disconnected(pages)

    answer = post_settings(pages, support.id, pull="leads", task_subject="Chat with {contact}")

    reasons = [
        html.unescape(r) for r in re.findall(r'<li class="problem"[^>]*>(.*?)</li>', answer.text)
    ]
    assert len(reasons) == 2
    assert reasons[0] == (
        "What to pull, the query and the routing rule are verified against Salesforce, which "
        "could not be asked. Connection sandbox is disconnected: reconnect it first, with the "
        'Reconnect button on its card on <a href="/connections">the Connections page</a>.'
    )  # what to do on the page, not a command, with a link to the page
    assert reasons[1].startswith("Unknown placeholder {contact} in the Task subject")
    assert "forcebridge connect" not in answer.text
    assert all(reason.endswith(".") for reason in reasons)  # never read as one with the next


def test_settings_are_verified_saved_and_shown_with_the_projected_calls(
    pages: AdminPages,
) -> None:
    support = service(pages)
    form = settings_form(
        pull="leads",
        pull_every="30",
        update_only="true",
        routing="LastName != null",
        activities_to="leads",
        activities_every="120",
        task_subject="Chat with {name}",
    )

    answer = pages.post_form(f"/services/{support.id}/settings", form)

    assert answer.status_code == 303, answer.text
    saved = service(pages)
    assert saved.pull_objects is PullObjects.LEADS
    assert (saved.pull_interval_minutes, saved.pull_update_only) == (30, True)
    assert saved.routing_condition == "LastName != null"
    assert saved.activities_to is ActivityTarget.LEADS
    assert (saved.activities_interval_minutes, saved.task_subject_template) == (
        120,
        "Chat with {name}",
    )
    page = pages.client.get(answer.headers["location"]).text
    assert "Projected Salesforce API calls a day:" in page
    assert 'id="mapping-Lead"' in page and 'id="mapping-Contact"' not in page
    assert 'value="30"' in page


def test_the_projection_counts_one_run_and_one_change_in_the_singular(
    pages: AdminPages, sf: Salesforce
) -> None:
    sf.Contact.create({"LastName": "Solitary"})
    support = service(pages)

    answer = post_settings(pages, support.id, pull_every="1440", routing="LastName = 'Solitary'")

    notice = pages.client.get(answer.headers["location"]).text
    assert (
        "Projected Salesforce API calls a day: 7 = 2 to read (1 run of one call + 1 for the "
        "changes, estimated at 1 change a day) + 5 for the daily reconciliation."
    ) in notice  # each sum adds up: 7 = 2 + 5, 2 = 1 + 1


def test_a_wrong_query_is_refused_by_name_and_nothing_is_saved(pages: AdminPages) -> None:
    support = service(pages)

    answer = post_settings(
        pages, support.id, pull="custom", soql="SELECT Email, Nope__c FROM Contact", pull_every="5"
    )

    assert answer.status_code == 400
    assert "Not saved" in answer.text and "Nope__c" in answer.text
    assert 'value="SELECT Email, Nope__c FROM Contact"' in answer.text  # the edit is kept
    unchanged = service(pages)
    assert unchanged.pull_objects is support.pull_objects
    assert unchanged.pull_interval_minutes == support.pull_interval_minutes


def test_intervals_that_are_no_whole_number_are_refused_by_name_keeping_what_was_typed(
    pages: AdminPages,
) -> None:
    support = service(pages)

    answer = post_settings(pages, support.id, pull_every="ten", activities_every="2.5")

    assert answer.status_code == 400
    assert "pull every must be a whole number of minutes" in answer.text.lower()
    assert "activities every must be a whole number of minutes" in answer.text.lower()
    assert 'value="ten"' in answer.text and 'value="2.5"' in answer.text
    assert service(pages).pull_interval_minutes == support.pull_interval_minutes


def test_a_forms_address_opened_as_a_page_leads_to_the_page_of_the_form(
    pages: AdminPages,
) -> None:
    support = service(pages)

    settings = pages.client.get(f"/services/{support.id}/settings", follow_redirects=False)
    mapping = pages.client.get("/export/mappings/Lead", follow_redirects=False)
    logout = pages.client.get("/logout", follow_redirects=False)

    assert settings.status_code == mapping.status_code == logout.status_code == 303
    assert settings.headers["location"] == f"/services/{support.id}"
    assert mapping.headers["location"] == "/export"
    assert logout.headers["location"] == "/"  # no page of its own: never back to itself


def test_a_cleared_interval_is_refused_by_name_not_as_a_raw_error(pages: AdminPages) -> None:
    support = service(pages)

    answer = post_settings(pages, support.id, pull_every="")

    assert answer.status_code == 400
    assert "pull every must be a whole number of minutes" in answer.text.lower()
    assert 'name="pull_every"' in answer.text  # the page, with its form


def test_an_unreadable_address_or_form_is_a_page_saying_so(pages: AdminPages) -> None:
    support = service(pages)

    no_page = pages.client.get("/services/abc")
    no_run = pages.client.get("/runs/abc")
    no_choice = pages.post_form(f"/services/{support.id}/settings", {"pull_every": "5"})

    assert no_page.status_code == no_run.status_code == 404
    assert "Not found" in no_page.text and "<html" in no_page.text
    assert no_choice.status_code == 400
    assert "The request could not be read: pull (field required)" in no_choice.text
    assert "<html" in no_choice.text


def test_a_query_typed_while_pull_is_not_a_custom_query_is_refused_not_dropped(
    pages: AdminPages,
) -> None:
    support = service(pages)

    answer = post_settings(
        pages, support.id, pull="both", soql="SELECT Id, Email FROM Contact WHERE Email != null"
    )

    assert answer.status_code == 400
    assert "only read with Pull: Custom SOQL;" in answer.text
    assert service(pages).pull_soql is None


def test_a_custom_query_on_an_object_without_a_mapping_offers_one_and_is_saved_after_it(
    pages: AdminPages,
) -> None:
    support = service(pages)
    query = "SELECT Id, Name, Phone FROM Account WHERE Phone != null"

    refused = post_settings(pages, support.id, pull="custom", soql=query)
    action = f"/services/{support.id}/mappings/Account?then_soql="
    mapped = pages.post_form(
        f"/services/{support.id}/mappings/Account?{urlencode({'then_soql': query})}",
        mapping_form(Mapping((MappingRow("Name", "company"), MappingRow("Phone", "phone")))),
    )
    offered = pages.client.get(mapped.headers["location"])
    saved = post_settings(pages, support.id, pull="custom", soql=query)

    assert refused.status_code == 400
    assert "no mapping for Account yet" in refused.text and "no rows" not in refused.text
    assert 'id="mapping-Account"' in refused.text and action in refused.text
    assert 'aria-label="Source of row 2"' in refused.text  # a row per field the query selects
    assert mapped.status_code == 303, mapped.text
    assert "Account pull mapping saved: save the settings" in offered.text
    assert f'value="{html.escape(query)}"' in offered.text  # the query waits in the form
    assert saved.status_code == 303, saved.text
    assert service(pages).pull_soql == query


def test_a_row_reading_a_parents_field_is_added_by_its_path_and_saved(pages: AdminPages) -> None:
    support = service(pages)
    rows = Mapping((MappingRow("LastName", "last_name"),))

    added = pages.post_form(
        f"/services/{support.id}/mappings/Contact",
        {**mapping_form(rows, "add"), "new_source": " Account.Industry "},
    )
    typo = pages.post_form(
        f"/services/{support.id}/mappings/Contact",
        {**mapping_form(rows, "add"), "new_source": "Acount.Industry"},
    )
    wanted = Mapping((*rows.rows, MappingRow("Account.Industry", "company")))
    saved = pages.post_form(f"/services/{support.id}/mappings/Contact", mapping_form(wanted))

    assert added.status_code == 200
    assert 'value="Account.Industry" selected' in added.text
    assert "Industry (Account.Industry)" in added.text
    assert typo.status_code == 200 and 'value="Acount.Industry" selected' in typo.text
    assert saved.status_code == 303, saved.text
    with pages.runtime.sessions() as session:
        mapping = get_mapping(session, get_service(session, "acme/support"), "Contact")
        assert mapping is not None
        assert [r.source for r in mapping.rows] == ["LastName", "Account.Industry"]


def test_a_mapping_submitted_while_salesforce_is_out_of_reach_stays_on_the_page(
    pages: AdminPages,
) -> None:
    support = service(pages)
    disconnected(pages)
    rows = Mapping((MappingRow("LastName", "last_name"), MappingRow("Title", "title")))

    saved = pages.post_form(f"/services/{support.id}/mappings/Contact", mapping_form(rows))
    added = pages.post_form(f"/services/{support.id}/mappings/Contact", mapping_form(rows, "add"))

    assert saved.status_code == 409
    assert (
        "Nothing was checked or saved:" in saved.text and "Not saved: the mapping" not in saved.text
    )
    assert 'value="Title" selected' in saved.text and 'value="title" selected' in saved.text
    assert 'aria-label="Source of row 3"' in added.text  # the edit is made, and kept
    with pages.runtime.sessions() as session:
        assert get_mapping(session, get_service(session, "acme/support"), "Contact") is None


def test_a_custom_query_on_an_object_the_org_lacks_is_refused_by_name_mappings_shown(
    pages: AdminPages,
) -> None:
    support = service(pages)

    refused = post_settings(pages, support.id, pull="custom", soql="SELECT Id, Name FROM Nope__c")

    assert refused.status_code == 400
    assert "the query reads Nope__c, which the org does not have" in refused.text
    assert 'id="mapping-Contact"' in refused.text  # Salesforce answered: the mappings stay
    assert "cannot be shown now" not in refused.text


def test_no_mapping_is_kept_for_an_object_salesforce_does_not_have(pages: AdminPages) -> None:
    support = service(pages)
    rows = Mapping((MappingRow("Name", "company"),))

    answer = pages.post_form(f"/services/{support.id}/mappings/Nope__c", mapping_form(rows))

    assert answer.status_code == 404


def test_a_bad_pull_mapping_is_refused_with_its_problem_and_not_saved(pages: AdminPages) -> None:
    support = service(pages)
    bad = Mapping((*default_pull_mapping("Contact").rows, MappingRow("Nope__c", "phone")))

    answer = pages.post_form(f"/services/{support.id}/mappings/Contact", mapping_form(bad))

    assert answer.status_code == 400
    assert f"Row {len(bad.rows)}:" in answer.text and "Nope__c" in answer.text
    with pages.runtime.sessions() as session:
        assert get_mapping(session, get_service(session, "acme/support"), "Contact") is None


def test_a_good_pull_mapping_is_saved(pages: AdminPages) -> None:
    support = service(pages)
    good = Mapping((MappingRow("Email", "email"), MappingRow("Title", "title")))

    answer = pages.post_form(f"/services/{support.id}/mappings/Contact", mapping_form(good))

    assert answer.status_code == 303, answer.text
    with pages.runtime.sessions() as session:
        saved = get_mapping(session, get_service(session, "acme/support"), "Contact")
        assert saved is not None
        assert [(r.source, r.target) for r in saved.rows] == [
            ("Email", "email"),
            ("Title", "title"),
        ]


def test_another_orgs_service_is_not_found(pages: AdminPages) -> None:
    with pages.runtime.sessions() as session:
        other = create_service(session, create_org(session, "globex"), "sales")
        session.commit()
        other_id = other.id

    page = pages.client.get(f"/services/{other_id}")
    answer = post_settings(pages, other_id, pull="leads")

    assert page.status_code == 404 and answer.status_code == 404
    with pages.runtime.sessions() as session:
        assert get_service(session, "globex/sales").pull_objects is not PullObjects.LEADS


def test_settings_posts_need_the_form_token(pages: AdminPages) -> None:
    support = service(pages)

    answer = pages.client.post(f"/services/{support.id}/settings", data=settings_form(pull="leads"))

    assert answer.status_code == 403
    assert service(pages).pull_objects is not PullObjects.LEADS


def test_a_viewer_sees_the_settings_but_cannot_change_them(pages: AdminPages) -> None:
    pages.add_admin("acme", "vic@acme.example.com", AdminRole.VIEWER)
    pages.log_in("acme", "vic@acme.example.com")
    support = service(pages)

    page = pages.client.get(f"/services/{support.id}")
    answer = post_settings(pages, support.id, pull="leads")

    assert page.status_code == 200 and "Verify and Save" not in page.text
    assert answer.status_code == 403
    assert service(pages).pull_objects is not PullObjects.LEADS


def test_a_contact_field_of_its_own_is_added_offered_as_a_target_and_removed(
    pages: AdminPages,
) -> None:
    support = service(pages)

    added = pages.post_form(
        f"/services/{support.id}/fields",
        {"name": "loyalty_tier", "type": "choice", "choices": "Gold, Silver"},
    )
    page = pages.client.get(f"/services/{support.id}")
    removed = pages.post_form(f"/services/{support.id}/fields/loyalty_tier/remove")
    after = pages.client.get(f"/services/{support.id}")

    assert added.status_code == 303 and added.headers["location"].endswith("#fields")
    assert "Field loyalty_tier added" in page.text
    assert "<td>loyalty_tier</td><td>choice</td><td>Gold, Silver</td>" in page.text
    assert '<option value="loyalty_tier"' in page.text  # a target the mapping editor offers
    assert 'aria-label="Remove field loyalty_tier"' in page.text
    assert removed.status_code == 303
    assert "Field loyalty_tier removed" in after.text
    assert "<td>loyalty_tier</td>" not in after.text


def test_a_wrong_field_is_refused_with_the_reason_and_a_viewer_adds_none(
    pages: AdminPages,
) -> None:
    support = service(pages)

    refused = pages.post_form(
        f"/services/{support.id}/fields", {"name": "city", "type": "choice", "choices": "A, B"}
    )
    pages.add_admin("acme", "vic@acme.example.com", AdminRole.VIEWER)
    pages.log_in("acme", "vic@acme.example.com")
    viewer = pages.post_form(f"/services/{support.id}/fields", {"name": "vip", "type": "boolean"})

    assert refused.status_code == 400
    assert "<p>Field not added:</p>" in refused.text
    assert 'id="fields-problem-1">&#39;city&#39; is a built-in contact field.' in refused.text
    assert 'name="name" value="city"' in refused.text  # what was typed stays in the form
    assert '<option value="choice" selected>' in refused.text
    assert 'name="choices" value="A, B"' in refused.text
    assert "Field not added" not in pages.client.get(f"/services/{support.id}").text  # said once
    assert viewer.status_code == 403
    assert "<td>vip</td>" not in pages.client.get(f"/services/{support.id}").text


def test_the_page_shows_a_stream_that_needs_attention_and_retries_it(pages: AdminPages) -> None:
    support = service(pages)
    post_settings(pages, support.id)  # schedules the streams
    failure = StreamFailure(
        FailureKind.NEEDS_ATTENTION, "mapping_invalid", "row 2: Contact has no field 'Region__c'"
    )
    with pages.runtime.sessions() as session:
        state = load_state(session.connection(), support.id, "pull:Contact")
        failed = after_failure(state, failure, utcnow())
        save_state(session.connection(), support.id, "pull:Contact", failed)
        session.commit()

    page = pages.client.get(f"/services/{support.id}")
    retried = pages.post_form(f"/services/{support.id}/retry")

    assert '<td class="stream-status">Needs Attention</td>' in page.text
    assert "row 2: Contact has no field &#39;Region__c&#39;" in page.text
    assert retried.status_code == 303
    notice = pages.client.get(retried.headers["location"]).text
    assert "pull:Contact runs again at the scheduler&#39;s next tick." in notice
    with pages.runtime.sessions() as session:
        after = load_state(session.connection(), support.id, "pull:Contact")
    assert after.backoff_until is None and after.next_run_at < failed.next_run_at


def test_a_stream_turned_off_shows_no_interval_nor_next_run(pages: AdminPages) -> None:
    """pull:Lead after Contacts only: its row's old interval ("2 min") read as if it ran."""
    support = service(pages)
    post_settings(pages, support.id, pull="both", pull_every="2")
    post_settings(pages, support.id, pull="contacts", pull_every="7")

    page = pages.client.get(f"/services/{support.id}").text

    row = re.search(r"<tr[^>]*>\s*<td>pull:Lead</td>(.*?)</tr>", page, re.S)
    assert row is not None
    cells = [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
    assert cells[:3] == ["Off", "-", "-"]  # status, every, next run
    contact = re.search(r"<td>pull:Contact</td>.*?</tr>", page, re.S)
    assert contact is not None and "<td>7 min</td>" in contact.group()


def test_retry_now_with_nothing_failing_says_so(pages: AdminPages) -> None:
    support = service(pages)
    post_settings(pages, support.id)  # schedules the streams

    retried = pages.post_form(f"/services/{support.id}/retry")

    notice = pages.client.get(retried.headers["location"]).text
    assert "Nothing was failing, so nothing changed" in notice
    assert "run again at the scheduler" not in notice


def test_a_new_time_zone_takes_effect_at_the_end_of_the_day_as_the_page_says(
    pages: AdminPages,
) -> None:
    support = service(pages)

    answer = post_settings(pages, support.id, timezone="Asia/Tokyo")

    assert answer.status_code == 303, answer.text
    saved = service(pages)
    assert saved.timezone == "Asia/Tokyo"
    [change] = saved.timezone_changes
    assert change["zone"] == "UTC" and change["until"].endswith("T00:00:00+00:00")
    page = pages.client.get(answer.headers["location"]).text
    assert 'id="timezone" name="timezone" value="Asia/Tokyo"' in page
    assert "Days are counted in UTC until" in page and "then in Asia/Tokyo." in page


def test_a_cancelled_change_shows_the_days_written_in_the_other_zone_until_it_ends(
    pages: AdminPages,
) -> None:
    """Back to UTC after Tasks were written in Tokyo's days: Tokyo's stretch is still ahead."""
    with pages.runtime.sessions() as session:
        found = get_service(session, "acme/support")
        found.timezone_changes = [
            {"zone": "UTC", "until": "2100-01-02T00:00:00+00:00"},
            {"zone": "Asia/Tokyo", "until": "2100-01-03T15:00:00+00:00"},
        ]
        session.commit()

    page = html.unescape(pages.client.get(f"/services/{service(pages).id}").text)

    assert (
        "Days are counted in UTC until 2100-01-02 00:00 UTC, then in Asia/Tokyo until "
        "2100-01-03 15:00 UTC, then in UTC."
    ) in page
    assert (
        "a new one takes effect at the end of the current day, or of the latest day a Task was "
        "written for when that is later"
    ) in page


def test_the_time_zone_help_says_a_new_zone_is_refused_while_a_push_runs(
    pages: AdminPages,
) -> None:
    page = html.unescape(pages.client.get(f"/services/{service(pages).id}").text)

    help_text = page.split('id="timezone-now">')[1].split("</p>")[0]
    assert (
        "While an activity push of the service runs, a new zone is refused and nothing is "
        "saved: save again once the push ends."
    ) in help_text


def test_an_unknown_time_zone_is_refused_by_name_keeping_what_was_typed(pages: AdminPages) -> None:
    support = service(pages)

    answer = post_settings(pages, support.id, timezone="Asia/Tokio", activities_every="30")

    assert answer.status_code == 400
    assert "Unknown time zone &#39;Asia/Tokio&#39;" in answer.text
    assert 'value="Asia/Tokio"' in answer.text
    saved = service(pages)
    assert (saved.timezone, saved.timezone_changes, saved.activities_interval_minutes) == (
        "UTC",
        [],
        60,
    )


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_a_new_zone_is_refused_while_an_activity_push_runs_and_other_settings_are_not(
    admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer, backend: str
) -> None:
    """The change takes effect after the latest day a push wrote: it holds the pushes' lease
    from reading that day until it commits, so it waits for no push to end, but says so."""
    pages = acme_support(admin_pages_factory(backend=backend), sandbox)
    support, engine, push = service(pages), pages.runtime.engine, "worker at elsewhere:1:1"
    assert take_lease(engine, support.id, "activities", push, dt.timedelta(minutes=5))

    refused = post_settings(pages, support.id, timezone="Asia/Tokyo", activities_every="30")
    unchanged = service(pages)
    others = post_settings(pages, support.id, timezone="UTC", activities_every="45")
    others_saved = service(pages)
    assert release_lease(engine, support.id, "activities", push)
    moved = post_settings(pages, support.id, timezone="Asia/Tokyo")

    assert refused.status_code == 400
    [(problem_id, text)] = problems_of(refused.text).items()
    assert text == (
        "Nothing was saved: an activity push of acme/support is running, and the service's "
        "time zone cannot change while it writes the days' Tasks; try again once it ends."
    )
    assert f'aria-invalid="true" aria-describedby="{problem_id}"' in control(
        refused.text, "timezone"
    )
    assert 'value="Asia/Tokyo"' in control(refused.text, "timezone")  # what was typed, kept
    assert (unchanged.timezone, unchanged.timezone_changes) == ("UTC", [])
    assert unchanged.activities_interval_minutes == 60
    assert others.status_code == 303, others.text  # the zone it has: no lease needed
    assert others_saved.activities_interval_minutes == 45
    assert moved.status_code == 303, moved.text
    assert service(pages).timezone == "Asia/Tokyo"
    assert take_lease(engine, support.id, "activities", push, dt.timedelta(minutes=5))  # freed


def problems_of(page: str, form: str = "settings") -> dict[str, str]:
    """The form's problems by id, the text before any list of details."""
    found = re.findall(rf'<li class="problem" id="({form}-problem-\d+)">([^<]*)', page)
    return {id_: html.unescape(text).strip() for id_, text in found}


def test_a_query_missing_a_field_is_said_first_and_the_rows_it_leaves_unread_once(
    pages: AdminPages,
) -> None:
    support = service(pages)
    pairs = [
        ("FirstName", "first_name"), ("LastName", "last_name"), ("Email", "email"),
        ("Phone", "phone"), ("MobilePhone", "mobile_phone"), ("Title", "title"),
        ("MailingCity", "city"),
    ]  # fmt: skip
    rows = Mapping(tuple(MappingRow(source, target) for source, target in pairs))
    saved = pages.post_form(f"/services/{support.id}/mappings/Contact", mapping_form(rows))

    answer = post_settings(pages, support.id, pull="custom", soql="SELECT Id, Emial FROM Contact")

    assert saved.status_code == 303, saved.text
    assert answer.status_code == 400
    assert list(problems_of(answer.text).values()) == [
        "Contact: the query: Contact has no field 'Emial'.",
        "Contact: rows 1 to 7 read fields the query does not select: FirstName, LastName, "
        "Email, Phone, MobilePhone, Title, MailingCity; add them to its SELECT list or remove "
        "the rows.",
    ]  # one item each, the query's own first, not one block of every row
    details = re.search(r"<details><summary>All 7, one by one</summary><ul>(.*?)</ul>", answer.text)
    assert details is not None
    each = re.findall(r"<li>(.*?)</li>", html.unescape(details.group(1)))
    assert (
        each[0] == "Row 1: FirstName is not in the query's SELECT list; add it or remove the row."
    )
    assert len(each) == 7
    query = control(answer.text, "soql")
    assert 'aria-invalid="true" aria-describedby="settings-problem-1 settings-problem-2"' in query
    assert "aria-invalid" not in control(answer.text, "pull_every")


@pytest.mark.parametrize(
    ("typed", "at_fault", "said"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone", "Unknown time zone 'Mars/Olympus'"),
        (
            {"timezone": "Z" * 4000},  # too long for a file name: not a 500
            "timezone",
            f"Unknown time zone {'Z' * 40!r}... (4,000 characters): use an IANA name",
        ),
        (
            {"pull": "leads", "routing": "LeadSorce = 'Web'"},
            "routing",
            "Lead: the routing rule of support: Lead has no field 'LeadSorce'",
        ),
        ({"pull_every": "0"}, "pull_every", "Pull every must be a whole number of minutes"),
        ({"pull": "custom", "soql": "SELECT Id FROM"}, "soql", "The custom query does not parse"),
        ({"activities_every": "0"}, "activities_every", "Activities every must be a whole"),
        ({"task_subject": "Chat {x}"}, "task_subject", "Unknown placeholder {x}"),
    ],
)
def test_the_settings_field_at_fault_is_marked_and_described_by_its_problem(
    pages: AdminPages, typed: dict[str, str], at_fault: str, said: str
) -> None:
    support = service(pages)

    answer = post_settings(pages, support.id, **typed)

    assert answer.status_code == 400
    [(problem_id, text)] = problems_of(answer.text).items()
    assert text.startswith(said)
    marked = control(answer.text, at_fault)
    assert f'aria-invalid="true" aria-describedby="{problem_id}"' in marked
    others = set(SETTINGS_CONTROLS) - {at_fault, "pull", "activities_to", "update_only"}
    assert all("aria-invalid" not in control(answer.text, other) for other in others)


def test_a_refused_contact_field_marks_the_field_at_fault(pages: AdminPages) -> None:
    support = service(pages)

    named = pages.post_form(f"/services/{support.id}/fields", {"name": "email", "type": "text"})
    chosen = pages.post_form(
        f"/services/{support.id}/fields", {"name": "tier", "type": "choice", "choices": ""}
    )

    assert named.status_code == chosen.status_code == 400
    [(problem_id, text)] = problems_of(named.text, "fields").items()
    assert text == "'email' is a built-in contact field."
    assert f'aria-invalid="true" aria-describedby="{problem_id}"' in control(
        named.text, "field_name"
    )
    assert "aria-invalid" not in control(named.text, "field_choices")
    assert 'aria-invalid="true"' in control(chosen.text, "field_choices")
    assert "aria-invalid" not in control(chosen.text, "field_name")


def test_a_refusal_quotes_a_long_value_typed_by_its_start_and_length(pages: AdminPages) -> None:
    support = service(pages)
    name, zone = "x" * 5000, "Mars/" + "o" * 995

    field = pages.post_form(f"/services/{support.id}/fields", {"name": name, "type": "text"})
    settings = post_settings(pages, support.id, timezone=zone)
    removed = pages.post_form(f"/services/{support.id}/fields/{'x' * 500}/remove")
    notice = pages.client.get(removed.headers["location"]).text

    [field_problem] = problems_of(field.text, "fields").values()
    [zone_problem] = problems_of(settings.text, "settings").values()
    assert field_problem.startswith(f"'{'x' * 40}'... (5,000 characters) is not a field name: ")
    assert zone_problem.startswith(f"Unknown time zone '{'Mars/' + 'o' * 35}'... (1,000 charac")
    assert f"&#39;{'x' * 40}&#39;... (500 characters) does not exist" in notice
    assert "x" * 41 not in notice
    assert f'name="name" value="{name}"' in field.text  # the form keeps it whole, to edit


def test_a_target_typed_in_the_wrong_case_is_refused_with_its_spelling(pages: AdminPages) -> None:
    support = service(pages)
    rows = Mapping((MappingRow("LastName", "last_name"), MappingRow("MailingCity", "City")))

    answer = pages.post_form(f"/services/{support.id}/mappings/Contact", mapping_form(rows))

    assert answer.status_code == 400
    assert (
        "Row 2: there is no contact field &#39;City&#39;; did you mean &#39;city&#39;? The names "
        "are case-sensitive."
    ) in answer.text
    assert 'aria-invalid="true"' in control(answer.text, "mapping-Contact-target-2")


def test_run_now_runs_one_stream_at_the_next_tick_and_says_so(pages: AdminPages) -> None:
    support = service(pages)
    post_settings(pages, support.id, pull="both")  # schedules the streams
    with pages.runtime.sessions() as session:
        before = load_state(session.connection(), support.id, "pull:Lead")
    page = pages.client.get(f"/services/{support.id}").text

    ran = pages.post_form(f"/services/{support.id}/run-now", {"stream": "pull:Contact"})

    assert '<button type="submit" name="stream" value="pull:Contact"' in page
    assert 'aria-label="Run activities now"' in page  # each enabled stream has one
    assert ran.status_code == 303 and ran.headers["location"].endswith("#streams")
    notice = pages.client.get(ran.headers["location"]).text
    assert "pull:Contact runs at the scheduler&#39;s next tick" in notice
    with pages.runtime.sessions() as session:
        contact = load_state(session.connection(), support.id, "pull:Contact")
        lead = load_state(session.connection(), support.id, "pull:Lead")
    assert contact.next_run_at <= utcnow()
    assert lead.next_run_at == before.next_run_at  # the others keep their times


def test_run_now_of_no_stream_runs_nothing_and_a_viewer_may_not(pages: AdminPages) -> None:
    support = service(pages)
    post_settings(pages, support.id)  # schedules the streams

    unknown = pages.post_form(f"/services/{support.id}/run-now", {"stream": "pull:Lead"})
    notice = pages.client.get(unknown.headers["location"]).text
    unsigned = pages.client.post(f"/services/{support.id}/run-now", data={"stream": "activities"})
    pages.add_admin("acme", "vic@acme.example.com", AdminRole.VIEWER)
    pages.log_in("acme", "vic@acme.example.com")
    viewer = pages.post_form(f"/services/{support.id}/run-now", {"stream": "activities"})
    page = pages.client.get(f"/services/{support.id}").text

    assert "support has no stream pull:Lead scheduled, so nothing was run." in notice
    assert unsigned.status_code == viewer.status_code == 403
    assert "Run now" not in page


def test_a_disconnected_connection_links_to_the_connections_page(pages: AdminPages) -> None:
    disconnected(pages)

    page = pages.client.get(f"/services/{service(pages).id}").text

    assert (
        'reconnect it first, with the Reconnect button on its card on <a href="/connections">'
        "the Connections page</a>."
    ) in page


def test_settings_saved_while_salesforce_is_down_are_said_saved_not_to_be_tried_again(
    admin_pages_factory: AdminPagesFactory, make_sandbox: SandboxFactory
) -> None:
    down = make_sandbox(fail_rate=1.0)  # every API call answered 503, as in an outage
    app = admin_pages_factory()
    app.add_admin("acme", "ann@acme.example.com")
    connection_id = app.connect_to("acme", down)
    with app.runtime.sessions() as session:
        connection = session.get(Connection, connection_id)
        create_service(session, get_org(session, "acme"), "support", connection=connection)
        session.commit()
    app.log_in("acme", "ann@acme.example.com")
    support = service(app)

    answer = post_settings(app, support.id, pull=support.pull_objects.value, pull_every="30")

    assert answer.status_code == 303, answer.text
    page = app.client.get(answer.headers["location"]).text
    [notice] = [
        html.unescape(n)
        for n in re.findall(r'<div class="notice" role="status"><p>(.*?)</p>', page)
    ]
    assert notice.startswith(
        "Saved without verifying against Salesforce, which could not be asked: Salesforce "
        "could not be reached ("
    )
    assert "try again in a moment" not in notice  # it was saved
    assert service(app).pull_interval_minutes == 30


def broken_contact_mapping(
    pages: AdminPages, sandbox: SandboxServer, fields: tuple[str, ...] = ("Tier__c",)
) -> int:
    """The service's Contact mapping saved with a row reading each of `fields` (the first to
    `title`, the others to `company`), which Salesforce then deletes: the service's id."""
    support = service(pages)
    made = [
        sandbox.org.custom_fields.create(
            {"FullName": f"Contact.{name}", "Metadata": {"type": "Text", "label": name[:-3],
                                                          "length": 9}}
        )
        for name in fields
    ]  # fmt: skip
    targets = ("title", *("company" for _ in fields[1:]))
    rows = Mapping(
        (
            MappingRow("LastName", "last_name"),
            *(MappingRow(name, target) for name, target in zip(fields, targets, strict=True)),
        )
    )
    saved = pages.post_form(f"/services/{support.id}/mappings/Contact", mapping_form(rows))
    assert saved.status_code == 303
    for field_id in made:
        sandbox.org.custom_fields.delete(field_id)
    return support.id


def test_an_interval_saved_while_the_mapping_no_longer_verifies_says_so_with_its_problems(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    service_id = broken_contact_mapping(pages, sandbox, ("Tier__c", "Zone__c"))

    answer = post_settings(
        pages, service_id, pull=service(pages).pull_objects.value, pull_every="45"
    )

    assert answer.status_code == 303
    assert service(pages).pull_interval_minutes == 45
    page = pages.client.get(answer.headers["location"]).text
    [(text, listed)] = re.findall(
        r'<div class="notice" role="status"><p>(.*?)</p><ul>(.*?)</ul></div>', page, re.S
    )
    assert html.unescape(text).startswith("Settings saved. Projected Salesforce API calls a day:")
    assert html.unescape(text).endswith(" The pull settings no longer verify:")
    items = [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", listed)]
    assert items == [  # a list item each: they ran together on one line
        "Contact: row 2: Contact has no field 'Tier__c'.",
        "Contact: row 3: Contact has no field 'Zone__c'.",
    ]


def test_a_routing_change_refused_for_a_broken_mapping_says_to_fix_the_mapping_first(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    service_id = broken_contact_mapping(pages, sandbox)

    answer = post_settings(pages, service_id, routing="LastName != null")

    assert answer.status_code == 400
    assert service(pages).routing_condition is None
    text = html.unescape(answer.text)
    assert (
        "What to pull, the query and the routing rule are changed only once the pull settings "
        "verify, and the Contact mapping no longer does: fix it in its editor below first"
    ) in text
    assert text.index("fix it in its editor below first") < text.index("'Tier__c'")


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_the_streams_say_when_no_worker_runs_them_in_the_distributed_mode(
    admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer, backend: str
) -> None:
    """On PostgreSQL `serve` runs no syncs: due streams with no live `forcebridge worker` wait
    forever, and the services list, the service's page and the API say so; on SQLite `serve`
    runs them and there is nothing to say."""
    pages = acme_support(admin_pages_factory(backend=backend), sandbox)
    engine = pages.runtime.engine
    with engine.begin() as connection:
        reconcile_schedules(connection, utcnow())

    api = Api(pages)

    def seen() -> tuple[str, str, Any]:
        listed = pages.client.get("/services").text
        one = pages.client.get(f"/services/{service(pages).id}").text
        return listed, one, api.get("/services").json()["services"][0].get("workers")

    *without, in_api = seen()
    if backend == "postgres":
        ensure_procrastinate_schema(engine)
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO procrastinate_workers DEFAULT VALUES"))
    *alive, alive_in_api = seen()

    assert ">OK<" in without[1]
    shown = NO_WORKER.replace("`forcebridge worker`", "<code>forcebridge worker</code>")
    for page in without:
        assert (shown in html.unescape(page)) == (backend == "postgres")
    for page in alive:
        assert shown not in html.unescape(page)
    if backend == "postgres":
        assert (in_api["alive"], in_api["warning"]) == (0, NO_WORKER)
        assert (alive_in_api["alive"], alive_in_api["warning"]) == (1, None)
    else:
        assert in_api is alive_in_api is None
