"""Chapter: conversations written back to Salesforce, one Task per contact per local day."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from simple_salesforce import Salesforce

from forcebridge.cli.demo.commands import CommandRunner
from forcebridge.cli.demo.narration import Narrator
from forcebridge.soql.builder import desc, eq, in_, select, to_soql

SERVICE = "acme/support"
ZONE = ZoneInfo("Europe/Paris")
LINES = (
    ("inbound", "Hi, my order hasn't arrived yet."),
    ("outbound", "Sorry to hear that! Could you share the order number?"),
    ("inbound", "It's 48213."),
    ("outbound", "Thanks, it ships today; you'll get tracking by SMS."),
)


def log_conversations(narrator: Narrator, run: CommandRunner, sf: Salesforce, folder: Path) -> None:
    narrator.chapter(
        "Log conversations as Salesforce Tasks",
        "Messages are grouped per contact and calendar day of the service's time zone; each "
        "day becomes one Task, re-written as the day's conversation grows, 200 Tasks a call.",
    )
    people = _unambiguous(
        sf,
        sf.query(
            "SELECT Id, Email, FirstName FROM Contact WHERE Email != null ORDER BY Id LIMIT 80"
        )["records"],
    )[:40]
    yesterday = dt.datetime.now(ZONE).replace(hour=9, minute=0, second=0, microsecond=0)
    yesterday -= dt.timedelta(days=1)
    first = folder / "messages.jsonl"
    _write_messages(first, people, [yesterday - dt.timedelta(days=1), yesterday])
    run(["messages", "import", "--service", SERVICE, str(first)])
    run(["activities", "push", "--service", SERVICE])

    later = folder / "more-messages.jsonl"
    _write_messages(later, people[:3], [yesterday + dt.timedelta(hours=6)])
    narrator.note("three of those people wrote again later that day: their day's Task grows")
    run(["messages", "import", "--service", SERVICE, str(later)])
    run(["activities", "push", "--service", SERVICE])

    latest_task = (
        select("Subject", "ActivityDate", "Status", "Description")
        .from_("Task")
        .where(eq("WhoId", people[0]["Id"]))
        .order_by(desc("ActivityDate"))
        .limit(1)
        .build()
    )
    task = sf.query(to_soql(latest_task))["records"][0]
    narrator.note(
        f"the Task on {people[0]['Email']}: {task['Subject']!r}, {task['ActivityDate']}, "
        f"{task['Status']}; its description begins:"
    )
    for line in task["Description"].splitlines()[:4]:
        narrator.note(f"  [dim]{line}")
    narrator.note(
        "the support team moves to New York: a new time zone takes effect at the end of "
        "today, so no message already logged changes day"
    )
    run(["service", "configure", SERVICE, "--timezone", "America/New_York"])
    narrator.found("Activity log", f"{len(people)} people, 2 days: one Task per person per day")


def _unambiguous(sf: Salesforce, people: list[dict[str, str]]) -> list[dict[str, str]]:
    """People whose email is theirs alone among Contacts and Leads: a shared address (the seed
    has some, as real orgs do) would make `messages import` ask for a contact id instead."""
    emails = [person["Email"] for person in people]
    counts: Counter[str] = Counter()
    for sobject in ("Contact", "Lead"):
        query = select("Email").from_(sobject).where(in_("Email", emails)).build()
        counts.update(r["Email"].casefold() for r in sf.query_all(to_soql(query))["records"])
    return [person for person in people if counts[person["Email"].casefold()] == 1]


def _write_messages(path: Path, people: list[dict[str, str]], starts: list[dt.datetime]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for start in starts:
            for person in people:
                for minute, (direction, body) in enumerate(LINES):
                    author = person["FirstName"] if direction == "inbound" else "Sam (support)"
                    message = {
                        "email": person["Email"],
                        "direction": direction,
                        "channel": "sms",
                        "author": author or "customer",
                        "body": body,
                        "sent_at": (start + dt.timedelta(minutes=minute)).isoformat(),
                    }
                    out.write(json.dumps(message) + "\n")
