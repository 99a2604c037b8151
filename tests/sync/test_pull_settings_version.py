"""A service's pull settings changed by an admin while a read of its stream is under way (a
mapping saved during the first pull, minutes long): the read writes nothing more for it, its
run says why, and the next run reads every record under the new settings; on SQLite and
PostgreSQL, whether the page is written in turn or behind."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from forcebridge.jobs.failures import classify
from forcebridge.jobs.policy import FailureKind
from forcebridge.mapping.contact_fields import contact_fields
from forcebridge.mapping.model import Mapping, MappingRow
from forcebridge.salesforce.client import SalesforceClient
from forcebridge.store.engine import make_sessionmaker
from forcebridge.store.models import (
    Connection,
    PullObjects,
    Run,
    RunStatus,
    Service,
    UpdateOption,
)
from forcebridge.store.repositories.mappings import save_mapping
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.runs import start_run
from forcebridge.store.repositories.services import create_service
from forcebridge.store.repositories.watermarks import reset_watermarks
from forcebridge.sync.connections import open_client
from forcebridge.sync.contact_values import EMPTY_CONTACT
from forcebridge.sync.mapping_admin import save_pull_mapping
from forcebridge.sync.pull_options import Progress
from forcebridge.sync.pull_page import PageChanges
from forcebridge.sync.pull_record import Target
from forcebridge.sync.pull_report import Tally
from forcebridge.sync.pull_settings import PullChange, configure_pull
from forcebridge.sync.pull_settings_version import SettingsChanged
from forcebridge.sync.pull_store import PageWrite
from forcebridge.sync.watermark import Cursor
from forcebridge.sync.write_behind import PageWriter
from tests.conftest import SandboxFactory
from tests.store.repositories.test_watermarks import statements_of
from tests.sync.pull_world import PullWorld, book, seeded_world, watermarks

CONTACTS = 3_000
"""Two pages of a REST read."""

FIRST = (("LastName", "last_name"), ("Email", "email"), ("Phone", "phone"))
WITH_CITY = (*FIRST, ("MailingCity", "city"))
"""The mapping saved during the read: every seeded Contact has a mailing city."""

EVERYONE = "SELECT Id, FirstName, LastName, Email, MailingCountry FROM Contact"
NARROWED = f"{EVERYONE} WHERE MailingCountry != 'France'"

Change = Callable[[Session, SalesforceClient, Service], Any]


@pytest.fixture
def world(session: Session, make_sandbox: SandboxFactory) -> PullWorld:
    return seeded_world(session, make_sandbox, CONTACTS)


def contacts_service(world: PullWorld, name: str) -> Service:
    """A service pulling Contacts through `FIRST`."""
    service = world.service(name, pull_objects=PullObjects.CONTACTS)
    save_mapping(
        world.session, service, "Contact", [(*row, UpdateOption.OVERWRITE) for row in FIRST]
    )
    world.session.commit()
    return service


def map_city(session: Session, client: SalesforceClient, service: Service) -> None:
    """The admin pages' mapping save, the mailing city added."""
    rows = tuple(MappingRow(source, target) for source, target in WITH_CITY)
    save_pull_mapping(session, client, service, "Contact", Mapping(rows))


def changed_at(
    world: PullWorld, service: Service, change: Change, *, last: bool = False
) -> Progress:
    """Progress that, once the first page (or the `last`) is read, has an admin save `change`
    for `service` in a session and client of their own, as the admin pages do."""
    done_once = False

    def progress(stream: str, done: int, total: int) -> None:
        nonlocal done_once
        if done_once or (last and done < total):
            return
        done_once = True
        with make_sessionmaker(world.session.get_bind())() as admin:
            connection = admin.get_one(Connection, world.connection.id)
            with open_client(admin, connection) as client:
                change(admin, client, admin.get_one(Service, service.id))
            admin.commit()

    return progress


def run_of(session: Session, service: Service) -> Run:
    session.expire_all()
    return session.scalars(
        select(Run).where(Run.service_id == service.id).order_by(Run.id.desc()).limit(1)
    ).one()


def stopped_for_its_settings(run: Run) -> bool:
    """The run failed saying so (a lead's run names the stream first)."""
    return run.status is RunStatus.FAILED and (run.error or "").endswith(str(SettingsChanged()))


@pytest.mark.parametrize("write_behind", [True, False])
def test_a_mapping_saved_during_a_first_pull_is_read_into_every_record_by_the_next_run(
    world: PullWorld, session: Session, write_behind: bool
) -> None:
    service = contacts_service(world, "support")

    stopped = world.pull(
        service, progress=changed_at(world, service, map_city), write_behind=write_behind
    )
    world.later()
    rerun = world.pull(service)

    assert (rerun.status, rerun.read) == (RunStatus.SUCCEEDED, CONTACTS)
    cities = [entry["city"] for entry in book(session, service)]
    assert len(cities) == CONTACTS and all(cities)
    assert stopped.status is RunStatus.FAILED
    assert stopped.error == f"pull:Contact: {SettingsChanged()}"
    world.later()
    assert world.pull(service).read == 0  # then incremental again


