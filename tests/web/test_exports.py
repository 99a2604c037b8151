"""The export settings page against the sandbox's live describes: allowed objects, and the
mapping editor's "Verify and Save" refusing a bad mapping (problems named, nothing saved, edits
kept) and saving a good one."""

from __future__ import annotations

import re

import pytest

from forcebridge.mapping.defaults import default_export_mapping
from forcebridge.mapping.model import Mapping, MappingRow, UpdateOption
from forcebridge.mapping.prospect_fields import PROSPECT_FIELDS
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import AdminRole
from forcebridge.store.repositories.connections import forget_credentials, list_connections
from forcebridge.store.repositories.export_preferences import allowed_objects
from forcebridge.store.repositories.mappings import get_org_mapping, save_org_mapping
from forcebridge.store.repositories.orgs import get_org
from forcebridge.web.mapping_editor import MAX_ROWS
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
    rows = re.findall(r'<tr class="[^"]*" id="[^"]*" data-row="\d+">(.*?)</tr>', html, re.S)
    cell = re.search(rf'name="{column}".*?<option value="([^"]*)" selected', rows[row - 1], re.S)
    assert cell, f"nothing selected in {column} of row {row}"
    return cell.group(1)


def priority(html: str, row: int) -> str | None:
    """What editor row `row` says of its place among the rows feeding its target, if anything."""
    rows = re.findall(r'<tr class="[^"]*" id="[^"]*" data-row="\d+">(.*?)</tr>', html, re.S)
    said = re.search(r'<small class="priority"[^>]*>(.*?)</small>', rows[row - 1])
    return said.group(1) if said else None


def editor_of(html: str, sobject: str) -> str:
    return html.split(f'id="mapping-{sobject}"')[1].split("</section>")[0]


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


def test_an_update_option_the_editor_does_not_offer_is_a_problem_of_its_row_with_the_others(
    pages: AdminPages,
) -> None:
    rows = Mapping(
        (
            MappingRow("last_name", "LastName"),
            MappingRow("company_name", "Company"),
            MappingRow("direct_phone", "NoSuchField__c"),
        )
    )
    crafted = mapping_form(rows) | {"update": ["overwrite", "sometimes", "fill_empty"]}

    answer = pages.post_form("/export/mappings/Lead", crafted)

    assert answer.status_code == 400
    assert "Not saved" in answer.text
    assert (
        "Row 2: the update option &#39;sometimes&#39; is not one the editor offers: choose "
        "Overwrite or Fill empty only." in answer.text
    )
    assert "Row 3:" in answer.text and "NoSuchField__c" in answer.text
    assert "UpdateOption" not in answer.text and "Not possible" not in answer.text
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
        assert [priority(moved.text, n) for n in (1, 2, 3)] == [
            None,  # no other row feeds LastName
            "source 1 of 2 for this target",  # company_phone is now tried first
            "source 2 of 2 for this target",
        ]
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
    assert (
        'acme has no Salesforce connection: connect one on <a href="/connections">the '
        "Connections page</a> first."
    ) in page.text
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


def test_the_saved_notice_is_shown_in_the_mappings_section_the_page_opens_at(
    pages: AdminPages,
) -> None:
    answer = pages.post_form("/export/mappings/Lead", mapping_form(default_export_mapping("Lead")))

    assert answer.headers["location"] == "/export#mapping-Lead"
    page = pages.client.get(answer.headers["location"]).text
    assert "Lead export mapping saved. Verified:" in editor_of(page, "Lead")
    assert page.count("Lead export mapping saved") == 1  # there, not again at the top


def test_rows_are_numbered_as_problems_name_them_and_blank_targets_form_no_hierarchy(
    pages: AdminPages,
) -> None:
    rows = Mapping(
        (
            MappingRow("last_name", "LastName"),
            MappingRow("email", ""),
            MappingRow("company_name", ""),
            MappingRow("direct_phone", "Phone"),
            MappingRow("company_phone", "Phone"),
        )
    )

    answer = pages.post_form("/export/mappings/Lead", mapping_form(rows))

    assert answer.status_code == 400
    lead = editor_of(answer.text, "Lead")
    numbers = re.findall(r'data-row="\d+">\s*<td class="number">(\d+)</td>', lead)
    assert numbers == ["1", "2", "3", "4", "5"]  # the number each problem names
    assert "Row 3: the target is blank; pick a field or remove the row." in answer.text
    assert [priority(answer.text, n) for n in (2, 3, 4, 5)] == [
        None,  # "(choose)" twice is no hierarchy
        None,
        "source 1 of 2 for this target",
        "source 2 of 2 for this target",
    ]


