"""The whole pull against the sandbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from forcebridge.sandbox.seed import seed
from forcebridge.store.models import (
    CustomContactField,
    CustomFieldType,
    PullObjects,
    Run,
    RunLogEntry,
    RunStatus,
    Service,
    UpdateOption,
)
from forcebridge.store.repositories.contacts import (
    Identity,
    add_identities,
    insert_contacts,
    list_contacts,
)
from forcebridge.store.repositories.leases import holder_of, take_lease
from forcebridge.store.repositories.mappings import save_mapping
from forcebridge.store.repositories.runs import get_run
from forcebridge.store.repositories.watermarks import reset_watermarks
from forcebridge.sync.pull import PullOptions, pull
from tests.conftest import SandboxFactory
from tests.sandbox.clocks import Clock
from tests.sync.pull_world import PullWorld, book, keeps_score, watermarks

OVERWRITE = UpdateOption.OVERWRITE


REGION_FIELD = {
    "FullName": "Contact.Region__c",
    "Metadata": {"type": "Text", "label": "Region", "length": 40},
}
"""A custom field of the org that tests delete under a mapping that reads it."""


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory) -> PullWorld:
    clock = Clock()
    return PullWorld(session, make_sandbox(clock=clock), clock)


def log_of(session: Session, run_id: int) -> list[tuple[str | None, str | None, str | None]]:
    return [(e.code, e.salesforce_id, e.field) for e in get_run(session, run_id).log_entries]


def imported(session: Session, service: Service, **values: Any) -> int:
    """A contact another source (a CSV import) brought in with a phone of (201) 555-0100."""
    [contact] = insert_contacts(
        session, service.id, [{"phone": "201-555-0100", "phone_e164": "+12015550100", **values}]
    )
    add_identities(session, service.id, [Identity(contact, "csv:crm", "row-1")])
    session.commit()
    return contact


def test_a_first_sync_brings_in_contacts_and_leads_with_the_default_mappings(
    world: PullWorld, session: Session
) -> None:
    service = world.service()
    account = world.create("Account", Name="Acme")
    ana = world.create(
        "Contact",
        FirstName="Ana",
        LastName="Lopez",
        Email="Ana.Lopez@Example.com",
        Phone="(201) 555-0100",
        MailingCity="Paris",
        AccountId=account,
    )
    lee = world.create("Lead", LastName="Lee", Company="Initech", MobilePhone="+44 20 7946 0000")
    world.later()

    result = world.pull(service)

    assert result.status is RunStatus.SUCCEEDED, result.error
    assert (result.read, result.created, result.failed) == (2, 2, 0)
    assert book(session, service) == [
        {
            "first_name": "Ana", "last_name": "Lopez", "email": "Ana.Lopez@Example.com",
            "phone": "(201) 555-0100", "mobile_phone": None, "title": None, "company": "Acme",
            "city": "Paris", "custom": {}, "deleted_in_source": False,
            "identities": [("salesforce:Contact", ana)],
        },
        {
            "first_name": None, "last_name": "Lee", "email": None, "phone": None,
            "mobile_phone": "+44 20 7946 0000", "title": None, "company": "Initech", "city": None,
            "custom": {}, "deleted_in_source": False, "identities": [("salesforce:Lead", lee)],
        },
    ]  # fmt: skip


def test_a_run_with_nothing_changed_costs_one_call_per_object(
    world: PullWorld, session: Session
) -> None:
    service = world.service()
    world.create("Contact", LastName="Lopez")
    world.create("Lead", LastName="Lee", Company="Initech")
    world.later()
    world.pull(service)
    world.later()

    assert world.calls(lambda: world.pull(service)) == 2
    assert get_run(session, world.pull(service).run_id).read == 0


def test_an_incremental_run_reads_only_what_changed_in_one_call(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    ids = [world.create("Contact", LastName=f"Person {n}") for n in range(30)]
    world.later()
    world.pull(service)
    for record_id in ids[:3]:
        world.update("Contact", record_id, Title="CEO")
    world.later()

    calls_before = world.sandbox.usage().used
    result = world.pull(service)

    assert (result.read, result.updated, result.unchanged) == (3, 3, 0)
    assert world.sandbox.usage().used - calls_before == result.api_calls == 1
    assert sum(entry["title"] == "CEO" for entry in book(session, service)) == 3


def test_records_stamped_at_the_watermark_or_committed_late_are_not_skipped(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    start = world.clock.now
    world.create("Contact", LastName="First")
    world.later(minutes=9)
    world.create("Contact", LastName="Recent")
    world.later(minutes=1)
    world.pull(service)
    moment = world.clock.now
    world.clock.now = start
    world.create("Contact", LastName="Same second")
    world.clock.now = moment - dt.timedelta(seconds=30)
    world.create("Contact", LastName="Late commit")
    world.clock.now = moment
    world.later()

    result = world.pull(service)

    assert (result.created, result.unchanged) == (2, 1)
    names = sorted(entry["last_name"] for entry in book(session, service))
    assert names == ["First", "Late commit", "Recent", "Same second"]


def test_a_deleted_record_unlinks_its_contact_and_marks_it_but_never_deletes_it(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    doomed = world.create("Contact", LastName="Doomed", Email="doomed@example.com")
    world.later()
    world.pull(service)
    world.sandbox.org.delete("Contact", doomed)
    world.later()

    result = world.pull(service)

    assert (result.read, result.updated) == (1, 1)
    [entry] = book(session, service)
    assert (entry["last_name"], entry["deleted_in_source"], entry["identities"]) == (
        "Doomed",
        True,
        [],
    )
    assert log_of(session, result.run_id) == [("deleted_in_source", doomed, None)]


def test_a_deleted_record_read_again_in_the_overlap_is_not_said_never_to_have_been_linked(
    world: PullWorld, session: Session
) -> None:
    """One run unlinks it, the next reads it again (stamped within the watermark's overlap):
    skipped, as no contact is linked to it now, though one was until the run before."""
    service = world.service(pull_objects=PullObjects.CONTACTS)
    doomed = world.create("Contact", LastName="Doomed")
    world.later()
    world.pull(service)
    world.sandbox.org.delete("Contact", doomed)
    world.later(minutes=0.5)
    assert world.pull(service).updated == 1
    world.later(minutes=0.5)

    again = world.pull(service)

    assert (again.read, again.skipped) == (1, 1)
    [entry] = get_run(session, again.run_id).log_entries
    assert (entry.code, entry.salesforce_id) == ("deleted_never_linked", doomed)
    assert entry.message == (
        "deleted in Salesforce, and no contact of the service is linked to it now (a record of "
        "the recycle bin, or one an earlier run already unlinked, read again within the "
        "watermark's overlap): nothing to do, skipped; every such record of the run is counted "
        "skipped, and only this first one logged"
    )


def test_a_first_pull_skips_the_recycle_bin_and_logs_it_once_whatever_the_pages(
    world: PullWorld, session: Session
) -> None:
    """A first pull reads deleted records through queryAll; none was ever linked, so there is
    nothing to do. They count as skipped, the counts adding up to `read`, and the run logs one
    of them, not one each, though two pages hold them (an org's recycle bin may hold tens of
    thousands)."""
    service = world.service(pull_objects=PullObjects.CONTACTS)
    early = [world.create("Contact", LastName=f"Early {n}") for n in range(3)]
    for record_id in early:
        world.sandbox.org.delete("Contact", record_id)
    world.later()
    seed(world.sandbox.org, contacts=2_300, leads=0, accounts=20, seed=7)
    world.later()
    for record_id in [world.create("Contact", LastName=f"Late {n}") for n in range(3)]:
        world.sandbox.org.delete("Contact", record_id)
    world.later()

    result = world.pull(service)

    counts = (result.read, result.created, result.updated, result.unchanged, result.skipped)
    assert counts == (2_306, 2_300, 0, 0, 6)
    assert result.failed == 0
    logged = [e for e in log_of(session, result.run_id) if e[0] == "deleted_never_linked"]
    assert logged == [("deleted_never_linked", early[0], None)]


def test_a_number_reaches_text_and_a_number_field_as_salesforce_shows_it(
    world: PullWorld, session: Session
) -> None:
    """Salesforce's JSON writes a Number(18, 0) as a double, `3.0`; its users see `3`."""
    fields = world.sandbox.org.custom_fields
    for name, kind, scale in (("Employees", "Number", 0), ("Revenue", "Currency", 2)):
        metadata = {"type": kind, "label": name, "precision": 18, "scale": scale}
        fields.create({"FullName": f"Contact.{name}__c", "Metadata": metadata})
    service = world.service(pull_objects=PullObjects.CONTACTS)
    session.add_all(
        [
            CustomContactField(
                service_id=service.id, name="employees", type=CustomFieldType.NUMBER
            ),
            CustomContactField(service_id=service.id, name="revenue", type=CustomFieldType.TEXT),
        ]
    )
    rows = [
        ("LastName", "last_name", OVERWRITE),
        ("Employees__c", "title", OVERWRITE),
        ("Employees__c", "employees", OVERWRITE),
        ("Revenue__c", "revenue", OVERWRITE),
    ]
    save_mapping(session, service, "Contact", rows)
    session.commit()
    world.create("Contact", LastName="Rowe", Employees__c=3, Revenue__c=Decimal("0.3"))
    world.later()

    world.pull(service)
    world.later()
    again = world.pull(service, full=True)

    [entry] = book(session, service)
    assert (entry["title"], entry["custom"]) == ("3", {"employees": "3", "revenue": "0.30"})
    assert (again.read, again.unchanged) == (1, 1)


def pulled_then_converted(world: PullWorld, service: Service) -> str:
    """A Lead pulled into `service`, then converted: its Contact's Id."""
    lead = world.create("Lead", LastName="Lee", Company="Initech", Email="lee@initech.com")
    world.later()
    world.pull(service)
    contact = str(world.sandbox.org.convert_lead(lead)["contactId"])
    world.later()
    return contact


def test_a_converted_lead_hands_its_contact_to_the_new_contact_without_a_duplicate(
    world: PullWorld, session: Session
) -> None:
    service = world.service()
    contact = pulled_then_converted(world, service)

    result = world.pull(service)

    assert result.created == 0, book(session, service)
    [entry] = book(session, service)
    assert entry["identities"] == [("salesforce:Contact", contact)]
    assert entry["company"] == "Initech"
    assert (
        result.api_calls == 2
    )  # the Contact stream's read brought the new Contact: not asked again


def test_a_lead_converted_into_a_new_contact_beside_its_persons_contact_is_a_contact_apart(
    world: PullWorld, session: Session
) -> None:
    service = world.service()
    lead = world.create("Lead", LastName="Ames", Company="Initech", Email="ann@ames.com")
    first = world.create("Contact", LastName="Ames", Email="ann@ames.com", Title="CTO")
    world.later()
    world.pull(service)
    second = str(world.sandbox.org.convert_lead(lead)["contactId"])
    world.later()

    converted = world.pull(service)
    again = world.pull(service, full=True)

    by_contact = {entry["identities"][0][1]: entry for entry in book(session, service)}
    assert sorted(by_contact) == sorted([first, second])
    assert [len(entry["identities"]) for entry in by_contact.values()] == [1, 1]
    assert (by_contact[first]["title"], by_contact[second]["company"]) == ("CTO", "Initech")
    assert ("converted_into_duplicate", lead, None) in log_of(session, converted.run_id)
    assert (again.created, again.updated) == (0, 0)


def test_a_converted_lead_keeps_its_contact_when_the_contact_stream_runs_first(
    world: PullWorld, session: Session
) -> None:
    """The scheduler runs each stream on its own: the new Contact may be read, and made a
    contact, before the Lead stream reads the conversion. The product keeps the id it knew."""
    service = world.service()
    lead = world.create("Lead", LastName="Tuvwx", FirstName="Quentin", Company="Nowhere Ltd")
    world.later()
    world.pull(service)
    [known] = list_contacts(session, service)
    contact = str(world.sandbox.org.convert_lead(lead)["contactId"])
    world.later()

    for stream in ("pull:Contact", "pull:Lead"):
        pull(session, world.client, service, PullOptions(), streams=[stream], clock=world.clock)

    [after] = book(session, service)
    assert [c.id for c in list_contacts(session, service)] == [known.id]
    assert after["identities"] == [("salesforce:Contact", contact)]


def test_a_converted_leads_deleted_contact_leaves_nobody_linked_to_the_read_only_lead(
    world: PullWorld, session: Session
) -> None:
    service = world.service()
    contact = pulled_then_converted(world, service)
    world.pull(service)
    world.sandbox.org.delete("Contact", contact)
    world.later()

    world.pull(service)
    again = world.pull(service, full=True)

    [entry] = book(session, service)
    assert (entry["identities"], entry["deleted_in_source"]) == ([], True)
    assert (again.created, again.updated) == (0, 0)


def test_a_lead_converted_into_a_contact_outside_the_services_rule_leaves_the_book(
    world: PullWorld, session: Session
) -> None:
    """The Lead stream links the person to the Contact they became, and the Contact stream
    reads that Contact by Id under the service's rule: not among its records, so unlinked."""
    service = world.service(routing_condition="Title != 'CEO'")
    lead = world.create("Lead", LastName="Ames", Company="Initech", Title="Clerk")
    account = world.create("Account", Name="Initech")
    boss = world.create("Contact", LastName="Ames", Title="CEO", AccountId=account)
    world.create("Contact", LastName="Ito", Title="Clerk")  # the Contact stream reads from here on
    world.later()
    world.pull(service)
    world.sandbox.org.convert_lead(lead, contact_id=boss, account_id=account)
    world.later()

    converted = world.pull(service)
    again = world.pull(service, full=True)

    [entry, _] = book(session, service)
    assert (entry["identities"], entry["deleted_in_source"]) == ([], True)
    assert ("left_scope", boss, None) in log_of(session, converted.run_id)
    assert (again.created, again.updated) == (0, 0)
    assert world.pull(service).api_calls == 2  # the Contact is not read again twice


def test_a_contact_deleted_and_made_again_between_two_reads_stays_one_person(
    world: PullWorld, session: Session
) -> None:
    service = world.service()
    lead = world.create("Lead", LastName="Ames", Company="LeadCo", Email="ana@ames.com")
    first = world.create("Contact", LastName="Ames", Email="ana@ames.com")
    world.later()
    world.pull(service)
    world.sandbox.org.delete("Contact", first)
    again = world.create("Contact", LastName="Ames", Email="ana@ames.com")
    world.later()

    result = world.pull(service)

    [entry] = book(session, service)
    assert sorted(entry["identities"]) == [("salesforce:Contact", again), ("salesforce:Lead", lead)]
    assert (result.created, entry["deleted_in_source"]) == (0, False)


def test_a_person_who_is_both_keeps_the_contacts_values_whichever_record_changed_last(
    world: PullWorld, session: Session
) -> None:
    service = world.service()
    world.create("Contact", LastName="Ames", Title="CTO", Email="ana@ames.com")
    lead = world.create("Lead", LastName="Ames", Company="LeadCo", Title="Intern",
                        Email="ana@ames.com")  # fmt: skip
    world.later()
    world.pull(service)
    world.update("Lead", lead, Rating="Hot", Title="Trainee")
    world.later()

    changed = world.pull(service)
    again = world.pull(service, full=True)

    [entry] = book(session, service)
    assert (entry["title"], entry["company"]) == ("CTO", None)  # the Contact's, even empty
    assert (changed.updated, again.updated) == (0, 0)


def test_a_person_whose_contact_is_deleted_takes_their_leads_values_at_the_next_run(
    world: PullWorld, session: Session
) -> None:
    service = world.service()
    contact = world.create("Contact", LastName="Ames", Title="CTO", Email="ana@ames.com")
    world.create("Lead", LastName="Ames", Company="LeadCo", Title="Intern", Email="ana@ames.com")
    world.later()
    world.pull(service)
    world.sandbox.org.delete("Contact", contact)
    world.later()

    world.pull(service)
    reread = world.pull(service)
    again = world.pull(service, full=True)

    [entry] = book(session, service)
    assert (entry["title"], entry["company"], entry["deleted_in_source"]) == (
        "Intern",
        "LeadCo",
        False,
    )
    assert (reread.updated, again.updated) == (1, 0)
    assert world.pull(service).api_calls == 2  # one a stream: nothing is read again twice


def test_a_custom_query_pulls_only_its_records_through_its_mapping(
    world: PullWorld, session: Session
) -> None:
    service = world.service(
        pull_objects=PullObjects.CUSTOM,
        pull_soql="SELECT Id, LastName, Title FROM Contact WHERE Title = 'CEO'",
    )
    save_mapping(
        session,
        service,
        "Contact",
        [("LastName", "last_name", OVERWRITE), ("Title", "title", OVERWRITE)],
    )
    session.commit()
    world.create("Contact", LastName="Boss", Title="CEO")
    world.create("Contact", LastName="Staff", Title="Clerk")
    world.later()

    result = world.pull(service)

    assert result.status is RunStatus.SUCCEEDED, result.error
    assert [(e["last_name"], e["title"]) for e in book(session, service)] == [("Boss", "CEO")]


def test_a_custom_query_without_a_mapping_of_its_own_reads_the_default_rows_it_selects(
    world: PullWorld, session: Session
) -> None:
    service = world.service(
        pull_objects=PullObjects.CUSTOM,
        pull_soql="SELECT Id, LastName, Email FROM Contact WHERE Title = 'CEO'",
    )
    world.create("Contact", LastName="Boss", Email="boss@example.com", Title="CEO", Phone="555")
    world.create("Contact", LastName="Staff", Title="Clerk")
    world.later()

    result = world.pull(service)

    assert result.status is RunStatus.SUCCEEDED, result.error
    [boss] = book(session, service)
    assert (boss["last_name"], boss["email"], boss["title"], boss["phone"]) == (
        "Boss",
        "boss@example.com",
        None,
        None,
    )


def test_update_only_enriches_contacts_from_other_sources_and_creates_none(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS, pull_update_only=True)
    imported(session, service, first_name="Ana")
    ana = world.create("Contact", FirstName="Ana", LastName="Lopez", Phone="(201) 555-0100")
    stranger = world.create("Contact", LastName="Stranger")
    world.later()

    result = world.pull(service)

    assert (result.updated, result.skipped, result.created) == (1, 1, 0)
    [entry] = book(session, service)
    assert entry["last_name"] == "Lopez"
    assert entry["identities"] == [("csv:crm", "row-1"), ("salesforce:Contact", ana)]
    assert log_of(session, result.run_id) == [("update_only", stranger, None)]


def test_colleagues_sharing_the_company_line_stay_apart_and_an_imported_one_is_matched(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    line = {"Phone": "(201) 555-0100", "Email": "desk@acme.example"}
    first = world.create("Contact", LastName="Ito", **line)
    world.later()
    world.pull(service)
    imported(session, service, last_name="Kim")
    second = world.create("Contact", LastName="Kim", **line)
    third = world.create("Contact", LastName="Lee", **line)
    world.later()

    result = world.pull(service)

    assert (result.created, result.updated) == (1, 1)
    assert [(e["last_name"], e["identities"]) for e in book(session, service)] == [
        ("Kim", [("csv:crm", "row-1"), ("salesforce:Contact", second)]),
        ("Ito", [("salesforce:Contact", first)]),
        ("Lee", [("salesforce:Contact", third)]),
    ]


def test_two_services_on_one_connection_share_one_read_split_by_their_routing_rules(
    world: PullWorld, session: Session
) -> None:
    bosses = world.service(
        "bosses", pull_objects=PullObjects.CONTACTS, routing_condition="Title = 'CEO'"
    )
    staff = world.service(
        "staff", pull_objects=PullObjects.CONTACTS, routing_condition="Title != 'CEO'"
    )
    world.create("Contact", LastName="Boss", Title="CEO")
    world.create("Contact", LastName="Clerk", Title="Clerk")
    world.create("Contact", LastName="Nobody")
    world.later()
    world.client.describe("Contact")
    world.client.describe("Account")

    assert world.calls(lambda: world.pull(bosses)) == 1
    assert [e["last_name"] for e in book(session, bosses)] == ["Boss"]
    assert sorted(e["last_name"] for e in book(session, staff)) == ["Clerk", "Nobody"]
    assert world.pull(staff).read == 0


def test_a_shared_read_stopped_midway_ends_every_run_it_was_making_failed(
    world: PullWorld, session: Session
) -> None:
    """The database gone mid-read, a bug: the others' runs are no lease's to end later, and a
    product reading the runs would see syncs that never finish."""
    bosses = world.service(
        "bosses", pull_objects=PullObjects.CONTACTS, routing_condition="Title = 'CEO'"
    )
    staff = world.service(
        "staff", pull_objects=PullObjects.CONTACTS, routing_condition="Title != 'CEO'"
    )
    world.create("Contact", LastName="Boss", Title="CEO")
    world.later()

    def connection_lost(stream: str, read: int, total: int) -> None:
        raise ConnectionResetError("server closed the connection unexpectedly")

    with pytest.raises(ConnectionResetError):
        world.pull(bosses, progress=connection_lost)

    session.expire_all()
    runs = session.scalars(select(Run).where(Run.service_id.in_([bosses.id, staff.id]))).all()
    assert sorted((r.service_id, r.status) for r in runs) == [
        (bosses.id, RunStatus.FAILED),
        (staff.id, RunStatus.FAILED),
    ]
    assert all("ConnectionResetError" in (r.error or "") for r in runs)


def test_a_dry_run_reads_as_its_group_would_and_foresees_a_record_leaving_the_rule(
    world: PullWorld, session: Session
) -> None:
    bosses = world.service(
        "bosses", pull_objects=PullObjects.CONTACTS, routing_condition="Title = 'CEO'"
    )
    world.service("all", pull_objects=PullObjects.CONTACTS)
    boss = world.create("Contact", LastName="Boss", Title="CEO")
    world.later()
    world.pull(bosses)
    world.update("Contact", boss, Title="Clerk")
    world.later()

    dry = world.pull(bosses, dry_run=True)
    real = world.pull(bosses)

    counted = ("status", "read", "created", "updated", "unchanged", "skipped", "failed")
    assert {k: getattr(dry, k) for k in counted} == {k: getattr(real, k) for k in counted}
    assert real.read == 1
    assert [e["deleted_in_source"] for e in book(session, bosses)] == [True]


def test_a_shared_read_holds_the_other_services_leases_under_its_own_lease_s_name(
    world: PullWorld, session: Session
) -> None:
    """A job engine that finds the run's holder dead frees every lease the read took."""
    first = world.service("first", pull_objects=PullObjects.CONTACTS)
    second = world.service("second", pull_objects=PullObjects.CONTACTS)
    world.create("Contact", LastName="Lopez")
    world.later()
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    assert take_lease(engine, first.id, "pull:Contact", "job 7 at host", dt.timedelta(minutes=5))
    held: list[str | None] = []

    def note_holder(stream: str, read: int, total: int) -> None:
        held.append(holder_of(engine, second.id, stream))

    world.pull(first, progress=note_holder)

    assert held == ["job 7 at host"]
    assert holder_of(engine, second.id, "pull:Contact") is None


def test_a_service_whose_mapping_fails_is_left_out_of_a_shared_read_without_a_failed_run(
    world: PullWorld, session: Session
) -> None:
    bosses = world.service(
        "bosses", pull_objects=PullObjects.CONTACTS, routing_condition="Title = 'CEO'"
    )
    broken = world.service(
        "broken", pull_objects=PullObjects.CONTACTS, routing_condition="Title != 'CEO'"
    )
    save_mapping(session, broken, "Contact", [("Nope__c", "last_name", OVERWRITE)])
    session.commit()
    world.create("Contact", LastName="Boss", Title="CEO")
    world.later()

    result = world.pull(bosses)

    assert (result.status, result.created) == (RunStatus.SUCCEEDED, 1)
    assert session.scalars(select(Run).where(Run.service_id == broken.id)).all() == []
    assert book(session, broken) == []


def test_a_narrowed_rule_unlinks_at_the_full_read_and_leaves_the_other_services_alone(
    world: PullWorld, session: Session
) -> None:
    bosses = world.service(
        "bosses", pull_objects=PullObjects.CONTACTS, routing_condition="Title LIKE '%CEO%'"
    )
    staff = world.service(
        "staff", pull_objects=PullObjects.CONTACTS, routing_condition="Title != 'CEO'"
    )
    world.create("Contact", LastName="Boss", Title="CEO")
    world.create("Contact", LastName="Deputy", Title="Deputy CEO")
    world.create("Contact", LastName="Clerk", Title="Clerk")
    world.later()
    world.pull(bosses)
    bosses.routing_condition = "Title = 'CEO'"
    reset_watermarks(session, bosses, ["pull:Contact"])
    session.commit()
    world.later()

    result = world.pull(bosses)

    assert (result.read, result.updated) == (2, 1)
    marked = {e["last_name"]: e["deleted_in_source"] for e in book(session, bosses)}
    assert marked == {"Boss": False, "Deputy": True}
    assert {e["last_name"]: e["deleted_in_source"] for e in book(session, staff)} == {
        "Deputy": False,
        "Clerk": False,
    }


@pytest.mark.parametrize(
    ("user_time_zone", "lands_in"), [(None, "today"), ("Pacific/Kiritimati", "earlier")]
)
def test_routing_rules_read_date_literals_in_the_time_zone_of_the_connections_user(
    world: PullWorld, session: Session, user_time_zone: str | None, lands_in: str
) -> None:
    world.connection.user_time_zone = user_time_zone
    services = {
        name: world.service(name, pull_objects=PullObjects.CONTACTS, routing_condition=rule)
        for name, rule in (("today", "CreatedDate = TODAY"), ("earlier", "CreatedDate < TODAY"))
    }
    world.clock.now = dt.datetime(2024, 11, 8, 9, 0, tzinfo=dt.UTC)  # 23:00 at UTC+14
    world.create("Contact", LastName="Late")
    world.later(minutes=130)  # 11:10 UTC: the same day; 01:10 the next at UTC+14

    world.pull(services["today"])

    assert {name: len(book(session, s)) for name, s in services.items()} == {
        "today": int(lands_in == "today"),
        "earlier": int(lands_in == "earlier"),
    }


@pytest.mark.parametrize(("user_locale", "lands_in"), [(None, "this_week"), ("en_GB", "earlier")])
def test_routing_rules_start_weeks_on_the_first_day_of_the_connections_users_locale(
    world: PullWorld, session: Session, user_locale: str | None, lands_in: str
) -> None:
    world.connection.user_locale = user_locale
    services = {
        name: world.service(name, pull_objects=PullObjects.CONTACTS, routing_condition=rule)
        for name, rule in (
            ("this_week", "CreatedDate = THIS_WEEK"),
            ("earlier", "CreatedDate < THIS_WEEK"),
        )
    }
    world.clock.now = dt.datetime(2024, 11, 10, 12, 0, tzinfo=dt.UTC)  # a Sunday
    world.create("Contact", LastName="Sunday")
    world.later(minutes=24 * 60)  # Monday: a new week in en_GB, the same one in en_US

    world.pull(services["this_week"])

    assert {name: len(book(session, s)) for name, s in services.items()} == {
        "this_week": int(lands_in == "this_week"),
        "earlier": int(lands_in == "earlier"),
    }


def test_a_record_that_leaves_a_service_for_another_moves_with_it(
    world: PullWorld, session: Session
) -> None:
    west = world.service(
        "west", pull_objects=PullObjects.CONTACTS, routing_condition="MailingState = 'CA'"
    )
    east = world.service(
        "east", pull_objects=PullObjects.CONTACTS, routing_condition="MailingState = 'NY'"
    )
    mover = world.create("Contact", LastName="Mover", MailingState="CA")
    world.later()
    world.pull(west)
    world.update("Contact", mover, MailingState="NY")
    world.later()

    world.pull(west)

    [gone] = book(session, west)
    assert (gone["deleted_in_source"], gone["identities"]) == (True, [])
    [arrived] = book(session, east)
    assert arrived["identities"] == [("salesforce:Contact", mover)]


class Crash(BaseException):
    """The process died."""


def test_records_a_seed_adds_after_a_pull_are_read_by_the_next_increment(
    world: PullWorld, session: Session
) -> None:
    """A harness seeds, pulls, seeds more and pulls: Salesforce stamps a load with the moment
    it was written, whatever history its audit fields tell, so the increment must see it."""
    service = world.service(pull_objects=PullObjects.CONTACTS)
    seed(world.sandbox.org, contacts=30, leads=0, accounts=3, seed=1)
    world.later()
    world.pull(service)
    world.later()
    seed(world.sandbox.org, contacts=10, leads=0, accounts=0, seed=2)
    world.later()

    increment = world.pull(service)

    assert (increment.read, increment.created) == (10, 10)
    assert len(book(session, service)) == 40


def test_a_crash_between_pages_then_a_rerun_ends_as_a_clean_run_would(
    world: PullWorld, session: Session
) -> None:
    seed(world.sandbox.org, contacts=2_300, leads=0, accounts=20, seed=7)
    crashed = world.service("crashed", pull_objects=PullObjects.CONTACTS)
    world.later()

    def crash_after_first_page(stream: str, done: int, total: int) -> None:
        raise Crash

    with pytest.raises(Crash):
        world.pull(crashed, progress=crash_after_first_page)
    assert len(book(session, crashed)) == 2_000
    world.pull(crashed)

    clean_world = PullWorld(session, world.sandbox, world.clock, org="globex")
    clean = clean_world.service("clean", pull_objects=PullObjects.CONTACTS)
    clean_world.pull(clean)
    assert book(session, crashed) == book(session, clean)
    assert watermarks(session, crashed) == watermarks(session, clean)


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_pull_that_grows_the_book_has_postgresql_count_it(
    world: PullWorld, session: Session
) -> None:
    """Planned for the book as it last counted it, PostgreSQL would scan every contact of the
    service for each lookup of the next pages (`planner_statistics`)."""
    seed(world.sandbox.org, contacts=2_300, leads=0, accounts=20, seed=7)
    service = world.service(pull_objects=PullObjects.CONTACTS)
    counted = text("SELECT reltuples FROM pg_class WHERE relname = 'contacts'")
    assert session.scalar(counted) < 2_000

    world.pull(service)

    assert session.scalar(counted) >= 2_000


def test_checkboxes_stay_false_and_long_text_is_truncated_with_a_log_entry(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    session.add(
        CustomContactField(service_id=service.id, name="do_not_call", type=CustomFieldType.BOOLEAN)
    )
    save_mapping(
        session,
        service,
        "Contact",
        [
            ("LastName", "last_name", OVERWRITE),
            ("DoNotCall", "do_not_call", OVERWRITE),
            ("Description", "title", OVERWRITE),
        ],
    )
    session.commit()
    wordy = world.create("Contact", LastName="Wordy", DoNotCall=False, Description="x" * 300)
    world.later()

    result = world.pull(service)

    [entry] = book(session, service)
    assert entry["custom"] == {"do_not_call": False}
    assert entry["title"] == "x" * 255
    assert log_of(session, result.run_id) == [("truncated", wordy, "Description")]


def test_an_unreadable_phone_skips_that_field_only(world: PullWorld, session: Session) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    odd = world.create("Contact", LastName="Odd", Phone="12", Email="odd@example.com")
    world.later()

    result = world.pull(service)

    assert (result.created, result.status) == (1, RunStatus.SUCCEEDED)
    [entry] = book(session, service)
    assert (entry["phone"], entry["email"]) == (None, "odd@example.com")
    assert log_of(session, result.run_id) == [("invalid_phone", odd, "Phone")]


def test_a_nul_character_salesforce_holds_is_removed_with_a_warning_not_a_failed_run(
    world: PullWorld, session: Session
) -> None:
    """PostgreSQL cannot store one; the record must still arrive, the rest of it intact."""
    service = world.service(pull_objects=PullObjects.CONTACTS)
    nul = world.create("Contact", FirstName="Nul\x00Byte", LastName="Lee")
    world.later()

    result = world.pull(service)

    assert (result.status, result.created) == (RunStatus.SUCCEEDED, 1)
    assert [(c["first_name"], c["last_name"]) for c in book(session, service)] == [
        ("NulByte", "Lee")
    ]
    assert log_of(session, result.run_id) == [("truncated", nul, "FirstName")]


def test_a_mapping_on_a_field_the_org_lacks_fails_the_stream_naming_it(
    world: PullWorld, session: Session
) -> None:
    service = world.service()
    save_mapping(session, service, "Contact", [("Region__c", "city", OVERWRITE)])
    session.commit()
    world.create("Lead", LastName="Lee", Company="Initech")
    world.later()

    result = world.pull(service)

    assert result.status is RunStatus.FAILED
    assert result.error is not None and "Region__c" in result.error
    assert result.created == 1  # the Lead stream still ran


def test_a_mapped_field_deleted_in_salesforce_later_fails_the_stream_naming_it(
    world: PullWorld, session: Session
) -> None:
    """The run's describe is cached: the read Salesforce refuses has it looked at again, so the
    failure says what changed in the org rather than repeating Salesforce's refusal."""
    fields = world.sandbox.org.custom_fields
    region = fields.create(REGION_FIELD)
    service = world.service(pull_objects=PullObjects.CONTACTS)
    rows = [("LastName", "last_name", OVERWRITE), ("Region__c", "city", OVERWRITE)]
    save_mapping(session, service, "Contact", rows)
    session.commit()
    world.create("Contact", LastName="Rowe", Region__c="West")
    world.later()
    first = world.pull(service)

    fields.delete(region)
    world.create("Contact", LastName="Reyes")
    world.later()
    second = world.pull(service)

    assert first.status is RunStatus.SUCCEEDED
    assert [(c["last_name"], c["city"]) for c in book(session, service)] == [("Rowe", "West")]
    assert second.status is RunStatus.FAILED
    assert second.error is not None and "Region__c" in second.error
    assert "No such column" not in second.error


def test_a_mapped_fields_type_changed_in_salesforce_skips_only_the_values_that_do_not_fit(
    world: PullWorld, session: Session
) -> None:
    """Number to Text: once the describe is refreshed (hourly), the mapping no longer
    verifies, yet the run reads on as it did before the refresh, value by value."""
    fields = world.sandbox.org.custom_fields
    score = fields.create(
        {"FullName": "Contact.Score__c", "Metadata": {"type": "Number", "label": "Score",
                                                     "precision": 5, "scale": 0}}
    )  # fmt: skip
    service = world.service(pull_objects=PullObjects.CONTACTS)
    keeps_score(session, service)
    world.create("Contact", LastName="Rowe", Score__c=42)
    world.later()
    world.pull(service)
    fields.update(score, {"Metadata": {"type": "Text", "label": "Score", "length": 20}})
    world.client.describe("Contact", refresh=True)  # as the hourly refresh would
    world.create("Contact", LastName="Ames", Score__c="7")
    wrong = world.create("Contact", LastName="Reyes", Score__c="lots")
    world.later()

    result = world.pull(service)

    assert (result.status, result.created) == (RunStatus.SUCCEEDED, 2)
    scores = {c["last_name"]: c["custom"].get("score") for c in book(session, service)}
    assert (scores["Ames"], scores["Reyes"]) == ("7", None)
    assert ("conversion_failed", wrong, "Score__c") in log_of(session, result.run_id)


def pulled_then_region_deleted(
    world: PullWorld,
    session: Session,
    service: Service,
    first: dict[str, Any],
    then: dict[str, Any],
) -> None:
    """`service` maps `REGION_FIELD` and has pulled the Contact `first`; the field is deleted
    from the org since, and the Contact `then` made."""
    fields = world.sandbox.org.custom_fields
    region = fields.create(REGION_FIELD)
    rows = [("LastName", "last_name", OVERWRITE), ("Region__c", "city", OVERWRITE)]
    save_mapping(session, service, "Contact", rows)
    session.commit()
    world.create("Contact", **first)
    world.later()
    assert world.pull(service).status is RunStatus.SUCCEEDED
    fields.delete(region)
    world.create("Contact", **then)
    world.later()


def test_a_field_deleted_under_one_service_s_mapping_fails_that_service_only(
    world: PullWorld, session: Session
) -> None:
    """Two services share a read; a field only one maps is deleted in the org. The other's
    records still arrive and its run succeeds: a run never fails for another's settings."""
    mapped = world.service("mapped", pull_objects=PullObjects.CONTACTS)
    plain = world.service("plain", pull_objects=PullObjects.CONTACTS)
    pulled_then_region_deleted(
        world, session, mapped, {"Region__c": "West", "LastName": "Rowe"}, {"LastName": "Reyes"}
    )

    failed = world.pull(mapped)

    assert failed.status is RunStatus.FAILED
    assert failed.error is not None and "Region__c" in failed.error
    runs = session.scalars(
        select(Run).where(Run.service_id == plain.id).order_by(Run.id.desc())
    ).all()
    assert (runs[0].status, runs[0].error) == (RunStatus.SUCCEEDED, None)
    assert sorted(c["last_name"] for c in book(session, plain)) == ["Reyes", "Rowe"]


def test_a_read_done_again_without_the_failed_lead_is_counted_once_on_the_lead_s_run(
    world: PullWorld, session: Session
) -> None:
    """The lead's mapping reads a deleted field its cached describe still has: the read is
    refused, then done again for the others. The lead's run paid every call; the others' runs
    show none, so the runs add up to what Salesforce counted."""
    mapped = world.service("mapped")
    west = world.service(
        "west", pull_objects=PullObjects.CONTACTS, routing_condition="Title = 'West'"
    )
    east = world.service(
        "east", pull_objects=PullObjects.CONTACTS, routing_condition="Title = 'East'"
    )
    pulled_then_region_deleted(
        world,
        session,
        mapped,
        {"LastName": "Rowe", "Title": "West"},
        {"LastName": "Reyes", "Title": "East"},
    )
    results = []

    spent = world.calls(lambda: results.append(world.pull(mapped)))

    [failed] = results
    assert failed.status is RunStatus.FAILED
    others = session.scalars(
        select(Run).where(Run.service_id.in_([west.id, east.id]), Run.id > failed.run_id)
    ).all()
    assert sorted((r.status, r.api_calls) for r in others) == [(RunStatus.SUCCEEDED, 0)] * 2
    assert failed.api_calls == spent
    assert [c["last_name"] for c in book(session, east)] == ["Reyes"]


def test_a_deleted_field_made_again_is_seen_by_the_next_run_despite_the_cached_describe(
    world: PullWorld, session: Session
) -> None:
    fields = world.sandbox.org.custom_fields
    region = fields.create(REGION_FIELD)
    service = world.service(pull_objects=PullObjects.CONTACTS)
    rows = [("LastName", "last_name", OVERWRITE), ("Region__c", "city", OVERWRITE)]
    save_mapping(session, service, "Contact", rows)
    session.commit()
    world.create("Contact", LastName="Rowe", Region__c="West")
    world.later()
    assert world.pull(service).status is RunStatus.SUCCEEDED
    fields.delete(region)
    world.later()
    assert world.pull(service).status is RunStatus.FAILED  # the describe cached without it

    fields.create(REGION_FIELD)
    world.create("Contact", LastName="Reyes", Region__c="East")
    world.later()
    fixed = world.pull(service)

    assert (fixed.status, fixed.created) == (RunStatus.SUCCEEDED, 1)
    assert ("Reyes", "East") in [(c["last_name"], c["city"]) for c in book(session, service)]


@pytest.mark.parametrize("found_by", ["the read refused", "the describe refreshed"])
def test_a_mapped_field_made_again_is_read_in_every_record_by_the_first_run_that_verifies(
    world: PullWorld, session: Session, found_by: str
) -> None:
    """Made again, the field is empty in every record, yet no record's SystemModstamp moved: an
    incremental read would leave each contact the value Salesforce lost. Whether Salesforce
    refused the read or the refreshed describe lacked the field, the failed run has the next
    one that verifies read everything, as saving a mapping does."""
    fields = world.sandbox.org.custom_fields
    region = fields.create(REGION_FIELD)
    service = world.service(pull_objects=PullObjects.CONTACTS)
    rows = [("LastName", "last_name", OVERWRITE), ("Region__c", "city", OVERWRITE)]
    save_mapping(session, service, "Contact", rows)
    session.commit()
    for name, region_name in (("Rowe", "West"), ("Ames", "East"), ("Reyes", None)):
        world.create("Contact", LastName=name, Region__c=region_name)
    world.later()
    assert world.pull(service).status is RunStatus.SUCCEEDED
    fields.delete(region)
    if found_by == "the describe refreshed":
        world.client.describe("Contact", refresh=True)
    world.later()
    assert world.pull(service).status is RunStatus.FAILED

    fields.create(REGION_FIELD)
    world.later()
    fixed = world.pull(service)

    assert (fixed.status, fixed.read, fixed.unchanged) == (RunStatus.SUCCEEDED, 3, 1)
    assert {c["last_name"]: c["city"] for c in book(session, service)} == dict.fromkeys(
        ("Rowe", "Ames", "Reyes")
    )
    world.later()
    assert world.pull(service).read == 0  # then incremental again


def test_a_dry_run_that_finds_a_mapped_field_gone_leaves_the_watermark(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    pulled_then_region_deleted(world, session, service, {"LastName": "Rowe"}, {"LastName": "Ames"})
    before = watermarks(session, service)

    dry = world.pull(service, dry_run=True)

    assert dry.status is RunStatus.FAILED
    assert watermarks(session, service) == before != {}


def test_a_stream_stopped_by_its_mapping_names_what_stops_it_apart_from_what_runs_read_past(
    world: PullWorld, session: Session
) -> None:
    """A deleted field stops the stream; a field whose type no longer fits does not. The reason
    an admin reads on the flagged stream says which is which."""
    fields = world.sandbox.org.custom_fields
    score = fields.create(
        {"FullName": "Contact.Score__c", "Metadata": {"type": "Number", "label": "Score",
                                                     "precision": 5, "scale": 0}}
    )  # fmt: skip
    service = world.service(pull_objects=PullObjects.CONTACTS)
    keeps_score(session, service)
    pulled_then_region_deleted(world, session, service, {"LastName": "Rowe"}, {"LastName": "Ames"})
    rows = [("LastName", "last_name", OVERWRITE), ("Score__c", "score", OVERWRITE),
            ("Region__c", "city", OVERWRITE)]  # fmt: skip
    save_mapping(session, service, "Contact", rows)
    session.commit()
    fields.update(score, {"Metadata": {"type": "Text", "label": "Score", "length": 20}})
    world.client.describe("Contact", refresh=True)

    failed = world.pull(service)

    assert failed.status is RunStatus.FAILED
    assert failed.error == (
        "pull:Contact: The mapping has 1 problem that stops the stream:\n"
        "- row 3: Contact has no field 'Region__c'\n"
        "Runs read past the rest, skipping each value that does not fit:\n"
        "- row 2: Score (Score__c) holds string values, which contact field score (number) "
        "cannot hold"
    )


def test_a_dry_run_reports_what_would_change_and_writes_nothing(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    world.create("Contact", LastName="Lopez")
    world.later()

    result = world.pull(service, dry_run=True)

    assert (result.read, result.created) == (1, 1)
    assert book(session, service) == []
    assert watermarks(session, service) == {}
    assert get_run(session, result.run_id).dry_run


def test_a_dry_run_counts_what_the_real_run_then_does_when_a_later_stream_matches_an_earlier(
    world: PullWorld, session: Session
) -> None:
    """Leads are read before Contacts: the Contact of a person who is also a Lead is linked to
    the contact the Lead created, in the dry run as in the real run."""
    service = world.service()
    world.create("Lead", LastName="Lopez", Company="Acme", Email="ana@example.com")
    world.create("Contact", LastName="Lopez", Email="Ana@Example.com")
    world.create("Contact", LastName="Lee", Phone="(201) 555-0100")
    world.later()

    dry = world.pull(service, dry_run=True)
    assert book(session, service) == []
    real = world.pull(service)

    counted = ("status", "read", "created", "updated", "unchanged", "skipped", "failed")
    assert {k: getattr(dry, k) for k in counted} == {k: getattr(real, k) for k in counted}
    assert (real.read, real.created) == (3, 2)
    assert len(book(session, service)) == 2


def test_progress_reports_records_read_of_the_total(world: PullWorld, session: Session) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    for n in range(3):
        world.create("Contact", LastName=f"P{n}")
    world.later()
    seen: list[tuple[str, int, int]] = []

    world.pull(service, progress=lambda *report: seen.append(report))

    assert seen == [("pull:Contact", 3, 3)]
    assert session.scalars(select(RunLogEntry)).all() == []


@pytest.mark.parametrize(
    ("dry_run", "left"),
    [
        (False, "what it had committed is kept"),
        (True, "a dry run changes nothing, so nothing is left to finish"),
    ],
)
def test_a_pull_stopped_by_ctrl_c_ends_its_run_failed_saying_so_with_the_calls_it_spent(
    world: PullWorld, session: Session, dry_run: bool, left: str
) -> None:
    """The calls a run spent are written with each page: a run stopped mid-read (or whose
    process died) still shows what it cost the org's API budget. A dry run committed nothing
    of its pages, and says so."""
    service = world.service(pull_objects=PullObjects.CONTACTS)
    world.create("Contact", LastName="Lopez")
    world.later()

    def interrupt(stream: str, read: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        world.pull(service, progress=interrupt, dry_run=dry_run)

    (run,) = session.scalars(select(Run).where(Run.service_id == service.id)).all()
    assert run.status is RunStatus.FAILED
    assert run.error == f"interrupted (Ctrl+C); {left}"
    assert run.api_calls >= 1  # its describes and the page's query, not nothing


def test_a_pull_on_demand_does_not_run_a_stream_whose_lease_another_run_holds(
    world: PullWorld, session: Session
) -> None:
    service = world.service(pull_objects=PullObjects.CONTACTS)
    world.create("Contact", LastName="Lopez")
    world.later()
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    assert take_lease(engine, service.id, "pull:Contact", "worker-1", dt.timedelta(minutes=5))

    refused = world.pull(service, on_demand=True)
    by_holder = world.pull(service)

    assert refused.status is RunStatus.FAILED
    assert refused.error is not None and "in progress" in refused.error
    assert (by_holder.status, by_holder.created) == (RunStatus.SUCCEEDED, 1)
