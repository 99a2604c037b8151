"""Messages into the service's store: each row read and checked (`message_rows`), its contact
found, and the message recorded. A row with a problem is rejected, named by its line and field,
and the rest are imported. Importing a file again stores nothing twice: a message without an
`external_id` is known by a fingerprint of what it says, who said it, and when.

Rows are imported a thousand at a time, each chunk committed at once, so a message's
`recorded_at` (what the activity log finds new messages by) is never much older than its commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from forcebridge.store.models import Service
from forcebridge.store.repositories.contact_merges import kept_contacts
from forcebridge.store.repositories.contacts import contacts_by_email, contacts_by_phone
from forcebridge.store.repositories.messages import (
    NewMessage,
    add_messages,
    known_contact_ids,
    recorded_under_ids,
)
from forcebridge.store.types import utcnow
from forcebridge.sync.message_rows import (
    CONTACT_COLUMNS,
    MessageRow,
    RowNotice,
    RowProblem,
    parse_row,
    read_rows,
)

CHUNK = 1000


@dataclass
class ImportReport:
    read: int = 0
    imported: int = 0
    duplicates: int = 0
    """Rows already imported before (by their external id or fingerprint)."""
    problems: list[RowProblem] = field(default_factory=list)
    notices: list[RowNotice] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({p.line for p in self.problems})

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "errors": [vars(p) for p in self.problems],
            "notices": [vars(n) for n in self.notices],
        }


def import_messages(
    session: Session, service: Service, path: Path, *, now: dt.datetime | None = None
) -> ImportReport:
    """Import `path` into the service's messages, committing chunk by chunk."""
    return import_records(session, service, read_rows(path), now=now)


def import_records(
    session: Session,
    service: Service,
    rows: Iterable[tuple[int, Mapping[str, Any] | None]],
    *,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import `(line, row)` pairs, each row a message's fields (None for a line that is no JSON
    object), committing chunk by chunk; problems are named by their `line`."""
    now = now or utcnow()
    report = ImportReport()
    chunk: list[MessageRow] = []
    for line, raw in rows:
        report.read += 1
        row, problems = parse_row(line, raw, service.region, now)
        report.problems += problems
        if row is not None:
            chunk.append(row)
        if len(chunk) == CHUNK:
            _store(session, service, chunk, report)
            chunk = []
    _store(session, service, chunk, report)
    report.problems.sort(key=lambda p: p.line)
    report.notices.sort(key=lambda n: n.line)
    return report


def _store(
    session: Session, service: Service, rows: Sequence[MessageRow], report: ImportReport
) -> None:
    """Find the rows' contacts (one query per kind of key), then record the messages."""
    contacts = _contacts(session, service.id, rows)
    messages: list[NewMessage] = []
    lines: dict[int, int] = {}
    for row in rows:
        found = contacts.get((row.contact_field, row.contact_key), [])
        if len(found) != 1:
            report.problems.append(RowProblem(row.line, row.contact_field, _not_one(row, found)))
            continue
        report.notices += row.notices
        if row.contact_field == "contact_id" and row.contact_key != found[0]:
            report.notices.append(_merged(row, found[0]))
        message = replace(row.message, contact_id=found[0])
        messages.append(message if message.external_id else _fingerprinted(message))
        lines[id(messages[-1])] = row.line
    added = add_messages(session, service.id, messages)
    conflicts = _conflicts(session, service.id, messages) if added < len(messages) else []
    session.commit()
    report.imported += added
    report.duplicates += len(messages) - added - len(conflicts)
    report.problems += [
        RowProblem(lines[id(message)], "external_id", _conflict(message, recorded))
        for message, recorded in conflicts
    ]


def _conflicts(
    session: Session, service_id: int, messages: Sequence[NewMessage]
) -> list[tuple[NewMessage, NewMessage]]:
    """Messages the product gave an id already recorded for another message (another
    contact, time or text): skipped as duplicates, they would be lost without a word.
    Fingerprints cannot conflict: they are what the message says."""
    named = {i for m in messages if (i := m.external_id) and not i.startswith(FINGERPRINT)}
    recorded = recorded_under_ids(session, service_id, named)
    return [
        (message, recorded[message_id])
        for message in messages
        if (message_id := message.external_id) in recorded and recorded[message_id] != message
    ]


def _conflict(message: NewMessage, recorded: NewMessage) -> str:
    return (
        f"{message.external_id} is already the id of another message (contact "
        f"#{recorded.contact_id}, sent {recorded.sent_at.isoformat()}): give each message its "
        "own id"
    )


def _contacts(
    session: Session, service_id: int, rows: Sequence[MessageRow]
) -> dict[tuple[str, str | int], list[int]]:
    keys: dict[str, set[Any]] = {name: set() for name in CONTACT_COLUMNS}
    for row in rows:
        keys[row.contact_field].add(row.contact_key)
    found: dict[tuple[str, str | int], list[int]] = {}
    known = known_contact_ids(session, service_id, keys["contact_id"])
    for contact_id in known:
        found[("contact_id", contact_id)] = [contact_id]
    merged = kept_contacts(session, service_id, keys["contact_id"] - known)
    for contact_id, kept in merged.items():
        found[("contact_id", contact_id)] = [kept]
    for contact in contacts_by_phone(session, service_id, keys["phone"]):
        for phone in contact.phones & keys["phone"]:
            found.setdefault(("phone", phone), []).append(contact.id)
    for contact in contacts_by_email(session, service_id, keys["email"]):
        found.setdefault(("email", contact.values["email_normalized"]), []).append(contact.id)
    return found


def _merged(row: MessageRow, kept: int) -> RowNotice:
    """The product sent a message under the id of a contact merged into another since."""
    return RowNotice(
        row.line,
        "merged_contact",
        f"contact {row.contact_key} was merged into contact {kept} (the same person): "
        f"recorded under {kept}",
    )


def _not_one(row: MessageRow, found: Sequence[int]) -> str:
    if not found:
        return f"no contact of the service has {row.contact_field} {row.contact_key}"
    ids = ", ".join(map(str, sorted(found)))
    return f"{row.contact_field} {row.contact_key} belongs to contacts {ids}: give contact_id"


FINGERPRINT = "sha256:"
"""How the id of a message the product gave none begins."""


def _fingerprinted(message: NewMessage) -> NewMessage:
    """The message with an external id derived from it: the same message, the same id."""
    parts = (
        str(message.contact_id),
        message.direction.value,
        message.channel,
        message.author or "",
        message.body,
        message.sent_at.astimezone(dt.UTC).isoformat(),
    )
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return replace(message, external_id=f"{FINGERPRINT}{digest}")