def test_each_editor_button_comes_back_at_the_control_to_carry_on_with(pages: AdminPages) -> None:
    """A keyboard user lands on the moved row's arrow, the row added, or the row in a removed
    one's place; the browser goes to that id (see `test_pages_browser.py`)."""
    rows = Mapping(tuple(MappingRow(f, "Phone") for f in ("direct_phone", "company_phone")))

    page = pages.post_form("/export/mappings/Lead", mapping_form(rows, "add")).text

    lead = editor_of(page, "Lead")
    assert 'id="mapping-Lead-row-3"' in lead
    assert '<form method="post" action="/export/mappings/Lead#mapping-Lead-outcome">' in lead
    goes_to = dict(re.findall(r'id="(mapping-Lead-[a-z]+-?\d*)" formaction="[^"#]*#([^"]+)"', lead))
    assert goes_to["mapping-Lead-up-2"] == "mapping-Lead-down-1"  # row 1 cannot go up
    assert goes_to["mapping-Lead-down-2"] == "mapping-Lead-up-3"
    assert goes_to["mapping-Lead-remove-3"] == "mapping-Lead-source-2"
    assert goes_to["mapping-Lead-add"] == "mapping-Lead-source-4"


def test_export_targets_are_only_fields_an_export_can_write(pages: AdminPages) -> None:
    page = pages.client.get("/export").text

    targets = re.findall(r'name="target".*?</select>', editor_of(page, "Lead"), re.S)[0]
    assert 'value="Email"' in targets and 'value="LastName"' in targets
    for never_written in ("Id", "CreatedDate", "SystemModstamp", "IsConverted", "Name"):
        assert f'value="{never_written}"' not in targets
    for lookup in ("OwnerId", "IndividualId"):  # ids, which no prospect field gives
        assert f'value="{lookup}"' not in targets


def test_with_several_connections_the_admin_chooses_the_one_the_mappings_are_checked_against(
    pages: AdminPages, sandbox: SandboxServer
) -> None:
    pages.connect_to("acme", sandbox, name="eu")

    unchosen = pages.client.get("/export")
    chosen = pages.client.get("/export?connection=eu")
    saved = pages.post_form(
        "/export/mappings/Lead?connection=eu", mapping_form(default_export_mapping("Lead"))
    )
    unknown = pages.client.get("/export?connection=nope")

    assert unchosen.status_code == 200 and "Verify and Save" not in unchosen.text
    assert (
        "cannot be shown now: choose which of acme&#39;s 2 Salesforce connections (eu and "
        "sandbox) to check them against, below." in unchosen.text
    )
    assert '<option value="eu" >eu</option>' in unchosen.text
    assert '<option value="">(choose a connection)</option>' in unchosen.text
    assert '<option value="eu" selected>eu</option>' in chosen.text
    assert 'action="/export/mappings/Lead?connection=eu#mapping-Lead-outcome"' in chosen.text
    assert 'action="/export/objects?connection=eu#objects"' in chosen.text
    assert saved.headers["location"] == "/export?connection=eu#mapping-Lead"
    assert saved_rows(pages, "Lead") is not None
    assert "acme has no Salesforce connection named nope: choose one of eu and sandbox." in (
        unknown.text
    )


def test_a_viewer_is_told_their_account_is_read_only(pages: AdminPages) -> None:
    admins_page = pages.client.get("/export").text
    pages.add_admin("acme", "vic@acme.example.com", AdminRole.VIEWER)
    pages.log_in("acme", "vic@acme.example.com")

    page = pages.client.get("/export").text

    assert 'id="read-only"' in page and 'id="read-only"' not in admins_page
    assert "but not change anything, so the forms are greyed out." in page


def control(html: str, control_id: str) -> str:
    """The opening tag of the field with that id."""
    found = re.search(rf'<(?:select|input)[^>]*id="{control_id}"[^>]*>', html)
    assert found, f"no field {control_id}"
    return found.group(0)


def test_a_refused_mappings_fields_at_fault_are_marked_and_described_by_their_problem(
    pages: AdminPages,
) -> None:
    bad = Mapping(
        (
            MappingRow("email", "Email", UpdateOption.FILL_EMPTY),
            MappingRow("direct_phone", "NoSuchField__c", UpdateOption.OVERWRITE),
            MappingRow("", "Title", UpdateOption.OVERWRITE),
        )
    )

    lead = editor_of(pages.post_form("/export/mappings/Lead", mapping_form(bad)).text, "Lead")

    wrong_target = control(lead, "mapping-Lead-target-2")
    assert 'aria-invalid="true"' in wrong_target
    assert 'aria-describedby="mapping-Lead-problem-2-1"' in wrong_target
    assert re.search(r'id="mapping-Lead-problem-2-1">Row 2: Lead has no field', lead)
    assert 'aria-invalid="true"' in control(lead, "mapping-Lead-source-3")  # left blank
    for sound in ("source-1", "target-1", "source-2", "update-2", "target-3"):
        assert "aria-invalid" not in control(lead, f"mapping-Lead-{sound}")
    # Where the page opens, focused: what was refused, leading on to the first field at fault.
    assert 'id="mapping-Lead-outcome" tabindex="-1"' in lead
    assert '<a href="#mapping-Lead-target-2">go to the first field at fault</a>' in lead


