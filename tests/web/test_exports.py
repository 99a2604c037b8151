"""The export settings page against the sandbox's live describes: allowed objects, and the
mapping editor's "Verify and Save" refusing a bad mapping (problems named, nothing saved, edits
kept) and saving a good one."""

from __future__ import annotations

import re

import pytest

from forcebridge.mapping.defaults import default_export_mapping
from forcebridge.mapping.model import Mapping, MappingRow, UpdateOption
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import AdminRole
from forcebridge.store.repositories.connections import forget_credentials, list_connections
from forcebridge.store.repositories.export_preferences import allowed_objects
from forcebridge.store.repositories.mappings import get_org_mapping
from forcebridge.store.repositories.orgs import get_org
from tests.web.conftest import AdminPages, AdminPagesFactory, mapping_form


@pytest.fixture
def pages(admin_pages_factory: AdminPagesFactory, sandbox: SandboxServer) -> AdminPages:
    """acme connected to the sandbox, ann logged in as its admin."""
    app = admin_pages_factory()
    app.add_admin("acme", "ann@acme.example.com")
    app.connect_to("acme", sandbox)
    app.log_in("acme", "ann@acme.example.com")
    return app


def saved_rows(pages: AdminPages, sobject: str) -> list[tuple[str, str, UpdateOption]] | None:
    with pages.runtime.sessions() as session:
        mapping = get_org_mapping(session, get_org(session, "acme"), sobject)
        if mapping is None:
            return None
        return [(r.source, r.target, r.update_option) for r in mapping.rows]


def selected(html: str, row: int, column: str) -> str:
    """The option chosen in `column` of editor row `row` (1-based) on the first editor."""
    rows = re.findall(r'<tr class="[^"]*" data-row="\d+">(.*?)</tr>', html, re.S)
    cell = re.search(rf'name="{column}".*?<option value="([^"]*)" selected', rows[row - 1], re.S)
    assert cell, f"nothing selected in {column} of row {row}"
    return cell.group(1)