def test_a_rule_narrowed_during_a_read_unlinks_at_the_next_run_what_the_read_linked(
    world: PullWorld, session: Session
) -> None:
    service = contacts_service(world, "support")

    def narrow(admin: Session, client: SalesforceClient, changed: Service) -> None:
        configure_pull(admin, client, changed, PullChange(routing="MailingCountry != 'France'"))

    stopped = world.pull(service, progress=changed_at(world, service, narrow))
    world.later()
    rerun = world.pull(service)

    french_soql = "SELECT Id FROM Contact WHERE MailingCountry = 'France'"
    french = {record["Id"] for record in world.client.query_all_records(french_soql)}
    linked = {sid for entry in book(session, service) for _, sid in entry["identities"]}
    assert french and not french & linked
    assert len(linked) == CONTACTS - len(french)
    assert (stopped.status, rerun.status) == (RunStatus.FAILED, RunStatus.SUCCEEDED)


@pytest.mark.parametrize("changed", ["the lead", "the other"])
def test_in_a_shared_read_only_the_service_whose_settings_changed_stops(
    world: PullWorld, session: Session, changed: str
) -> None:
    """The other service's run goes on to the end, its records all linked, whichever stopped;
    the next read of the group reads every record again for the one whose settings changed."""
    lead, other = contacts_service(world, "lead"), contacts_service(world, "other")
    moved, kept = (lead, other) if changed == "the lead" else (other, lead)

    world.pull(lead, progress=changed_at(world, moved, map_city))

    assert stopped_for_its_settings(run_of(session, moved))
    kept_run = run_of(session, kept)
    assert (kept_run.status, kept_run.read, kept_run.created) == (
        RunStatus.SUCCEEDED,
        CONTACTS,
        CONTACTS,
    )
    assert len(book(session, kept)) == CONTACTS
    world.later()
    assert world.pull(kept).read == 0
    moved_run = run_of(session, moved)
    assert (moved_run.status, moved_run.read) == (RunStatus.SUCCEEDED, CONTACTS)
    assert all(entry["city"] for entry in book(session, moved))


def test_a_bulk_read_whose_settings_changed_saves_no_watermark_at_its_end(
    world: PullWorld, session: Session
) -> None:
    service = contacts_service(world, "support")

    stopped = world.pull(
        service, progress=changed_at(world, service, map_city), bulk_threshold=1_000
    )
    world.later()
    rerun = world.pull(service)

    assert rerun.read == CONTACTS
    assert all(entry["city"] for entry in book(session, service))
    assert stopped.status is RunStatus.FAILED


def test_a_full_read_whose_settings_changed_after_its_last_page_unlinks_nothing(
    world: PullWorld, session: Session
) -> None:
    """The change forgot what the read had seen: unlinking what it did not see would unlink
    every record. The next read, of what the new settings take, unlinks what they leave."""
    service = world.service("support", pull_objects=PullObjects.CUSTOM, pull_soql=EVERYONE)
    world.pull(service)
    configure_pull(session, world.client, service, PullChange(soql=NARROWED))
    session.commit()
    world.later()

    def widen(admin: Session, client: SalesforceClient, changed: Service) -> None:
        configure_pull(admin, client, changed, PullChange(soql=EVERYONE))

    stopped = world.pull(service, progress=changed_at(world, service, widen, last=True))

    assert stopped.status is RunStatus.FAILED
    assert [e for e in book(session, service) if e["deleted_in_source"]] == []
    world.later()
    rerun = world.pull(service)
    assert (rerun.read, rerun.updated) == (CONTACTS, 0)
    assert [e for e in book(session, service) if e["deleted_in_source"]] == []


def test_a_dry_run_during_which_the_settings_change_reads_to_its_end(
    world: PullWorld, session: Session
) -> None:
    service = contacts_service(world, "support")

    dry = world.pull(service, progress=changed_at(world, service, map_city), dry_run=True)

    assert (dry.status, dry.read) == (RunStatus.SUCCEEDED, CONTACTS)
    assert world.pull(service).read == CONTACTS


def test_a_run_stopped_by_a_settings_change_is_retried_not_flagged_for_a_person() -> None:
    assert classify(SettingsChanged()).kind is FailureKind.TRANSIENT


def test_a_page_holds_its_services_settings_before_writing_and_writes_none_for_one_moved(
    session: Session, engine: Engine
) -> None:
    """The services' rows first, in one statement, then the pages' writes: the order a
    settings change takes them in (`reset_watermarks`)."""
    org = create_org(session, "acme")
    moved, kept = (create_service(session, org, name) for name in ("moved", "kept"))
    pages = []
    for service in (moved, kept):
        run = start_run(session, org, "pull:Contact", service=service)
        target = Target(service.id, "salesforce:Contact", None, "US", contact_fields())
        creates = PageChanges(creates=[({**EMPTY_CONTACT, "last_name": "Ito"}, "003A")])
        cursor = Cursor(dt.datetime(2024, 11, 7, 9, tzinfo=dt.UTC), frozenset({"003A"}))
        pages.append(
            PageWrite(
                target,
                run.id,
                creates,
                [],
                Tally(read=1, created=1),
                watermark=("pull:Contact", cursor),
                settings_version=0,
            )
        )
    session.commit()
    reset_watermarks(session, moved)  # after its read noted 0
    session.commit()

    with PageWriter(session, behind=True) as writer:
        sent = statements_of(engine, lambda: (writer.submit(pages), writer.settled()))

    assert writer.refused == {moved.id}
    assert (watermarks(session, moved), list(watermarks(session, kept))) == ({}, ["pull:Contact"])
    assert [len(book(session, service)) for service in (moved, kept)] == [0, 1]
    held = next(i for i, s in enumerate(sent) if s.startswith("SELECT services.id"))
    assert "WHERE services.id IN" in sent[held]
    assert all(not s.startswith(("INSERT", "UPDATE", "COPY")) for s in sent[:held])
