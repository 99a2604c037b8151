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
from forcebridge.sync.service_days import move_service, service_calendar, zone_document
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
    assert (change["from"], change["to"]) == ("Europe/Paris", again)  # what changes then


def test_a_change_back_held_by_days_written_in_the_pending_zone_offers_a_cancel_that_cancels(
    session: Session, client: SalesforceClient, sf: Salesforce
) -> None:
    """New York to Paris, Paris's days written, then New York again: New York waits for the
    end of the last Paris day written. Asking for New York again would change nothing; Paris
    again counts the days as they were before (Paris's, from New York's midnight)."""
    service = make_service(session, timezone="America/New_York")
    contact = person(session, service, links={"Contact": sandbox_contact(sf, "Undecided")})
    move_service(service, "Europe/Paris", NOW)
    session.commit()
    say(session, service, contact, dt.datetime(2024, 12, 7, 5, 30, tzinfo=UTC), "z2")
    say(session, service, contact, dt.datetime(2024, 12, 8, 5, 30, tzinfo=UTC), "z3")
    push_activities(session, service, client, now=NOW + MINUTE)
    before = service_calendar(service)

    back = move_service(service, "America/New_York", NOW + 2 * MINUTE)
    change = zone_document(service, NOW + 2 * MINUTE)["timezone_change"]
    again = move_service(service, "America/New_York", NOW + 3 * MINUTE)
    cancelled = move_service(service, "Europe/Paris", NOW + 4 * MINUTE)

    (notice,) = back.notices
    assert notice.startswith("America/New_York takes effect only at 2024-12-08 23:00 UTC")
    assert notice.endswith(
        "to go on counting days in Europe/Paris after that, cancel the change "
        "(--timezone Europe/Paris)."
    )
    assert (change["from"], change["to"], change["takes_effect_at"]) == (
        "Europe/Paris",
        "America/New_York",
        PARIS_MIDNIGHT.isoformat(),
    )
    assert again.calendar == back.calendar  # what the cancel offered before would have done
    assert cancelled.calendar == before and cancelled.notices == ()


def test_a_day_written_far_ahead_keeps_its_task_and_holds_the_change_back_no_more(
    session: Session, client: SalesforceClient, sf: Salesforce
) -> None:
    """A device whose clock is centuries off: its day's Task keeps New York's hours, and the
    zone asked for starts tonight, around it."""
    service = make_service(session, timezone="America/New_York")
    jane = sandbox_contact(sf, "Clockwork")
    contact = person(session, service, links={"Contact": jane})
    say(session, service, contact, dt.datetime(2200, 6, 1, 3, 0, tzinfo=UTC), "wrong clock")
    push_activities(session, service, client, now=NOW)
    (written,) = tasks_of(sf, jane)

    move = move_service(service, "Europe/Paris", NOW + MINUTE)
    session.commit()
    say(session, service, contact, dt.datetime(2200, 5, 31, 14, 0, tzinfo=UTC), "same day")
    say(session, service, contact, dt.datetime(2200, 6, 1, 12, 0, tzinfo=UTC), "next day")
    pushed = push_activities(session, service, client, now=NOW + 2 * MINUTE)

    change = zone_document(service, NOW + MINUTE)["timezone_change"]
    assert change["takes_effect_at"] == NEW_YORK_MIDNIGHT.isoformat()  # tonight, not in 2200
    assert move.notices == (
        "2200-05-31 keeps America/New_York's hours: Tasks were written for it already (the "
        f"latest message, of contact {contact}, is dated 2200-06-01T03:00:00+00:00 (in the "
        "future: a device's clock set wrong?)). The days around are Europe/Paris's.",
    )
    assert (pushed.created, pushed.updated) == (1, 1)
    kept, paris = tasks_of(sf, jane)
    assert kept["Id"] == written["Id"] and kept["ActivityDate"] == "2200-05-31"
    assert "23:00 EDT · inbound · sms · Jane Doe\nwrong clock" in kept["Description"]
    assert "10:00 EDT · inbound · sms · Jane Doe\nsame day" in kept["Description"]
    assert paris["ActivityDate"] == "2200-06-01"
    assert "14:00 CEST · inbound · sms · Jane Doe\nnext day" in paris["Description"]
