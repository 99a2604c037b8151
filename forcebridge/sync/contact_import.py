"""Contacts from another system, imported from a CSV file: matched like pulled records, never
duplicated.

Columns are contact field names (`first_name`, ..., `country`, and the service's custom
fields), plus an optional `external_id`: the row's id in the other system. A row without one is
known by its email, else its phone (`email:ada@example.com`, `phone:+14155550100`), never by
its place in the file: a file sorted differently, or another file of the same source, must not
make one person's row update another's contact. A row with neither is refused (a failed row,
logged). Each row becomes the contact linked to `csv:SOURCE` with that id, found by that link,
else by phone, else by email, exactly as a pull finds contacts, so importing the same file
twice changes nothing, and a contact already pulled from Salesforce is enriched instead of
copied. An import only fills fields that are empty: it never overwrites what is there. Two rows
of one person (one id, email or phone) are one record: the later fills what the earlier left
empty (see `forcebridge.sync.pull_page`), as it would from a later file.

The file is read as an export reads its own: the header by `column_names` (`E-Mail` is
`email`), refused whole when it names a column it does not know, or one twice; the records by
`csv_records`, so a row that does not split into the header's columns (broken quoting, a value
too many) fails on its own, and an email is checked by the same rule.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from forcebridge.mapping.local_fields import LocalField, LocalFields, LocalType
from forcebridge.mapping.reading import read_number
from forcebridge.mapping.rules import ResolvedValue
from forcebridge.store.models import LogLevel, Service, UpdateOption
from forcebridge.store.types import utcnow
from forcebridge.sync.column_names import column_name, named_twice, unknown_columns
from forcebridge.sync.csv_delimiter import delimiter_of
from forcebridge.sync.csv_records import UnreadableRow, email_problem, is_blank, records, row_cells
from forcebridge.sync.pull import PullResult, recorded_run
from forcebridge.sync.pull_members import service_fields
from forcebridge.sync.pull_plan import PAGE_SIZE
from forcebridge.sync.pull_record import Incoming, ReadPage, Target, keyed, match_keys
from forcebridge.sync.pull_report import Code, Note, Outcome
from forcebridge.sync.pull_store import settle
from forcebridge.wording import quoted

ID_COLUMN = "external_id"
_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}


class ImportRefused(ValueError):
    """A file that cannot be imported at all; the message says what to fix."""


@dataclass(frozen=True)
class RowNote:
    """A value of a row imported that was left out or cut short (a warning), or a row not
    imported at all (a failure), and why: the run logs it, but whoever ran the import must hear
    of it too, or the contact's missing email, or the row missing altogether, goes unseen."""

    row: int
    field: str | None
    code: Code
    message: str
    """Said of the field (`email: 'nope' is not an email address (...); the field was not
    changed`), or of the row when no field is named (`has no external_id, ...`)."""

    def said(self) -> str:
        """The note as the run log and the command line say it, with its row."""
        return f"row {self.row}{', ' if self.field else ' '}{self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class ContactImport:
    """The import's run, the warnings of the rows it imported and the rows that failed, each
    in the file's order."""

    result: PullResult
    warnings: list[RowNote]
    failures: list[RowNote]


def import_source(name: str) -> str:
    """The identity source of contacts imported under `name`: `csv:NAME`."""
    if not name.strip() or ":" in name:
        raise ImportRefused(f"source name {name!r} must be a non-empty name without ':'")
    return f"csv:{name.strip()}"


def import_contacts(
    session: Session,
    service: Service,
    path: Path,
    source: str,
    *,
    clock: Callable[[], dt.datetime] = utcnow,
) -> ContactImport:
    """Import `path` into `service`'s contact book as records of `source`; one run."""
    target = Target(
        service.id, import_source(source), None, service.region, service_fields(session, service)
    )
    _check_readable(path)
    with path.open(newline="", encoding="utf-8-sig") as file:
        delimiter = delimiter_of(file.readline())
        file.seek(0)
        read = records(file, delimiter)
        header = _header(next(read, None), target.fields)
        warnings: list[RowNote] = []
        failures: list[RowNote] = []
        with recorded_run(session, None, service, target.source, clock=clock) as recorded:
            page = ReadPage()
            for number, record in read:
                if is_blank(record):
                    continue
                try:
                    row = _row(header, row_cells(record, len(header)))
                except UnreadableRow as unreadable:
                    failures.append(_failed(page, number, str(unreadable)))
                    continue
                incoming, warned = _row_warnings(number, _incoming(row, number, target, clock()))
                if incoming.external_id:
                    page.incoming.append(incoming)
                    warnings += warned
                else:
                    page.notes += incoming.notes
                    failures.append(_failed(page, number, _UNIDENTIFIED))
                if len(page.incoming) == PAGE_SIZE:
                    settle(session, target, recorded.run, page)
                    session.commit()
                    page = ReadPage()
            settle(session, target, recorded.run, page)
            session.commit()
    return ContactImport(PullResult.of(recorded.run), warnings, failures)