def long_lead_mapping(rows: int) -> Mapping:
    """`rows` distinct rows that verify: every prospect field into each text field of a Lead,
    then the text ones into its phones."""
    names = [row.source for row in default_export_mapping("Lead").rows]
    sources = [*dict.fromkeys([*names, *PROSPECT_FIELDS.names])]
    texts = ["LastName", "Company", "FirstName", "Title", "Street", "City", "State", "Country"]
    texts += ["PostalCode", "Website", "Description", "Jigsaw", "CompanyDunsNumber", "Salutation"]
    texts += ["LeadSource", "Status", "Industry", "Rating"]
    pairs = [(source, target) for target in texts for source in sources]
    numbers = {f.name for f in PROSPECT_FIELDS.fields if f.type.family.value != "text"}
    pairs += [(s, t) for t in ("Phone", "MobilePhone", "Fax") for s in sources if s not in numbers]
    assert len(pairs) >= rows
    return Mapping(tuple(MappingRow(s, t, UpdateOption.FILL_EMPTY) for s, t in pairs[:rows]))


def test_a_mapping_of_400_rows_is_saved_and_shown_with_one_list_of_suggestions_per_column(
    pages: AdminPages,
) -> None:
    long = long_lead_mapping(400)

    answer = pages.post_form("/export/mappings/Lead", mapping_form(long))

    assert answer.status_code == 303, answer.text
    assert len(saved_rows(pages, "Lead") or []) == 400
    lead = editor_of(pages.client.get("/export").text, "Lead")
    assert lead.count("data-row=") == 400
    assert f'value="{long.rows[-1].target}"' in control(lead, "mapping-Lead-target-400")
    assert 'list="mapping-Lead-targets"' in control(lead, "mapping-Lead-target-400")
    assert lead.count("<datalist") == 2  # sources and targets, once for all the rows
    assert lead.count("<option") < 3 * 400  # the update options, and the two lists once
    assert "Add row" in lead and "Verify and Save" in lead


def test_a_short_mapping_picks_its_fields_from_lists(pages: AdminPages) -> None:
    lead = editor_of(pages.client.get("/export").text, "Lead")

    assert "<datalist" not in lead
    assert control(lead, "mapping-Lead-target-1").startswith("<select")


def test_a_mapping_too_long_for_the_page_says_what_to_do_instead(pages: AdminPages) -> None:
    rows = MAX_ROWS + 1
    too_long = Mapping(tuple(MappingRow("email", f"F{n}__c") for n in range(rows)))

    answer = pages.post_form("/export/mappings/Lead", mapping_form(too_long))

    assert answer.status_code == 400
    assert f"This mapping has more than {MAX_ROWS:,} rows" in answer.text
    assert "forcebridge mapping set" in answer.text
    assert saved_rows(pages, "Lead") is None


def test_a_problem_of_the_whole_mapping_is_said_in_its_not_saved_alert(pages: AdminPages) -> None:
    rows = Mapping((MappingRow("email", "Email"), MappingRow("company_name", "Company")))

    lead = editor_of(pages.post_form("/export/mappings/Lead", mapping_form(rows)).text, "Lead")

    alert = re.search(
        r'<div class="alert" role="alert" id="mapping-Lead-outcome".*?</div>', lead, re.S
    )
    assert alert is not None
    assert "Not saved: the mapping has a problem. Your edits are kept." in alert.group(0)
    assert (
        '<li class="problem">Last Name (LastName) is required by Salesforce and no row fills '
        "it.</li>"
    ) in alert.group(0)  # what role=alert reads out, not only "each shown below"
    assert lead.count("is required by Salesforce") == 1
    assert "first field at fault" not in alert.group(0)  # no row is at fault


@pytest.mark.parametrize(
    ("sobject", "stops"), [("Lead", "Lead exports"), ("Account", "Contact exports")]
)
def test_a_saved_mapping_that_no_longer_verifies_says_the_exports_it_refuses(
    pages: AdminPages, sobject: str, stops: str
) -> None:
    rows = [(r.source, r.target, r.update) for r in default_export_mapping(sobject).rows]
    rows.append(("seniority", "Gone__c", UpdateOption.OVERWRITE))
    with pages.runtime.sessions() as session:
        save_org_mapping(session, get_org(session, "acme"), sobject, rows)
        session.commit()

    editor = editor_of(pages.client.get("/export").text, sobject)

    assert "This mapping no longer verifies against Salesforce" in editor
    assert f"and {stops} are refused until it is fixed:" in editor
    assert "sync" not in editor  # an export is no sync


def test_a_mapping_form_without_the_button_pressed_says_so(pages: AdminPages) -> None:
    form = mapping_form(default_export_mapping("Lead"))
    del form["action"]

    answer = pages.post_form("/export/mappings/Lead", form)

    assert answer.status_code == 400
    assert "field required" not in answer.text
    assert (
        "The mapping form came without the button pressed (<code>action</code>, "
        "<code>save</code> for Verify and Save), so nothing was checked or saved: reload the "
        "page, then press Verify and Save (or the button of the row to change)."
    ) in answer.text
    assert saved_rows(pages, "Lead") is None
