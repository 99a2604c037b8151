"""Lead exports end to end: the store (SQLite and PostgreSQL), the client, and a real sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.soql.builder import eq
from forcebridge.store.models import Run, RunStatus, UpdateOption
from forcebridge.store.repositories.export_preferences import disallow_objects
from forcebridge.store.repositories.mappings import save_org_mapping
from forcebridge.store.repositories.prospects import save_prospects
from forcebridge.sync.export import export_prospects
from forcebridge.sync.export_errors import ObjectNotAllowed
from forcebridge.sync.export_model import Action
from forcebridge.sync.export_results import ExportReport
from forcebridge.sync.export_sources import prospects_from_store
from tests.conftest import SandboxFactory
from tests.sync.exporting import ExportWorld

HEADER = "first_name,last_name,email,company_name,job_title,direct_phone"


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory, tmp_path: Path) -> Iterator[ExportWorld]:
    with ExportWorld.open(session, make_sandbox(), tmp_path) as world:
        yield world


def actions(report: ExportReport) -> list[tuple[int, Action]]:
    return [(r.row, r.action) for r in report.results]


def test_leads_are_created_and_a_second_export_updates_them_as_the_options_say(
    world: ExportWorld,
) -> None:
    created = world.export(
        "Lead",
        HEADER,
        "Ada,Lovelace,ada@example.com,Analytical Engines,CTO,",
        "Bob,Builder,bob@example.com,Builders Ltd,,",
    )

    assert created.status is RunStatus.SUCCEEDED
    assert actions(created) == [(2, Action.CREATED), (3, Action.CREATED)]
    leads = world.records("Lead", "Email", "Title", "Company")
    assert [(r["Email"], r["Title"], r["Company"]) for r in leads] == [
        ("ada@example.com", "CTO", "Analytical Engines"),
        ("bob@example.com", None, "Builders Ltd"),
    ]
    assert [(p.email, p.salesforce_lead_id) for p in world.prospects()] == [
        ("ada@example.com", leads[0]["Id"]),
        ("bob@example.com", leads[1]["Id"]),
    ]

    second = (
        HEADER,
        "Ada,Lovelace,ada@example.com,Analytical Engines,CEO,",
        "Bob,Builder,bob@example.com,Builders Ltd,Foreman,",
    )
    again = world.export("Lead", *second)

    assert actions(again) == [(2, Action.UNCHANGED), (3, Action.UPDATED)]
    assert [r["Title"] for r in world.records("Lead", "Title")] == ["CTO", "Foreman"]

    world.lead_mapping_with("job_title", "Title")
    overwritten = world.export("Lead", *second)

    assert actions(overwritten) == [(2, Action.UPDATED), (3, Action.UNCHANGED)]
    assert [r["Title"] for r in world.records("Lead", "Title")] == ["CEO", "Foreman"]


def test_a_lead_already_in_salesforce_is_found_by_email_and_filled_in(world: ExportWorld) -> None:
    [existing] = world.create(
        "Lead", {"LastName": "Lovelace", "Company": "AE", "Email": "ADA@Example.com", "Phone": "1"}
    )

    report = world.export("Lead", HEADER, "Ada,Lovelace,ada@example.com,AE,CTO,+44 20 1")

    assert [(r.action, r.salesforce_id) for r in report.results] == [(Action.UPDATED, existing)]
    assert world.records("Lead", "FirstName", "Title", "Phone") == [
        {"Id": existing, "FirstName": "Ada", "Title": "CTO", "Phone": "1"}
    ]


def test_an_email_spelled_in_another_case_is_left_as_salesforce_stores_it(
    world: ExportWorld,
) -> None:
    """Overwritten or not, the address is the one the Lead was found by: the Lead is left
    unchanged, and a file alternating the case does not flip the stored email back and forth."""
    stored = "jeannine.texier10@hotmail.co.uk"
    [existing] = world.create("Lead", {"LastName": "Texier", "Company": "JT", "Email": stored})
    save_org_mapping(
        world.session,
        world.org,
        "Lead",
        [
            ("last_name", "LastName", UpdateOption.FILL_EMPTY),
            ("company_name", "Company", UpdateOption.FILL_EMPTY),
            ("email", "Email", UpdateOption.OVERWRITE),
            ("job_title", "Title", UpdateOption.OVERWRITE),
        ],
    )
    world.session.commit()

    shouted = world.export("Lead", HEADER, f"Jeannine,Texier,{stored.upper()},JT,,")
    retitled = world.export(
        "Lead", HEADER, "Jeannine,Texier,Jeannine.Texier10@Hotmail.co.uk,JT,CEO,"
    )

    assert [(r.action, r.salesforce_id) for r in shouted.results] == [(Action.UNCHANGED, existing)]
    assert actions(retitled) == [(2, Action.UPDATED)]
    assert world.records("Lead", "Email", "Title") == [
        {"Id": existing, "Email": stored, "Title": "CEO"}
    ]


def test_duplicates_inside_one_file_are_written_once_and_counted_once(
    world: ExportWorld,
) -> None:
    """The later row of a person is `unchanged` by the one write, which its values went into:
    `created` counts the records made, the dry run says so first, and the log names both rows."""
    rows = (
        HEADER,
        "Ada,Lovelace,ada@example.com,Analytical Engines,,",
        "Bob,Builder,bob@example.com,Builders Ltd,,",
        "Augusta,Lovelace,ADA@EXAMPLE.COM,Analytical Engines,CTO,+44 20 1",
    )

    rehearsed = world.export("Lead", *rows, dry_run=True)
    report = world.export("Lead", *rows)

    [lead, _] = world.records("Lead", "FirstName", "Title", "Phone")
    assert (lead["FirstName"], lead["Title"], lead["Phone"]) == ("Ada", "CTO", "+44 20 1")
    assert [(r.action, r.salesforce_id) for r in report.results] == [
        (Action.CREATED, lead["Id"]),
        (Action.CREATED, report.results[1].salesforce_id),
        (Action.UNCHANGED, lead["Id"]),
    ]
    assert actions(rehearsed) == actions(report)
    assert report.to_json()["created"] == rehearsed.to_json()["created"] == 2
    assert report.to_json()["unchanged"] == 1 and report.status is RunStatus.SUCCEEDED
    run = world.session.get_one(Run, report.run_id)
    assert (run.created, run.unchanged) == (2, 1)
    assert world.log(report.run_id) == [("row 4", None, "same_person")]
    assert report.results[2].same_person == (
        f"the same person as row 2: their record {lead['Id']} was created once, for all their"
        " rows, and counted on row 2"
    )
    assert rehearsed.results[2].same_person == (
        "the same person as row 2: their record would be created once, for all their rows, and"
        " counted on row 2"
    )
    assert len(world.prospects()) == 2

    world.lead_mapping_with("job_title", "Title")
    again = world.export("Lead", *rows[:3], rows[3].replace("CTO", "CEO"))

    assert actions(again) == [(2, Action.UPDATED), (3, Action.UNCHANGED), (4, Action.UNCHANGED)]
    assert again.to_json()["updated"] == 1


def test_rows_of_one_person_are_merged_before_the_hierarchy_picks_so_a_direct_phone_wins(
    world: ExportWorld,
) -> None:
    """Direct Phone, else Company Phone, into Phone: the company phone on one row must not beat
    the direct phone on another row of the same person."""
    world.lead_mapping_with(
        "direct_phone", "Phone", ("company_phone", "Phone", UpdateOption.FILL_EMPTY)
    )
    rows = (
        "last_name,email,company_name,company_phone,direct_phone",
        "Lovelace,ada@example.com,AE,+44 20 9,",
        "Lovelace,ada@example.com,AE,,+44 20 1",
    )

    rehearsed = world.export("Lead", *rows, dry_run=True)
    report = world.export("Lead", *rows)

    assert [r.values.get("Phone") for r in rehearsed.results] == ["+44 20 1", None]
    assert [r.action for r in report.results] == [Action.CREATED, Action.UNCHANGED]
    assert [r["Phone"] for r in world.records("Lead", "Phone")] == ["+44 20 1"]


def test_stored_prospects_keep_their_records_so_a_changed_email_still_updates_them(
    world: ExportWorld,
) -> None:
    session = world.session
    stored = save_prospects(
        session, world.org, [{"last_name": "Lovelace", "email": "ada@x.com", "company_name": "AE"}]
    )
    session.commit()

    def export_stored() -> ExportReport:
        prospects = prospects_from_store(stored, world.connection.id)
        return export_prospects(
            session, world.client, world.org, "Lead", prospects, connection_id=world.connection.id
        )

    first = export_stored()
    lead_id = str(first.results[0].salesforce_id)
    world.client.update("Lead", lead_id, {"Email": "countess@example.com"})

    stored[0].job_title = "CTO"
    session.commit()
    again = export_stored()

    assert [(r.action, r.salesforce_id) for r in again.results] == [(Action.UPDATED, lead_id)]
    assert world.records("Lead", "Title") == [{"Id": lead_id, "Title": "CTO"}]


def test_a_dry_run_says_what_each_prospect_would_become_and_writes_nothing(
    world: ExportWorld,
) -> None:
    [existing] = world.create("Lead", {"LastName": "Lovelace", "Company": "AE", "Email": "a@x.com"})

    report = world.export(
        "Lead", HEADER, "Ada,Lovelace,a@x.com,AE,CTO,", "Bob,Builder,b@x.com,B Ltd,,", dry_run=True
    )

    assert [(r.action, r.salesforce_id, dict(r.values)) for r in report.results] == [
        (Action.UPDATED, existing, {"FirstName": "Ada", "Title": "CTO"}),
        (
            Action.CREATED,
            None,
            {"FirstName": "Bob", "LastName": "Builder", "Email": "b@x.com", "Company": "B Ltd"},
        ),
    ]
    assert world.records("Lead", "Title") == [{"Id": existing, "Title": None}]
    assert world.prospects() == []
    run = world.session.get(Run, report.run_id)
    assert run is not None and run.dry_run and (run.created, run.updated) == (1, 1)


def test_an_object_the_org_does_not_allow_is_refused_before_anything_is_sent(
    world: ExportWorld,
) -> None:
    disallow_objects(world.session, world.org, ["Lead"])
    world.session.commit()

    with pytest.raises(ObjectNotAllowed) as refused:
        world.export("Lead", HEADER, "Ada,Lovelace,ada@example.com,AE,,")

    assert str(refused.value) == (
        "org 'acme' does not allow exporting to Lead (allowed: Account, Contact); an admin can "
        "allow it with: forcebridge export allow --org acme Lead"
    )
    assert world.client.usage.snapshot().api_calls == 0
    assert world.session.scalars(select(Run)).all() == []
    assert world.prospects() == [], "the file's rows are not kept either"


def test_lookups_and_writes_go_in_batches_not_one_call_per_prospect(world: ExportWorld) -> None:
    def email(i: int) -> str:
        return f"person{i}@example-{i % 7}.com"

    world.create(
        "Lead",
        *(
            {"LastName": f"N{i}", "Company": f"C{i % 30}", "Email": email(i)}
            for i in range(0, 450, 2)
        ),
    )

    report = world.export(
        "Lead", HEADER, *(f"Person,N{i},{email(i)},C{i % 30},," for i in range(450))
    )

    assert (report.count(Action.CREATED), report.count(Action.UPDATED)) == (225, 225)
    # 1 describe, 2 lookup queries, then 2 calls each for 225 creates and 225 updates
    assert report.api_calls == 7
    assert len(world.records("Lead", where=eq("FirstName", "Person"))) == 450


def test_people_whose_kept_ids_are_found_are_not_looked_up_by_email_too(
    world: ExportWorld,
) -> None:
    rows = [f"Person,N{i},p{i}@example.com,C{i},," for i in range(300)]
    world.export("Lead", HEADER, *rows)

    again = world.export("Lead", HEADER, *rows)

    assert again.count(Action.UNCHANGED) == 300
    assert again.api_calls == 1, "one query by the 300 kept Ids, none by email"

    # a kept Lead deleted since, and another holding its email: that one is updated
    gone = str(again.results[0].salesforce_id)
    world.client.delete("Lead", gone)
    [other] = world.create("Lead", {"LastName": "N0", "Company": "C0", "Email": "p0@example.com"})

    third = world.export("Lead", HEADER, *rows)

    assert (third.results[0].action, third.results[0].salesforce_id) == (Action.UPDATED, other)
    assert third.api_calls == 3, "the query by Id, one by the one email, the update"
    assert len(world.records("Lead")) == 300
