"""What the pull tests build: a sandbox org on a clock the test moves, services connected to it,
and a plain view of each service's contact book to compare."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from forcebridge.sandbox.seed import seed
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.models import (
    Connection,
    CustomContactField,
    CustomFieldType,
    Org,
    Service,
    UpdateOption,
    Watermark,
)
from forcebridge.store.repositories.contacts import list_contacts
from forcebridge.store.repositories.mappings import save_mapping
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from forcebridge.sync.connections import connect_with_password, open_client
from forcebridge.sync.pull import Progress, PullOptions, PullResult, pull
from tests.conftest import SandboxFactory
from tests.sandbox.clocks import Clock

BOOK_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile_phone",
    "title",
    "company",
    "city",
    "custom",
    "deleted_in_source",
)


class PullWorld:
    """One org connected to one sandbox; services are added as tests need them."""

    def __init__(
        self, session: Session, sandbox: SandboxServer, clock: Clock, org: str = "acme"
    ) -> None:
        self.session, self.sandbox, self.clock = session, sandbox, clock
        self.org: Org = create_org(session, org)
        session.commit()
        self.connection: Connection = connect_with_password(
            session,
            org,
            "sandbox",
            login_url=sandbox.base_url,
            client_id=sandbox.config.client_id,
            client_secret=sandbox.config.client_secret,
            username=sandbox.config.username,
            password=sandbox.config.password,
            ca_file=sandbox.ca_file,
        )
        self.client = open_client(session, self.connection)

    def service(self, name: str = "support", **settings: Any) -> Service:
        service = create_service(
            self.session, self.org, name, connection=self.connection, region="US"
        )
        for key, value in settings.items():
            setattr(service, key, value)
        self.session.commit()
        return service

    def create(self, sobject: str, **values: Any) -> str:
        """A record written now (on the org's clock), as a user in Salesforce would."""
        return self.sandbox.org.create(sobject, values)

    def update(self, sobject: str, record_id: str, **values: Any) -> None:
        self.sandbox.org.update(sobject, record_id, values)

    def later(self, minutes: float = 10) -> None:
        """Let time pass, past the watermark's overlap."""
        self.clock.advance(minutes=minutes)

    def pull(
        self,
        service: Service,
        progress: Progress | None = None,
        on_demand: bool = False,
        **options: Any,
    ) -> PullResult:
        return pull(
            self.session,
            self.client,
            service,
            PullOptions(**options),
            progress=progress,
            clock=self.clock,
            on_demand=on_demand,
        )

    def calls(self, action: Callable[[], Any]) -> int:
        """API calls the sandbox counted while `action` ran."""
        before = self.sandbox.usage().used
        action()
        return self.sandbox.usage().used - before


def seeded_world(session: Session, make_sandbox: SandboxFactory, contacts: int) -> PullWorld:
    """A world whose sandbox holds `contacts` Contacts (and 20 Accounts), stamped a while ago."""
    clock = Clock()
    world = PullWorld(session, make_sandbox(clock=clock), clock)
    seed(world.sandbox.org, contacts=contacts, leads=0, accounts=20, seed=7)
    world.later()
    return world


def book(session: Session, service: Service) -> list[dict[str, Any]]:
    """The service's contacts as plain data, in a stable order, ids left out."""
    session.expire_all()
    entries = []
    for contact in list_contacts(session, service):
        entry = {name: getattr(contact, name) for name in BOOK_FIELDS}
        entry["identities"] = sorted((i.source, i.external_id) for i in contact.identities)
        entries.append(entry)
    return sorted(entries, key=lambda e: (e["identities"], str(e["last_name"]), str(e["email"])))


def watermarks(
    session: Session, service: Service
) -> dict[str, tuple[dt.datetime | None, list[str]]]:
    rows = session.scalars(select(Watermark).where(Watermark.service_id == service.id))
    return {row.stream: (row.modstamp, sorted(row.ids_at_modstamp)) for row in rows}


def keeps_score(session: Session, service: Service) -> None:
    """The service's Contact mapping: the last name, and `Score__c` into a number field of
    its own, `score`."""
    session.add(
        CustomContactField(service_id=service.id, name="score", type=CustomFieldType.NUMBER)
    )
    overwrite = UpdateOption.OVERWRITE
    rows = [("LastName", "last_name", overwrite), ("Score__c", "score", overwrite)]
    save_mapping(session, service, "Contact", rows)
    session.commit()
