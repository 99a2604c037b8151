"""Messages from a file (CSV with a header row, or JSON lines: one object a line), or from
records a caller already holds (the REST API's JSON body).

Each row names its contact by `contact_id`, `phone` or `email` (the first one given), and has
`direction` (inbound or outbound), `channel`, `author`, `body` and `sent_at` (ISO 8601 with its
offset); `external_id`, the product's own id for the message, is optional. A row with a problem
is rejected, named by its line and field, and the rest are imported. Importing a file again
stores nothing twice: a message without an `external_id` is known by a fingerprint of what it
says, who said it, and when.

Rows are imported a thousand at a time, each chunk committed at once, so a message's
`recorded_at` (what the activity log finds new messages by) is never much older than its commit.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from forcebridge.store.models import Direction, Service
from forcebridge.store.models.base import MAX_ID
from forcebridge.store.repositories.contact_merges import kept_contacts
from forcebridge.store.repositories.contacts import contacts_by_email, contacts_by_phone
from forcebridge.store.repositories.messages import (
    NewMessage,
    add_messages,
    known_contact_ids,
    recorded_under_ids,
)
from forcebridge.store.types import utcnow
from forcebridge.sync.activity_windows import dated_in_future
from forcebridge.sync.csv_delimiter import delimiter_of
from forcebridge.sync.matching import InvalidKey, email_key, phone_key
from forcebridge.sync.transcript import clean_text
from forcebridge.wording import json_kind

COLUMNS = (
    "contact_id",
    "phone",
    "email",
    "direction",
    "channel",
    "author",
    "body",
    "sent_at",
    "external_id",
)
CONTACT_COLUMNS = ("contact_id", "phone", "email")
CHUNK = 1000
CHANNEL_LENGTH = 32
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(9998, 12, 31)
"""The years a `sent_at` may fall in: beyond them a day in some time zone is out of range."""
TEXT_LENGTH = 255
"""Authors and external ids are stored in 255 characters."""


_Complain = Callable[[str | None, str], None]
"""Records a problem with a row's field (None: with the row as a whole)."""


class UnreadableFile(Exception):
    """The file as a whole cannot be imported (not CSV or JSON lines, unknown columns)."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str | None
    message: str


@dataclass(frozen=True)
class RowNotice:
    """Something about a row that was imported, worth knowing."""

    line: int
    code: str
    message: str


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


@dataclass(frozen=True)
class _Row:
    """A row whose fields are all valid; its contact is still to be found."""

    line: int
    contact_field: str
    contact_key: str | int
    message: NewMessage
    """With contact_id 0 until the contact is found."""
    notices: tuple[RowNotice, ...]
    """Reported once the row's contact is found: a rejected row has problems, not notices."""


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
    chunk: list[_Row] = []
    for line, raw in rows:
        report.read += 1
        row = _parse(line, raw, service.region, now, report)
        if row is not None:
            chunk.append(row)
        if len(chunk) == CHUNK:
            _store(session, service, chunk, report)
            chunk = []
    _store(session, service, chunk, report)
    report.problems.sort(key=lambda p: p.line)
    report.notices.sort(key=lambda n: n.line)
    return report