def _check_readable(path: Path) -> None:
    """Refuse a file that cannot be read, or is not UTF-8 text, before anything is imported;
    read a line at a time (a UTF-8 character never holds a newline byte), so a large file is
    never held whole and the line named is exact."""
    try:
        with path.open("rb") as file:
            for number, line in enumerate(file, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    raise ImportRefused(
                        f"{path} is not UTF-8 text (line {number}): save it as CSV UTF-8"
                    ) from None
    except OSError as error:
        raise ImportRefused(f"cannot read {path}: {error.strerror}") from None


def _header(first: tuple[int, list[str] | csv.Error] | None, fields: LocalFields) -> list[str]:
    """The column each header cell names ("" for an empty one); the file is refused when its
    header names a column that is no contact field, or one twice."""
    known = (*fields.names, ID_COLUMN)
    if first is None or isinstance(first[1], csv.Error) or is_blank(first[1]):
        raise ImportRefused(
            f"the file has no header row: its first row must name the columns ({', '.join(known)})"
        )
    names = [column_name(cell, known) for cell in first[1]]
    if problem := unknown_columns(names, known) or named_twice(first[1], names):
        raise ImportRefused(problem)
    return names


def _row(header: list[str], cells: list[str]) -> dict[str, str]:
    """The row's values by column; a value under a column the header leaves unnamed (a
    spreadsheet adds empty ones, passed over) has no field to go in, so the row fails."""
    for at, (name, cell) in enumerate(zip(header, cells, strict=True), start=1):
        if not name and cell.strip():
            raise UnreadableRow(
                f"holds a value in column {at}, which the header leaves unnamed: name the "
                "column or remove the value"
            )
    return {name: cell for name, cell in zip(header, cells, strict=True) if name}


def _incoming(row: dict[str, str], number: int, target: Target, now: dt.datetime) -> Incoming:
    """The row as a record of its source; with no id of its own and nothing that identifies
    the person (`_row_identity`), its `external_id` is empty."""
    given = (row.get(ID_COLUMN) or "").strip()
    external_id = given or f"row {number}"
    values: dict[str, ResolvedValue] = {}
    notes: list[Note] = []
    for column, text in row.items():
        field = target.fields.get(column)
        if field is None or not text.strip():
            continue
        try:
            value, warnings = _value(text.strip(), field)
        except ValueError as error:
            code = Code.INVALID_EMAIL if field.type is LocalType.EMAIL else Code.CONVERSION_FAILED
            message = f"{column}: {quoted(text.strip())} {error}; the field was not changed"
            notes.append(Note(LogLevel.WARNING, code, message, external_id, column))
            continue
        notes += [Note(LogLevel.WARNING, Code.TRUNCATED, w, external_id, column) for w in warnings]
        values[field.name] = ResolvedValue(value, column, 1, UpdateOption.FILL_EMPTY)
    incoming = keyed(external_id, now, values, notes, target.region)
    if given:
        return incoming
    identity = _row_identity(incoming.keys)
    return incoming._replace(external_id=identity, keyed_as=match_keys(identity, incoming.keys))


def _row_warnings(number: int, incoming: Incoming) -> tuple[Incoming, list[RowNote]]:
    """The row's warnings (a value left out or cut short: here, or as `keyed` reads its phones),
    and the row with each one's log entry naming the row, as the command line says it."""
    notes, warnings = [], []
    for note in incoming.notes:
        if note.level is LogLevel.WARNING:
            warning = RowNote(number, note.field, note.code, note.message)
            warnings.append(warning)
            note = dataclasses.replace(note, message=warning.said())
        notes.append(note)
    return incoming._replace(notes=tuple(notes)), warnings


def _row_identity(keys: Mapping[str, str | None]) -> str:
    """What names the person of a row without an id: its email, else a phone ("" if none)."""
    for name, prefix in (("email", "email"), ("phone", "phone"), ("mobile_phone", "phone")):
        if keys.get(name):
            return f"{prefix}:{keys[name]}"
    return ""


_UNIDENTIFIED = (
    f"has no {ID_COLUMN}, and no email or phone that reads as one: nothing identifies the "
    "person, so it was not imported"
)


def _failed(page: ReadPage, number: int, why: str) -> RowNote:
    """Row `number`, not imported, `why` said of it: counted failed and logged in `page`."""
    failure = RowNote(number, None, Code.UNREADABLE_RECORD, why)
    page.notes.append(Note(LogLevel.ERROR, failure.code, failure.said(), f"row {number}"))
    page.tally.count(Outcome.FAILED)
    return failure


def _value(text: str, field: LocalField) -> tuple[Any, list[str]]:
    kind = field.type
    if kind is LocalType.EMAIL and (problem := email_problem(text)):
        raise ValueError(problem)
    if kind is LocalType.NUMBER:
        return read_number(text), []
    if kind is LocalType.BOOLEAN:
        if text.lower() not in _TRUE | _FALSE:
            raise ValueError("is not true or false")
        return text.lower() in _TRUE, []
    if kind is LocalType.DATE:
        return _iso(dt.date.fromisoformat, text, "a date (2024-11-07)"), []
    if kind is LocalType.DATETIME:
        moment = _iso(dt.datetime.fromisoformat, text, "a date and time (2024-11-07T09:00+01:00)")
        if moment.tzinfo is None:
            raise ValueError("has no time zone (write it like 2024-11-07T09:00:00+01:00)")
        return moment, []
    if kind is LocalType.TIME:
        return _iso(dt.time.fromisoformat, text, "a time (09:30)"), []
    if kind is LocalType.CHOICE and field.choices is not None and text not in field.choices:
        raise ValueError(f"is not one of {', '.join(field.choices)}")
    if field.max_length is not None and len(text) > field.max_length:
        warning = f"{len(text):,} characters; truncated to the {field.max_length:,} it holds"
        return text[: field.max_length], [f"{field.name} has {warning}"]
    return text, []


def _iso(parse: Callable[[str], Any], text: str, what: str) -> Any:
    try:
        return parse(text)
    except ValueError:
        raise ValueError(f"is not {what}") from None
