"""What the activity log tests build: a service whose contacts are linked to sandbox records,
messages to log, and a look at the Tasks Salesforce ended up with."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from simple_salesforce import Salesforce
from sqlalchemy.orm import Session

from forcebridge.salesforce.client import SalesforceClient
from forcebridge.sandbox.server import SandboxServer
from forcebridge.soql.builder import eq, select, to_soql
from forcebridge.store.models import ActivityTarget, Direction, Service
from forcebridge.store.repositories.contacts import Identity, add_identities, insert_contacts
from forcebridge.store.repositories.messages import NewMessage, add_messages
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from forcebridge.sync.activities import PushOptions, push_activities

DAY = dt.date(2024, 3, 12)
"""A Tuesday; 14:00 UTC is 10:00 in New York (EDT since the 10th)."""
MORNING = dt.datetime(2024, 3, 12, 14, 0, tzinfo=dt.UTC)
TASK_FIELDS = ("Id", "WhoId", "Subject", "Description", "ActivityDate", "Status", "OwnerId")


def make_service(
    session: Session,
    *,
    timezone: str = "America/New_York",
    activities_to: ActivityTarget = ActivityTarget.BOTH,
    **settings: Any,
) -> Service:
    service = create_service(session, create_org(session, "acme"), "support", timezone=timezone)
    service.activities_to = activities_to
    for name, value in settings.items():
        setattr(service, name, value)
    session.commit()
    return service


def sandbox_contact(sf: Salesforce, last_name: str, first_name: str = "Jane") -> str:
    return str(sf.Contact.create({"FirstName": first_name, "LastName": last_name})["id"])


def sandbox_lead(sf: Salesforce, last_name: str, first_name: str = "Lee") -> str:
    lead = sf.Lead.create({"FirstName": first_name, "LastName": last_name, "Company": "Initech"})
    return str(lead["id"])


def person(
    session: Session,
    service: Service,
    *,
    first_name: str = "Jane",
    last_name: str = "Doe",
    links: dict[str, str] | None = None,
) -> int:
    """A contact of the service, linked to `{"Contact" | "Lead": salesforce id}`."""
    (contact_id,) = insert_contacts(
        session, service.id, [{"first_name": first_name, "last_name": last_name}]
    )
    link(session, service, contact_id, links or {})
    return contact_id


def link(session: Session, service: Service, contact_id: int, links: dict[str, str]) -> None:
    """What the pull does when it finds the contact's Salesforce records."""
    add_identities(
        session,
        service.id,
        [Identity(contact_id, f"salesforce:{sobject}", sf_id) for sobject, sf_id in links.items()],
    )
    session.commit()


def say(
    session: Session,
    service: Service,
    contact_id: int,
    sent_at: dt.datetime,
    body: str,
    *,
    direction: Direction = Direction.INBOUND,
    author: str | None = "Jane Doe",
) -> None:
    message = NewMessage(contact_id, direction, "sms", author, body, sent_at)
    add_messages(session, service.id, [message])
    session.commit()


def parked_and_held(
    session: Session,
    service: Service,
    client: SalesforceClient,
    sf: Salesforce,
    *,
    parked: int = 1,
    held: int = 0,
) -> None:
    """`parked` days of Jane Gone, whose Contact was deleted, parked by a push allowed one
    attempt; and a day of each of `held` contacts linked to no record yet, held by it."""
    gone = sandbox_contact(sf, "Gone")
    jane = person(session, service, last_name="Gone", links={"Contact": gone})
    for day in range(parked):
        say(session, service, jane, MORNING + dt.timedelta(days=day), "hello?")
    for n in range(held):
        say(session, service, person(session, service, last_name=f"Nobody {n}"), MORNING, "hi")
    sf.Contact.delete(gone)
    push_activities(session, service, client, PushOptions(max_attempts=1))


def tasks_of(sf: Salesforce, who_id: str) -> list[dict[str, Any]]:
    """The Tasks about `who_id`, oldest day first, then by subject."""
    query = (
        select(*TASK_FIELDS)
        .from_("Task")
        .where(eq("WhoId", who_id))
        .order_by("ActivityDate", "Subject")
        .build()
    )
    return list(sf.query_all(to_soql(query))["records"])


def task_schema(folder: Path, **field: Any) -> Path:
    """A `--schema` folder adding one custom text field to Task."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"type": "string", "length": 64, "custom": True, "createable": True, "updateable": True}
    (folder / "Task.json").write_text(json.dumps({"name": "Task", "fields": [spec | field]}))
    return folder


def key_field_schema(folder: Path) -> Path:
    """Task gets the external-id field window keys are upserted by."""
    return task_schema(
        folder,
        name="Forcebridge_Key__c",
        label="Forcebridge Key",
        externalId=True,
        unique=True,
        nillable=True,
    )


def add_key_field(server: SandboxServer) -> str:
    """Task gets the key field through the Tooling API, as an admin adds it to a live org; its
    id, to delete it by."""
    return server.org.custom_fields.create(
        {
            "FullName": "Task.Forcebridge_Key__c",
            "Metadata": {"type": "Text", "label": "Forcebridge Key", "length": 64,
                         "externalId": True, "unique": True},
        }
    )  # fmt: skip


def required_field_schema(folder: Path) -> Path:
    """Task gets a field every Task must have, as a validation rule would demand: Salesforce
    refuses forcebridge's Tasks, which do not set it."""
    return task_schema(folder, name="Region__c", label="Region", nillable=False)


class Crash(Exception):
    """The process died."""


class CrashesAfterWriting:
    """The real client, except that the process dies right after Salesforce accepted a
    collection write, before the store could record what it wrote."""

    def __init__(self, client: SalesforceClient) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def collection_create(self, *args: Any, **kwargs: Any) -> None:
        self._client.collection_create(*args, **kwargs)
        raise Crash

    def collection_upsert(self, *args: Any, **kwargs: Any) -> None:
        self._client.collection_upsert(*args, **kwargs)
        raise Crash