def read_rows(path: Path) -> Iterator[tuple[int, Mapping[str, Any] | None]]:
    """`(line, row)` pairs; JSON lines when the name ends in .jsonl, .ndjson or .json or the
    first character is `{`, else CSV. A line that is no JSON object comes as None."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"{path} is not UTF-8 text ({error.reason})") from error
    except OSError as error:
        raise UnreadableFile(f"{path} cannot be read ({error.strerror})") from error
    json_lines = path.suffix.lower() in (".jsonl", ".ndjson", ".json") or text.lstrip()[:1] == "{"
    yield from (_json_rows(text) if json_lines else _csv_rows(path, text))


def _csv_rows(path: Path, text: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    delimiter = delimiter_of(text.split("\n", 1)[0])
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    unknown = [c for c in reader.fieldnames or () if c not in COLUMNS]
    if not reader.fieldnames or unknown:
        raise UnreadableFile(
            f"{path}: unknown column {', '.join(map(repr, unknown))}"
            if unknown
            else f"{path} is empty: it needs a header row"
        )
    line = reader.line_num + 1
    for row in reader:
        yield line, {k: v for k, v in row.items() if k is not None}
        line = reader.line_num + 1


def _json_rows(text: str) -> Iterator[tuple[int, Mapping[str, Any] | None]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            value = None
        yield number, value if isinstance(value, dict) else None


def _parse(
    line: int, raw: Mapping[str, Any] | None, region: str, now: dt.datetime, report: ImportReport
) -> _Row | None:
    """The row's message, or None with its problems added to `report`."""
    problems: list[RowProblem] = []
    wrong_kind: set[str] = set()

    def problem(name: str | None, message: str) -> None:
        if name not in wrong_kind:  # said once: not again as missing
            problems.append(RowProblem(line, name, message))

    if raw is None:  # an empty object is a message without fields: each is named below
        problem(None, "not a JSON object with the message's fields")
        report.problems += problems
        return None
    unknown = sorted(set(raw) - set(COLUMNS))
    for name in unknown:
        problem(name, f"unknown field: the fields are {', '.join(COLUMNS)}")
    for name in sorted(set(raw) & set(COLUMNS)):
        if not _of_its_kind(name, raw[name]):
            kind = "a whole number or a string" if name == "contact_id" else "a string"
            problem(name, f"must be {kind}, not {json_kind(raw[name])}")
            wrong_kind.add(name)
            raw = {**raw, name: None}
    for name in sorted(set(raw) & set(COLUMNS)):
        if "\x00" in str(raw[name]):
            problem(name, "holds a NUL character, which no field can keep")
            raw = {**raw, name: None}
    contact = _contact_ref(raw, region, problem)
    direction = _text(raw, "direction").lower()
    if not direction:
        problem("direction", "give the direction: inbound or outbound")
    elif direction not in ("inbound", "outbound"):
        problem("direction", f"{direction!r} is neither inbound nor outbound")
    channel = " ".join(clean_text(_text(raw, "channel")).split())
    if not channel or len(channel) > CHANNEL_LENGTH:
        problem("channel", f"give the channel (sms, chat, ...) in 1 to {CHANNEL_LENGTH} characters")
    author = " ".join(clean_text(_text(raw, "author")).split()) or None
    external_id = _text(raw, "external_id") or None
    for name, value in (("author", author), ("external_id", external_id)):
        if value is not None and len(value) > TEXT_LENGTH:
            problem(name, f"longer than {TEXT_LENGTH} characters")
    sent_at = _sent_at(_text(raw, "sent_at"), problem)
    raw_body = raw.get("body")
    body = raw_body if isinstance(raw_body, str) else _text(raw, "body")
    if problems or contact is None or sent_at is None:
        report.problems += problems
        return None
    cleaned = clean_text(body)
    notices = []
    if cleaned != body.replace("\r\n", "\n").replace("\r", "\n"):
        notices.append(RowNotice(line, "control_characters", "control characters removed"))
    if not cleaned.strip():
        notices.append(RowNotice(line, "empty_body", "the message has no text"))
    if dated_in_future(sent_at, now):
        notices.append(
            RowNotice(line, "dated_in_future", f"sent_at {sent_at.isoformat()} is in the future")
        )
    message = NewMessage(0, Direction(direction), channel, author, cleaned, sent_at, external_id)
    return _Row(line, contact[0], contact[1], message, tuple(notices))


def _of_its_kind(name: str, value: Any) -> bool:
    """Whether a JSON line's `value` is of the kind its field takes: text, or for a contact
    id also a whole number (a CSV's fields are all text). `true` is no body, nor `1e400` one."""
    if value is None or isinstance(value, str):
        return True
    return name == "contact_id" and isinstance(value, int) and not isinstance(value, bool)


def _text(raw: Mapping[str, Any], name: str) -> str:
    """The field as given: a JSON value that is not a string as JSON writes it (`true`, not
    Python's `True`), so that a problem quotes what the product sent."""
    value = raw.get(name)
    if value is None:
        return ""
    return (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)).strip()


def _contact_ref(
    raw: Mapping[str, Any], region: str, problem: _Complain
) -> tuple[str, str | int] | None:
    """The first of contact_id, phone, email the row gives, as the key to look it up by."""
    for name in CONTACT_COLUMNS:
        value = _text(raw, name)
        if not value:
            continue
        try:
            if name == "contact_id":
                return name, _positive_int(value)
            key = phone_key(value, region) if name == "phone" else email_key(value)
        except (InvalidKey, ValueError) as error:
            problem(name, str(error))
            return None
        return (name, key) if key else None
    problem("contact_id", "name the contact: give contact_id, phone or email")
    return None


def _positive_int(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_ID:
        raise ValueError(f"{value!r} is not a contact id (a whole number from 1 to {MAX_ID:,})")
    return int(value)


def _sent_at(value: str, problem: _Complain) -> dt.datetime | None:
    if not value:
        problem("sent_at", "give when the message was sent, e.g. 2024-03-12T10:00:00-04:00")
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        problem("sent_at", f"{value!r} is not an ISO 8601 date and time")
        return None
    if moment.tzinfo is None:
        problem("sent_at", f"{value!r} has no offset: add Z or one like -04:00")
        return None
    if not EARLIEST.year <= moment.year <= LATEST.year:
        problem("sent_at", f"{value!r} is not a date a message was sent on")
        return None
    return moment.astimezone(dt.UTC)


def _store(session: Session, service: Service, rows: Sequence[_Row], report: ImportReport) -> None:
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
    session: Session, service_id: int, rows: Sequence[_Row]
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


def _merged(row: _Row, kept: int) -> RowNotice:
    """The product sent a message under the id of a contact merged into another since."""
    return RowNotice(
        row.line,
        "merged_contact",
        f"contact {row.contact_key} was merged into contact {kept} (the same person): "
        f"recorded under {kept}",
    )


def _not_one(row: _Row, found: Sequence[int]) -> str:
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
