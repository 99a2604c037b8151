"""A zone change replaced or cancelled after days were written in it, end to end: the store
(SQLite and PostgreSQL) and the sandbox over HTTPS."""

from __future__ import annotations

import datetime as dt

import pytest
from simple_salesforce import Salesforce
from sqlalchemy.orm import Session

from forcebridge.salesforce.client import SalesforceClient
from forcebridge.sandbox.server import SandboxServer
from forcebridge.sync.activities import push_activities
from forcebridge.sync.service_days import move_service, zone_document
from tests.salesforce.conftest import client_for
from tests.sync.activity_world import make_service, person, sandbox_contact, say, tasks_of

UTC = dt.UTC
NOW = dt.datetime(2024, 12, 6, 22, 48, tzinfo=UTC)  # 17:48 on Friday 6 December in New York
NEW_YORK_MIDNIGHT = dt.datetime(2024, 12, 7, 5, 0, tzinfo=UTC)
PARIS_MIDNIGHT = dt.datetime(2024, 12, 8, 23, 0, tzinfo=UTC)  # ends Sunday 8 December there
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def client(sandbox: SandboxServer) -> SalesforceClient:
    return client_for(sandbox).client


@pytest.mark.parametrize("again", ["America/New_York", "Asia/Tokyo"])
def test_days_written_in_a_pending_zone_keep_it_when_the_change_is_cancelled_or_replaced(
    session: Session, client: SalesforceClient, sf: Salesforce, again: str
) -> None:
    service = make_service(session, timezone="America/New_York")
    jane = sandbox_contact(sf, "Traveller")
    contact = person(session, service, links={"Contact": jane})
    move_service(service, "Europe/Paris", NOW)
    session.commit()
    say(session, service, contact, dt.datetime(2024, 12, 7, 5, 30, tzinfo=UTC), "z2")
    say(session, service, contact, dt.datetime(2024, 12, 7, 22, 30, tzinfo=UTC), "z3")
    say(session, service, contact, dt.datetime(2024, 12, 7, 23, 30, tzinfo=UTC), "z4")
    first = push_activities(session, service, client, now=NOW + MINUTE)
    written = tasks_of(sf, jane)

    move_service(service, again, NOW + 2 * MINUTE)
    session.commit()
    second = push_activities(session, service, client, now=NOW + 3 * MINUTE)

    assert first.created == 2
    saturday, sunday = tasks_of(sf, jane)
    assert [saturday, sunday] == written  # neither Task rewritten
    assert (second.created, second.updated) == (0, 0)
    assert saturday["ActivityDate"] == "2024-12-07"
    assert "06:30 CET · inbound · sms · Jane Doe\nz2" in saturday["Description"]
    assert "23:30 CET · inbound · sms · Jane Doe\nz3" in saturday["Description"]
    assert "z4" not in saturday["Description"]
    assert sunday["ActivityDate"] == "2024-12-08"
    assert "00:30 CET · inbound · sms · Jane Doe\nz4" in sunday["Description"]
    # Paris stays until the end of its last day written, then the zone asked for.
    change = zone_document(service, NOW + 3 * MINUTE)["timezone_change"]
    assert change["periods"] == [
        {"zone": "America/New_York", "until": NEW_YORK_MIDNIGHT.isoformat()},
        {"zone": "Europe/Paris", "until": PARIS_MIDNIGHT.isoformat()},
    ]
    assert (change["from"], change["to"]) == ("America/New_York", again)
