"""Decided pages written in order, each committed with its counts before the next, behind the
run on PostgreSQL and in turn on SQLite; a page that fails stops the writes at that page."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from forcebridge.mapping.contact_fields import contact_fields
from forcebridge.store.engine import make_sessionmaker
from forcebridge.store.models import Run, Service
from forcebridge.store.repositories.contacts import Identity, list_contacts
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.runs import start_run
from forcebridge.store.repositories.services import create_service
from forcebridge.sync.contact_values import EMPTY_CONTACT
from forcebridge.sync.pull_page import PageChanges
from forcebridge.sync.pull_record import Target
from forcebridge.sync.pull_report import Tally
from forcebridge.sync.pull_store import PageWrite
from forcebridge.sync.write_behind import PageWriter

SOURCE = "salesforce:Contact"


def created(target: Target, run: Run, external_id: str, last_name: str) -> PageWrite:
    columns = {**EMPTY_CONTACT, "last_name": last_name}
    changes = PageChanges(creates=[(columns, external_id)])
    return PageWrite(target, run.id, changes, [], Tally(read=1, created=1))


def a_service(session: Session) -> tuple[Service, Target, Run]:
    org = create_org(session, "acme")
    service = create_service(session, org, "support")
    run = start_run(session, org, "contacts", service=service)
    session.commit()
    return service, Target(service.id, SOURCE, None, "US", contact_fields()), run


def names(engine: Engine, service: Service) -> list[str | None]:
    """The service's contacts as another connection reads them: what is committed."""
    with make_sessionmaker(engine)() as other:
        return [contact.last_name for contact in list_contacts(other, service)]


def test_each_page_is_committed_with_its_counts_before_the_next_is_handed_over(
    session: Session, engine: Engine
) -> None:
    service, target, run = a_service(session)
    with PageWriter(session, behind=True) as writer:
        writer.submit([created(target, run, "003A", "Lovelace")])
        writer.submit([created(target, run, "003B", "Hopper")])
        assert names(engine, service)[0] == "Lovelace"
        writer.settled()
        assert writer.in_flight(service.id) is None
        assert names(engine, service) == ["Lovelace", "Hopper"]
    session.refresh(run)
    assert (run.read, run.created) == (2, 2)


def test_a_page_that_fails_stops_the_writes_there_and_the_pages_before_it_stay(
    session: Session, engine: Engine
) -> None:
    service, target, run = a_service(session)
    broken = PageWrite(
        target, run.id, PageChanges(links=[Identity(999_999, SOURCE, "003X")]), [], Tally()
    )
    writer = PageWriter(session, behind=True)
    # the driver's own error: pages are written through it (`forcebridge.store.bulk`)
    with pytest.raises(Exception, match=r"(?i)foreign key"), writer:
        writer.submit([created(target, run, "003A", "Lovelace")])
        writer.submit([broken])
        writer.submit([created(target, run, "003C", "Hamilton")])
    session.rollback()
    assert names(engine, service) == ["Lovelace"]
    session.refresh(run)
    assert run.created == 1
