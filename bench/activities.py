"""Benchmark: log a day of conversations as Tasks with forcebridge, and the straightforward way.

10,000 contacts linked to Salesforce Contacts, each with a day of messages. Both approaches
write the same Tasks (the same transcripts) to the same sandbox, which counts the API calls
each spends, so both are measured by the same meter.

- forcebridge: `push_activities` (windows recorded with keys, sObject Collections, 200 a call).
- one by one: the same windows read from the store, then one simple-salesforce
  `Task.create` per window.

forcebridge must spend at most ceil(windows / 200) + 2 calls (the Task describe, and one
partly filled call); the run fails loudly otherwise.

    .venv/bin/python bench/activities.py [--contacts 10000] [--messages 6] [--latency-ms 0]

`--latency-ms` makes the sandbox answer every API call that much later, as a real org across
a network does (tens of milliseconds); with none, the wall-time ratio understates the gap.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from forcebridge.salesforce.client import ClientSettings, SalesforceClient
from forcebridge.salesforce.tokens import TokenSet
from forcebridge.sandbox.clients import simple_salesforce
from forcebridge.sandbox.config import SandboxConfig
from forcebridge.sandbox.server import SandboxServer
from forcebridge.store.engine import make_engine, make_sessionmaker
from forcebridge.store.migrations import upgrade
from forcebridge.store.models import Direction, Service
from forcebridge.store.repositories.contacts import (
    Identity,
    add_identities,
    insert_contacts,
    list_contacts,
)
from forcebridge.store.repositories.messages import NewMessage, add_messages, messages_between
from forcebridge.store.repositories.orgs import create_org
from forcebridge.store.repositories.services import create_service
from forcebridge.sync.activities import push_activities
from forcebridge.sync.activity_drafts import (
    DraftSettings,
    by_window,
    contact_name,
    draft_window,
)
from forcebridge.sync.activity_tasks import Target
from forcebridge.sync.activity_windows import windows_touched
from forcebridge.sync.service_days import service_calendar

ZONE = "America/New_York"
DAY = dt.date(2024, 3, 12)
LINES = (
    "Hi, is the shop open today?",
    "Yes, until 6pm. Anything we can help with?",
    "Do you have the blue one in a medium?",
    "We do: shall we keep one aside for you?",
    "Please, I'll come by after work.",
    "Done, it's under your name. See you later!",
)


def forcebridge_client(server: SandboxServer) -> SalesforceClient:
    tokens = TokenSet(
        access_token=server.access_token(),
        instance_url=server.base_url,
        id_url=f"{server.base_url}/id/{server.org.org_id}/{server.org.admin_user_id}",
        issued_at=dt.datetime.now(dt.UTC),
    )
    return SalesforceClient(tokens, ClientSettings("bench", ca_file=server.ca_file))


def populate(session: Session, server: SandboxServer, contacts: int, messages: int) -> Service:
    """Contacts in Salesforce and in the store, linked, each with a day of messages."""
    with forcebridge_client(server) as client:
        made = client.collection_create(
            "Contact", [{"LastName": f"Person {i}", "FirstName": "Pat"} for i in range(contacts)]
        )
    service = create_service(session, create_org(session, "bench"), "shop", timezone=ZONE)
    ids = insert_contacts(
        session,
        service.id,
        [{"first_name": "Pat", "last_name": f"Person {i}"} for i in range(contacts)],
    )
    add_identities(
        session,
        service.id,
        [Identity(c, "salesforce:Contact", str(r.id)) for c, r in zip(ids, made, strict=True)],
    )
    start = dt.datetime.combine(DAY, dt.time(9), tzinfo=ZoneInfo(ZONE))
    for first in range(0, len(ids), 1000):
        add_messages(
            session,
            service.id,
            [
                NewMessage(
                    contact_id,
                    Direction.INBOUND if n % 2 == 0 else Direction.OUTBOUND,
                    "sms",
                    "Pat" if n % 2 == 0 else "Sam",
                    LINES[n % len(LINES)],
                    start + dt.timedelta(minutes=7 * n + contact_id % 300),
                )
                for contact_id in ids[first : first + 1000]
                for n in range(messages)
            ],
        )
    session.commit()
    server.reset_usage()
    return service


@dataclass(frozen=True)
class Measure:
    windows: int
    calls: int
    seconds: float


def with_forcebridge(session: Session, service: Service, server: SandboxServer) -> Measure:
    with forcebridge_client(server) as client:
        started = time.perf_counter()
        report = push_activities(session, service, client)
        seconds = time.perf_counter() - started
    if report.failed or report.created != report.windows:
        raise SystemExit(f"forcebridge did not write every window: {report}")
    return Measure(report.windows, server.usage().used, seconds)


def one_by_one(session: Session, service: Service, server: SandboxServer) -> Measure:
    """Read each window's messages, render the same transcript, create its Task alone."""
    server.reset_usage()
    sf = simple_salesforce(server)
    calendar = service_calendar(service)
    settings = DraftSettings(str(service.id), calendar, "forcebridge")
    started = time.perf_counter()
    links = {c.id: i.external_id for c in list_contacts(session, service) for i in c.identities}
    start, end = calendar.span(DAY)
    stored = messages_between(session, service.id, links, start, end)
    windows = windows_touched(((m.contact_id, m.sent_at) for m in stored), calendar)
    grouped = by_window(stored, calendar, set(windows))
    created = 0
    for window in windows:
        target = Target("Contact", links[window.contact_id])
        name = contact_name(window.contact_id, None)
        for draft in draft_window(settings, window, grouped[window], name, target).drafts:
            sf.Task.create(dict(draft.fields))
            created += 1
    return Measure(created, server.usage().used, time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=6, help="messages per contact")
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every API call")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fb-bench-activities-") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'forcebridge.sqlite3'}"
        upgrade(url)
        engine = make_engine(url)
        with (
            SandboxServer(
                SandboxConfig(data_dir=folder / "sandbox", port=0, latency_ms=args.latency_ms)
            ) as server,
            make_sessionmaker(engine)() as session,
        ):
            service = populate(session, server, args.contacts, args.messages)
            ours = with_forcebridge(session, service, server)
            theirs = one_by_one(session, service, server)
        engine.dispose()

    bound = math.ceil(ours.windows / 200) + 2
    print(
        f"activity log: {args.contacts:,} contacts, {args.messages} messages each,"
        f" one day in {ZONE}: {ours.windows:,} windows, {args.latency_ms} ms added per call"
    )
    print(f"  {'':<14}{'API calls':>12}{'wall time':>12}")
    for name, measure in (("forcebridge", ours), ("one by one", theirs)):
        print(f"  {name:<14}{measure.calls:>12,}{measure.seconds:>10.1f} s")
    print(
        f"  forcebridge: {theirs.calls / ours.calls:,.0f}x fewer calls,"
        f" {theirs.seconds / ours.seconds:,.1f}x faster"
    )
    print(f"  calls {ours.calls:,} <= ceil(windows / 200) + 2 = {bound:,}: {ours.calls <= bound}")
    if ours.calls > bound:
        raise SystemExit("forcebridge spent more calls than ceil(windows / 200) + 2")


if __name__ == "__main__":
    main()
