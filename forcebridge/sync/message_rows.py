"""A message's row, read and checked: from a file (CSV with a header row, or JSON lines: one
object a line) or from records a caller already holds (the REST API's JSON body).

Each row names its contact by `contact_id`, `phone` or `email` (the first one given), and has
`direction` (inbound or outbound), `channel`, `author`, `body` and `sent_at` (ISO 8601 with its
offset); `external_id`, the product's own id for the message, is optional. A CSV header is read
as every CSV reader reads one (`column_names`: `Sent At` and `sentat` are `sent_at`, `E-Mail`
is `email`), a JSON key exactly. A row with a problem is named by its line and field; finding
its contact and storing it is `message_import`'s.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forcebridge.store.models import Direction
from forcebridge.store.models.base import MAX_ID
from forcebridge.store.repositories.messages import NewMessage
from forcebridge.sync.activity_windows import dated_in_future
from forcebridge.sync.column_names import column_name, did_you_mean, named_twice, unknown_columns
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


@dataclass(frozen=True)
class MessageRow:
    """A row whose fields are all valid; its contact is still to be found."""

    line: int
    contact_field: str
    contact_key: str | int
    message: NewMessage
    """With contact_id 0 until the contact is found."""
    notices: tuple[RowNotice, ...]
    """Reported once the row's contact is found: a rejected row has problems, not notices."""


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
    """Each row by the columns its header names; the file is refused whole, before any row is
    read, when its header names no column, an unknown one or one twice, or a column it leaves
    unnamed holds a value (which would be lost without a word)."""
    delimiter = delimiter_of(text.split("\n", 1)[0])
    records = list(_records(text, delimiter))  # read once: the file is checked whole first
    if not records:
        raise UnreadableFile(f"{path} is empty: it needs a header row")
    (_, header), rows = records[0], records[1:]
    names = [column_name(cell, COLUMNS) for cell in header]
    if problem := _header_problem(header, names) or _unnamed_value(names, rows):
        raise UnreadableFile(f"{path}: {problem}")
    for line, cells in rows:
        yield (
            line,
            {name: cells[at] if at < len(cells) else None for at, name in enumerate(names) if name},
        )


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each record that is not a blank line, with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for cells in reader:
        if cells:
            yield line, cells
        line = reader.line_num + 1


def _header_problem(header: list[str], names: list[str]) -> str:
    if unknown := unknown_columns(names, COLUMNS):
        return unknown
    if not any(names):
        return f"its header row names no column; the columns are: {', '.join(COLUMNS)}"
    return named_twice(header, names)


def _unnamed_value(names: list[str], records: Sequence[tuple[int, list[str]]]) -> str:
    """The first value under a column the header leaves unnamed: a spreadsheet adds empty
    ones, which are passed over, but a value there has no field to go in."""
    for line, cells in records:
        for at, cell in enumerate(cells):
            if cell.strip() and (at >= len(names) or not names[at]):
                return (
                    f"column {at + 1} has no name in the header but holds a value on line "
                    f"{line}: name it (the columns are: {', '.join(COLUMNS)}) or remove it"
                )
    return ""


def _json_rows(text: str) -> Iterator[tuple[int, Mapping[str, Any] | None]]:
    """Each line's object, numbered as an editor numbers the file's lines. Lines end at a line
    feed only (the file was read with CR LF and CR made one), not at what `str.splitlines`
    also ends them at: U+2028, U+2029 and U+0085 may stand unescaped in a JSON string
    (`json.dumps(ensure_ascii=False)` and `JSON.stringify` write them so)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            value = None
        yield number, value if isinstance(value, dict) else None


def parse_row(
    line: int, raw: Mapping[str, Any] | None, region: str, now: dt.datetime
) -> tuple[MessageRow | None, list[RowProblem]]:
    """The row's message (None when it has problems), and its problems."""
    problems: list[RowProblem] = []
    wrong_kind: set[str] = set()

    def problem(name: str | None, message: str) -> None:
        if name not in wrong_kind:  # said once: not again as missing
            problems.append(RowProblem(line, name, message))

    if raw is None:  # an empty object is a message without fields: each is named below
        problem(None, "not a JSON object with the message's fields")
        return None, problems
    unknown = sorted(set(raw) - set(COLUMNS))
    for name in unknown:
        problem(
            name, f"unknown field{did_you_mean(name, COLUMNS)}: the fields are {', '.join(COLUMNS)}"
        )
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
        return None, problems
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
    return MessageRow(line, contact[0], contact[1], message, tuple(notices)), []


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