def test_the_page_needs_a_login(admin_pages_factory: AdminPagesFactory) -> None:
    answer = admin_pages_factory().client.get("/export", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fexport"


def test_the_page_shows_the_default_mappings_with_salesforce_labels(pages: AdminPages) -> None:
    page = pages.client.get("/export")

    assert page.status_code == 200
    assert "Nothing saved yet" in page.text
    assert ">Last Name (LastName)</option>" in page.text
    assert 'id="mapping-Lead"' in page.text and 'id="mapping-Account"' in page.text
    assert "Verify and Save" in page.text


def test_verify_and_save_refuses_a_bad_mapping_names_each_problem_and_saves_nothing(
    pages: AdminPages,
) -> None:
    bad = Mapping(
        (
            MappingRow("email", "Email", UpdateOption.FILL_EMPTY),
            MappingRow("direct_phone", "NoSuchField__c", UpdateOption.OVERWRITE),
        )
    )

    answer = pages.post_form("/export/mappings/Lead", mapping_form(bad))

    assert answer.status_code == 400
    assert "Not saved" in answer.text
    assert "Row 2:" in answer.text and "NoSuchField__c" in answer.text
    assert "LastName" in answer.text and "Company" in answer.text  # required, not mapped
    assert selected(answer.text, 2, "target") == "NoSuchField__c"  # the edit is kept
    assert selected(answer.text, 2, "update") == "overwrite"
    assert saved_rows(pages, "Lead") is None


def test_verify_and_save_saves_a_good_mapping(pages: AdminPages) -> None:
    good = Mapping(
        (
            *default_export_mapping("Lead").rows,
            MappingRow("mobile_phone", "Phone", UpdateOption.OVERWRITE),
        )
    )

    answer = pages.post_form("/export/mappings/Lead", mapping_form(good))

    assert answer.status_code == 303
    assert saved_rows(pages, "Lead") == [(r.source, r.target, r.update) for r in good.rows]
    page = pages.client.get(answer.headers["location"])
    assert "Lead export mapping saved" in page.text


def test_adding_and_removing_rows_keeps_the_edits_and_saves_nothing(pages: AdminPages) -> None:
    rows = default_export_mapping("Contact").rows

    added = pages.post_form("/export/mappings/Contact", mapping_form(Mapping(rows), "add"))
    removed = pages.post_form("/export/mappings/Contact", mapping_form(Mapping(rows), "remove:1"))

    contact_editor = added.text.split('id="mapping-Contact"')[1].split("</section>")[0]
    assert contact_editor.count("data-row=") == len(rows) + 1
    removed_editor = removed.text.split('id="mapping-Contact"')[1].split("</section>")[0]
    assert removed_editor.count("data-row=") == len(rows) - 1
    assert saved_rows(pages, "Contact") is None


def test_moving_a_row_changes_which_source_is_tried_first_keeping_the_edits(
    pages: AdminPages,
) -> None:
    rows = Mapping(
        (
            MappingRow("last_name", "LastName"),
            MappingRow("direct_phone", "Phone", UpdateOption.FILL_EMPTY),
            MappingRow("company_phone", "Phone", UpdateOption.OVERWRITE),
        )
    )

    up = pages.post_form("/export/mappings/Lead", mapping_form(rows, "up:3"))
    down = pages.post_form("/export/mappings/Lead", mapping_form(rows, "down:2"))
    past_the_top = pages.post_form("/export/mappings/Lead", mapping_form(rows, "up:1"))

    for moved in (up, down):
        assert moved.status_code == 200
        assert [selected(moved.text, n, "source") for n in (1, 2, 3)] == [
            "last_name",
            "company_phone",
            "direct_phone",
        ]
        assert selected(moved.text, 3, "update") == "fill_empty"  # a row moves with its option
        phones = re.findall(r'<td class="level" title="row (\d)">(\d)</td>', moved.text)[1:3]
        assert phones == [("2", "1"), ("3", "2")]  # company_phone is now tried first
    assert [selected(past_the_top.text, n, "source") for n in (1, 2, 3)] == [
        "last_name",
        "direct_phone",
        "company_phone",
    ]
    assert saved_rows(pages, "Lead") is None


def test_the_allowed_objects_are_saved_and_shown(pages: AdminPages) -> None:
    answer = pages.post_form("/export/objects", {"objects": ["Lead", "Account"]})

    assert answer.status_code == 303
    with pages.runtime.sessions() as session:
        assert allowed_objects(session, get_org(session, "acme")) == ["Account", "Lead"]
    page = pages.client.get("/export").text
    assert 'value="Lead" checked' in page and 'value="Contact" >' in page


def test_a_post_without_the_form_token_is_refused(pages: AdminPages) -> None:
    answer = pages.client.post(
        "/export/mappings/Lead", data=mapping_form(default_export_mapping("Lead"))
    )

    assert answer.status_code == 403
    assert saved_rows(pages, "Lead") is None


def test_a_viewer_sees_the_mappings_but_cannot_save(pages: AdminPages) -> None:
    pages.add_admin("acme", "vic@acme.example.com", AdminRole.VIEWER)
    pages.log_in("acme", "vic@acme.example.com")

    page = pages.client.get("/export")
    answer = pages.post_form("/export/mappings/Lead", mapping_form(default_export_mapping("Lead")))

    assert page.status_code == 200 and "Verify and Save" not in page.text
    assert answer.status_code == 403
    assert saved_rows(pages, "Lead") is None


def test_without_a_connection_the_page_says_to_connect_first_and_still_offers_the_objects(
    admin_pages_factory: AdminPagesFactory,
) -> None:
    """Which objects users may export needs no Salesforce; the mappings do."""
    unconnected = admin_pages_factory()
    unconnected.add_admin("acme", "ann@acme.example.com")
    unconnected.log_in("acme", "ann@acme.example.com")

    page = unconnected.client.get("/export")

    assert page.status_code == 200
    assert "connect exactly one on the Connections page first" in page.text
    assert 'name="objects"' in page.text and "Verify and Save" not in page.text


def test_a_mapping_submitted_while_salesforce_is_out_of_reach_stays_on_the_page(
    pages: AdminPages,
) -> None:
    rows = Mapping((MappingRow("last_name", "LastName"), MappingRow("company_name", "Company")))
    with pages.runtime.sessions() as session:
        [connection] = list_connections(session, get_org(session, "acme"))
        forget_credentials(session, connection)
        session.commit()

    answer = pages.post_form("/export/mappings/Lead", mapping_form(rows))

    assert answer.status_code == 409
    assert "Nothing was checked or saved:" in answer.text
    assert (selected(answer.text, 2, "source"), selected(answer.text, 2, "target")) == (
        "company_name",
        "Company",
    )
    assert saved_rows(pages, "Lead") is None


def test_an_object_no_export_writes_is_refused_not_dropped(pages: AdminPages) -> None:
    answer = pages.post_form("/export/objects", {"objects": ["Lead", "Opportunity"]})

    assert answer.status_code == 400
    assert "not Opportunity" in answer.text
    with pages.runtime.sessions() as session:
        assert allowed_objects(session, get_org(session, "acme")) == []
